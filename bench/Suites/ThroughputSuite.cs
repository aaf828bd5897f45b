using System.Text.Json.Nodes;

namespace SwfServerless.Bench.Suites;

/// <summary>
/// Activity-chain throughput over the W/D sweep. Runs are interleaved (run 1 of every point, then run 2, ...) so
/// that the machine's noise spreads over all points instead of biasing one.
/// </summary>
public static class ThroughputSuite
{
    /// <summary>What became of a run's tasks (2K+1 per closed workflow): the share started for a poller already waiting
    /// here by the commit that scheduled them (no message at all), and the share queued and handed to a poller here
    /// without a receive. The rest waited in the queue for a poller. Tells a run with waiting pollers from one without.</summary>
    public sealed record TaskPaths(double StartedForWaiting, double HandedOver)
    {
        public string Short() => $"{Report.F(StartedForWaiting * 100, "0")}% started for a waiting poller, {Report.F(HandedOver * 100, "0")}% handed over here";
    }

    public sealed record Point(int Parallelism, int Workflows, List<ChainResult> Runs)
    {
        public List<TaskPaths?> Paths { get; } = [];
        public double? StartedForWaiting => Paths.Count(p => p is not null) == 0 ? null : Distribution.Median(Paths.Where(p => p is not null).Select(p => p!.StartedForWaiting));

        public double StepsPerSecond => Distribution.Median(Runs.Select(r => r.StepsPerSecond));
        public double WorkflowsPerSecond => Distribution.Median(Runs.Select(r => r.WorkflowsPerSecond));
        public StorageSplit? StoragePerStep => Runs.Where(r => r.Storage is not null && r.Steps > 0).Select(r => StorageSplit.From(r.Storage!, r.Steps))
            .OrderBy(s => s.Total).ElementAtOrDefault(Runs.Count / 2);
        public double CallsPerStep => Distribution.Median(Runs.Where(r => r.Steps > 0).Select(r => (double)r.TotalCalls / r.Steps));
    }

    public static async Task<List<Point>> RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var points = o.Sweep.Select(p => new Point(p, p == 1 ? Math.Min(o.Workflows, o.WorkflowsAtOne) : o.Workflows, [])).ToList();
        Console.WriteLine($"# Throughput: {o.Workflows} workflows x {o.Steps} steps, W=D in [{string.Join(",", o.Sweep)}], {o.Runs} interleaved runs");
        for (var run = 1; run <= o.Runs; run++)
        {
            foreach (var point in points)
            {
                await using var lease = await ctx.FreshAsync();
                var before = lease.App?.Dispatch;
                var r = await Workloads.RunChainAsync(lease.Url, point.Workflows, o.Steps, point.Parallelism, point.Parallelism,
                    lease.Metrics, lease.AzuritePid, null, TimeSpan.FromMinutes(5));
                var tasks = r.Closed * (2.0 * o.Steps + 1);
                var paths = lease.App?.Dispatch is { } after && before is { } b && tasks > 0
                    ? new TaskPaths((after.Matched - b.Matched) / tasks, (after.HandedOver - b.HandedOver) / tasks)
                    : null;
                point.Runs.Add(r);
                point.Paths.Add(paths);
                Console.WriteLine($"  run {run} W=D={point.Parallelism}: {r.Closed}/{r.Workflows} closed in {r.Seconds:0.00} s, {r.StepsPerSecond:0.0} steps/s, " +
                                  $"errors {r.Errors}" + (r.Storage is null ? "" : $", storage/step {StorageSplit.From(r.Storage, Math.Max(1, r.Steps)).Short()}") +
                                  (paths is null ? "" : $"; tasks: {paths.Short()}"));
            }
        }

        ctx.Report.Section("throughput", new JsonObject
        {
            ["stepsPerWorkflow"] = o.Steps, ["runs"] = o.Runs,
            ["points"] = new JsonArray(points.Select(p => (JsonNode)new JsonObject
            {
                ["parallelism"] = p.Parallelism, ["workflows"] = p.Workflows,
                ["medianStepsPerSecond"] = Report.N(p.StepsPerSecond, 2), ["medianWorkflowsPerSecond"] = Report.N(p.WorkflowsPerSecond, 2),
                ["medianStoragePerStep"] = p.StoragePerStep?.ToJson(),
                ["medianSwfCallsPerStep"] = Report.N(p.CallsPerStep, 3),
                ["medianTasksStartedForWaitingPoller"] = p.StartedForWaiting is { } w ? Report.N(w, 3) : null,
                ["runs"] = new JsonArray(p.Runs.Select((r, i) =>
                {
                    var run = r.ToJson();
                    if (p.Paths[i] is { } paths)
                        run["tasks"] = new JsonObject { ["startedForWaitingPoller"] = Report.N(paths.StartedForWaiting, 3), ["handedOverHere"] = Report.N(paths.HandedOver, 3) };
                    return (JsonNode)run;
                }).ToArray()),
            }).ToArray()),
        });
        foreach (var p in points)
        {
            var latP50 = Distribution.Median(p.Runs.Where(r => r.WorkflowMs is not null).Select(r => r.WorkflowMs!.P50));
            var latP99 = Distribution.Median(p.Runs.Where(r => r.WorkflowMs is not null).Select(r => r.WorkflowMs!.P99));
            var incomplete = p.Runs.Count(r => !r.Complete);
            ctx.Report.Add(new Row("1 throughput", $"W=D={p.Parallelism}, N={p.Workflows}: steps/s | workflows/s",
                $"{Report.F(p.StepsPerSecond, "0.0")} | {Report.F(p.WorkflowsPerSecond, "0.0")}",
                Note: $"median of {p.Runs.Count}; workflow latency p50 {Report.F(latP50 / 1000, "0.0")} s, p99 {Report.F(latP99 / 1000, "0.0")} s" +
                      (p.StoragePerStep is { } s ? $"; storage/step under load {s.Short()}" : "") +
                      $"; SWF calls/step {Report.F(p.CallsPerStep, "0.0")}" +
                      (p.StartedForWaiting is { } waiting ? $"; tasks started for a waiting poller {Report.F(waiting * 100, "0")}%" : "") + (incomplete > 0 ? $"; {incomplete} run(s) hit the time bound" : "")));
        }
        return points;
    }
}
