using System.Text.Json;
using System.Text.Json.Nodes;
using SwfServerless.Bench.Client;
using SwfServerless.Bench.Infra;

namespace SwfServerless.Bench.Suites;

/// <summary>
/// The large cases, each against the app as its own process (`dotnet SwfServerless.Server.dll`, fresh Azurite) so
/// that its memory is its own: one decision scheduling F activities (1,000) until the run closes, and a history of
/// H events (25,000, SWF's limit) read whole through PollForDecisionTask's pages and GetWorkflowExecutionHistory's,
/// forward and reverse. Memory: the app's peak RSS during each phase (VmHWM reset through /proc/pid/clear_refs
/// before it) beside its RSS when it began: a phase that held the whole history would show it.
/// </summary>
public static class BigSuite
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var dll = Path.Combine(ctx.RepoRoot, "src", "SwfServerless.Server", "bin", o.Configuration, "net10.0", "SwfServerless.Server.dll");
        if (!File.Exists(dll)) { ctx.Report.Add(new Row("2 big", "fan-out and long history", "not available", Note: $"{dll} missing")); return; }
        var json = new JsonObject();

        Console.WriteLine($"# Big fan-out: {o.BigFanOut} activities in one decision, {o.FanOutWorkers} workers, the app as its own process");
        await using (var storage = await Azurite.StartAsync(ctx.RepoRoot))
        await using (var app = await AppProcess.StartReadyAsync(dll, storage.ConnectionString, ctx.Prefix))
        {
            var rss0 = ProcStats.StatusMiB(app.Pid, "VmRSS");
            var r = await FanOutSuite.RunOnceAsync(app.Url, null, o.BigFanOut, o.FanOutWorkers, o.FanOutBoundSeconds * 5);
            var hwm = ProcStats.StatusMiB(app.Pid, "VmHWM");
            Console.WriteLine($"  {r.Summary}; app RSS {rss0:0} MiB before, peak {hwm:0} MiB");
            r.Json["rssBeforeMiB"] = Report.N(rss0, 1);
            r.Json["peakRssMiB"] = Report.N(hwm, 1);
            json["fanOut"] = r.Json;
            ctx.Report.Add(new Row("2 big", $"{o.BigFanOut} activities in one decision, W={o.FanOutWorkers}: all completed | closed",
                r.Closed ? $"{Report.F(r.AllCompletedMs / 1000, "0.0")} s | {Report.F(r.ClosedMs / 1000, "0.0")} s" : "never closed",
                Note: $"one run, app as its own process: peak RSS {Report.F(hwm, "0")} MiB ({Report.F(rss0, "0")} MiB before)" + (r.Closed ? "" : "; " + r.Summary)));
        }

        Console.WriteLine($"# Long history: {o.BigHistory} events, read through both paged operations, the app as its own process");
        await using (var storage = await Azurite.StartAsync(ctx.RepoRoot))
        await using (var app = await AppProcess.StartReadyAsync(dll, storage.ConnectionString, ctx.Prefix))
        {
            json["history"] = await LongHistoryAsync(ctx, app, o.BigHistory);
        }
        ctx.Report.Section("big", json);
    }

    /// <summary>
    /// Builds a run of exactly <paramref name="target"/> events: rounds of signal → poll → up to 1,000 RecordMarker
    /// decisions, then one last decision task (timed: its pages through PollForDecisionTask) that closes the run, then
    /// GetWorkflowExecutionHistory of the closed run, forward and reverse (timed).
    /// </summary>
    private static async Task<JsonObject> LongHistoryAsync(BenchContext ctx, AppProcess app, int target)
    {
        using var client = new SwfClient(app.Url);
        var domain = await Workloads.NewDomainAsync(client, "history");
        var runId = await client.StartAsync(domain, "long-0", "chain");
        var build = Clock.Now;
        // The last decision task adds Signaled, DecisionTaskScheduled, DecisionTaskStarted, DecisionTaskCompleted, WorkflowExecutionCompleted.
        var buildTo = target - 5;
        for (var first = true; ; first = false)
        {
            if (!first) await client.SignalAsync(domain, "long-0", "more");
            var task = await client.CallAsync("PollForDecisionTask", new JsonObject
            {
                ["domain"] = domain, ["taskList"] = new JsonObject { ["name"] = Workloads.DeciderList }, ["maximumPageSize"] = 1,
            });
            var started = task.GetProperty("startedEventId").GetInt64();
            var markers = (int)Math.Min(1000, buildTo - started - 1); // DecisionTaskCompleted, then the markers
            var decisions = new JsonArray(Enumerable.Range(0, Math.Max(0, markers)).Select(i => (JsonNode)new JsonObject
            {
                ["decisionType"] = "RecordMarker",
                ["recordMarkerDecisionAttributes"] = new JsonObject { ["markerName"] = "m", ["details"] = $"{started}-{i}" },
            }).ToArray());
            await client.RespondDecisionAsync(task.GetProperty("taskToken").GetString()!, decisions);
            if (started + 1 + markers >= buildTo) break;
        }
        var buildSeconds = Clock.SinceMs(build) / 1000;
        Console.WriteLine($"  built {buildTo} events in {buildSeconds:0.0} s");

        await client.SignalAsync(domain, "long-0", "last");
        var (pollMs, pollPages, pollEvents, pollRss, pollPeak) = await PhaseAsync(app, async () =>
        {
            var d = await client.PollDecisionAsync(domain, Workloads.DeciderList) ?? throw new InvalidOperationException("a decision task was expected");
            await client.RespondDecisionAsync(d.TaskToken, new JsonArray(Decisions.Complete()));
            return (client.Calls.GetValueOrDefault("PollForDecisionTask:page") + 1, d.Events.Count);
        });
        var execution = new JsonObject { ["workflowId"] = "long-0", ["runId"] = runId };
        async Task<(long Pages, int Events)> ReadAll(bool reverse)
        {
            long pages = 0;
            var events = 0;
            long? expected = null;
            string? token = null;
            do
            {
                var body = new JsonObject { ["domain"] = domain, ["execution"] = execution.DeepClone(), ["reverseOrder"] = reverse };
                if (token is not null) body["nextPageToken"] = token;
                var page = await client.CallAsync("GetWorkflowExecutionHistory", body);
                pages++;
                foreach (var e in page.GetProperty("events").EnumerateArray())
                {
                    // The bench checks what it reads: ids one apart across pages, in the order asked for.
                    var id = e.GetProperty("eventId").GetInt64();
                    if (expected is { } want && id != want) throw new InvalidOperationException($"event {id} where {want} was expected");
                    expected = reverse ? id - 1 : id + 1;
                    events++;
                }
                token = page.TryGetProperty("nextPageToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            }
            while (!string.IsNullOrEmpty(token));
            return (pages, events);
        }
        var forward = await PhaseAsync(app, () => ReadAll(false));
        var reverse = await PhaseAsync(app, () => ReadAll(true));

        var result = new JsonObject { ["events"] = forward.Events, ["buildSeconds"] = Report.N(buildSeconds, 1) };
        void Add(string key, string what, (double Ms, long Pages, int Events, double Rss, double Peak) p)
        {
            result[key] = new JsonObject
            {
                ["ms"] = Report.N(p.Ms, 1), ["pages"] = p.Pages, ["events"] = p.Events, ["rssBeforeMiB"] = Report.N(p.Rss, 1), ["peakRssMiB"] = Report.N(p.Peak, 1),
            };
            Console.WriteLine($"  {what}: {p.Events} events in {p.Pages} pages, {p.Ms / 1000:0.00} s; app RSS {p.Rss:0} MiB before, peak {p.Peak:0} MiB");
            ctx.Report.Add(new Row("2 big", $"history of {forward.Events} events: {what}", $"{Report.F(p.Ms / 1000, "0.00")} s",
                Note: $"{p.Pages} pages; app peak RSS {Report.F(p.Peak, "0")} MiB ({Report.F(p.Rss, "0")} MiB before)"));
        }
        Add("pollForDecisionTask", "PollForDecisionTask, all pages (+ the closing respond)", (pollMs, pollPages, pollEvents, pollRss, pollPeak));
        Add("historyForward", "GetWorkflowExecutionHistory, all pages", forward);
        Add("historyReverse", "GetWorkflowExecutionHistory reverseOrder, all pages", reverse);
        return result;
    }

    /// <summary>Times <paramref name="phase"/>; the app's RSS before and its peak during (VmHWM reset first).</summary>
    private static async Task<(double Ms, long Pages, int Events, double Rss, double Peak)> PhaseAsync(AppProcess app, Func<Task<(long Pages, int Events)>> phase)
    {
        ResetPeak(app.Pid);
        var rss = ProcStats.StatusMiB(app.Pid, "VmRSS");
        var t0 = Clock.Now;
        var (pages, events) = await phase();
        return (Clock.SinceMs(t0), pages, events, rss, ProcStats.StatusMiB(app.Pid, "VmHWM"));
    }

    /// <summary>Linux: writing 5 to clear_refs resets VmHWM to the current RSS.</summary>
    private static void ResetPeak(int pid)
    {
        try { File.WriteAllText($"/proc/{pid}/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
