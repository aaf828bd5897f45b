using System.Text.Json.Nodes;
using SwfServerless.Bench.Client;

namespace SwfServerless.Bench.Suites;

/// <summary>
/// Fan-out: one workflow's first decision schedules F activities; W workers complete them; every completion
/// asks for a decision (SWF coalesces them: at most one scheduled at a time), and the decider closes the
/// workflow once all F are completed. Timed from the start call to the closing decision's answer.
/// </summary>
public static class FanOutSuite
{
    /// <summary>What the service says about a workflow that did not close: open counts and its last events.</summary>
    private static async Task<string> DiagnoseAsync(SwfClient client, string domain)
    {
        try
        {
            var describe = await client.CallAsync("DescribeWorkflowExecution", new JsonObject
            {
                ["domain"] = domain, ["execution"] = new JsonObject { ["workflowId"] = "fan-0", ["runId"] = (await client.CallAsync("ListOpenWorkflowExecutions", new JsonObject
                {
                    ["domain"] = domain, ["startTimeFilter"] = new JsonObject { ["oldestDate"] = 0 }, ["executionFilter"] = new JsonObject { ["workflowId"] = "fan-0" },
                })).GetProperty("executionInfos")[0].GetProperty("execution").GetProperty("runId").GetString() },
            });
            var run = describe.GetProperty("executionInfo").GetProperty("execution");
            var last = await client.CallAsync("GetWorkflowExecutionHistory", new JsonObject
            {
                ["domain"] = domain, ["execution"] = JsonNode.Parse(run.GetRawText()), ["reverseOrder"] = true, ["maximumPageSize"] = 6,
            });
            return $"openCounts {describe.GetProperty("openCounts").GetRawText()}; last events " +
                   string.Join(", ", last.GetProperty("events").EnumerateArray().Select(e => $"{e.GetProperty("eventId").GetInt64()} {e.GetProperty("eventType").GetString()}"));
        }
        catch (Exception e) { return "diagnosis failed: " + e.Message; }
    }

    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var sizes = new JsonObject();
        foreach (var size in o.FanOutSizes) sizes[size.ToString()] = await RunSizeAsync(ctx, size);
        ctx.Report.Section("fanOut", new JsonObject { ["workers"] = o.FanOutWorkers, ["boundSeconds"] = o.FanOutBoundSeconds, ["sizes"] = sizes });
    }

    private static async Task<JsonObject> RunSizeAsync(BenchContext ctx, int fanOut)
    {
        var o = ctx.Options;
        Console.WriteLine($"# Fan-out: 1 workflow, {fanOut} activities in one decision, {o.FanOutWorkers} workers, {o.FanOutRuns} run(s)");
        var runs = new JsonArray();
        var totals = new List<double>();
        var allDone = new List<double>();
        var batchesPerChange = new List<double>();
        for (var run = 0; run < o.FanOutRuns; run++)
        {
            await using var lease = await ctx.FreshAsync();
            var r = await RunOnceAsync(lease.Url, lease.Metrics, fanOut, o.FanOutWorkers, o.FanOutBoundSeconds);
            Console.WriteLine($"  run {run + 1}: {r.Summary}");
            runs.Add(r.Json);
            if (!r.Closed) continue;
            totals.Add(r.ClosedMs);
            allDone.Add(r.AllCompletedMs);
            if (r.BatchesPerChange is { } b) batchesPerChange.Add(b);
        }
        var failed = o.FanOutRuns - totals.Count;
        ctx.Report.Add(new Row("2 fan-out", $"{fanOut} activities in one decision, W={o.FanOutWorkers}: all completed | workflow closed",
            $"{Report.F(Distribution.Median(allDone) / 1000, "0.0")} s | {Report.F(Distribution.Median(totals) / 1000, "0.0")} s",
            Note: $"median of {totals.Count}; {Report.F(fanOut / (Distribution.Median(totals) / 1000), "0")} activities/s" +
                  (batchesPerChange.Count > 0 ? $"; {Report.F(Distribution.Median(batchesPerChange), "0.00")} batch transactions per state change (ETag conflicts above 1)" : "") +
                  (failed > 0 ? $"; {failed} of {o.FanOutRuns} run(s) never closed within {o.FanOutBoundSeconds} s (see JSON: diagnosis)" : "")));
        return new JsonObject { ["activities"] = fanOut, ["runs"] = runs };
    }

    /// <summary>What one fan-out run gave: times from the start call, or the service's description of a run that did not close.</summary>
    public sealed record FanOutResult(bool Closed, double AllCompletedMs, double ClosedMs, double? BatchesPerChange, string Summary, JsonObject Json);

    /// <summary>One fan-out of <paramref name="fanOut"/> activities against the app at <paramref name="url"/> (its storage counters if in process).</summary>
    public static async Task<FanOutResult> RunOnceAsync(string url, Func<SwfServerless.Storage.AzureSdk.StorageMetricsSnapshot>? metrics, int fanOut, int workers, int boundSeconds)
    {
        using var client = new SwfClient(url);
        var domain = await Workloads.NewDomainAsync(client, "fan");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(boundSeconds));
        var completedCalls = 0;
        long lastCompletionAt = 0;
        var decisionTasks = 0;
        var closed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = 0;
        var errorMessages = new System.Collections.Concurrent.ConcurrentQueue<string>();

        async Task Decider()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var t = await client.PollDecisionAsync(domain, Workloads.DeciderList, stop.Token);
                    if (t is null) continue;
                    Interlocked.Increment(ref decisionTasks);
                    var scheduled = t.Count("ActivityTaskScheduled");
                    var completed = t.Count("ActivityTaskCompleted");
                    if (scheduled == 0)
                    {
                        var all = new JsonArray(Enumerable.Range(0, fanOut).Select(i => (JsonNode)Decisions.ScheduleActivity($"a{i}", "step", $"in-{i}")).ToArray());
                        await client.RespondDecisionAsync(t.TaskToken, all, stop.Token);
                    }
                    else if (completed >= fanOut)
                    {
                        await client.RespondDecisionAsync(t.TaskToken, new JsonArray(Decisions.Complete()), stop.Token);
                        closed.TrySetResult(Clock.Now);
                    }
                    else await client.RespondDecisionAsync(t.TaskToken, new JsonArray(), stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                catch (Exception e) when (e is SwfException or HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    errorMessages.Enqueue("decider: " + e.Message[..Math.Min(200, e.Message.Length)]);
                    await Task.Delay(10);
                }
            }
        }

        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var t = await client.PollActivityAsync(domain, Workloads.WorkerList, stop.Token);
                    if (t is null) continue;
                    await client.RespondActivityCompletedAsync(t.TaskToken, "ok", stop.Token);
                    if (Interlocked.Increment(ref completedCalls) == fanOut) Interlocked.Exchange(ref lastCompletionAt, Clock.Now);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                catch (Exception e) when (e is SwfException or HttpRequestException) { Interlocked.Increment(ref errors); await Task.Delay(10); }
            }
        }

        var before = metrics?.Invoke();
        var t0 = Clock.Now;
        var loops = new List<Task> { Task.Run(Decider) };
        loops.AddRange(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker)));
        await client.StartAsync(domain, "fan-0", "chain");
        var finished = await Task.WhenAny(closed.Task, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => 0L)) == closed.Task;
        var after = metrics?.Invoke();
        stop.Cancel();
        await Task.WhenAll(loops);
        if (!finished)
        {
            var diagnosis = await DiagnoseAsync(client, domain);
            return new FanOutResult(false, double.NaN, double.NaN, null,
                $"did not close within the bound ({completedCalls} completed, {decisionTasks} decision tasks, {errors} errors: {string.Join(" / ", errorMessages.Take(3))}): {diagnosis}",
                new JsonObject { ["closed"] = false, ["completed"] = completedCalls, ["decisionTasks"] = decisionTasks, ["errors"] = errors, ["errorMessages"] = new JsonArray(errorMessages.Take(5).Select(m => (JsonNode)m).ToArray()), ["diagnosis"] = diagnosis });
        }
        var totalMs = Clock.Ms(t0, closed.Task.Result);
        var allCompletedMs = Clock.Ms(t0, Interlocked.Read(ref lastCompletionAt));
        // Every successful state change is one batch (plus ~F/99 write-ahead batches for the big decision):
        // activity claims F, completions F, decision claims and responses 2 per decision task, the start.
        var changes = 2.0 * fanOut + 2 * decisionTasks + 1;
        var storage = after is null ? null : after.Minus(before!);
        var batches = storage?["table.batch"] ?? 0;
        return new FanOutResult(true, allCompletedMs, totalMs, storage is null ? null : batches / changes,
            $"all {fanOut} completed after {allCompletedMs / 1000:0.00} s, closed after {totalMs / 1000:0.00} s; " +
            $"{decisionTasks} decision tasks; errors {errors}" + (storage is null ? "" : $"; table.batch {batches} for ~{changes} state changes"),
            new JsonObject
            {
                ["closed"] = true, ["allCompletedMs"] = Report.N(allCompletedMs, 1), ["closedMs"] = Report.N(totalMs, 1),
                ["decisionTasks"] = decisionTasks, ["errors"] = errors, ["swfCalls"] = client.TotalCalls,
                ["storage"] = storage is null ? null : StorageSplit.From(storage).ToJson(),
                ["tableBatchesPerStateChange"] = storage is null ? null : Math.Round(batches / changes, 3),
            });
    }
}
