using System.Text.Json.Nodes;
using SwfServerless.Bench.Client;

namespace SwfServerless.Bench.Suites;

/// <summary>
/// Dispatch latency: a poller is already waiting (its poll was sent 1.0-1.5 s earlier by default, --dispatch-wait-ms, so it is in its steady
/// state, not in its first fast looks); the bench then makes the call that schedules a task and measures from
/// that call's answer to the poller's answer. Four kinds per workflow: start → decision, respond decision →
/// activity, respond activity → decision, signal → decision. Same instance: poller and caller on app A. Across
/// instances: the poller on app B, the caller on app A (two in-process apps, one Azurite, one StoragePrefix).
/// One sample at a time, nothing else running.
/// </summary>
public static class DispatchSuite
{
    public static readonly string[] Kinds = ["start→decision", "respondDecision→activity", "respondActivity→decision", "signal→decision"];

    public sealed record Result(string Mode, Dictionary<string, List<double>> ByKind)
    {
        public Distribution? All => Distribution.Of(ByKind.Values.SelectMany(v => v));
    }

    public static async Task<List<Result>> RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var results = new List<Result>();
        var a = await ctx.EndpointAsync();
        Console.WriteLine($"# Dispatch latency: {o.DispatchSamples} workflows x 4 kinds per mode");
        results.Add(await MeasureAsync("same instance", a, a, o.DispatchSamples, o.DispatchWaitMs));
        if (ctx.CanHostInProcess)
        {
            var b = await ctx.SecondAppAsync();
            results.Add(await MeasureAsync("across instances", a, b.Url, o.DispatchSamples, o.DispatchWaitMs));
            await ctx.StopSecondAppAsync();
        }
        var json = new JsonObject();
        foreach (var r in results)
        {
            json[r.Mode] = new JsonObject
            {
                ["all"] = Report.ToJson(r.All),
                ["byKind"] = new JsonObject(r.ByKind.Select(p => KeyValuePair.Create(p.Key, Report.ToJson(Distribution.Of(p.Value))))),
            };
            var all = r.All;
            var kinds = string.Join("; ", r.ByKind.Select(p => $"{p.Key} p50 {Report.F(Distribution.Median(p.Value), "0")}"));
            if (r.Mode == "same instance")
            {
                ctx.Report.Add(new Row("3 dispatch", "same instance p50", $"{Report.F(all?.P50 ?? double.NaN, "0.0")} ms", "<= 10 ms", Report.AtMost(all?.P50 ?? double.NaN, 10), $"n={all?.Count}; {kinds}"));
                ctx.Report.Add(new Row("3 dispatch", "same instance p99", $"{Report.F(all?.P99 ?? double.NaN, "0.0")} ms", "<= 50 ms", Report.AtMost(all?.P99 ?? double.NaN, 50)));
            }
            else
            {
                ctx.Report.Add(new Row("3 dispatch", "across instances p50", $"{Report.F(all?.P50 ?? double.NaN, "0")} ms", "<= 250 ms", Report.AtMost(all?.P50 ?? double.NaN, 250), $"n={all?.Count}; {kinds}"));
                ctx.Report.Add(new Row("3 dispatch", "across instances p99", $"{Report.F(all?.P99 ?? double.NaN, "0")} ms", Note: "no target"));
            }
        }
        if (!ctx.CanHostInProcess) ctx.Report.Add(new Row("3 dispatch", "across instances", "not available", Note: "needs in-process apps (not with --endpoint)"));
        ctx.Report.Section("dispatch", json);
        return results;
    }

    private static async Task<Result> MeasureAsync(string mode, string callerUrl, string pollerUrl, int samples, int waitMs)
    {
        using var caller = new SwfClient(callerUrl);
        using var poller = new SwfClient(pollerUrl);
        var domain = await Workloads.NewDomainAsync(caller, "lat");
        var byKind = Kinds.ToDictionary(k => k, _ => new List<double>());
        var random = new Random(42);

        async Task<T> Waiting<T>(Func<Task<T?>> poll, Func<Task> trigger, string kind) where T : class
        {
            var polling = poll();
            await Task.Delay(TimeSpan.FromMilliseconds(waitMs + random.Next(waitMs / 2 + 1)));
            if (polling.IsCompleted) throw new InvalidOperationException($"{kind}: the poll answered before its task was scheduled");
            await trigger();
            var answeredAt = Clock.Now;
            var task = await polling ?? throw new InvalidOperationException($"{kind}: the poll came back empty");
            var at = task switch { DecisionTask d => d.AnsweredAt, ActivityTask t => t.AnsweredAt, _ => Clock.Now };
            byKind[kind].Add(Clock.Ms(answeredAt, at));
            return task;
        }

        for (var i = 0; i < samples; i++)
        {
            var id = $"lat-{i}";
            var d1 = await Waiting(() => poller.PollDecisionAsync(domain, Workloads.DeciderList), () => caller.StartAsync(domain, id, "chain"), Kinds[0]);
            var a1 = await Waiting(() => poller.PollActivityAsync(domain, Workloads.WorkerList),
                () => caller.RespondDecisionAsync(d1.TaskToken, new JsonArray(Decisions.ScheduleActivity("a", "step"))), Kinds[1]);
            var d2 = await Waiting(() => poller.PollDecisionAsync(domain, Workloads.DeciderList), () => caller.RespondActivityCompletedAsync(a1.TaskToken, "r"), Kinds[2]);
            await caller.RespondDecisionAsync(d2.TaskToken, new JsonArray());
            var d3 = await Waiting(() => poller.PollDecisionAsync(domain, Workloads.DeciderList), () => caller.SignalAsync(domain, id, "go"), Kinds[3]);
            await caller.RespondDecisionAsync(d3.TaskToken, new JsonArray(Decisions.Complete()));
        }
        var result = new Result(mode, byKind);
        Console.WriteLine($"  {mode}: {result.All}; " + string.Join("; ", byKind.Select(p => $"{p.Key} {Distribution.Of(p.Value)}")));
        return result;
    }
}
