using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// CancelWorkflowExecution: WorkflowExecutionCanceled, closing the run (whether or not a cancellation was
    /// requested: the decider may cancel on its own); CancelWorkflowExecutionFailed (UNHANDLED_DECISION) like every
    /// closing decision.
    /// </summary>
    private void HandleCancelWorkflowExecution(CancelWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        if (context.UnhandledEvents)
        {
            Append(new HistoryEvent
            {
                EventType = ET.CancelWorkflowExecutionFailed,
                CancelWorkflowExecutionFailedEventAttributes = new CancelWorkflowExecutionFailedEventAttributes
                {
                    Cause = CancelWorkflowExecutionFailedCause.UnhandledDecision,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                },
            });
            return;
        }
        Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionCanceled,
            WorkflowExecutionCanceledEventAttributes = new WorkflowExecutionCanceledEventAttributes
            {
                Details = a.Details,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
    }
}
