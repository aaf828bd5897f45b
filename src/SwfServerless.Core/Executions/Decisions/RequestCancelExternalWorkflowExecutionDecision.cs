using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// RequestCancelExternalWorkflowExecution: RequestCancelExternalWorkflowExecutionInitiated and an intent to deliver
    /// the request (WorkflowExecutionCancelRequested in the target), which reports ExternalWorkflowExecutionCancelRequested,
    /// or RequestCancelExternalWorkflowExecutionFailed with UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION when no such open run exists.
    /// </summary>
    private void HandleRequestCancelExternalWorkflowExecution(RequestCancelExternalWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        var initiated = Append(new HistoryEvent
        {
            EventType = ET.RequestCancelExternalWorkflowExecutionInitiated,
            RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new RequestCancelExternalWorkflowExecutionInitiatedEventAttributes
            {
                WorkflowId = a.WorkflowId,
                RunId = string.IsNullOrEmpty(a.RunId) ? null : a.RunId,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                Control = a.Control,
            },
        });
        NewIntents.Add(new IntentToCarryOut(IntentKind.RequestCancelExternal, initiated.EventId!.Value));
    }
}
