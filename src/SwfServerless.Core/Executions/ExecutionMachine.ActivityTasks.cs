using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// Claims the activity task scheduled by <paramref name="scheduledEventId"/>: ActivityTaskStarted and its
    /// START_TO_CLOSE and HEARTBEAT deadlines. Null when the task is no longer scheduled-and-unstarted (already
    /// claimed, canceled, timed out, or the run closed): drop the queue message.
    /// </summary>
    public ActivityTaskStart? StartActivityTask(long scheduledEventId, string? identity) => Guarded<ActivityTaskStart?>(SmallCommandEvents, () =>
    {
        var activity = State.IsOpen ? State.FindActivity(scheduledEventId) : null;
        if (activity is null || activity.IsStarted) return null;

        var started = Append(new HistoryEvent
        {
            EventType = ET.ActivityTaskStarted,
            ActivityTaskStartedEventAttributes = new ActivityTaskStartedEventAttributes
            {
                Identity = identity,
                ScheduledEventId = scheduledEventId,
            },
        });
        DropMootDeadline(DeadlineKind.ActivityTimeout, scheduledEventId, ActivityTaskTimeoutType.ScheduleToStart);
        ArmActivityDeadline(activity, ActivityTaskTimeoutType.StartToClose);
        ArmActivityDeadline(activity, ActivityTaskTimeoutType.Heartbeat);
        return new ActivityTaskStart(
            scheduledEventId,
            started.EventId!.Value,
            activity.ActivityId,
            new ActivityType { Name = activity.ActivityType.Name, Version = activity.ActivityType.Version },
            State.Execution,
            activity.TaskList);
    }, null);

    /// <summary>
    /// RecordActivityTaskHeartbeat: checks the task is open and started with that id and tells whether its
    /// cancellation was requested. Records nothing ("This action doesn't in itself create an event"); the caller
    /// keeps the details and time of the heartbeat in a row of its own and re-arms the HEARTBEAT deadline from it.
    /// </summary>
    public ActivityStatus RecordHeartbeat(long scheduledEventId, long startedEventId) =>
        new(RequireStartedActivity(scheduledEventId, startedEventId).CancelRequested);

    /// <summary>RespondActivityTaskCompleted: ActivityTaskCompleted, and a decision task.</summary>
    public void CompleteActivityTask(long scheduledEventId, long startedEventId, string? result) => Guarded(SmallCommandEvents, () =>
    {
        RequireStartedActivity(scheduledEventId, startedEventId);
        Append(new HistoryEvent
        {
            EventType = ET.ActivityTaskCompleted,
            ActivityTaskCompletedEventAttributes = new ActivityTaskCompletedEventAttributes
            {
                Result = result,
                ScheduledEventId = scheduledEventId,
                StartedEventId = startedEventId,
            },
        });
        ScheduleDecisionTaskIfPending();
    });

    /// <summary>RespondActivityTaskFailed: ActivityTaskFailed, and a decision task.</summary>
    public void FailActivityTask(long scheduledEventId, long startedEventId, string? reason, string? details) => Guarded(SmallCommandEvents, () =>
    {
        RequireStartedActivity(scheduledEventId, startedEventId);
        Append(new HistoryEvent
        {
            EventType = ET.ActivityTaskFailed,
            ActivityTaskFailedEventAttributes = new ActivityTaskFailedEventAttributes
            {
                Reason = reason,
                Details = details,
                ScheduledEventId = scheduledEventId,
                StartedEventId = startedEventId,
            },
        });
        ScheduleDecisionTaskIfPending();
    });

    /// <summary>
    /// RespondActivityTaskCanceled: ActivityTaskCanceled, and a decision task. Accepted whether or not a cancellation
    /// was requested: the docs' "Only use this operation if the canceled flag of a RecordActivityTaskHeartbeat request
    /// returns true" advises the worker, and the operation's only faults are UnknownResource and OperationNotPermitted.
    /// latestCancelRequestedEventId is set only when a cancellation was requested.
    /// </summary>
    public void CancelActivityTask(long scheduledEventId, long startedEventId, string? details) => Guarded(SmallCommandEvents, () =>
    {
        var activity = RequireStartedActivity(scheduledEventId, startedEventId);
        Append(new HistoryEvent
        {
            EventType = ET.ActivityTaskCanceled,
            ActivityTaskCanceledEventAttributes = new ActivityTaskCanceledEventAttributes
            {
                Details = details,
                ScheduledEventId = scheduledEventId,
                StartedEventId = startedEventId,
                LatestCancelRequestedEventId = activity.LatestCancelRequestedEventId,
            },
        });
        ScheduleDecisionTaskIfPending();
    });

    /// <summary>
    /// A worker's token names the task by its scheduled and started events; anything else than the open task
    /// started by exactly that event (closed run, task completed or timed out, a token of an earlier attempt) is an
    /// unknown resource: "A task is closed after it has been specified in a call to RespondActivityTaskCompleted,
    /// RespondActivityTaskCanceled, RespondActivityTaskFailed, or the task has timed out."
    /// </summary>
    private OpenActivity RequireStartedActivity(long scheduledEventId, long startedEventId)
    {
        var activity = State.IsOpen ? State.FindActivity(scheduledEventId) : null;
        if (activity is null || !activity.IsStarted || activity.StartedEventId != startedEventId)
        {
            throw SwfFault.UnknownResource(
                $"Unknown activity task: scheduledEventId={scheduledEventId}, startedEventId={startedEventId} of {DescribeExecution()} is not open.");
        }
        return activity;
    }
}
