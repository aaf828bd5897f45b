using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>FailWorkflowExecution: WorkflowExecutionFailed, closing the run; FailWorkflowExecutionFailed (UNHANDLED_DECISION) like every closing decision.</summary>
    private void HandleFailWorkflowExecution(FailWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        if (context.UnhandledEvents)
        {
            Append(new HistoryEvent
            {
                EventType = ET.FailWorkflowExecutionFailed,
                FailWorkflowExecutionFailedEventAttributes = new FailWorkflowExecutionFailedEventAttributes
                {
                    Cause = FailWorkflowExecutionFailedCause.UnhandledDecision,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                },
            });
            return;
        }
        Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionFailed,
            WorkflowExecutionFailedEventAttributes = new WorkflowExecutionFailedEventAttributes
            {
                Reason = a.Reason,
                Details = a.Details,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
    }
}
