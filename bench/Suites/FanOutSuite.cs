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
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var endpoint = await ctx.EndpointAsync();
        Console.WriteLine($"# Fan-out: 1 workflow, {o.FanOut} activities in one decision, {o.FanOutWorkers} workers, {o.FanOutRuns} run(s)");
        var runs = new JsonArray();
        var totals = new List<double>();
        var allDone = new List<double>();
        var batchesPerChange = new List<double>();
        for (var run = 0; run < o.FanOutRuns; run++)
        {
            using var client = new SwfClient(endpoint);
            var domain = await Workloads.NewDomainAsync(client, "fan");
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var completedCalls = 0;
            long lastCompletionAt = 0;
            var decisionTasks = 0;
            var closed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var errors = 0;

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
                            var all = new JsonArray(Enumerable.Range(0, o.FanOut).Select(i => (JsonNode)Decisions.ScheduleActivity($"a{i}", "step", $"in-{i}")).ToArray());
                            await client.RespondDecisionAsync(t.TaskToken, all, stop.Token);
                        }
                        else if (completed >= o.FanOut)
                        {
                            await client.RespondDecisionAsync(t.TaskToken, new JsonArray(Decisions.Complete()), stop.Token);
                            closed.TrySetResult(Clock.Now);
                        }
                        else await client.RespondDecisionAsync(t.TaskToken, new JsonArray(), stop.Token);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                    catch (Exception e) when (e is SwfException or HttpRequestException) { Interlocked.Increment(ref errors); await Task.Delay(10); }
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
                        if (Interlocked.Increment(ref completedCalls) == o.FanOut) Interlocked.Exchange(ref lastCompletionAt, Clock.Now);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                    catch (Exception e) when (e is SwfException or HttpRequestException) { Interlocked.Increment(ref errors); await Task.Delay(10); }
                }
            }

            var before = ctx.MetricsSnapshot?.Invoke();
            var t0 = Clock.Now;
            var loops = new List<Task> { Task.Run(Decider) };
            loops.AddRange(Enumerable.Range(0, o.FanOutWorkers).Select(_ => Task.Run(Worker)));
            await client.StartAsync(domain, "fan-0", "chain");
            var finished = await Task.WhenAny(closed.Task, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => 0L)) == closed.Task;
            var after = ctx.MetricsSnapshot?.Invoke();
            stop.Cancel();
            await Task.WhenAll(loops);
            if (!finished) { Console.WriteLine($"  run {run + 1}: did not close within the bound ({completedCalls} completed)"); runs.Add(new JsonObject { ["closed"] = false, ["completed"] = completedCalls }); continue; }
            var totalMs = Clock.Ms(t0, closed.Task.Result);
            var allCompletedMs = Clock.Ms(t0, Interlocked.Read(ref lastCompletionAt));
            totals.Add(totalMs);
            allDone.Add(allCompletedMs);
            // Every successful state change is one batch (plus ~F/99 write-ahead batches for the big decision):
            // activity claims F, completions F, decision claims and responses 2 per decision task, the start.
            var changes = 2.0 * o.FanOut + 2 * decisionTasks + 1;
            var storage = after is null ? null : after.Minus(before!);
            var batches = storage?["table.batch"] ?? 0;
            if (storage is not null) batchesPerChange.Add(batches / changes);
            Console.WriteLine($"  run {run + 1}: all {o.FanOut} completed after {allCompletedMs / 1000:0.00} s, closed after {totalMs / 1000:0.00} s; " +
                              $"{decisionTasks} decision tasks; errors {errors}" + (storage is null ? "" : $"; table.batch {batches} for ~{changes} state changes"));
            runs.Add(new JsonObject
            {
                ["closed"] = true, ["allCompletedMs"] = Math.Round(allCompletedMs, 1), ["closedMs"] = Math.Round(totalMs, 1),
                ["decisionTasks"] = decisionTasks, ["errors"] = errors, ["swfCalls"] = client.TotalCalls,
                ["storage"] = storage is null ? null : StorageSplit.From(storage).ToJson(),
                ["tableBatchesPerStateChange"] = storage is null ? null : Math.Round(batches / changes, 3),
            });
        }
        ctx.Report.Section("fanOut", new JsonObject { ["activities"] = o.FanOut, ["workers"] = o.FanOutWorkers, ["runs"] = runs });
        ctx.Report.Add(new Row("2 fan-out", $"{o.FanOut} activities in one decision, W={o.FanOutWorkers}: all completed | workflow closed",
            $"{Report.F(Distribution.Median(allDone) / 1000, "0.0")} s | {Report.F(Distribution.Median(totals) / 1000, "0.0")} s",
            Note: $"median of {totals.Count}; {Report.F(o.FanOut / (Distribution.Median(totals) / 1000), "0")} activities/s" +
                  (batchesPerChange.Count > 0 ? $"; {Report.F(Distribution.Median(batchesPerChange), "0.00")} batch transactions per state change (ETag conflicts above 1)" : "")));
    }
}
