using System.Text.Json;

namespace SwfServerless.Reliability.Tests;

/// <summary>What the checks of one scenario found.</summary>
public sealed class CheckReport
{
    public int Executions;
    public long Events;
    public int Lost;
    public int Doubled;
    public List<string> Violations { get; } = [];
    /// <summary>"domain/workflowId/runId" of each run that never closed, for the scenario to describe.</summary>
    public List<string> Unclosed { get; } = [];

    public void Lose(string what) { Lost++; Violations.Add("lost: " + what); }
    public void Double(string what) { Doubled++; Violations.Add("doubled: " + what); }
    public void Other(string what) => Violations.Add(what);
}

/// <summary>
/// The scenarios' own expectations, next to the product's consistency checker (which knows no workload): each workflow
/// ran as <see cref="Workload"/> prescribes and closed as expected, and every history is well formed: event ids 1..N,
/// one start and one close, and nothing that must happen once happened twice.
/// </summary>
public static class HistoryCheck
{
    private static readonly HashSet<string> CloseTypes =
    [
        "WorkflowExecutionCompleted", "WorkflowExecutionFailed", "WorkflowExecutionCanceled", "WorkflowExecutionTerminated",
        "WorkflowExecutionContinuedAsNew", "WorkflowExecutionTimedOut",
    ];

    public static async Task<CheckReport> CheckAsync(SwfHttp swf, Workload workload, TimeSpan indexGrace)
    {
        var report = new CheckReport();
        var gate = new SemaphoreSlim(8);
        var lockObj = new object();
        await Task.WhenAll(Enumerable.Range(0, workload.Workflows).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var id = Workload.WorkflowId(i);
                var mine = new CheckReport();
                var parentRuns = await RunsAsync(swf, workload.Domain, id, ["CONTINUED_AS_NEW", "COMPLETED"], indexGrace, mine);
                var childRuns = await RunsAsync(swf, workload.Domain, Workload.ChildId(id), ["COMPLETED"], indexGrace, mine);
                var signals = 0;
                foreach (var (workflowId, runId) in parentRuns.Select(r => (id, r.RunId)).Concat(childRuns.Select(r => (Workload.ChildId(id), r.RunId))))
                {
                    var events = await swf.HistoryAsync(workload.Domain, workflowId, runId);
                    Check($"{workflowId}/{runId}", events, mine);
                    if (!events.Any(e => CloseTypes.Contains(Type(e)))) mine.Unclosed.Add($"{workload.Domain}/{workflowId}/{runId}");
                    signals += events.Count(e => Type(e) == "WorkflowExecutionSignaled");
                }
                var sent = workload.SignalAttempts.GetValueOrDefault(id);
                if (signals > sent) mine.Double($"{id}: {signals} signals recorded, {sent} sent");
                if (signals == 0) mine.Lose($"{id}: its signal");
                lock (lockObj)
                {
                    report.Executions += mine.Executions;
                    report.Events += mine.Events;
                    report.Lost += mine.Lost;
                    report.Doubled += mine.Doubled;
                    report.Violations.AddRange(mine.Violations);
                    report.Unclosed.AddRange(mine.Unclosed);
                }
            }
            finally { gate.Release(); }
        }));
        return report;
    }

    /// <summary>The runs of a workflowId once the index shows the expected close statuses (it may lag briefly after a crash).</summary>
    private static async Task<List<(string RunId, string? CloseStatus)>> RunsAsync(SwfHttp swf, string domain, string workflowId, string[] expected,
        TimeSpan grace, CheckReport report)
    {
        var until = DateTime.UtcNow + grace;
        List<(string RunId, string? CloseStatus)> runs;
        while (true)
        {
            runs = await swf.RunsAsync(domain, workflowId);
            var statuses = runs.Select(r => r.CloseStatus ?? "OPEN").Order().ToArray();
            if (statuses.SequenceEqual(expected.Order())) return runs;
            if (DateTime.UtcNow > until)
            {
                var what = $"{workflowId}: runs {string.Join(",", statuses)}, expected {string.Join(",", expected.Order())}";
                if (runs.Count > expected.Length) report.Double(what);
                else report.Lose(what);
                return runs;
            }
            await Task.Delay(500);
        }
    }

    /// <summary>One history: ids 1..N, started first, closed once and last, each task, timer and child at most once.</summary>
    public static void Check(string run, List<JsonElement> events, CheckReport report)
    {
        report.Executions++;
        report.Events += events.Count;
        for (var n = 0; n < events.Count; n++)
        {
            var id = events[n].GetProperty("eventId").GetInt64();
            if (id != n + 1) { report.Other($"{run}: event {n + 1} has id {id}"); break; }
        }
        if (events.Count == 0 || Type(events[0]) != "WorkflowExecutionStarted") report.Other($"{run}: does not begin with WorkflowExecutionStarted");
        var closes = events.Count(e => CloseTypes.Contains(Type(e)));
        if (closes == 0) report.Lose($"{run}: never closed");
        if (closes > 1) report.Double($"{run}: closed {closes} times");
        if (closes >= 1 && !CloseTypes.Contains(Type(events[^1]))) report.Other($"{run}: events after its close");

        // Per scheduling event: at most one start and one close.
        Once(run, events, report, "DecisionTaskStarted", "decisionTaskStartedEventAttributes", "scheduledEventId");
        Once(run, events, report, "DecisionTaskCompleted|DecisionTaskTimedOut", null, "scheduledEventId");
        Once(run, events, report, "ActivityTaskStarted", "activityTaskStartedEventAttributes", "scheduledEventId");
        Once(run, events, report, "ActivityTaskCompleted|ActivityTaskFailed|ActivityTaskTimedOut|ActivityTaskCanceled", null, "scheduledEventId");
        Once(run, events, report, "TimerFired|TimerCanceled", null, "startedEventId");
        Once(run, events, report, "ChildWorkflowExecutionStarted", "childWorkflowExecutionStartedEventAttributes", "initiatedEventId");
        Once(run, events, report, "ChildWorkflowExecutionCompleted|ChildWorkflowExecutionFailed|ChildWorkflowExecutionTimedOut|ChildWorkflowExecutionCanceled|ChildWorkflowExecutionTerminated|StartChildWorkflowExecutionFailed",
            null, "initiatedEventId");
        if (events.Count(e => Type(e) == "StartChildWorkflowExecutionInitiated") > 1) report.Double($"{run}: child initiated more than once");
        if (events.Count(e => Type(e) == "TimerStarted") > 1) report.Double($"{run}: timer started more than once");
    }

    private static void Once(string run, List<JsonElement> events, CheckReport report, string types, string? attributes, string key)
    {
        var wanted = types.Split('|');
        var seen = new HashSet<long>();
        foreach (var e in events.Where(e => wanted.Contains(Type(e))))
        {
            var name = attributes ?? char.ToLowerInvariant(Type(e)[0]) + Type(e)[1..] + "EventAttributes";
            var of = e.GetProperty(name).GetProperty(key).GetInt64();
            if (!seen.Add(of)) report.Double($"{run}: {string.Join("/", wanted)} twice for event {of}");
        }
    }

    private static string Type(JsonElement e) => e.GetProperty("eventType").GetString()!;
}
