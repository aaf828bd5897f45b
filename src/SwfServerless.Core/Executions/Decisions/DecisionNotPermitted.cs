using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// A decision the caller's access policy denies: its *Failed event with cause OPERATION_NOT_PERMITTED, as SWF
    /// records a decision an IAM policy forbids (the policy is evaluated outside the machine, by the caller).
    /// </summary>
    private void RecordNotPermitted(Decision decision, DecisionContext context)
    {
        var id = context.DecisionTaskCompletedEventId;
        var e = new HistoryEvent();
        switch (decision.DecisionType)
        {
            case DecisionType.ScheduleActivityTask:
                var schedule = decision.ScheduleActivityTaskDecisionAttributes!;
                e.EventType = ET.ScheduleActivityTaskFailed;
                e.ScheduleActivityTaskFailedEventAttributes = new() { ActivityType = schedule.ActivityType, ActivityId = schedule.ActivityId,
                    Cause = ScheduleActivityTaskFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.RequestCancelActivityTask:
                e.EventType = ET.RequestCancelActivityTaskFailed;
                e.RequestCancelActivityTaskFailedEventAttributes = new() { ActivityId = decision.RequestCancelActivityTaskDecisionAttributes!.ActivityId,
                    Cause = RequestCancelActivityTaskFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.CompleteWorkflowExecution:
                e.EventType = ET.CompleteWorkflowExecutionFailed;
                e.CompleteWorkflowExecutionFailedEventAttributes = new() { Cause = CompleteWorkflowExecutionFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.FailWorkflowExecution:
                e.EventType = ET.FailWorkflowExecutionFailed;
                e.FailWorkflowExecutionFailedEventAttributes = new() { Cause = FailWorkflowExecutionFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.CancelWorkflowExecution:
                e.EventType = ET.CancelWorkflowExecutionFailed;
                e.CancelWorkflowExecutionFailedEventAttributes = new() { Cause = CancelWorkflowExecutionFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.ContinueAsNewWorkflowExecution:
                e.EventType = ET.ContinueAsNewWorkflowExecutionFailed;
                e.ContinueAsNewWorkflowExecutionFailedEventAttributes = new() { Cause = ContinueAsNewWorkflowExecutionFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.RecordMarker:
                e.EventType = ET.RecordMarkerFailed;
                e.RecordMarkerFailedEventAttributes = new() { MarkerName = decision.RecordMarkerDecisionAttributes!.MarkerName,
                    Cause = RecordMarkerFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.StartTimer:
                e.EventType = ET.StartTimerFailed;
                e.StartTimerFailedEventAttributes = new() { TimerId = decision.StartTimerDecisionAttributes!.TimerId,
                    Cause = StartTimerFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.CancelTimer:
                e.EventType = ET.CancelTimerFailed;
                e.CancelTimerFailedEventAttributes = new() { TimerId = decision.CancelTimerDecisionAttributes!.TimerId,
                    Cause = CancelTimerFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.SignalExternalWorkflowExecution:
                var signal = decision.SignalExternalWorkflowExecutionDecisionAttributes!;
                e.EventType = ET.SignalExternalWorkflowExecutionFailed;
                e.SignalExternalWorkflowExecutionFailedEventAttributes = new() { WorkflowId = signal.WorkflowId, RunId = signal.RunId, Control = signal.Control,
                    Cause = SignalExternalWorkflowExecutionFailedCause.OperationNotPermitted, InitiatedEventId = 0, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.RequestCancelExternalWorkflowExecution:
                var cancel = decision.RequestCancelExternalWorkflowExecutionDecisionAttributes!;
                e.EventType = ET.RequestCancelExternalWorkflowExecutionFailed;
                e.RequestCancelExternalWorkflowExecutionFailedEventAttributes = new() { WorkflowId = cancel.WorkflowId, RunId = cancel.RunId, Control = cancel.Control,
                    Cause = RequestCancelExternalWorkflowExecutionFailedCause.OperationNotPermitted, InitiatedEventId = 0, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.StartChildWorkflowExecution:
                var child = decision.StartChildWorkflowExecutionDecisionAttributes!;
                e.EventType = ET.StartChildWorkflowExecutionFailed;
                e.StartChildWorkflowExecutionFailedEventAttributes = new() { WorkflowType = child.WorkflowType, WorkflowId = child.WorkflowId, Control = child.Control,
                    Cause = StartChildWorkflowExecutionFailedCause.OperationNotPermitted, InitiatedEventId = 0, DecisionTaskCompletedEventId = id };
                break;
            case DecisionType.ScheduleLambdaFunction:
                // Its causes have no OPERATION_NOT_PERMITTED: it fails as where no Lambda task can be scheduled.
                FailScheduleLambdaFunction(decision.ScheduleLambdaFunctionDecisionAttributes!, context, ScheduleLambdaFunctionFailedCause.LambdaServiceNotAvailableInRegion);
                return;
            default:
                throw new InvalidOperationException($"Decision type '{decision.DecisionType}' passed validation but has no handler.");
        }
        Append(e);
    }
}
