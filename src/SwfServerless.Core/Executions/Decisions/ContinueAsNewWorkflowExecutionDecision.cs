using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// ContinueAsNewWorkflowExecution starts another run; until that work lands, it fails as not permitted and the
    /// run stays open. REPLACE this method (and only it): UNHANDLED_DECISION like the other closing decisions
    /// (context.UnhandledEvents), the type and default checks, then WorkflowExecutionContinuedAsNew and the new run.
    /// </summary>
    private void HandleContinueAsNewWorkflowExecution(ContinueAsNewWorkflowExecutionDecisionAttributes a, DecisionContext context) =>
        Append(new HistoryEvent
        {
            EventType = ET.ContinueAsNewWorkflowExecutionFailed,
            ContinueAsNewWorkflowExecutionFailedEventAttributes = new ContinueAsNewWorkflowExecutionFailedEventAttributes
            {
                Cause = ContinueAsNewWorkflowExecutionFailedCause.OperationNotPermitted,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
}
