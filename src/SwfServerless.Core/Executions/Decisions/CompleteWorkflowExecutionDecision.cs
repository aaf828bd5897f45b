using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// CompleteWorkflowExecution: WorkflowExecutionCompleted, closing the run; CompleteWorkflowExecutionFailed
    /// (UNHANDLED_DECISION) when events arrived while the decision task was started ("An UnhandledDecision fault is
    /// returned if a workflow closing decision is specified and a signal or activity event had been added to the
    /// history while the decision task was being performed by the decider").
    /// </summary>
    private void HandleCompleteWorkflowExecution(CompleteWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        if (context.UnhandledEvents)
        {
            Append(new HistoryEvent
            {
                EventType = ET.CompleteWorkflowExecutionFailed,
                CompleteWorkflowExecutionFailedEventAttributes = new CompleteWorkflowExecutionFailedEventAttributes
                {
                    Cause = CompleteWorkflowExecutionFailedCause.UnhandledDecision,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                },
            });
            return;
        }
        Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionCompleted,
            WorkflowExecutionCompletedEventAttributes = new WorkflowExecutionCompletedEventAttributes
            {
                Result = a.Result,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
    }
}
