using SwfServerless.Core.Model;

namespace SwfServerless.Core.Executions;

/// <summary>
/// The deadlines a run has in its current state, computed from the state alone (plus the activities' last
/// heartbeats, which live outside it). The storage layer keeps ONE durable reminder per run, at or before the
/// earliest of these (<see cref="Next"/>); when it comes due, <see cref="ExecutionMachine.FireDueDeadlines"/> fires
/// whatever is due and the reminder moves on to the next one. Recomputing from the state is what makes a
/// reminder a hint: nothing is remembered about a deadline that the state does not still say.
/// </summary>
public static class ExecutionDeadlines
{
    /// <summary>
    /// Every deadline of an open run, in due order (ties: activities, decision task, timers, execution; then by
    /// event id). NONE durations give none. Heartbeat clocks run from the last heartbeat of the same attempt in
    /// <paramref name="heartbeats"/> (keyed by scheduledEventId), else from the start.
    /// </summary>
    public static List<Deadline> All(ExecutionState state, IReadOnlyDictionary<long, LastHeartbeat>? heartbeats = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var result = new List<Deadline>();
        if (!state.IsOpen) return result;

        foreach (var activity in state.Activities)
        {
            var beat = HeartbeatOf(activity, heartbeats);
            foreach (var type in ActivityTaskTimeoutType.All)
            {
                if (activity.TimeoutDue(type, beat?.At) is { } due) result.Add(Deadline.Activity(due, activity.ScheduledEventId, type));
            }
        }
        if (state.DecisionTask is { TimeoutDue: { } decisionDue } task)
        {
            result.Add(Deadline.DecisionTask(decisionDue, task.ScheduledEventId, task.StartedEventId,
                task.IsStarted ? DecisionTaskTimeoutType.StartToClose : DecisionTaskTimeoutType.ScheduleToStart));
        }
        foreach (var timer in state.Timers)
        {
            if (timer.FiresAt != DateTimeOffset.MaxValue) result.Add(Deadline.Timer(timer.FiresAt, timer.TimerId, timer.StartedEventId));
        }
        foreach (var lambda in state.Lambdas)
        {
            if (lambda.TimeoutDue is { } lambdaDue) result.Add(Deadline.LambdaFunction(lambdaDue, lambda.ScheduledEventId, lambda.StartedEventId));
        }
        if (state.ExecutionTimeoutDue is { } executionDue) result.Add(Deadline.Execution(executionDue));

        // Stable sort: within one kind the order above (scheduling order, then the model's timeout type order) stays.
        return [.. result.OrderBy(d => d.Due).ThenBy(d => d.Kind)];
    }

    /// <summary>When the run's earliest deadline is due; null when it has none (closed, or nothing can time out).</summary>
    public static DateTimeOffset? Next(ExecutionState state, IReadOnlyDictionary<long, LastHeartbeat>? heartbeats = null)
    {
        var all = All(state, heartbeats);
        return all.Count == 0 ? null : all[0].Due;
    }

    /// <summary>
    /// True when a started activity has a deadline due at <paramref name="now"/> by the state alone (its heartbeat
    /// clock run from the start, which is the earliest it can be): then its last heartbeat must be read, to know
    /// whether it was renewed and which details the timeout event carries.
    /// </summary>
    public static bool NeedsHeartbeats(ExecutionState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.IsOpen) return false;
        foreach (var activity in state.Activities)
        {
            if (!activity.IsStarted) continue;
            foreach (var type in ActivityTaskTimeoutType.All)
            {
                if (activity.TimeoutDue(type) is { } due && due <= now) return true;
            }
        }
        return false;
    }

    internal static LastHeartbeat? HeartbeatOf(OpenActivity activity, IReadOnlyDictionary<long, LastHeartbeat>? heartbeats) =>
        activity.IsStarted && heartbeats is not null && heartbeats.TryGetValue(activity.ScheduledEventId, out var beat)
            && beat.StartedEventId == activity.StartedEventId ? beat : null;
}
