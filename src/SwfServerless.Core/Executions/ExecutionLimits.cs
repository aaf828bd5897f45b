namespace SwfServerless.Core.Executions;

/// <summary>
/// The per-execution limits an <see cref="ExecutionMachine"/> enforces besides SWF's fixed per-execution quotas
/// (<see cref="ExecutionMachine.MaxOpenActivities"/>, timers, children). The service builds one from its settings
/// (<c>Swf__Quotas__HistoryEvents</c>); tests pass small ones.
/// </summary>
public sealed record ExecutionLimits
{
    /// <summary>SWF's own figures.</summary>
    public static ExecutionLimits Swf { get; } = new();

    /// <summary>SWF's "maximum workflow execution history size".</summary>
    public const int SwfMaxHistoryEvents = 25_000;

    /// <summary>
    /// How long a run's history may grow: a change that would pass it terminates the run instead (WorkflowExecutionTerminated,
    /// cause EVENT_LIMIT_EXCEEDED, as the last event). An open run therefore never holds more than this minus one event,
    /// so that the terminating event always fits. At least 3: a start records two events.
    /// </summary>
    public int MaxHistoryEvents
    {
        get => maxHistoryEvents;
        init => maxHistoryEvents = value >= 3 ? value : throw new ArgumentOutOfRangeException(nameof(MaxHistoryEvents), value, "A history holds at least 3 events.");
    }

    private readonly int maxHistoryEvents = SwfMaxHistoryEvents;

    /// <summary>
    /// Budget of the run's state row, in characters of its JSON (<see cref="ExecutionJsonContext"/>). The row stores the
    /// JSON as UTF-16 strings, 2 bytes a character, and a table entity holds at most 1 MiB (1,048,576 bytes): 460,000
    /// characters are 920,000 bytes, which leaves 128 KiB to the keys (at most 2 KiB), the row's few other properties and
    /// the chunk names. Decisions that would add an open activity, timer, child, signal or cancel request past the budget
    /// fail with their limit cause instead (see <see cref="StateBudget"/>), so a commit never meets a state it cannot store.
    /// Why not lower: 1,000 open activities with ordinary names (SWF's quota) take about 430,000 characters once all are
    /// started and asked to cancel.
    /// </summary>
    public int MaxStateChars { get; init; } = DefaultMaxStateChars;

    public const int DefaultMaxStateChars = 460_000;
}
