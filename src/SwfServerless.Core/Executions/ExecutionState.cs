using System.Text.Json.Serialization;
using SwfServerless.Core.Model;
using SwfServerless.Core.Time;

namespace SwfServerless.Core.Executions;

/// <summary>
/// Everything SWF's rules need about one run, without reading its history: identity, configuration, what is
/// open (decision task, activities, timers) and the flags the rules depend on. Stored as JSON in the run's state
/// row (<see cref="ExecutionJsonContext"/>), guarded by the row's ETag.
/// </summary>
/// <remarks>
/// Change it only through <see cref="ExecutionMachine"/>: every change is an event applied by
/// <see cref="ExecutionStateApplier"/>, so replaying the history rebuilds exactly this object
/// (<see cref="ExecutionStateApplier.Replay"/>). Payloads (inputs, results, details, the execution context) stay in the
/// history rows; the state row keeps only what the rules read. What bounds its size: <see cref="StateBudget"/>.
/// </remarks>
public sealed class ExecutionState
{
    public string Domain { get; set; } = "";
    public string WorkflowId { get; set; } = "";
    public string RunId { get; set; } = "";
    public WorkflowType WorkflowType { get; set; } = new();

    /// <summary><c>OPEN</c> or <c>CLOSED</c> (<see cref="global::SwfServerless.Core.Model.ExecutionStatus"/>).</summary>
    public string ExecutionStatus { get; set; } = global::SwfServerless.Core.Model.ExecutionStatus.Open;

    /// <summary>Set once closed: one of <see cref="global::SwfServerless.Core.Model.CloseStatus"/>.</summary>
    public string? CloseStatus { get; set; }

    public DateTimeOffset StartTimestamp { get; set; }
    public DateTimeOffset? CloseTimestamp { get; set; }

    /// <summary>The id of the last event committed to history; new events continue from here.</summary>
    public long LastEventId { get; set; }

    /// <summary>
    /// The last event's eventTimestamp (null in state rows written before it was kept). A later command is never stamped
    /// earlier, so a history's times never go back when instances' clocks differ a little.
    /// </summary>
    public DateTimeOffset? LastEventTimestamp { get; set; }

    // Configuration, resolved at start from the request and the workflow type's defaults.
    public string ExecutionStartToCloseTimeout { get; set; } = "";
    public string TaskStartToCloseTimeout { get; set; } = "";
    /// <summary>The decision task list; a permanent override from RespondDecisionTaskCompleted replaces it.</summary>
    public string TaskList { get; set; } = "";
    public string? TaskPriority { get; set; }
    public string ChildPolicy { get; set; } = "";
    public string? LambdaRole { get; set; }
    public List<string>? TagList { get; set; }
    public WorkflowExecution? ParentWorkflowExecution { get; set; }
    public long? ParentInitiatedEventId { get; set; }

    /// <summary>The run this one continues (ContinueAsNew), from WorkflowExecutionStarted.</summary>
    public string? ContinuedExecutionRunId { get; set; }

    public bool CancelRequested { get; set; }
    public DateTimeOffset? LatestActivityTaskTimestamp { get; set; }

    /// <summary>
    /// The DecisionTaskCompleted event that carries the latest executionContext (0: none yet). The context itself stays
    /// in that event, like every payload: DescribeWorkflowExecution reads it from there.
    /// </summary>
    public long LatestExecutionContextEventId { get; set; }

    /// <summary>Only in state rows written before <see cref="LatestExecutionContextEventId"/>; cleared by the next context.</summary>
    public string? LatestExecutionContext { get; set; }

    /// <summary>The startedEventId of the last completed decision task (0 if none): the next task's previousStartedEventId.</summary>
    public long PreviousStartedEventId { get; set; }

    /// <summary>The one decision task that is scheduled or started, if any.</summary>
    public DecisionTaskState? DecisionTask { get; set; }

    /// <summary>
    /// Events that need a decision were recorded while no decision task could take them (one was started, or
    /// none existed yet): a decision task is scheduled as soon as none is open. While a decision task is started,
    /// this is also SWF's "unhandled events" condition that fails closing decisions with UNHANDLED_DECISION.
    /// </summary>
    public bool DecisionPending { get; set; }

    /// <summary>A temporary decision task list override (RespondDecisionTaskCompleted with taskListScheduleToStartTimeout).</summary>
    public TaskListOverride? TaskListOverride { get; set; }

    /// <summary>Open activity tasks, in scheduling order (ascending scheduledEventId).</summary>
    public List<OpenActivity> Activities { get; set; } = [];

    /// <summary>Open timers, in start order.</summary>
    public List<OpenTimer> Timers { get; set; } = [];

    /// <summary>
    /// Children initiated and not yet reported closed (or failed to start), in initiation order. Kept when the run
    /// closes: the intents that start them and apply the child policy to them read this after the close.
    /// </summary>
    public List<OpenChild> Children { get; set; } = [];

    /// <summary>SignalExternalWorkflowExecution decisions whose delivery is not yet reported (kept after close, like <see cref="Children"/>).</summary>
    public List<PendingExternal> PendingSignals { get; set; } = [];

    /// <summary>RequestCancelExternalWorkflowExecution decisions whose delivery is not yet reported (kept after close).</summary>
    public List<PendingExternal> PendingCancelRequests { get; set; } = [];

    /// <summary>Lambda tasks scheduled and not yet closed, in scheduling order (ascending scheduledEventId). Cleared at close.</summary>
    public List<OpenLambda> Lambdas { get; set; } = [];

    /// <summary>The open Lambda task scheduled by that event, or null.</summary>
    public OpenLambda? FindLambda(long scheduledEventId) => FindByEvent(Lambdas, scheduledEventId, l => l.ScheduledEventId);

    /// <summary>The child policy to apply to the children, set when the run closed by termination or time out.</summary>
    public string? CloseChildPolicy { get; set; }

    [JsonIgnore]
    public bool IsOpen => ExecutionStatus == global::SwfServerless.Core.Model.ExecutionStatus.Open;

    [JsonIgnore]
    public WorkflowExecution Execution => new() { WorkflowId = WorkflowId, RunId = RunId };

    /// <summary>When the execution's start-to-close timeout expires.</summary>
    [JsonIgnore]
    public DateTimeOffset? ExecutionTimeoutDue => IsOpen ? SwfTimes.After(StartTimestamp, ExecutionStartToCloseTimeout) : null;

    /// <summary>The open activity scheduled by that event, or null. Binary search: activities are kept in event order.</summary>
    public OpenActivity? FindActivity(long scheduledEventId)
    {
        int lo = 0, hi = Activities.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long id = Activities[mid].ScheduledEventId;
            if (id == scheduledEventId) return Activities[mid];
            if (id < scheduledEventId) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    public OpenActivity? FindActivityById(string activityId)
    {
        foreach (var activity in Activities)
        {
            if (activity.ActivityId == activityId) return activity;
        }
        return null;
    }

    public OpenTimer? FindTimer(string timerId)
    {
        foreach (var timer in Timers)
        {
            if (timer.TimerId == timerId) return timer;
        }
        return null;
    }

    /// <summary>The child initiated by that event, if it is still open (or not yet started).</summary>
    public OpenChild? FindChild(long initiatedEventId) => FindByEvent(Children, initiatedEventId, c => c.InitiatedEventId);

    public PendingExternal? FindPendingSignal(long initiatedEventId) => FindByEvent(PendingSignals, initiatedEventId, p => p.InitiatedEventId);

    public PendingExternal? FindPendingCancelRequest(long initiatedEventId) => FindByEvent(PendingCancelRequests, initiatedEventId, p => p.InitiatedEventId);

    /// <summary>Binary search: these lists are appended in event order and only ever lose members.</summary>
    private static T? FindByEvent<T>(List<T> items, long eventId, Func<T, long> id) where T : class
    {
        int lo = 0, hi = items.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long at = id(items[mid]);
            if (at == eventId) return items[mid];
            if (at < eventId) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    /// <summary>
    /// A closed run owes a RunClosed intent: a child reports its close to its parent (a ContinueAsNew passes the parent
    /// on to the new run instead); a run terminated or timed out applies its child policy to its started children
    /// (unstarted ones get it from the intent that starts them, which finds this run closed).
    /// </summary>
    public bool NeedsRunClosedIntent() =>
        !IsOpen
        && ((ParentWorkflowExecution is not null && CloseStatus != global::SwfServerless.Core.Model.CloseStatus.ContinuedAsNew)
            || (CloseChildPolicy is global::SwfServerless.Core.Model.ChildPolicy.Terminate or global::SwfServerless.Core.Model.ChildPolicy.RequestCancel && Children.Exists(c => c.IsStarted)));

    /// <summary>
    /// The intents of this closed run that may still be under way: its RunClosed intent, and the child starts, signals
    /// and cancel requests it never heard back about (a closed run records no reports, so they stay listed). Whoever
    /// carries one out after the close marks it done outside the state; the run is removed only when all are done,
    /// because the executor reads what to do from the run. Empty for an open run.
    /// </summary>
    public List<IntentToCarryOut> IntentsAfterClose()
    {
        var result = new List<IntentToCarryOut>();
        if (IsOpen) return result;
        if (NeedsRunClosedIntent()) result.Add(new IntentToCarryOut(IntentKind.RunClosed, LastEventId));
        result.AddRange(Children.Where(c => !c.IsStarted).Select(c => new IntentToCarryOut(IntentKind.StartChild, c.InitiatedEventId)));
        result.AddRange(PendingSignals.Select(p => new IntentToCarryOut(IntentKind.SignalExternal, p.InitiatedEventId)));
        result.AddRange(PendingCancelRequests.Select(p => new IntentToCarryOut(IntentKind.RequestCancelExternal, p.InitiatedEventId)));
        return result;
    }

    /// <summary>DescribeWorkflowExecution's openCounts. A closed run has nothing open.</summary>
    public WorkflowExecutionOpenCounts OpenCounts() => new()
    {
        OpenActivityTasks = Activities.Count,
        OpenDecisionTasks = DecisionTask is null ? 0 : 1,
        OpenTimers = Timers.Count,
        OpenChildWorkflowExecutions = IsOpen ? Children.Count : 0,
        OpenLambdaFunctions = Lambdas.Count,
    };

    public WorkflowExecutionConfiguration Configuration() => new()
    {
        TaskStartToCloseTimeout = TaskStartToCloseTimeout,
        ExecutionStartToCloseTimeout = ExecutionStartToCloseTimeout,
        TaskList = new global::SwfServerless.Core.Model.TaskList { Name = TaskList },
        TaskPriority = TaskPriority,
        ChildPolicy = ChildPolicy,
        LambdaRole = LambdaRole,
    };

    /// <summary>The execution as the visibility APIs and DescribeWorkflowExecution list it.</summary>
    public WorkflowExecutionInfo Info() => new()
    {
        Execution = Execution,
        WorkflowType = new WorkflowType { Name = WorkflowType.Name, Version = WorkflowType.Version },
        StartTimestamp = StartTimestamp,
        CloseTimestamp = CloseTimestamp,
        ExecutionStatus = ExecutionStatus,
        CloseStatus = CloseStatus,
        Parent = ParentWorkflowExecution,
        TagList = TagList is { Count: > 0 } ? [.. TagList] : null,
        CancelRequested = CancelRequested,
    };

    /// <summary>The answer of DescribeWorkflowExecution.</summary>
    /// <param name="latestExecutionContext">The executionContext of the event <see cref="LatestExecutionContextEventId"/> names.</param>
    public WorkflowExecutionDetail Detail(string? latestExecutionContext = null) => new()
    {
        ExecutionInfo = Info(),
        ExecutionConfiguration = Configuration(),
        OpenCounts = OpenCounts(),
        LatestActivityTaskTimestamp = LatestActivityTaskTimestamp,
        LatestExecutionContext = latestExecutionContext ?? LatestExecutionContext,
    };
}

/// <summary>The execution's one open decision task.</summary>
public sealed class DecisionTaskState
{
    public long ScheduledEventId { get; set; }
    /// <summary>0 while scheduled and not yet started.</summary>
    public long StartedEventId { get; set; }
    public DateTimeOffset ScheduledAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public string TaskList { get; set; } = "";
    public string? TaskPriority { get; set; }
    public string StartToCloseTimeout { get; set; } = "";
    /// <summary>Only for a task scheduled on a temporary task list override.</summary>
    public string? ScheduleToStartTimeout { get; set; }

    [JsonIgnore]
    public bool IsStarted => StartedEventId != 0;

    [JsonIgnore]
    public int Priority => SwfTimes.Priority(TaskPriority);

    /// <summary>When this task times out in its current state (START_TO_CLOSE once started, else SCHEDULE_TO_START), or null.</summary>
    [JsonIgnore]
    public DateTimeOffset? TimeoutDue => IsStarted
        ? SwfTimes.After(StartedAt!.Value, StartToCloseTimeout)
        : ScheduleToStartTimeout is null ? null : SwfTimes.After(ScheduledAt, ScheduleToStartTimeout);
}

/// <summary>A decision task list override that lasts until a decision task on it times out.</summary>
public sealed class TaskListOverride
{
    public string TaskList { get; set; } = "";
    public string ScheduleToStartTimeout { get; set; } = "";
}

/// <summary>An activity task that is scheduled or started. Timeouts are the resolved wire values (seconds or NONE).</summary>
public sealed class OpenActivity
{
    public string ActivityId { get; set; } = "";
    public ActivityType ActivityType { get; set; } = new();
    public long ScheduledEventId { get; set; }
    /// <summary>0 while scheduled and not yet started.</summary>
    public long StartedEventId { get; set; }
    public DateTimeOffset ScheduledAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public string TaskList { get; set; } = "";
    public string? TaskPriority { get; set; }
    public string ScheduleToStartTimeout { get; set; } = SwfDuration.None;
    public string ScheduleToCloseTimeout { get; set; } = SwfDuration.None;
    public string StartToCloseTimeout { get; set; } = SwfDuration.None;
    public string HeartbeatTimeout { get; set; } = SwfDuration.None;
    public bool CancelRequested { get; set; }
    public long? LatestCancelRequestedEventId { get; set; }

    [JsonIgnore]
    public bool IsStarted => StartedEventId != 0;

    [JsonIgnore]
    public int Priority => SwfTimes.Priority(TaskPriority);

    /// <summary>
    /// When the given timeout expires in the activity's current state, or null when it cannot fire now (NONE,
    /// SCHEDULE_TO_START once started, START_TO_CLOSE/HEARTBEAT before start). Heartbeats are kept outside the
    /// state row: pass the last one's time, and the heartbeat clock runs from it instead of from the start.
    /// </summary>
    public DateTimeOffset? TimeoutDue(string timeoutType, DateTimeOffset? lastHeartbeatAt = null) => timeoutType switch
    {
        ActivityTaskTimeoutType.ScheduleToStart => IsStarted ? null : SwfTimes.After(ScheduledAt, ScheduleToStartTimeout),
        ActivityTaskTimeoutType.ScheduleToClose => SwfTimes.After(ScheduledAt, ScheduleToCloseTimeout),
        ActivityTaskTimeoutType.StartToClose => IsStarted ? SwfTimes.After(StartedAt!.Value, StartToCloseTimeout) : null,
        ActivityTaskTimeoutType.Heartbeat => IsStarted
            ? SwfTimes.After(lastHeartbeatAt is { } beat && beat > StartedAt!.Value ? beat : StartedAt!.Value, HeartbeatTimeout)
            : null,
        _ => throw new ArgumentOutOfRangeException(nameof(timeoutType), timeoutType, "Not an ActivityTaskTimeoutType."),
    };
}

/// <summary>A timer that was started and has neither fired nor been canceled.</summary>
public sealed class OpenTimer
{
    public string TimerId { get; set; } = "";
    public long StartedEventId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public string StartToFireTimeout { get; set; } = "";

    [JsonIgnore]
    public DateTimeOffset FiresAt => SwfTimes.After(StartedAt, StartToFireTimeout) ?? DateTimeOffset.MaxValue;
}

/// <summary>
/// A child workflow execution this run initiated: not yet started (<see cref="StartedEventId"/> 0), or started and
/// not yet reported closed. Counts as open in openChildWorkflowExecutions either way.
/// </summary>
public sealed class OpenChild
{
    public long InitiatedEventId { get; set; }
    public string WorkflowId { get; set; } = "";
    public WorkflowType WorkflowType { get; set; } = new();
    public long DecisionTaskCompletedEventId { get; set; }
    /// <summary>The run the start created; null until ChildWorkflowExecutionStarted.</summary>
    public string? RunId { get; set; }
    public long StartedEventId { get; set; }

    [JsonIgnore]
    public bool IsStarted => StartedEventId != 0;
}

/// <summary>A Lambda task (an invocation of a configured HTTP function) scheduled, or started, and not yet closed.</summary>
public sealed class OpenLambda
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public long ScheduledEventId { get; set; }
    /// <summary>0 while scheduled and not yet started.</summary>
    public long StartedEventId { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>Seconds, resolved at scheduling (default <see cref="ExecutionMachine.DefaultLambdaStartToCloseTimeout"/>).</summary>
    public string StartToCloseTimeout { get; set; } = "";

    [JsonIgnore]
    public bool IsStarted => StartedEventId != 0;

    /// <summary>When START_TO_CLOSE expires: only once started.</summary>
    [JsonIgnore]
    public DateTimeOffset? TimeoutDue => IsStarted ? SwfTimes.After(StartedAt!.Value, StartToCloseTimeout) : null;
}

/// <summary>A signal or cancel request to another execution, initiated and not yet reported delivered or failed.</summary>
public sealed class PendingExternal
{
    public long InitiatedEventId { get; set; }
    public string WorkflowId { get; set; } = "";
    /// <summary>As the decision named it; null means the workflowId's open run.</summary>
    public string? RunId { get; set; }
    public long DecisionTaskCompletedEventId { get; set; }
}

/// <summary>Due times from SWF durations (seconds or NONE) and priorities from their string form.</summary>
internal static class SwfTimes
{
    /// <summary>from + duration, or null for NONE. Saturates instead of overflowing for absurd durations.</summary>
    public static DateTimeOffset? After(DateTimeOffset from, string duration)
    {
        if (SwfDuration.Parse(duration, "duration") is not { } span) return null;
        return span >= DateTimeOffset.MaxValue - from ? DateTimeOffset.MaxValue : from + span;
    }

    /// <summary>The numeric priority of a task; SWF's default is 0.</summary>
    public static int Priority(string? priority) =>
        priority is null ? 0 : int.Parse(priority, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture);
}
