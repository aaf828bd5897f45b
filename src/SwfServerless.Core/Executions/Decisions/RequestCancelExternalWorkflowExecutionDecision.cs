using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// RequestCancelExternalWorkflowExecution: RequestCancelExternalWorkflowExecutionInitiated and an intent to deliver
    /// the request (WorkflowExecutionCancelRequested in the target), which reports ExternalWorkflowExecutionCancelRequested,
    /// or RequestCancelExternalWorkflowExecutionFailed with UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION when no such open run exists.
    /// Too many requests awaiting delivery for the state row's budget (see <see cref="StateBudget"/>) fail at once with
    /// REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED and initiatedEventId 0.
    /// </summary>
    private void HandleRequestCancelExternalWorkflowExecution(RequestCancelExternalWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        string? runId = string.IsNullOrEmpty(a.RunId) ? null : a.RunId;
        if (!Budget.TryTakePending(a.WorkflowId!, runId))
        {
            Append(new HistoryEvent
            {
                EventType = ET.RequestCancelExternalWorkflowExecutionFailed,
                RequestCancelExternalWorkflowExecutionFailedEventAttributes = new RequestCancelExternalWorkflowExecutionFailedEventAttributes
                {
                    WorkflowId = a.WorkflowId,
                    RunId = runId,
                    Cause = RequestCancelExternalWorkflowExecutionFailedCause.RequestCancelExternalWorkflowExecutionRateExceeded,
                    InitiatedEventId = 0,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                    Control = a.Control,
                },
            });
            return;
        }
        var initiated = Append(new HistoryEvent
        {
            EventType = ET.RequestCancelExternalWorkflowExecutionInitiated,
            RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new RequestCancelExternalWorkflowExecutionInitiatedEventAttributes
            {
                WorkflowId = a.WorkflowId,
                RunId = runId,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                Control = a.Control,
            },
        });
        NewIntents.Add(new IntentToCarryOut(IntentKind.RequestCancelExternal, initiated.EventId!.Value));
    }
}
