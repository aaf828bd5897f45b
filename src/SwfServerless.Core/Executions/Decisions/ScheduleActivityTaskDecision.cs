using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// ScheduleActivityTask: ActivityTaskScheduled with every setting resolved from the decision or the type's
    /// defaults, a task to dispatch and its SCHEDULE_TO_START/SCHEDULE_TO_CLOSE deadlines; or
    /// ScheduleActivityTaskFailed. Checks in this order: type exists, not deprecated, activityId not used by an
    /// open activity, open-activities quota, then task list and the four timeouts (decision, else type default), then
    /// the state row's budget (OPEN_ACTIVITIES_LIMIT_EXCEEDED too: see <see cref="StateBudget"/>).
    /// </summary>
    private void HandleScheduleActivityTask(ScheduleActivityTaskDecisionAttributes a, DecisionContext context)
    {
        var activityType = new ActivityType { Name = a.ActivityType!.Name, Version = a.ActivityType.Version };
        void Fail(string cause) =>
            Append(new HistoryEvent
            {
                EventType = ET.ScheduleActivityTaskFailed,
                ScheduleActivityTaskFailedEventAttributes = new ScheduleActivityTaskFailedEventAttributes
                {
                    ActivityType = activityType,
                    ActivityId = a.ActivityId,
                    Cause = cause,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                },
            });

        context.ActivityTypes.TryGetValue((activityType.Name!, activityType.Version!), out var type);
        if (type is null) { Fail(ScheduleActivityTaskFailedCause.ActivityTypeDoesNotExist); return; }
        if (type.IsDeprecated) { Fail(ScheduleActivityTaskFailedCause.ActivityTypeDeprecated); return; }
        if (State.FindActivityById(a.ActivityId!) is not null) { Fail(ScheduleActivityTaskFailedCause.ActivityIdAlreadyInUse); return; }
        if (State.Activities.Count >= MaxOpenActivities) { Fail(ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded); return; }

        var defaults = type.ActivityDefaults;
        string? taskList = a.TaskList?.Name ?? defaults?.DefaultTaskList?.Name;
        if (taskList is null) { Fail(ScheduleActivityTaskFailedCause.DefaultTaskListUndefined); return; }
        string? scheduleToStart = a.ScheduleToStartTimeout ?? defaults?.DefaultTaskScheduleToStartTimeout;
        if (scheduleToStart is null) { Fail(ScheduleActivityTaskFailedCause.DefaultScheduleToStartTimeoutUndefined); return; }
        string? scheduleToClose = a.ScheduleToCloseTimeout ?? defaults?.DefaultTaskScheduleToCloseTimeout;
        if (scheduleToClose is null) { Fail(ScheduleActivityTaskFailedCause.DefaultScheduleToCloseTimeoutUndefined); return; }
        string? startToClose = a.StartToCloseTimeout ?? defaults?.DefaultTaskStartToCloseTimeout;
        if (startToClose is null) { Fail(ScheduleActivityTaskFailedCause.DefaultStartToCloseTimeoutUndefined); return; }
        string? heartbeat = a.HeartbeatTimeout ?? defaults?.DefaultTaskHeartbeatTimeout;
        if (heartbeat is null) { Fail(ScheduleActivityTaskFailedCause.DefaultHeartbeatTimeoutUndefined); return; }
        string? priority = a.TaskPriority ?? defaults?.DefaultTaskPriority;
        // The state row's budget (see StateBudget) is an open-activities limit too, of size rather than count.
        if (!Budget.TryTakeActivity(new(a.ActivityId!, activityType.Name!, activityType.Version!, taskList, priority,
                scheduleToStart, scheduleToClose, startToClose, heartbeat)))
        {
            Fail(ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded);
            return;
        }

        var scheduled = Append(new HistoryEvent
        {
            EventType = ET.ActivityTaskScheduled,
            ActivityTaskScheduledEventAttributes = new ActivityTaskScheduledEventAttributes
            {
                ActivityType = activityType,
                ActivityId = a.ActivityId,
                Input = a.Input,
                Control = a.Control,
                ScheduleToStartTimeout = scheduleToStart,
                ScheduleToCloseTimeout = scheduleToClose,
                StartToCloseTimeout = startToClose,
                TaskList = new TaskList { Name = taskList },
                TaskPriority = priority,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                HeartbeatTimeout = heartbeat,
            },
        });
        var activity = State.FindActivity(scheduled.EventId!.Value)!;
        NewTasks.Add(new TaskToDispatch(TaskKind.Activity, activity.TaskList, activity.Priority, activity.ScheduledEventId, activity.ActivityId));
        ArmActivityDeadline(activity, ActivityTaskTimeoutType.ScheduleToStart);
        ArmActivityDeadline(activity, ActivityTaskTimeoutType.ScheduleToClose);
    }

    private void ArmActivityDeadline(OpenActivity activity, string timeoutType)
    {
        if (activity.TimeoutDue(timeoutType) is { } due) NewDeadlines.Add(Deadline.Activity(due, activity.ScheduledEventId, timeoutType));
    }
}
