using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// RequestCancelActivityTask: "If the activity task was scheduled but has not been assigned to a worker, then
    /// it is canceled. If the activity task was already assigned to a worker, then the worker is informed that
    /// cancellation has been requested in the response to RecordActivityTaskHeartbeat." So ActivityTaskCancelRequested,
    /// then at once ActivityTaskCanceled for an unstarted task (which needs a decision, like any cancellation);
    /// RequestCancelActivityTaskFailed (ACTIVITY_ID_UNKNOWN) when no open activity has that id.
    /// </summary>
    private void HandleRequestCancelActivityTask(RequestCancelActivityTaskDecisionAttributes a, DecisionContext context)
    {
        var activity = State.FindActivityById(a.ActivityId!);
        if (activity is null)
        {
            Append(new HistoryEvent
            {
                EventType = ET.RequestCancelActivityTaskFailed,
                RequestCancelActivityTaskFailedEventAttributes = new RequestCancelActivityTaskFailedEventAttributes
                {
                    ActivityId = a.ActivityId,
                    Cause = RequestCancelActivityTaskFailedCause.ActivityIdUnknown,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                },
            });
            return;
        }

        var requested = Append(new HistoryEvent
        {
            EventType = ET.ActivityTaskCancelRequested,
            ActivityTaskCancelRequestedEventAttributes = new ActivityTaskCancelRequestedEventAttributes
            {
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                ActivityId = a.ActivityId,
            },
        });
        if (activity.IsStarted) return;

        // Its queue message may still be delivered: StartActivityTask then finds no activity and drops it.
        Append(new HistoryEvent
        {
            EventType = ET.ActivityTaskCanceled,
            ActivityTaskCanceledEventAttributes = new ActivityTaskCanceledEventAttributes
            {
                ScheduledEventId = activity.ScheduledEventId,
                StartedEventId = 0,
                LatestCancelRequestedEventId = requested.EventId,
            },
        });
    }
}
