using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// RequestCancelExternalWorkflowExecution crosses executions; until that work lands, it fails as not permitted.
    /// REPLACE this method (and only it) with RequestCancelExternalWorkflowExecutionInitiated plus an intent to
    /// deliver the request. No Initiated event exists, so initiatedEventId is 0.
    /// </summary>
    private void HandleRequestCancelExternalWorkflowExecution(RequestCancelExternalWorkflowExecutionDecisionAttributes a, DecisionContext context) =>
        Append(new HistoryEvent
        {
            EventType = ET.RequestCancelExternalWorkflowExecutionFailed,
            RequestCancelExternalWorkflowExecutionFailedEventAttributes = new RequestCancelExternalWorkflowExecutionFailedEventAttributes
            {
                WorkflowId = a.WorkflowId,
                RunId = a.RunId,
                Cause = RequestCancelExternalWorkflowExecutionFailedCause.OperationNotPermitted,
                InitiatedEventId = 0,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                Control = a.Control,
            },
        });
}
