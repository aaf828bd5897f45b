using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

/// <remarks>
/// The report-back half of the intents this run initiated (and its parent's view of its children). Each command
/// records only while the run is open and the intent is still pending in the state; otherwise it returns false and
/// records nothing. That makes every report idempotent: a redelivered or duplicated intent, or two executors racing
/// on one, report at most once, because the second finds the intent no longer pending after the first commit.
/// </remarks>
public sealed partial class ExecutionMachine
{
    /// <summary>ChildWorkflowExecutionStarted (and a decision task), when the child initiated by that event is not yet started.</summary>
    public bool RecordChildStarted(long initiatedEventId, string childRunId) => Guarded(SmallCommandEvents, () =>
    {
        var child = State.IsOpen ? State.FindChild(initiatedEventId) : null;
        if (child is null || child.IsStarted) return false;
        AppendChildStarted(child, childRunId);
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>
    /// StartChildWorkflowExecutionFailed (and a decision task) with a cause found at the child's side: WORKFLOW_ALREADY_RUNNING
    /// when another run of its workflowId is open, OPEN_WORKFLOWS_LIMIT_EXCEEDED when its domain has its quota of open
    /// executions. <paramref name="control"/> is the Initiated event's.
    /// </summary>
    public bool RecordChildStartFailed(long initiatedEventId, string? control, string cause = StartChildWorkflowExecutionFailedCause.WorkflowAlreadyRunning) => Guarded(SmallCommandEvents, () =>
    {
        var child = State.IsOpen ? State.FindChild(initiatedEventId) : null;
        if (child is null || child.IsStarted) return false;
        Append(new HistoryEvent
        {
            EventType = ET.StartChildWorkflowExecutionFailed,
            StartChildWorkflowExecutionFailedEventAttributes = new StartChildWorkflowExecutionFailedEventAttributes
            {
                WorkflowType = new WorkflowType { Name = child.WorkflowType.Name, Version = child.WorkflowType.Version },
                Cause = cause,
                WorkflowId = child.WorkflowId,
                InitiatedEventId = initiatedEventId,
                DecisionTaskCompletedEventId = child.DecisionTaskCompletedEventId,
                Control = control,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>
    /// ChildWorkflowExecutionCompleted/Failed/Canceled/TimedOut/Terminated from the child's closing event (and a decision
    /// task), when the child is still open here. The close can overtake the report of the start (they travel as separate
    /// intents): then ChildWorkflowExecutionStarted is recorded first, naming <paramref name="startedRunId"/>.
    /// </summary>
    /// <param name="closedRun">The run that closed: the started one, or the last run of a chain it continued as.</param>
    /// <param name="closing">The child's closing event (not WorkflowExecutionContinuedAsNew: that run's successor closes later).</param>
    public bool RecordChildClosed(long initiatedEventId, string startedRunId, WorkflowExecution closedRun, HistoryEvent closing) => Guarded(SmallCommandEvents, () =>
    {
        ArgumentNullException.ThrowIfNull(closing);
        var child = State.IsOpen ? State.FindChild(initiatedEventId) : null;
        if (child is null) return false;
        if (!child.IsStarted) AppendChildStarted(child, startedRunId);

        var execution = new WorkflowExecution { WorkflowId = closedRun.WorkflowId, RunId = closedRun.RunId };
        var type = new WorkflowType { Name = child.WorkflowType.Name, Version = child.WorkflowType.Version };
        var e = new HistoryEvent();
        switch (closing.EventType)
        {
            case ET.WorkflowExecutionCompleted:
                e.EventType = ET.ChildWorkflowExecutionCompleted;
                e.ChildWorkflowExecutionCompletedEventAttributes = new() { WorkflowExecution = execution, WorkflowType = type,
                    Result = closing.WorkflowExecutionCompletedEventAttributes!.Result, InitiatedEventId = initiatedEventId, StartedEventId = child.StartedEventId };
                break;
            case ET.WorkflowExecutionFailed:
                var failed = closing.WorkflowExecutionFailedEventAttributes!;
                e.EventType = ET.ChildWorkflowExecutionFailed;
                e.ChildWorkflowExecutionFailedEventAttributes = new() { WorkflowExecution = execution, WorkflowType = type,
                    Reason = failed.Reason, Details = failed.Details, InitiatedEventId = initiatedEventId, StartedEventId = child.StartedEventId };
                break;
            case ET.WorkflowExecutionCanceled:
                e.EventType = ET.ChildWorkflowExecutionCanceled;
                e.ChildWorkflowExecutionCanceledEventAttributes = new() { WorkflowExecution = execution, WorkflowType = type,
                    Details = closing.WorkflowExecutionCanceledEventAttributes!.Details, InitiatedEventId = initiatedEventId, StartedEventId = child.StartedEventId };
                break;
            case ET.WorkflowExecutionTimedOut:
                e.EventType = ET.ChildWorkflowExecutionTimedOut;
                e.ChildWorkflowExecutionTimedOutEventAttributes = new() { WorkflowExecution = execution, WorkflowType = type,
                    TimeoutType = closing.WorkflowExecutionTimedOutEventAttributes!.TimeoutType, InitiatedEventId = initiatedEventId, StartedEventId = child.StartedEventId };
                break;
            case ET.WorkflowExecutionTerminated:
                e.EventType = ET.ChildWorkflowExecutionTerminated;
                e.ChildWorkflowExecutionTerminatedEventAttributes = new() { WorkflowExecution = execution, WorkflowType = type,
                    InitiatedEventId = initiatedEventId, StartedEventId = child.StartedEventId };
                break;
            default:
                throw new ArgumentException($"{closing.EventType} does not close a child for good.", nameof(closing));
        }
        Append(e);
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>ExternalWorkflowExecutionSignaled (and a decision task), when that signal is still pending.</summary>
    /// <param name="target">The run the signal was delivered to.</param>
    public bool RecordExternalSignaled(long initiatedEventId, WorkflowExecution target) => Guarded(SmallCommandEvents, () =>
    {
        if (!State.IsOpen || State.FindPendingSignal(initiatedEventId) is null) return false;
        Append(new HistoryEvent
        {
            EventType = ET.ExternalWorkflowExecutionSignaled,
            ExternalWorkflowExecutionSignaledEventAttributes = new ExternalWorkflowExecutionSignaledEventAttributes
            {
                WorkflowExecution = new WorkflowExecution { WorkflowId = target.WorkflowId, RunId = target.RunId },
                InitiatedEventId = initiatedEventId,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>SignalExternalWorkflowExecutionFailed (and a decision task), when that signal is still pending.</summary>
    /// <param name="control">The Initiated event's control.</param>
    public bool RecordSignalExternalFailed(long initiatedEventId, string cause, string? control) => Guarded(SmallCommandEvents, () =>
    {
        var pending = State.IsOpen ? State.FindPendingSignal(initiatedEventId) : null;
        if (pending is null) return false;
        Append(new HistoryEvent
        {
            EventType = ET.SignalExternalWorkflowExecutionFailed,
            SignalExternalWorkflowExecutionFailedEventAttributes = new SignalExternalWorkflowExecutionFailedEventAttributes
            {
                WorkflowId = pending.WorkflowId,
                RunId = pending.RunId,
                Cause = cause,
                InitiatedEventId = initiatedEventId,
                DecisionTaskCompletedEventId = pending.DecisionTaskCompletedEventId,
                Control = control,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>ExternalWorkflowExecutionCancelRequested (and a decision task), when that cancel request is still pending.</summary>
    public bool RecordExternalCancelRequested(long initiatedEventId, WorkflowExecution target) => Guarded(SmallCommandEvents, () =>
    {
        if (!State.IsOpen || State.FindPendingCancelRequest(initiatedEventId) is null) return false;
        Append(new HistoryEvent
        {
            EventType = ET.ExternalWorkflowExecutionCancelRequested,
            ExternalWorkflowExecutionCancelRequestedEventAttributes = new ExternalWorkflowExecutionCancelRequestedEventAttributes
            {
                WorkflowExecution = new WorkflowExecution { WorkflowId = target.WorkflowId, RunId = target.RunId },
                InitiatedEventId = initiatedEventId,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>RequestCancelExternalWorkflowExecutionFailed (and a decision task), when that cancel request is still pending.</summary>
    public bool RecordRequestCancelExternalFailed(long initiatedEventId, string cause, string? control) => Guarded(SmallCommandEvents, () =>
    {
        var pending = State.IsOpen ? State.FindPendingCancelRequest(initiatedEventId) : null;
        if (pending is null) return false;
        Append(new HistoryEvent
        {
            EventType = ET.RequestCancelExternalWorkflowExecutionFailed,
            RequestCancelExternalWorkflowExecutionFailedEventAttributes = new RequestCancelExternalWorkflowExecutionFailedEventAttributes
            {
                WorkflowId = pending.WorkflowId,
                RunId = pending.RunId,
                Cause = cause,
                InitiatedEventId = initiatedEventId,
                DecisionTaskCompletedEventId = pending.DecisionTaskCompletedEventId,
                Control = control,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>
    /// A parent's child policy, applied to this run (the parent was terminated or timed out): TERMINATE terminates it
    /// with cause CHILD_POLICY_APPLIED (its own child policy then applies to its children), REQUEST_CANCEL records
    /// WorkflowExecutionCancelRequested with that cause, ABANDON does nothing. Only if this run is open and is the child
    /// that event of that parent started (or a run that child continued as); false otherwise.
    /// </summary>
    public bool ApplyParentChildPolicy(WorkflowExecution parent, long parentInitiatedEventId, string childPolicy) => Guarded(SmallCommandEvents, () =>
    {
        if (!State.IsOpen || State.ParentWorkflowExecution?.RunId != parent.RunId || State.ParentInitiatedEventId != parentInitiatedEventId)
            return false;
        switch (childPolicy)
        {
            case ChildPolicy.Terminate:
                Terminate(null, null, null, WorkflowExecutionTerminatedCause.ChildPolicyApplied);
                return true;
            case ChildPolicy.RequestCancel:
                RequestCancel(new WorkflowExecution { WorkflowId = parent.WorkflowId, RunId = parent.RunId }, null,
                    WorkflowExecutionCancelRequestedCause.ChildPolicyApplied);
                return true;
            default:
                return false;
        }
    }, false);

    private void AppendChildStarted(OpenChild child, string childRunId) =>
        Append(new HistoryEvent
        {
            EventType = ET.ChildWorkflowExecutionStarted,
            ChildWorkflowExecutionStartedEventAttributes = new ChildWorkflowExecutionStartedEventAttributes
            {
                WorkflowExecution = new WorkflowExecution { WorkflowId = child.WorkflowId, RunId = childRunId },
                WorkflowType = new WorkflowType { Name = child.WorkflowType.Name, Version = child.WorkflowType.Version },
                InitiatedEventId = child.InitiatedEventId,
            },
        });
}
