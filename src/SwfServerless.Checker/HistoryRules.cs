using System.Text.Json;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Checker;

/// <summary>A committed history event as stored: its id, type, and its <c>…EventAttributes</c> member.</summary>
internal sealed record StoredEvent(long Id, string Type, JsonElement Attributes)
{
    public long? Ref(string name) => Attributes.ValueKind == JsonValueKind.Object && Attributes.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
        ? v.GetInt64() : null;

    public static StoredEvent Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var type = root.GetProperty("eventType").GetString()!;
        var member = char.ToLowerInvariant(type[0]) + type[1..] + "EventAttributes";
        var attributes = root.TryGetProperty(member, out var a) ? a.Clone() : default;
        return new StoredEvent(root.GetProperty("eventId").GetInt64(), type, attributes);
    }
}

/// <summary>A parent's ChildWorkflowExecutionStarted: which child run it says its initiation started.</summary>
internal sealed record ChildClaim(string Parent, string ParentRunId, long InitiatedEventId, string ChildWorkflowId, string ChildRunId);

/// <summary>
/// The rules one run's committed history must keep, read from the history alone (ids 1..N are checked by the caller):
/// it starts with WorkflowExecutionStarted and, once closed, ends with the close event of its close status; every
/// task, timer, child and external request is started at most once and closed at most once, by events that name it.
/// </summary>
internal static class HistoryRules
{
    /// <summary>Something opened by one event (<paramref name="Opened"/>), maybe started by another, closed by one of <paramref name="Closes"/>, each naming the opening event in <paramref name="Ref"/>.</summary>
    private sealed record Lifecycle(string Name, string Opened, string? Started, string Ref, string[] Closes);

    private static readonly Lifecycle[] Lifecycles =
    [
        new("activity", EventType.ActivityTaskScheduled, EventType.ActivityTaskStarted, "scheduledEventId",
            [EventType.ActivityTaskCompleted, EventType.ActivityTaskFailed, EventType.ActivityTaskTimedOut, EventType.ActivityTaskCanceled]),
        new("decision", EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted, "scheduledEventId",
            [EventType.DecisionTaskCompleted, EventType.DecisionTaskTimedOut]),
        new("lambda", EventType.LambdaFunctionScheduled, EventType.LambdaFunctionStarted, "scheduledEventId",
            [EventType.LambdaFunctionCompleted, EventType.LambdaFunctionFailed, EventType.LambdaFunctionTimedOut, EventType.StartLambdaFunctionFailed]),
        new("timer", EventType.TimerStarted, null, "startedEventId", [EventType.TimerFired, EventType.TimerCanceled]),
        new("child", EventType.StartChildWorkflowExecutionInitiated, EventType.ChildWorkflowExecutionStarted, "initiatedEventId",
            [EventType.StartChildWorkflowExecutionFailed, EventType.ChildWorkflowExecutionCompleted, EventType.ChildWorkflowExecutionFailed,
             EventType.ChildWorkflowExecutionTimedOut, EventType.ChildWorkflowExecutionCanceled, EventType.ChildWorkflowExecutionTerminated]),
        new("signal", EventType.SignalExternalWorkflowExecutionInitiated, null, "initiatedEventId",
            [EventType.ExternalWorkflowExecutionSignaled, EventType.SignalExternalWorkflowExecutionFailed]),
        new("cancel-request", EventType.RequestCancelExternalWorkflowExecutionInitiated, null, "initiatedEventId",
            [EventType.ExternalWorkflowExecutionCancelRequested, EventType.RequestCancelExternalWorkflowExecutionFailed]),
    ];

    private static readonly Dictionary<string, string> CloseEvents = new()
    {
        [EventType.WorkflowExecutionCompleted] = CloseStatus.Completed,
        [EventType.WorkflowExecutionFailed] = CloseStatus.Failed,
        [EventType.WorkflowExecutionCanceled] = CloseStatus.Canceled,
        [EventType.WorkflowExecutionTerminated] = CloseStatus.Terminated,
        [EventType.WorkflowExecutionContinuedAsNew] = CloseStatus.ContinuedAsNew,
        [EventType.WorkflowExecutionTimedOut] = CloseStatus.TimedOut,
    };

    /// <param name="events">The committed events, ascending by id.</param>
    /// <param name="violation">Called with rule and detail for each broken rule.</param>
    /// <param name="claims">Receives the run's ChildWorkflowExecutionStarted events, checked against the child runs later.</param>
    public static void Check(string execution, ExecutionState state, IReadOnlyList<StoredEvent> events, Action<string, string> violation, List<ChildClaim> claims)
    {
        if (events.Count > 0 && events[0] is { Id: 1 } first && first.Type != EventType.WorkflowExecutionStarted)
            violation("history.first", $"event 1 is {first.Type}, not WorkflowExecutionStarted");

        var closes = events.Where(e => CloseEvents.ContainsKey(e.Type)).ToList();
        if (state.IsOpen && closes.Count > 0)
            violation("history.close", $"the run is open but event {closes[0].Id} ({closes[0].Type}) closed it");
        if (!state.IsOpen && events.Count > 0 && events[^1].Id == state.LastEventId)
        {
            var last = events[^1];
            if (!CloseEvents.TryGetValue(last.Type, out var status) || status != state.CloseStatus)
                violation("history.close", $"the run closed {state.CloseStatus} but its last event {last.Id} is {last.Type}");
        }
        if (closes.Count > 1 || (closes.Count == 1 && closes[0].Id != events[^1].Id))
            violation("history.close", $"events after the close event {closes[0].Id} ({closes[0].Type})");

        foreach (var lifecycle in Lifecycles) CheckLifecycle(lifecycle, events, violation);

        foreach (var started in events.Where(e => e.Type == EventType.ChildWorkflowExecutionStarted))
        {
            var child = started.Attributes.GetProperty("workflowExecution");
            claims.Add(new ChildClaim(execution, state.RunId, started.Ref("initiatedEventId") ?? 0,
                child.GetProperty("workflowId").GetString()!, child.GetProperty("runId").GetString()!));
        }
    }

    private static void CheckLifecycle(Lifecycle lifecycle, IReadOnlyList<StoredEvent> events, Action<string, string> violation)
    {
        var opened = new HashSet<long>();
        var started = new Dictionary<long, long>();
        var closed = new Dictionary<long, StoredEvent>();
        foreach (var e in events)
        {
            if (e.Type == lifecycle.Opened) { opened.Add(e.Id); continue; }
            var isStart = e.Type == lifecycle.Started;
            if (!isStart && !lifecycle.Closes.Contains(e.Type)) continue;
            var of = e.Ref(lifecycle.Ref) ?? 0;
            // A decision that failed before it opened anything (e.g. StartChildWorkflowExecutionFailed for an unknown type) names event 0.
            if (of == 0 && !isStart) continue;
            if (!opened.Contains(of))
            {
                violation($"{lifecycle.Name}.unknown", $"{e.Type} {e.Id} names event {of}, which is no earlier {lifecycle.Opened}");
                continue;
            }
            if (isStart)
            {
                if (started.TryGetValue(of, out var before))
                    violation($"{lifecycle.Name}.started-twice", $"{lifecycle.Opened} {of} started by events {before} and {e.Id}");
                else if (closed.TryGetValue(of, out var close))
                    violation($"{lifecycle.Name}.started-after-close", $"{lifecycle.Opened} {of} started by event {e.Id} after {close.Type} {close.Id}");
                else started[of] = e.Id;
                continue;
            }
            if (closed.TryGetValue(of, out var first))
            {
                violation($"{lifecycle.Name}.closed-twice", $"{lifecycle.Opened} {of} closed by {first.Type} {first.Id} and {e.Type} {e.Id}");
                continue;
            }
            closed[of] = e;
            // The close names the start it ends (0: never started); a different one means a start was lost or doubled.
            if (lifecycle.Started is not null && e.Ref("startedEventId") is { } startedId && startedId != started.GetValueOrDefault(of))
                violation($"{lifecycle.Name}.wrong-start", $"{e.Type} {e.Id} names start {startedId}, but {lifecycle.Opened} {of} was started by {started.GetValueOrDefault(of)}");
        }
    }
}
