using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Time;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

/// <summary>
/// SWF's rules for one workflow execution. The storage layer loads an <see cref="ExecutionState"/> under its
/// ETag, runs one command on a machine, and commits <see cref="NewEvents"/> with the changed <see cref="State"/>
/// in one transaction; on an ETag conflict it reloads and runs the command again, so a command must depend on
/// nothing but the state and its arguments (time and ids are passed in: no clock, no randomness, no I/O).
/// </summary>
/// <remarks>
/// <para>Every change is an event: a command checks its request, builds the event (Add) and
/// <see cref="ExecutionStateApplier"/> applies it (Apply). A command that throws has checked before it built
/// anything, so it leaves <see cref="State"/> and the New* lists untouched; the caller still discards both.</para>
/// <para>One command, one file: <c>ExecutionMachine.Start.cs</c>, <c>.DecisionTasks.cs</c>, <c>.ActivityTasks.cs</c>,
/// <c>.ExternalCommands.cs</c>, <c>.Timeouts.cs</c>, <c>.Intents.cs</c> (what other executions report back), and one handler
/// per decision type under <c>Decisions/</c>.</para>
/// <para>Work on other executions is never done here: a command records it as <see cref="NewIntents"/> (carried out after
/// the commit) or, for ContinueAsNew, as <see cref="ContinuedAs"/> (committed with this run: same partition).</para>
/// </remarks>
public sealed partial class ExecutionMachine
{
    /// <summary>SWF's quota of open activity tasks per execution (OPEN_ACTIVITIES_LIMIT_EXCEEDED beyond it).</summary>
    public const int MaxOpenActivities = 1000;

    /// <summary>SWF's quota of open timers per execution (OPEN_TIMERS_LIMIT_EXCEEDED beyond it).</summary>
    public const int MaxOpenTimers = 1000;

    /// <summary>An execution carries at most 5 tags.</summary>
    public const int MaxTags = 5;

    /// <summary>SWF's quota of open child executions per execution (OPEN_CHILDREN_LIMIT_EXCEEDED beyond it).</summary>
    public const int MaxOpenChildren = 1000;

    /// <param name="limits">The history limit and the state row's budget; null: SWF's figures.</param>
    public ExecutionMachine(ExecutionState state, DateTimeOffset now, ExecutionLimits? limits = null)
    {
        State = state ?? throw new ArgumentNullException(nameof(state));
        // Another instance's clock may be a little ahead of this one's: never stamp an event before the last.
        Now = state.LastEventTimestamp is { } last && last > now ? last : now;
        Limits = limits ?? ExecutionLimits.Swf;
    }

    public ExecutionState State { get; }

    /// <summary>The time of this command: every new event's eventTimestamp, and the base of every new deadline; never
    /// before the run's last event.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Events this command recorded, ids consecutive from the loaded state's LastEventId + 1.</summary>
    public List<HistoryEvent> NewEvents { get; } = [];

    /// <summary>Decision and activity tasks this command scheduled: to put on their task lists' queues.</summary>
    public List<TaskToDispatch> NewTasks { get; } = [];

    /// <summary>Deadlines this command armed (due = now + duration). Heartbeats arm none: see <see cref="OpenActivity.TimeoutDue"/>.</summary>
    public List<Deadline> NewDeadlines { get; } = [];

    /// <summary>Work on other executions this command committed to: to queue before the commit, carry out after it.</summary>
    public List<IntentToCarryOut> NewIntents { get; } = [];

    /// <summary>This command closed the execution (the visibility index and the workflowId's current-run row follow).</summary>
    public bool Closed { get; private set; }

    /// <summary>
    /// The run a ContinueAsNewWorkflowExecution decision started: commit it in the same transaction that closes this
    /// one (same partition), making it the workflowId's current run, and dispatch its tasks like this run's.
    /// </summary>
    public ExecutionMachine? ContinuedAs { get; private set; }

    /// <summary>The names and versions of the activity types a decision list schedules: what to load for <see cref="CompleteDecisionTask"/>.</summary>
    public static IReadOnlySet<(string Name, string Version)> ActivityTypesReferenced(IReadOnlyList<Decision>? decisions)
    {
        var types = new HashSet<(string, string)>();
        foreach (var decision in decisions ?? [])
        {
            if (decision.ScheduleActivityTaskDecisionAttributes?.ActivityType is { Name: { } name, Version: { } version })
            {
                types.Add((name, version));
            }
        }
        return types;
    }

    /// <summary>
    /// The names and versions of the workflow types a decision list starts: each StartChildWorkflowExecution's, and for
    /// a ContinueAsNewWorkflowExecution the current type's name with the decision's workflowTypeVersion (else the current
    /// version). What to load for <see cref="CompleteDecisionTask"/>.
    /// </summary>
    public static IReadOnlySet<(string Name, string Version)> WorkflowTypesReferenced(IReadOnlyList<Decision>? decisions, WorkflowType current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var types = new HashSet<(string, string)>();
        foreach (var decision in decisions ?? [])
        {
            if (decision?.StartChildWorkflowExecutionDecisionAttributes?.WorkflowType is { Name: { } name, Version: { } version })
            {
                types.Add((name, version));
            }
            if (decision?.DecisionType == DecisionType.ContinueAsNewWorkflowExecution)
            {
                types.Add((current.Name!, decision.ContinueAsNewWorkflowExecutionDecisionAttributes?.WorkflowTypeVersion ?? current.Version!));
            }
        }
        return types;
    }

    /// <summary>Numbers, stamps and applies a new event: the one way anything changes.</summary>
    private HistoryEvent Append(HistoryEvent e)
    {
        CheckHistoryLimit(e);
        e.EventId = State.LastEventId + 1;
        e.EventTimestamp = Now;
        bool wasOpen = State.IsOpen;
        ExecutionStateApplier.Apply(State, e);
        NewEvents.Add(e);
        if (wasOpen && !State.IsOpen)
        {
            Closed = true;
            if (State.NeedsRunClosedIntent()) NewIntents.Add(new IntentToCarryOut(IntentKind.RunClosed, e.EventId.Value));
        }
        return e;
    }

    /// <summary>
    /// Keeps SWF's "one decision task at a time": schedules one when events need a decision and none is
    /// scheduled or started. While one is started, the need waits for its completion or timeout.
    /// </summary>
    private void ScheduleDecisionTaskIfPending()
    {
        if (!State.IsOpen || !State.DecisionPending || State.DecisionTask is not null) return;
        var taskListOverride = State.TaskListOverride;
        Append(new HistoryEvent
        {
            EventType = ET.DecisionTaskScheduled,
            DecisionTaskScheduledEventAttributes = new DecisionTaskScheduledEventAttributes
            {
                TaskList = new TaskList { Name = taskListOverride?.TaskList ?? State.TaskList },
                TaskPriority = State.TaskPriority,
                StartToCloseTimeout = State.TaskStartToCloseTimeout,
                ScheduleToStartTimeout = taskListOverride?.ScheduleToStartTimeout,
            },
        });
        var task = State.DecisionTask!;
        NewTasks.Add(new TaskToDispatch(TaskKind.Decision, task.TaskList, task.Priority, task.ScheduledEventId));
        if (task.TimeoutDue is { } due)
        {
            NewDeadlines.Add(Deadline.DecisionTask(due, task.ScheduledEventId, 0, DecisionTaskTimeoutType.ScheduleToStart));
        }
    }

    /// <summary>
    /// Whether the task this command scheduled (<paramref name="task"/>, not started yet) ends by a timeout of its own once
    /// started: a START_TO_CLOSE (decision tasks), or a START_TO_CLOSE, HEARTBEAT or SCHEDULE_TO_CLOSE that is not NONE
    /// (activities). Only such a task may be started for a waiting poller in the commit that schedules it: if that poller
    /// never hears of it (its caller left, this instance died), the timeout brings the task back, as it does in SWF
    /// when a poll's answer is lost.
    /// </summary>
    public bool TimesOutOnceStarted(TaskToDispatch task)
    {
        if (task.Kind == TaskKind.Decision)
            return State.DecisionTask is { IsStarted: false } decision && decision.ScheduledEventId == task.ScheduledEventId
                && decision.StartToCloseTimeout != SwfDuration.None;
        return State.FindActivity(task.ScheduledEventId) is { IsStarted: false } activity
            && (activity.StartToCloseTimeout != SwfDuration.None || activity.HeartbeatTimeout != SwfDuration.None
                || activity.ScheduleToCloseTimeout != SwfDuration.None);
    }

    /// <summary>
    /// The earliest a deadline could fall due that starting one of this command's new tasks arms: now plus its
    /// START_TO_CLOSE (an activity's HEARTBEAT, if sooner), since no start comes before now. A run's alarm armed no later
    /// than this is not moved by the claim that starts the task (which would cost a reminder written and one deleted);
    /// if the task waits longer than that, the alarm fires early, finds nothing due and moves on, as a stale one does.
    /// Tasks already started in this command are left out: their deadlines are armed.
    /// </summary>
    public DateTimeOffset? EarliestStartDeadline()
    {
        DateTimeOffset? earliest = null;
        foreach (var task in NewTasks)
        {
            var due = task.Kind == TaskKind.Decision
                ? State.DecisionTask is { IsStarted: false } decision && decision.ScheduledEventId == task.ScheduledEventId
                    ? SwfTimes.After(Now, decision.StartToCloseTimeout)
                    : null
                : State.FindActivity(task.ScheduledEventId) is { IsStarted: false } activity
                    ? Earlier(SwfTimes.After(Now, activity.StartToCloseTimeout), SwfTimes.After(Now, activity.HeartbeatTimeout))
                    : null;
            earliest = Earlier(earliest, due);
        }
        return earliest;
    }

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a <= b ? a : b;

    /// <summary>
    /// Forgets a deadline this machine armed that a later command of the same commit made moot (a task's SCHEDULE_TO_START
    /// once it is started), so that the run's alarm is not moved for nothing. Not near the history limit, where a
    /// command may be undone to the lists' earlier lengths.
    /// </summary>
    private void DropMootDeadline(DeadlineKind kind, long scheduledEventId, string timeoutType)
    {
        if (rollback is null) NewDeadlines.RemoveAll(d => d.Kind == kind && d.ScheduledEventId == scheduledEventId && d.TimeoutType == timeoutType);
    }

    private StateBudget? stateBudget;

    /// <summary>
    /// The state row's budget (<see cref="ExecutionLimits.MaxStateChars"/>), measured when a decision first wants to add to
    /// the state's lists: each asks it first, and what fits is counted.
    /// </summary>
    private StateBudget Budget => stateBudget ??= StateBudget.Measure(State, Limits);

    private void RequireOpen()
    {
        if (!State.IsOpen) throw SwfFault.UnknownResource($"Unknown execution: {DescribeExecution()}");
    }

    private string DescribeExecution() => $"WorkflowExecution=[workflowId={State.WorkflowId}, runId={State.RunId}]";
}
