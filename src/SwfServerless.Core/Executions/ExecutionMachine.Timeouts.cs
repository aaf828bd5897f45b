using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

/// <remarks>
/// Deadlines are hints (Temporal's timer tasks): each of these commands recomputes from the state what is
/// really due and returns false, recording nothing, when the deadline is stale (the task or timer is gone, was
/// restarted, or is in another state) or not due yet at <see cref="Now"/> (fired early; re-arm it from the state's
/// <c>TimeoutDue</c>/<c>FiresAt</c>). True means the event was recorded.
/// </remarks>
public sealed partial class ExecutionMachine
{
    /// <summary>
    /// Fires every deadline of the run that is due at <see cref="Now"/>, earliest first, each through its own
    /// command below (so each re-checks the state: an activity that timed out SCHEDULE_TO_START cannot also time
    /// out SCHEDULE_TO_CLOSE, and nothing fires once the execution timed out). Deadlines that firing creates
    /// (a new decision task's) are left for the next check. Returns how many fired.
    /// </summary>
    /// <param name="heartbeats">The run's last heartbeats by scheduledEventId. Required whenever
    /// <see cref="ExecutionDeadlines.NeedsHeartbeats"/> says so: without them a renewed heartbeat would look expired.</param>
    public int FireDueDeadlines(IReadOnlyDictionary<long, LastHeartbeat>? heartbeats) => Guarded(2 * (State.Activities.Count + State.Timers.Count + 2) + 2, () =>
    {
        if (heartbeats is null && ExecutionDeadlines.NeedsHeartbeats(State, Now))
        {
            throw new ArgumentNullException(nameof(heartbeats), "A started activity has a deadline due: its last heartbeat is needed.");
        }
        int fired = 0;
        foreach (var deadline in ExecutionDeadlines.All(State, heartbeats))
        {
            if (deadline.Due > Now) break;
            if (Fire(deadline, heartbeats)) fired++;
        }
        return fired;
    }, 0);

    /// <summary>Fires one deadline through its command; false when it is stale or not yet due.</summary>
    public bool Fire(Deadline deadline, IReadOnlyDictionary<long, LastHeartbeat>? heartbeats = null) => Guarded(SmallCommandEvents, () =>
    {
        ArgumentNullException.ThrowIfNull(deadline);
        switch (deadline.Kind)
        {
            case DeadlineKind.ActivityTimeout:
                var activity = State.FindActivity(deadline.ScheduledEventId);
                var beat = activity is null ? null : ExecutionDeadlines.HeartbeatOf(activity, heartbeats);
                return TimeOutActivity(deadline.ScheduledEventId, deadline.TimeoutType!, beat?.Details, beat?.At);
            case DeadlineKind.DecisionTaskTimeout:
                return TimeOutDecisionTask(deadline.ScheduledEventId, deadline.StartedEventId);
            case DeadlineKind.ExecutionTimeout:
                return TimeOutExecution();
            case DeadlineKind.Timer:
                return FireTimer(deadline.TimerId!, deadline.StartedEventId);
            case DeadlineKind.LambdaFunctionTimeout:
                return TimeOutLambdaFunction(deadline.ScheduledEventId, deadline.StartedEventId);
            default:
                throw new ArgumentOutOfRangeException(nameof(deadline), deadline.Kind, "Unknown deadline kind.");
        }
    }, false);

    /// <summary>
    /// ActivityTaskTimedOut of the given type, with the last heartbeat's details, and a decision task.
    /// SCHEDULE_TO_START only while unstarted, START_TO_CLOSE and HEARTBEAT only while started, SCHEDULE_TO_CLOSE
    /// either way; a NONE timeout never fires.
    /// </summary>
    /// <param name="lastHeartbeatAt">The time of the last heartbeat (kept outside the state row): the HEARTBEAT clock
    /// runs from it. Null: from the start.</param>
    public bool TimeOutActivity(long scheduledEventId, string timeoutType, string? lastHeartbeatDetails, DateTimeOffset? lastHeartbeatAt = null) => Guarded(SmallCommandEvents, () =>
    {
        if (!ActivityTaskTimeoutType.All.Contains(timeoutType))
        {
            throw new ArgumentOutOfRangeException(nameof(timeoutType), timeoutType, "Not an ActivityTaskTimeoutType.");
        }
        var activity = State.IsOpen ? State.FindActivity(scheduledEventId) : null;
        if (activity?.TimeoutDue(timeoutType, lastHeartbeatAt) is not { } due || Now < due) return false;

        Append(new HistoryEvent
        {
            EventType = ET.ActivityTaskTimedOut,
            ActivityTaskTimedOutEventAttributes = new ActivityTaskTimedOutEventAttributes
            {
                TimeoutType = timeoutType,
                ScheduledEventId = scheduledEventId,
                StartedEventId = activity.StartedEventId,
                Details = activity.IsStarted ? lastHeartbeatDetails : null,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>
    /// DecisionTaskTimedOut and a new DecisionTaskScheduled. START_TO_CLOSE when <paramref name="startedEventId"/>
    /// names the started task; SCHEDULE_TO_START when it is 0 and the unstarted task was scheduled on a temporary task
    /// list override (which the timeout reverts).
    /// </summary>
    public bool TimeOutDecisionTask(long scheduledEventId, long startedEventId) => Guarded(SmallCommandEvents, () =>
    {
        var task = State.IsOpen ? State.DecisionTask : null;
        if (task is null || task.ScheduledEventId != scheduledEventId || task.StartedEventId != startedEventId) return false;
        if (task.TimeoutDue is not { } due || Now < due) return false;

        Append(new HistoryEvent
        {
            EventType = ET.DecisionTaskTimedOut,
            DecisionTaskTimedOutEventAttributes = new DecisionTaskTimedOutEventAttributes
            {
                TimeoutType = task.IsStarted ? DecisionTaskTimeoutType.StartToClose : DecisionTaskTimeoutType.ScheduleToStart,
                ScheduledEventId = scheduledEventId,
                StartedEventId = startedEventId,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);

    /// <summary>WorkflowExecutionTimedOut (START_TO_CLOSE, with the execution's child policy), closing the run as TIMED_OUT.</summary>
    public bool TimeOutExecution() => Guarded(SmallCommandEvents, () =>
    {
        if (State.ExecutionTimeoutDue is not { } due || Now < due) return false;
        Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionTimedOut,
            WorkflowExecutionTimedOutEventAttributes = new WorkflowExecutionTimedOutEventAttributes
            {
                TimeoutType = WorkflowExecutionTimeoutType.StartToClose,
                ChildPolicy = State.ChildPolicy,
            },
        });
        return true;
    }, false);

    /// <summary>TimerFired and a decision task, when the timer started by that event is still open and due.</summary>
    public bool FireTimer(string timerId, long startedEventId) => Guarded(SmallCommandEvents, () =>
    {
        var timer = State.IsOpen ? State.FindTimer(timerId) : null;
        if (timer is null || timer.StartedEventId != startedEventId || Now < timer.FiresAt) return false;

        Append(new HistoryEvent
        {
            EventType = ET.TimerFired,
            TimerFiredEventAttributes = new TimerFiredEventAttributes
            {
                TimerId = timerId,
                StartedEventId = startedEventId,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }, false);
}
