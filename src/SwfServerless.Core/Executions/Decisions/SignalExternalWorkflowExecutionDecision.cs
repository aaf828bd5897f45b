using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// SignalExternalWorkflowExecution: SignalExternalWorkflowExecutionInitiated and an intent to deliver the signal,
    /// which reports ExternalWorkflowExecutionSignaled, or SignalExternalWorkflowExecutionFailed with
    /// UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION when no such open run exists. Whether the target exists is only known there:
    /// nothing fails here (OPERATION_NOT_PERMITTED is the caller's access policy, before this handler).
    /// </summary>
    private void HandleSignalExternalWorkflowExecution(SignalExternalWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        var initiated = Append(new HistoryEvent
        {
            EventType = ET.SignalExternalWorkflowExecutionInitiated,
            SignalExternalWorkflowExecutionInitiatedEventAttributes = new SignalExternalWorkflowExecutionInitiatedEventAttributes
            {
                WorkflowId = a.WorkflowId,
                RunId = string.IsNullOrEmpty(a.RunId) ? null : a.RunId,
                SignalName = a.SignalName,
                Input = a.Input,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                Control = a.Control,
            },
        });
        NewIntents.Add(new IntentToCarryOut(IntentKind.SignalExternal, initiated.EventId!.Value));
    }
}
