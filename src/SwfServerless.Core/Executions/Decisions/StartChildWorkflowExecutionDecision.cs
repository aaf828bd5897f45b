using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// StartChildWorkflowExecution crosses executions; until that work lands, it fails as not permitted.
    /// REPLACE this method (and only it) with StartChildWorkflowExecutionInitiated plus an intent to start the child.
    /// initiatedEventId is 0: "When the cause isn't WORKFLOW_ALREADY_RUNNING, initiatedEventId is set to 0 because
    /// the StartChildWorkflowExecutionInitiated event doesn't exist."
    /// </summary>
    private void HandleStartChildWorkflowExecution(StartChildWorkflowExecutionDecisionAttributes a, DecisionContext context) =>
        Append(new HistoryEvent
        {
            EventType = ET.StartChildWorkflowExecutionFailed,
            StartChildWorkflowExecutionFailedEventAttributes = new StartChildWorkflowExecutionFailedEventAttributes
            {
                WorkflowType = new WorkflowType { Name = a.WorkflowType!.Name, Version = a.WorkflowType.Version },
                Cause = StartChildWorkflowExecutionFailedCause.OperationNotPermitted,
                WorkflowId = a.WorkflowId,
                InitiatedEventId = 0,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                Control = a.Control,
            },
        });
}
