using System.Text.Json;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Executions;

/// <summary>
/// Keeps a run's state row storable: an upper bound of the length of the state's JSON, measured once a command first
/// wants to add something that stays in the state (an open activity, timer, child, signal or cancel request) and raised
/// by the most each addition can ever take, against <see cref="ExecutionLimits.MaxStateChars"/>.
/// </summary>
/// <remarks>
/// <para>What the state holds is bounded apart from these lists: names are at most 256 characters (the model), tags at
/// most 5, and payloads (inputs, results, details, the execution context) stay in the history rows. The lists are bounded
/// by SWF's per-execution quotas (1,000 open activities, timers and children each) but not by size: with the model's
/// longest names, escaped as JSON escapes them, 1,000 activities alone would need several MiB. So every addition is
/// checked against the budget; what it can grow by later (an activity started or asked to cancel, a child's run id, the
/// decision task and the run's flags) is counted when the state is measured, so growth that no decision checks stays
/// inside the budget too.</para>
/// <para>Each item's most is its JSON with every optional member present, event ids as long as the history limit allows
/// and times at their longest, plus the escaped lengths of its strings: the escaping is the serializer's own
/// (<see cref="JsonEncodedText"/>).</para>
/// </remarks>
public sealed class StateBudget
{
    /// <summary>The run's decision task, task list override, close fields and flags at their longest (task list names escaped 6×).</summary>
    private const int FixedGrowth = 8_192;

    /// <summary>A child's run id once started: ours, far shorter than this.</summary>
    private static readonly string RunIdReserve = new('x', 64);

    private static readonly DateTimeOffset LongestTime = DateTimeOffset.MaxValue;

    /// <summary>The most each kind of item takes, for event ids of at most a given number (they never pass the history limit).</summary>
    private sealed record Sizes(int ActivityMost, int ActivityGrowth, int TimerMost, int ChildMost, int ChildGrowth, int PendingMost)
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<long, Sizes> ByLargestId = new();

        public static Sizes For(long largestId) => ByLargestId.GetOrAdd(largestId, id =>
        {
            var activityMost = Chars(new OpenActivity
            {
                ActivityType = new ActivityType { Name = "", Version = "" },
                ScheduledEventId = id, StartedEventId = id, ScheduledAt = LongestTime, StartedAt = LongestTime,
                TaskPriority = "", ScheduleToStartTimeout = "", ScheduleToCloseTimeout = "", StartToCloseTimeout = "", HeartbeatTimeout = "",
                CancelRequested = true, LatestCancelRequestedEventId = id,
            }, ExecutionJsonContext.Default.OpenActivity);
            var activityLeast = Chars(new OpenActivity
            {
                ActivityType = new ActivityType { Name = "", Version = "" }, ScheduledEventId = id, ScheduledAt = LongestTime,
                ScheduleToStartTimeout = "", ScheduleToCloseTimeout = "", StartToCloseTimeout = "", HeartbeatTimeout = "",
            }, ExecutionJsonContext.Default.OpenActivity);
            var childMost = Chars(new OpenChild
            {
                InitiatedEventId = id, WorkflowType = new WorkflowType { Name = "", Version = "" },
                DecisionTaskCompletedEventId = id, RunId = RunIdReserve, StartedEventId = id,
            }, ExecutionJsonContext.Default.OpenChild);
            var childLeast = Chars(new OpenChild
            {
                InitiatedEventId = id, WorkflowType = new WorkflowType { Name = "", Version = "" }, DecisionTaskCompletedEventId = id,
            }, ExecutionJsonContext.Default.OpenChild);
            var timerMost = Chars(new OpenTimer { StartedEventId = id, StartedAt = LongestTime, StartToFireTimeout = "" }, ExecutionJsonContext.Default.OpenTimer);
            var pendingMost = Chars(new PendingExternal { InitiatedEventId = id, RunId = "", DecisionTaskCompletedEventId = id },
                ExecutionJsonContext.Default.PendingExternal);
            return new Sizes(activityMost, activityMost - activityLeast, timerMost, childMost, childMost - childLeast, pendingMost);
        });
    }

    private readonly int max;
    private readonly Sizes sizes;

    private StateBudget(long used, int max, Sizes sizes) => (Used, this.max, this.sizes) = (used, max, sizes);

    /// <summary>The bound so far: the state's JSON as measured, what its items may still grow by, and what was taken since.</summary>
    public long Used { get; private set; }

    /// <summary>Measures the state as it is now.</summary>
    public static StateBudget Measure(ExecutionState state, ExecutionLimits limits)
    {
        // An id of the largest number of digits a run under these limits can have (an old run may have more).
        long largest = 9;
        while (largest < Math.Max(state.LastEventId, limits.MaxHistoryEvents)) largest = largest * 10 + 9;
        var sizes = Sizes.For(largest);
        return new StateBudget(ExecutionJsonContext.Serialize(state).Length
            + (long)state.Activities.Count * sizes.ActivityGrowth + (long)state.Children.Count * sizes.ChildGrowth + FixedGrowth,
            limits.MaxStateChars, sizes);
    }

    /// <summary>Takes <paramref name="chars"/> if they fit; false (and nothing taken) if they do not.</summary>
    public bool TryTake(long chars)
    {
        if (Used + chars > max) return false;
        Used += chars;
        return true;
    }

    /// <summary>The most an open activity with these strings takes in the state, its list's comma included.</summary>
    public bool TryTakeActivity(ScheduledActivity a) => TryTake(sizes.ActivityMost + 1 + Escaped(a.ActivityId) + Escaped(a.TypeName)
        + Escaped(a.TypeVersion) + Escaped(a.TaskList) + Escaped(a.TaskPriority) + Escaped(a.ScheduleToStart) + Escaped(a.ScheduleToClose)
        + Escaped(a.StartToClose) + Escaped(a.Heartbeat));

    public bool TryTakeTimer(string timerId, string? startToFireTimeout) => TryTake(sizes.TimerMost + 1 + Escaped(timerId) + Escaped(startToFireTimeout));

    public bool TryTakeChild(string workflowId, string typeName, string typeVersion) =>
        TryTake(sizes.ChildMost + 1 + Escaped(workflowId) + Escaped(typeName) + Escaped(typeVersion));

    public bool TryTakePending(string workflowId, string? runId) => TryTake(sizes.PendingMost + 1 + Escaped(workflowId) + Escaped(runId));

    /// <summary>The strings of an activity about to be scheduled.</summary>
    public sealed record ScheduledActivity(string ActivityId, string TypeName, string TypeVersion, string TaskList, string? TaskPriority,
        string ScheduleToStart, string ScheduleToClose, string StartToClose, string Heartbeat);

    private static int Chars<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type).Length;

    private static int Escaped(string? s)
    {
        if (string.IsNullOrEmpty(s)) return 0;
        try
        {
            return JsonEncodedText.Encode(s).Value.Length;
        }
        catch (ArgumentException)
        {
            return s.Length * 6; // not valid UTF-16: at most an escape each
        }
    }
}
