using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// SignalWorkflowExecution (or a signal from another execution's decision): WorkflowExecutionSignaled, and a
    /// decision task ("Records a WorkflowExecutionSignaled event ... and creates a decision task"). "If the specified
    /// workflow execution isn't open, this method fails with UnknownResource."
    /// </summary>
    /// <param name="externalExecution">The sending execution, when a SignalExternalWorkflowExecution decision sent it.</param>
    /// <param name="externalInitiatedEventId">That decision's SignalExternalWorkflowExecutionInitiated event in the sender's history.</param>
    public void Signal(string signalName, string? input, WorkflowExecution? externalExecution = null, long? externalInitiatedEventId = null) => Guarded(SmallCommandEvents, () =>
    {
        ArgumentNullException.ThrowIfNull(signalName);
        RequireOpen();
        Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionSignaled,
            WorkflowExecutionSignaledEventAttributes = new WorkflowExecutionSignaledEventAttributes
            {
                SignalName = signalName,
                Input = input,
                ExternalWorkflowExecution = externalExecution,
                ExternalInitiatedEventId = externalInitiatedEventId,
            },
        });
        ScheduleDecisionTaskIfPending();
    });

    /// <summary>
    /// RequestCancelWorkflowExecution (or a cancel request from another execution or a parent's child policy):
    /// WorkflowExecutionCancelRequested, cancelRequested = true, and a decision task. "It is up to the decider to take
    /// appropriate actions when it receives an execution history with this event." Every request is recorded, also
    /// a repeated one: the operation "Records a WorkflowExecutionCancelRequested event in the currently running
    /// workflow execution" without exception, and each one is something the decider may want to see.
    /// </summary>
    /// <param name="cause">CHILD_POLICY_APPLIED when a parent's child policy asks; null for a direct request.</param>
    public void RequestCancel(WorkflowExecution? externalExecution = null, long? externalInitiatedEventId = null, string? cause = null) => Guarded(SmallCommandEvents, () =>
    {
        RequireOpen();
        Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionCancelRequested,
            WorkflowExecutionCancelRequestedEventAttributes = new WorkflowExecutionCancelRequestedEventAttributes
            {
                ExternalWorkflowExecution = externalExecution,
                ExternalInitiatedEventId = externalInitiatedEventId,
                Cause = cause,
            },
        });
        ScheduleDecisionTaskIfPending();
    });

    /// <summary>
    /// TerminateWorkflowExecution: WorkflowExecutionTerminated, closing the run with TERMINATED at once; open
    /// activities, timers and the decision task simply end (their queue messages and deadlines go stale). The child
    /// policy is the request's, else the execution's; applying it to children is the cross-execution work's.
    /// </summary>
    /// <param name="cause">OPERATOR_INITIATED for the API call; CHILD_POLICY_APPLIED or EVENT_LIMIT_EXCEEDED from the service.</param>
    public void Terminate(string? reason, string? details, string? childPolicy, string? cause) => Guarded(SmallCommandEvents, () =>
    {
        RequireOpen();
        if (childPolicy is not null && !global::SwfServerless.Core.Model.ChildPolicy.All.Contains(childPolicy))
        {
            throw SwfFault.Validation($"Value '{childPolicy}' at 'childPolicy' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", global::SwfServerless.Core.Model.ChildPolicy.All)}]");
        }
        Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionTerminated,
            WorkflowExecutionTerminatedEventAttributes = new WorkflowExecutionTerminatedEventAttributes
            {
                Reason = reason,
                Details = details,
                ChildPolicy = childPolicy ?? State.ChildPolicy,
                Cause = cause,
            },
        });
    });
}
