using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// SignalExternalWorkflowExecution crosses executions; until that work lands, it fails as not permitted.
    /// REPLACE this method (and only it) with SignalExternalWorkflowExecutionInitiated plus an intent to deliver the
    /// signal. No Initiated event exists, so initiatedEventId is 0.
    /// </summary>
    private void HandleSignalExternalWorkflowExecution(SignalExternalWorkflowExecutionDecisionAttributes a, DecisionContext context) =>
        Append(new HistoryEvent
        {
            EventType = ET.SignalExternalWorkflowExecutionFailed,
            SignalExternalWorkflowExecutionFailedEventAttributes = new SignalExternalWorkflowExecutionFailedEventAttributes
            {
                WorkflowId = a.WorkflowId,
                RunId = a.RunId,
                Cause = SignalExternalWorkflowExecutionFailedCause.OperationNotPermitted,
                InitiatedEventId = 0,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                Control = a.Control,
            },
        });
}
