using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Bench.Client;
using SwfServerless.Bench.Infra;

namespace SwfServerless.Bench.Suites;

/// <summary>What one activity-chain run produced.</summary>
public sealed record ChainResult(
    int Workflows, int StepsPerWorkflow, int Deciders, int Workers, double Seconds, int Closed, int Errors,
    Distribution? WorkflowMs, StorageMetricsSnapshot? Storage, IReadOnlyDictionary<string, long> Calls, long TotalCalls,
    double AppCpuSeconds, double AzuriteCpuSeconds)
{
    public int Steps => Closed * StepsPerWorkflow;
    public double StepsPerSecond => Steps / Seconds;
    public double WorkflowsPerSecond => Closed / Seconds;
    public bool Complete => Closed == Workflows;

    public JsonObject ToJson() => new()
    {
        ["workflows"] = Workflows, ["stepsPerWorkflow"] = StepsPerWorkflow, ["deciders"] = Deciders, ["workers"] = Workers,
        ["seconds"] = Math.Round(Seconds, 3), ["closed"] = Closed, ["errors"] = Errors,
        ["stepsPerSecond"] = Report.N(StepsPerSecond, 2), ["workflowsPerSecond"] = Report.N(WorkflowsPerSecond, 2),
        ["workflowLatencyMs"] = Report.ToJson(WorkflowMs),
        ["storagePerStep"] = Storage is null || Steps == 0 ? null : StorageSplit.From(Storage, Steps).ToJson(),
        ["storageRetries"] = Storage?.Retries,
        ["swfCalls"] = new JsonObject(Calls.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["swfCallsPerStep"] = Steps == 0 ? null : Math.Round((double)TotalCalls / Steps, 3),
        ["cpuSecondsPerStep"] = new JsonObject
        {
            ["appAndBench"] = Steps == 0 ? null : Report.N(AppCpuSeconds / Steps * 1000),
            ["azurite"] = Steps == 0 ? null : Report.N(AzuriteCpuSeconds / Steps * 1000),
            ["unit"] = "CPU milliseconds per step",
        },
    };
}

/// <summary>
/// The workloads, written as real deciders and workers are: long-poll, read the whole history (paged), decide,
/// respond. Nothing here knows the service's internals.
/// </summary>
public static class Workloads
{
    public const string DeciderList = "deciders";
    public const string WorkerList = "workers";

    public static async Task<string> NewDomainAsync(SwfClient client, string label, CancellationToken ct = default)
    {
        var domain = $"bench-{label}-{Guid.NewGuid().ToString("N")[..12]}";
        await client.RegisterDomainAsync(domain, ct);
        await client.RegisterWorkflowTypeAsync(domain, "chain", DeciderList, ct);
        await client.RegisterActivityTypeAsync(domain, "step", WorkerList, ct);
        return domain;
    }

    /// <summary>
    /// N workflows of K sequential activities, D deciders and W workers polling in parallel; starts are part of the
    /// timed window (8 starters in parallel). Ends when all closed or <paramref name="bound"/> passed.
    /// </summary>
    public static async Task<ChainResult> RunChainAsync(
        string endpoint, int n, int k, int deciders, int workers, Func<StorageMetricsSnapshot>? metrics, int? azuritePid, int? appPid, TimeSpan bound)
    {
        using var setup = new SwfClient(endpoint);
        var domain = await NewDomainAsync(setup, "chain");
        using var client = new SwfClient(endpoint);
        using var stop = new CancellationTokenSource();
        var closed = 0;
        var errors = 0;
        var startedAt = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Decider()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var t = await client.PollDecisionAsync(domain, DeciderList, stop.Token);
                    if (t is null) continue;
                    var scheduled = t.Count("ActivityTaskScheduled");
                    var completed = t.Count("ActivityTaskCompleted");
                    var closing = completed >= k;
                    var decisions = closing ? new JsonArray(Decisions.Complete("done"))
                        : scheduled == completed ? new JsonArray(Decisions.ScheduleActivity($"s{completed}", "step", $"input-{completed}"))
                        : new JsonArray();
                    await client.RespondDecisionAsync(t.TaskToken, decisions, stop.Token);
                    if (closing)
                    {
                        if (startedAt.TryGetValue(t.WorkflowId, out var s)) latencies.Add(Clock.SinceMs(s));
                        if (Interlocked.Increment(ref closed) == n) done.TrySetResult();
                    }
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
                    var t = await client.PollActivityAsync(domain, WorkerList, stop.Token);
                    if (t is null) continue;
                    await client.RespondActivityCompletedAsync(t.TaskToken, "ok:" + t.Input, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                catch (Exception e) when (e is SwfException or HttpRequestException) { Interlocked.Increment(ref errors); await Task.Delay(10); }
            }
        }

        var before = metrics?.Invoke();
        var appCpu0 = ProcStats.CpuSeconds(appPid ?? Environment.ProcessId);
        var azCpu0 = azuritePid is { } ap ? ProcStats.CpuSeconds(ap) : double.NaN;
        var t0 = Clock.Now;
        var loops = Enumerable.Range(0, deciders).Select(_ => Task.Run(Decider))
            .Concat(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker))).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = Math.Min(8, Math.Max(1, n)) }, async (i, ct) =>
        {
            var id = $"wf-{i}";
            startedAt[id] = Clock.Now;
            await client.StartAsync(domain, id, "chain", null, ct);
        });
        await Task.WhenAny(done.Task, Task.Delay(bound));
        var seconds = Clock.SinceMs(t0) / 1000;
        var after = metrics?.Invoke();
        var appCpu = ProcStats.CpuSeconds(appPid ?? Environment.ProcessId) - appCpu0;
        var azCpu = azuritePid is { } ap2 ? ProcStats.CpuSeconds(ap2) - azCpu0 : double.NaN;
        stop.Cancel();
        await Task.WhenAll(loops);
        return new ChainResult(n, k, deciders, workers, seconds, closed, errors, Distribution.Of(latencies),
            after is null ? null : after.Minus(before!), client.Calls, client.TotalCalls, appCpu, azCpu);
    }
}
