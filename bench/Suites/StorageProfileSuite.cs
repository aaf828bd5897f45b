using System.Text.Json.Nodes;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Bench.Client;

namespace SwfServerless.Bench.Suites;

/// <summary>
/// Storage requests per SWF call, by kind: one client drives workflows of K steps strictly one call at a time
/// against an app nobody else uses, so the counter delta around each call is exactly that call's cost. Polls are
/// issued after their task is queued (no waiting), so this is the cost of the work itself; waiting is in the idle part.
/// </summary>
public static class StorageProfileSuite
{
    public sealed record Profile(Dictionary<string, StorageSplit> PerCall, StorageSplit PerStep, double CallsPerStep, StorageSplit PerStepWaiting);

    public static async Task<Profile> RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var app = await ctx.AppAsync();
        Console.WriteLine($"# Storage per API call: {o.SequentialWorkflows} workflows x {o.Steps} steps, one call at a time");
        using var client = new SwfClient(app.Url);
        var domain = await Workloads.NewDomainAsync(client, "cost");
        var deltas = new Dictionary<string, List<StorageMetricsSnapshot>>();
        var total = app.Metrics.Snapshot();
        var calls0 = client.TotalCalls;

        async Task<T> Measure<T>(string op, Func<Task<T>> call)
        {
            var before = app.Metrics.Snapshot();
            var result = await call();
            var delta = app.Metrics.Snapshot().Minus(before);
            if (!deltas.TryGetValue(op, out var list)) deltas[op] = list = [];
            list.Add(delta);
            return result;
        }

        for (var w = 0; w < o.SequentialWorkflows; w++)
        {
            await Measure("StartWorkflowExecution", async () => await client.StartAsync(domain, $"seq-{w}", "chain"));
            for (var step = 0; ; step++)
            {
                var d = await Measure("PollForDecisionTask", async () => await client.PollDecisionAsync(domain, Workloads.DeciderList))
                    ?? throw new InvalidOperationException("a decision task was expected");
                if (step == o.Steps)
                {
                    await Measure("RespondDecisionTaskCompleted (complete)", async () => { await client.RespondDecisionAsync(d.TaskToken, new JsonArray(Decisions.Complete())); return 0; });
                    break;
                }
                await Measure("RespondDecisionTaskCompleted (schedule)", async () =>
                {
                    await client.RespondDecisionAsync(d.TaskToken, new JsonArray(Decisions.ScheduleActivity($"s{step}", "step", "in"))); return 0;
                });
                var a = await Measure("PollForActivityTask", async () => await client.PollActivityAsync(domain, Workloads.WorkerList))
                    ?? throw new InvalidOperationException("an activity task was expected");
                await Measure("RespondActivityTaskCompleted", async () => { await client.RespondActivityCompletedAsync(a.TaskToken, "out"); return 0; });
            }
        }
        var steps = o.SequentialWorkflows * o.Steps;
        var all = app.Metrics.Snapshot().Minus(total);
        var perStep = StorageSplit.From(all, steps);
        var callsPerStep = (double)(client.TotalCalls - calls0) / steps;
        var perCall = deltas.ToDictionary(p => p.Key, p => Average(p.Value));
        var waiting = await WithWaitingPollersAsync(app.Url, app.Metrics.Snapshot, domain, o.SequentialWorkflows, o.Steps);

        ctx.Report.Section("storagePerCall", new JsonObject
        {
            ["workflows"] = o.SequentialWorkflows, ["stepsPerWorkflow"] = o.Steps,
            ["perCall"] = new JsonObject(perCall.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value.ToJson()))),
            ["perStepIncludingStartAndClose"] = perStep.ToJson(),
            ["swfCallsPerStep"] = Math.Round(callsPerStep, 3),
            ["perStepWithWaitingPollers"] = waiting.ToJson(),
        });
        foreach (var (op, split) in perCall.OrderBy(p => p.Key))
            ctx.Report.Add(new Row("5 storage per call", op, split.Short(), Note: string.Join(" ", split.ByOperation.Select(p => $"{p.Key}={Report.F(p.Value, "0.#")}"))));
        ctx.Report.Add(new Row("5 storage per call", "per activity step, sequential, no poller waiting (start+close amortized)", perStep.Short(), "<= 12",
            Report.AtMost(perStep.Total, 12)));
        ctx.Report.Add(new Row("5 storage per call", "per activity step, sequential, pollers waiting (start+close amortized)", waiting.Short(), "<= 8",
            Report.AtMost(waiting.Total, 8), Note: string.Join(" ", waiting.ByOperation.Select(p => $"{p.Key}={Report.F(p.Value, "0.#")}")) + "; includes the idle looks of the task lists' and intents' receive loops while the pollers wait"));
        return new Profile(perCall, perStep, callsPerStep, waiting);
    }

    /// <summary>
    /// The same workflows with a decider and a worker long-polling all the time, as real ones do, one workflow after
    /// another: every task is scheduled while its poller waits (started for it in the scheduling commit). Storage per step
    /// over the whole span, start and close amortized, the receive loops' idle looks included.
    /// </summary>
    private static async Task<StorageSplit> WithWaitingPollersAsync(string url, Func<StorageMetricsSnapshot> metrics, string domain, int workflows, int k)
    {
        using var client = new SwfClient(url);
        using var stop = new CancellationTokenSource();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Decider()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (await client.PollDecisionAsync(domain, Workloads.DeciderList, stop.Token) is not { } t) continue;
                    var completed = t.Count("ActivityTaskCompleted");
                    var closing = completed >= k;
                    await client.RespondDecisionAsync(t.TaskToken, closing ? new JsonArray(Decisions.Complete())
                        : new JsonArray(Decisions.ScheduleActivity($"s{completed}", "step", "in")), stop.Token);
                    if (closing) closed.TrySetResult();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            }
        }

        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (await client.PollActivityAsync(domain, Workloads.WorkerList, stop.Token) is not { } t) continue;
                    await client.RespondActivityCompletedAsync(t.TaskToken, "out", stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            }
        }

        var loops = new[] { Task.Run(Decider), Task.Run(Worker) };
        await Task.Delay(500); // both polls are waiting
        var before = metrics();
        for (var w = 0; w < workflows; w++)
        {
            closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await client.StartAsync(domain, $"waiting-{w}", "chain");
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        var delta = metrics().Minus(before);
        stop.Cancel();
        await Task.WhenAll(loops);
        return StorageSplit.From(delta, workflows * k);
    }

    private static StorageSplit Average(List<StorageMetricsSnapshot> snapshots)
    {
        var sum = snapshots.Aggregate((a, b) => new StorageMetricsSnapshot(
            a.ByOperation.AddRange(b.ByOperation.Where(p => !a.ByOperation.ContainsKey(p.Key)))
                .SetItems(b.ByOperation.Where(p => a.ByOperation.ContainsKey(p.Key)).Select(p => KeyValuePair.Create(p.Key, a.ByOperation[p.Key] + p.Value))),
            a.Reads + b.Reads, a.Writes + b.Writes, a.Retries + b.Retries));
        return StorageSplit.From(sum, snapshots.Count);
    }
}
