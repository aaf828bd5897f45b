using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

/// <summary>
/// The Apply half of every change (Temporal's Add/Apply split): an event, already built and checked by
/// <see cref="ExecutionMachine"/>, changes the state. Nothing here validates or decides; replaying a run's
/// history through <see cref="Apply"/> rebuilds its state row, which is how the state can be checked against
/// the history that is the truth.
/// </summary>
public static class ExecutionStateApplier
{
    /// <summary>Rebuilds a run's state from its whole history (events in id order, starting with WorkflowExecutionStarted).</summary>
    public static ExecutionState Replay(string domain, string workflowId, string runId, IEnumerable<HistoryEvent> history)
    {
        var state = new ExecutionState { Domain = domain, WorkflowId = workflowId, RunId = runId };
        foreach (var e in history) Apply(state, e);
        return state;
    }

    /// <summary>
    /// Events after which the decider must get a decision task: what happened to its work or to the execution
    /// from outside, and every failed decision (SWF: "failure events trigger a new decision task").
    /// </summary>
    public static bool NeedsDecision(string eventType) => eventType switch
    {
        ET.WorkflowExecutionStarted or ET.WorkflowExecutionSignaled or ET.WorkflowExecutionCancelRequested
            or ET.DecisionTaskTimedOut
            or ET.ActivityTaskCompleted or ET.ActivityTaskFailed or ET.ActivityTaskTimedOut or ET.ActivityTaskCanceled
            or ET.TimerFired
            or ET.ScheduleActivityTaskFailed or ET.RequestCancelActivityTaskFailed
            or ET.StartTimerFailed or ET.CancelTimerFailed or ET.RecordMarkerFailed
            or ET.CompleteWorkflowExecutionFailed or ET.FailWorkflowExecutionFailed or ET.CancelWorkflowExecutionFailed
            or ET.ContinueAsNewWorkflowExecutionFailed
            or ET.StartChildWorkflowExecutionFailed or ET.SignalExternalWorkflowExecutionFailed
            or ET.RequestCancelExternalWorkflowExecutionFailed or ET.ScheduleLambdaFunctionFailed
            // What other executions report back: the decider waits for these like for an activity's result.
            or ET.ChildWorkflowExecutionStarted or ET.ChildWorkflowExecutionCompleted or ET.ChildWorkflowExecutionFailed
            or ET.ChildWorkflowExecutionCanceled or ET.ChildWorkflowExecutionTimedOut or ET.ChildWorkflowExecutionTerminated
            or ET.ExternalWorkflowExecutionSignaled or ET.ExternalWorkflowExecutionCancelRequested
            or ET.LambdaFunctionCompleted or ET.LambdaFunctionFailed or ET.LambdaFunctionTimedOut or ET.StartLambdaFunctionFailed => true,
        _ => false,
    };

    public static void Apply(ExecutionState state, HistoryEvent e)
    {
        long id = e.EventId ?? throw new ArgumentException("The event has no eventId.", nameof(e));
        if (id != state.LastEventId + 1)
        {
            throw new InvalidOperationException($"Event {id} does not follow event {state.LastEventId}.");
        }
        var at = e.EventTimestamp ?? throw new ArgumentException("The event has no eventTimestamp.", nameof(e));
        state.LastEventId = id;
        state.LastEventTimestamp = at;

        switch (e.EventType)
        {
            case ET.WorkflowExecutionStarted: ApplyWorkflowExecutionStarted(state, e.WorkflowExecutionStartedEventAttributes!, at); break;
            case ET.WorkflowExecutionCancelRequested: state.CancelRequested = true; break;
            case ET.DecisionTaskScheduled: ApplyDecisionTaskScheduled(state, e.DecisionTaskScheduledEventAttributes!, id, at); break;
            case ET.DecisionTaskStarted: ApplyDecisionTaskStarted(state, id, at); break;
            case ET.DecisionTaskCompleted: ApplyDecisionTaskCompleted(state, e.DecisionTaskCompletedEventAttributes!, id); break;
            case ET.DecisionTaskTimedOut: ApplyDecisionTaskTimedOut(state); break;
            case ET.ActivityTaskScheduled: ApplyActivityTaskScheduled(state, e.ActivityTaskScheduledEventAttributes!, id, at); break;
            case ET.ActivityTaskStarted: ApplyActivityTaskStarted(state, e.ActivityTaskStartedEventAttributes!, id, at); break;
            case ET.ActivityTaskCancelRequested: ApplyActivityTaskCancelRequested(state, e.ActivityTaskCancelRequestedEventAttributes!, id); break;
            case ET.ActivityTaskCompleted: CloseActivity(state, e.ActivityTaskCompletedEventAttributes!.ScheduledEventId); break;
            case ET.ActivityTaskFailed: CloseActivity(state, e.ActivityTaskFailedEventAttributes!.ScheduledEventId); break;
            case ET.ActivityTaskTimedOut: CloseActivity(state, e.ActivityTaskTimedOutEventAttributes!.ScheduledEventId); break;
            case ET.ActivityTaskCanceled: CloseActivity(state, e.ActivityTaskCanceledEventAttributes!.ScheduledEventId); break;
            case ET.TimerStarted: ApplyTimerStarted(state, e.TimerStartedEventAttributes!, id, at); break;
            case ET.TimerFired: CloseTimer(state, e.TimerFiredEventAttributes!.TimerId); break;
            case ET.TimerCanceled: CloseTimer(state, e.TimerCanceledEventAttributes!.TimerId); break;
            case ET.WorkflowExecutionCompleted: Close(state, CloseStatus.Completed, at); break;
            case ET.WorkflowExecutionFailed: Close(state, CloseStatus.Failed, at); break;
            case ET.WorkflowExecutionCanceled: Close(state, CloseStatus.Canceled, at); break;
            case ET.WorkflowExecutionTerminated:
                state.CloseChildPolicy = e.WorkflowExecutionTerminatedEventAttributes!.ChildPolicy;
                Close(state, CloseStatus.Terminated, at);
                break;
            case ET.WorkflowExecutionTimedOut:
                state.CloseChildPolicy = e.WorkflowExecutionTimedOutEventAttributes!.ChildPolicy;
                Close(state, CloseStatus.TimedOut, at);
                break;
            case ET.WorkflowExecutionContinuedAsNew: Close(state, CloseStatus.ContinuedAsNew, at); break;
            case ET.StartChildWorkflowExecutionInitiated: ApplyStartChildInitiated(state, e.StartChildWorkflowExecutionInitiatedEventAttributes!, id); break;
            case ET.StartChildWorkflowExecutionFailed: RemoveChild(state, e.StartChildWorkflowExecutionFailedEventAttributes!.InitiatedEventId); break;
            case ET.ChildWorkflowExecutionStarted: ApplyChildStarted(state, e.ChildWorkflowExecutionStartedEventAttributes!, id); break;
            case ET.ChildWorkflowExecutionCompleted: RemoveChild(state, e.ChildWorkflowExecutionCompletedEventAttributes!.InitiatedEventId); break;
            case ET.ChildWorkflowExecutionFailed: RemoveChild(state, e.ChildWorkflowExecutionFailedEventAttributes!.InitiatedEventId); break;
            case ET.ChildWorkflowExecutionCanceled: RemoveChild(state, e.ChildWorkflowExecutionCanceledEventAttributes!.InitiatedEventId); break;
            case ET.ChildWorkflowExecutionTimedOut: RemoveChild(state, e.ChildWorkflowExecutionTimedOutEventAttributes!.InitiatedEventId); break;
            case ET.ChildWorkflowExecutionTerminated: RemoveChild(state, e.ChildWorkflowExecutionTerminatedEventAttributes!.InitiatedEventId); break;
            case ET.SignalExternalWorkflowExecutionInitiated:
                var signal = e.SignalExternalWorkflowExecutionInitiatedEventAttributes!;
                state.PendingSignals.Add(Pending(id, signal.WorkflowId, signal.RunId, signal.DecisionTaskCompletedEventId));
                break;
            case ET.ExternalWorkflowExecutionSignaled: RemovePending(state.PendingSignals, e.ExternalWorkflowExecutionSignaledEventAttributes!.InitiatedEventId); break;
            case ET.SignalExternalWorkflowExecutionFailed: RemovePending(state.PendingSignals, e.SignalExternalWorkflowExecutionFailedEventAttributes!.InitiatedEventId); break;
            case ET.RequestCancelExternalWorkflowExecutionInitiated:
                var cancel = e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes!;
                state.PendingCancelRequests.Add(Pending(id, cancel.WorkflowId, cancel.RunId, cancel.DecisionTaskCompletedEventId));
                break;
            case ET.ExternalWorkflowExecutionCancelRequested:
                RemovePending(state.PendingCancelRequests, e.ExternalWorkflowExecutionCancelRequestedEventAttributes!.InitiatedEventId);
                break;
            case ET.RequestCancelExternalWorkflowExecutionFailed:
                RemovePending(state.PendingCancelRequests, e.RequestCancelExternalWorkflowExecutionFailedEventAttributes!.InitiatedEventId);
                break;
            case ET.LambdaFunctionScheduled:
                var scheduled = e.LambdaFunctionScheduledEventAttributes!;
                state.Lambdas.Add(new OpenLambda
                {
                    Id = scheduled.Id!,
                    Name = scheduled.Name!,
                    ScheduledEventId = id,
                    StartToCloseTimeout = scheduled.StartToCloseTimeout!,
                });
                break;
            case ET.LambdaFunctionStarted:
                var lambda = state.FindLambda(e.LambdaFunctionStartedEventAttributes!.ScheduledEventId!.Value)!;
                lambda.StartedEventId = id;
                lambda.StartedAt = at;
                break;
            case ET.LambdaFunctionCompleted: CloseLambda(state, e.LambdaFunctionCompletedEventAttributes!.ScheduledEventId); break;
            case ET.LambdaFunctionFailed: CloseLambda(state, e.LambdaFunctionFailedEventAttributes!.ScheduledEventId); break;
            case ET.LambdaFunctionTimedOut: CloseLambda(state, e.LambdaFunctionTimedOutEventAttributes!.ScheduledEventId); break;
            case ET.StartLambdaFunctionFailed: CloseLambda(state, e.StartLambdaFunctionFailedEventAttributes!.ScheduledEventId); break;
            // Signals, markers and the *Failed events of decisions change nothing but the need for a decision.
        }

        if (state.IsOpen && NeedsDecision(e.EventType!))
        {
            // A scheduled (not yet started) task will show the decider this event; otherwise one is owed.
            if (state.DecisionTask is null || state.DecisionTask.IsStarted) state.DecisionPending = true;
        }
    }

    private static void ApplyWorkflowExecutionStarted(ExecutionState state, WorkflowExecutionStartedEventAttributes a, DateTimeOffset at)
    {
        state.WorkflowType = new WorkflowType { Name = a.WorkflowType!.Name, Version = a.WorkflowType.Version };
        state.ExecutionStatus = ExecutionStatus.Open;
        state.StartTimestamp = at;
        state.ExecutionStartToCloseTimeout = a.ExecutionStartToCloseTimeout!;
        state.TaskStartToCloseTimeout = a.TaskStartToCloseTimeout!;
        state.TaskList = a.TaskList!.Name!;
        state.TaskPriority = a.TaskPriority;
        state.ChildPolicy = a.ChildPolicy!;
        state.LambdaRole = a.LambdaRole;
        state.TagList = a.TagList is { Count: > 0 } tags ? [.. tags] : null;
        state.ParentWorkflowExecution = a.ParentWorkflowExecution;
        state.ParentInitiatedEventId = a.ParentInitiatedEventId;
        state.ContinuedExecutionRunId = a.ContinuedExecutionRunId;
    }

    private static void ApplyStartChildInitiated(ExecutionState state, StartChildWorkflowExecutionInitiatedEventAttributes a, long id) =>
        state.Children.Add(new OpenChild
        {
            InitiatedEventId = id,
            WorkflowId = a.WorkflowId!,
            WorkflowType = new WorkflowType { Name = a.WorkflowType!.Name, Version = a.WorkflowType.Version },
            DecisionTaskCompletedEventId = a.DecisionTaskCompletedEventId!.Value,
        });

    private static void ApplyChildStarted(ExecutionState state, ChildWorkflowExecutionStartedEventAttributes a, long id)
    {
        var child = state.FindChild(a.InitiatedEventId!.Value)!;
        child.RunId = a.WorkflowExecution!.RunId;
        child.StartedEventId = id;
    }

    /// <summary>A failed start (initiatedEventId 0 when it failed in the decision: nothing was initiated) or a reported close.</summary>
    private static void RemoveChild(ExecutionState state, long? initiatedEventId)
    {
        var child = state.FindChild(initiatedEventId ?? 0);
        if (child is not null) state.Children.Remove(child);
    }

    private static PendingExternal Pending(long id, string? workflowId, string? runId, long? decisionTaskCompletedEventId) => new()
    {
        InitiatedEventId = id,
        WorkflowId = workflowId!,
        RunId = runId,
        DecisionTaskCompletedEventId = decisionTaskCompletedEventId!.Value,
    };

    private static void RemovePending(List<PendingExternal> pending, long? initiatedEventId)
    {
        int index = pending.FindIndex(p => p.InitiatedEventId == initiatedEventId);
        if (index >= 0) pending.RemoveAt(index);
    }

    private static void ApplyDecisionTaskScheduled(ExecutionState state, DecisionTaskScheduledEventAttributes a, long id, DateTimeOffset at)
    {
        state.DecisionTask = new DecisionTaskState
        {
            ScheduledEventId = id,
            ScheduledAt = at,
            TaskList = a.TaskList!.Name!,
            TaskPriority = a.TaskPriority,
            StartToCloseTimeout = a.StartToCloseTimeout!,
            ScheduleToStartTimeout = a.ScheduleToStartTimeout,
        };
        state.DecisionPending = false;
    }

    private static void ApplyDecisionTaskStarted(ExecutionState state, long id, DateTimeOffset at)
    {
        var task = state.DecisionTask!;
        task.StartedEventId = id;
        task.StartedAt = at;
        // The decider sees the history up to here; only later events are "unhandled".
        state.DecisionPending = false;
    }

    private static void ApplyDecisionTaskCompleted(ExecutionState state, DecisionTaskCompletedEventAttributes a, long id)
    {
        state.PreviousStartedEventId = a.StartedEventId!.Value;
        if (a.ExecutionContext is not null)
        {
            // A payload of up to 32,768 characters: it stays in this event, the state row only says which event it is.
            state.LatestExecutionContextEventId = id;
            state.LatestExecutionContext = null;
        }
        if (a.TaskList?.Name is { } overrideList)
        {
            if (a.TaskListScheduleToStartTimeout is { } timeout)
            {
                state.TaskListOverride = new TaskListOverride { TaskList = overrideList, ScheduleToStartTimeout = timeout };
            }
            else
            {
                state.TaskList = overrideList;
                state.TaskListOverride = null;
            }
        }
        state.DecisionTask = null;
        // DecisionPending stays: events that arrived while the task was started still need a decision.
    }

    private static void ApplyDecisionTaskTimedOut(ExecutionState state)
    {
        // "Amazon SWF will revert the override and schedule a new decision task to the original task list."
        // Only tasks scheduled on a temporary override carry a schedule-to-start timeout.
        if (state.DecisionTask!.ScheduleToStartTimeout is not null) state.TaskListOverride = null;
        state.DecisionTask = null;
    }

    private static void ApplyActivityTaskScheduled(ExecutionState state, ActivityTaskScheduledEventAttributes a, long id, DateTimeOffset at)
    {
        state.Activities.Add(new OpenActivity
        {
            ActivityId = a.ActivityId!,
            ActivityType = new ActivityType { Name = a.ActivityType!.Name, Version = a.ActivityType.Version },
            ScheduledEventId = id,
            ScheduledAt = at,
            TaskList = a.TaskList!.Name!,
            TaskPriority = a.TaskPriority,
            ScheduleToStartTimeout = a.ScheduleToStartTimeout!,
            ScheduleToCloseTimeout = a.ScheduleToCloseTimeout!,
            StartToCloseTimeout = a.StartToCloseTimeout!,
            HeartbeatTimeout = a.HeartbeatTimeout!,
        });
        state.LatestActivityTaskTimestamp = at;
    }

    private static void ApplyActivityTaskStarted(ExecutionState state, ActivityTaskStartedEventAttributes a, long id, DateTimeOffset at)
    {
        var activity = state.FindActivity(a.ScheduledEventId!.Value)!;
        activity.StartedEventId = id;
        activity.StartedAt = at;
    }

    private static void ApplyActivityTaskCancelRequested(ExecutionState state, ActivityTaskCancelRequestedEventAttributes a, long id)
    {
        var activity = state.FindActivityById(a.ActivityId!)!;
        activity.CancelRequested = true;
        activity.LatestCancelRequestedEventId = id;
    }

    private static void CloseActivity(ExecutionState state, long? scheduledEventId)
    {
        var activity = state.FindActivity(scheduledEventId!.Value);
        if (activity is not null) state.Activities.Remove(activity);
    }

    private static void CloseLambda(ExecutionState state, long? scheduledEventId)
    {
        var lambda = state.FindLambda(scheduledEventId ?? 0);
        if (lambda is not null) state.Lambdas.Remove(lambda);
    }

    private static void ApplyTimerStarted(ExecutionState state, TimerStartedEventAttributes a, long id, DateTimeOffset at) =>
        state.Timers.Add(new OpenTimer
        {
            TimerId = a.TimerId!,
            StartedEventId = id,
            StartedAt = at,
            StartToFireTimeout = a.StartToFireTimeout!,
        });

    private static void CloseTimer(ExecutionState state, string? timerId)
    {
        var timer = state.FindTimer(timerId!);
        if (timer is not null) state.Timers.Remove(timer);
    }

    /// <summary>
    /// Whatever was open simply ends with the run: tasks still queued are dropped when claimed. Children and pending
    /// signals/cancel requests stay: their intents are carried out after the close too (a decision made is kept).
    /// </summary>
    private static void Close(ExecutionState state, string closeStatus, DateTimeOffset at)
    {
        state.ExecutionStatus = ExecutionStatus.Closed;
        state.CloseStatus = closeStatus;
        state.CloseTimestamp = at;
        state.DecisionTask = null;
        state.DecisionPending = false;
        state.TaskListOverride = null;
        state.Activities.Clear();
        state.Timers.Clear();
        state.Lambdas.Clear();
    }
}
