using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// SignalExternalWorkflowExecution: SignalExternalWorkflowExecutionInitiated and an intent to deliver the signal,
    /// which reports ExternalWorkflowExecutionSignaled, or SignalExternalWorkflowExecutionFailed with
    /// UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION when no such open run exists. Whether the target exists is only known there:
    /// nothing else fails here (OPERATION_NOT_PERMITTED is the caller's access policy, before this handler). Too many signals
    /// awaiting delivery for the state row's budget (see <see cref="StateBudget"/>) fail at once with
    /// SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED and initiatedEventId 0: SWF's cause for sending too many.
    /// </summary>
    private void HandleSignalExternalWorkflowExecution(SignalExternalWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        string? runId = string.IsNullOrEmpty(a.RunId) ? null : a.RunId;
        if (!Budget.TryTakePending(a.WorkflowId!, runId))
        {
            Append(new HistoryEvent
            {
                EventType = ET.SignalExternalWorkflowExecutionFailed,
                SignalExternalWorkflowExecutionFailedEventAttributes = new SignalExternalWorkflowExecutionFailedEventAttributes
                {
                    WorkflowId = a.WorkflowId,
                    RunId = runId,
                    Cause = SignalExternalWorkflowExecutionFailedCause.SignalExternalWorkflowExecutionRateExceeded,
                    InitiatedEventId = 0,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                    Control = a.Control,
                },
            });
            return;
        }
        var initiated = Append(new HistoryEvent
        {
            EventType = ET.SignalExternalWorkflowExecutionInitiated,
            SignalExternalWorkflowExecutionInitiatedEventAttributes = new SignalExternalWorkflowExecutionInitiatedEventAttributes
            {
                WorkflowId = a.WorkflowId,
                RunId = runId,
                SignalName = a.SignalName,
                Input = a.Input,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                Control = a.Control,
            },
        });
        NewIntents.Add(new IntentToCarryOut(IntentKind.SignalExternal, initiated.EventId!.Value));
    }
}
