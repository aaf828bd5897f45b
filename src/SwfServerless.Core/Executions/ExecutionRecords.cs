using SwfServerless.Core.Model;

namespace SwfServerless.Core.Executions;

/// <summary>What starts a run: StartWorkflowExecution's fields, plus what a parent or ContinueAsNew adds.</summary>
public sealed record StartExecution
{
    public required string Domain { get; init; }
    public required string WorkflowId { get; init; }
    public required WorkflowType WorkflowType { get; init; }
    public string? TaskList { get; init; }
    public string? TaskPriority { get; init; }
    public string? Input { get; init; }
    public string? ExecutionStartToCloseTimeout { get; init; }
    public IReadOnlyList<string>? TagList { get; init; }
    public string? TaskStartToCloseTimeout { get; init; }
    public string? ChildPolicy { get; init; }
    public string? LambdaRole { get; init; }
    public WorkflowExecution? ParentWorkflowExecution { get; init; }
    public long? ParentInitiatedEventId { get; init; }
    public string? ContinuedExecutionRunId { get; init; }

    /// <summary>The request of StartWorkflowExecution, already checked against the model (required members present).</summary>
    public static StartExecution From(StartWorkflowExecutionInput input) => new()
    {
        Domain = input.Domain ?? throw new ArgumentException("domain is required.", nameof(input)),
        WorkflowId = input.WorkflowId ?? throw new ArgumentException("workflowId is required.", nameof(input)),
        WorkflowType = input.WorkflowType ?? throw new ArgumentException("workflowType is required.", nameof(input)),
        TaskList = input.TaskList?.Name,
        TaskPriority = input.TaskPriority,
        Input = input.Input,
        ExecutionStartToCloseTimeout = input.ExecutionStartToCloseTimeout,
        TagList = input.TagList,
        TaskStartToCloseTimeout = input.TaskStartToCloseTimeout,
        ChildPolicy = input.ChildPolicy,
        LambdaRole = input.LambdaRole,
    };
}

public enum TaskKind { Decision, Activity }

/// <summary>Work on another execution that a command of this run committed to; carried out after the commit.</summary>
public enum IntentKind
{
    /// <summary>Start the child initiated by the StartChildWorkflowExecutionInitiated event; report it started (or WORKFLOW_ALREADY_RUNNING).</summary>
    StartChild,
    /// <summary>Deliver the signal of the SignalExternalWorkflowExecutionInitiated event; report it delivered or failed.</summary>
    SignalExternal,
    /// <summary>Deliver the cancel request of the RequestCancelExternalWorkflowExecutionInitiated event; report it delivered or failed.</summary>
    RequestCancelExternal,
    /// <summary>The run closed (the event is its closing event): report the close to its parent, apply its child policy to its children.</summary>
    RunClosed,
    /// <summary>Invoke the configured HTTP function of the LambdaFunctionScheduled event; record it started, then its result.</summary>
    LambdaFunction,
}

/// <summary>
/// An intent this command recorded: queue it BEFORE the commit (naming this run and <paramref name="EventId"/>), carry it
/// out after. Everything the executor needs is in the committed run (its state and the event), never in the message,
/// so a message of a commit that lost its race is recognised (the run has no such pending intent) and dropped.
/// </summary>
public sealed record IntentToCarryOut(IntentKind Kind, long EventId);

/// <summary>A task this command scheduled: put a message on its task list's queue (or hand it to a waiting poller).</summary>
/// <param name="ScheduledEventId">The *TaskScheduled event: what the claimer passes to StartDecisionTask/StartActivityTask.</param>
/// <param name="ActivityId">For activity tasks.</param>
public sealed record TaskToDispatch(TaskKind Kind, string TaskList, int Priority, long ScheduledEventId, string? ActivityId = null);

public enum DeadlineKind
{
    /// <summary>Fire with <see cref="ExecutionMachine.TimeOutActivity"/>(ScheduledEventId, TimeoutType, ...).</summary>
    ActivityTimeout,
    /// <summary>Fire with <see cref="ExecutionMachine.TimeOutDecisionTask"/>(ScheduledEventId, StartedEventId); StartedEventId is 0 for SCHEDULE_TO_START.</summary>
    DecisionTaskTimeout,
    /// <summary>Fire with <see cref="ExecutionMachine.TimeOutExecution"/>().</summary>
    ExecutionTimeout,
    /// <summary>Fire with <see cref="ExecutionMachine.FireTimer"/>(TimerId, StartedEventId).</summary>
    Timer,
    /// <summary>Fire with <see cref="ExecutionMachine.TimeOutLambdaFunction"/>(ScheduledEventId, StartedEventId).</summary>
    LambdaFunctionTimeout,
}

/// <summary>
/// A time at which something may expire. Deadlines are hints: the command they fire re-checks the state and is a
/// no-op (returns false) when the deadline is stale or not yet due; a stale one is simply dropped.
/// </summary>
public sealed record Deadline(
    DeadlineKind Kind,
    DateTimeOffset Due,
    long ScheduledEventId = 0,
    long StartedEventId = 0,
    string? TimeoutType = null,
    string? TimerId = null)
{
    public static Deadline Activity(DateTimeOffset due, long scheduledEventId, string timeoutType) =>
        new(DeadlineKind.ActivityTimeout, due, ScheduledEventId: scheduledEventId, TimeoutType: timeoutType);

    public static Deadline DecisionTask(DateTimeOffset due, long scheduledEventId, long startedEventId, string timeoutType) =>
        new(DeadlineKind.DecisionTaskTimeout, due, scheduledEventId, startedEventId, timeoutType);

    public static Deadline Execution(DateTimeOffset due) =>
        new(DeadlineKind.ExecutionTimeout, due, TimeoutType: WorkflowExecutionTimeoutType.StartToClose);

    public static Deadline LambdaFunction(DateTimeOffset due, long scheduledEventId, long startedEventId) =>
        new(DeadlineKind.LambdaFunctionTimeout, due, scheduledEventId, startedEventId, LambdaFunctionTimeoutType.StartToClose);

    public static Deadline Timer(DateTimeOffset due, string timerId, long startedEventId) =>
        new(DeadlineKind.Timer, due, StartedEventId: startedEventId, TimerId: timerId);
}

/// <summary>
/// An activity's last heartbeat, kept by the storage layer in a row of its own (never in the state row, so that
/// heartbeats do not contend on the run's ETag). It moves the HEARTBEAT clock and its details go into
/// ActivityTaskTimedOut.
/// </summary>
/// <param name="StartedEventId">The attempt it belongs to: a row of another attempt is ignored.</param>
public sealed record LastHeartbeat(long StartedEventId, string? Details, DateTimeOffset At);

/// <summary>A claimed decision task: what PollForDecisionTask answers with, except the history pages.</summary>
public sealed record DecisionTaskStart(
    long ScheduledEventId,
    long StartedEventId,
    long PreviousStartedEventId,
    WorkflowExecution WorkflowExecution,
    WorkflowType WorkflowType,
    string TaskList);

/// <summary>
/// A claimed activity task: what PollForActivityTask answers with, except the input, which stays in history
/// (the ActivityTaskScheduled event with id <see cref="ScheduledEventId"/>).
/// </summary>
public sealed record ActivityTaskStart(
    long ScheduledEventId,
    long StartedEventId,
    string ActivityId,
    ActivityType ActivityType,
    WorkflowExecution WorkflowExecution,
    string TaskList);

/// <summary>RecordActivityTaskHeartbeat's answer.</summary>
public sealed record ActivityStatus(bool CancelRequested);
