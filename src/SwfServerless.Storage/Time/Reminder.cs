using System.Globalization;

namespace SwfServerless.Storage.Time;

public enum ReminderKind
{
    /// <summary>The run's alarm: at (or before) its earliest deadline, or, once closed, when its retention ends.</summary>
    Alarm,

    /// <summary>
    /// Armed before a commit that changes the visibility index (start, cancel requested, close) and deleted once
    /// the index rows are written; if the writer died in between, it rewrites them from the state.
    /// </summary>
    Visibility,
}

/// <summary>
/// A durable "look at this run at this time". It says nothing about what is due: whoever handles it loads the
/// run and recomputes that from the state, so a stale reminder is harmless and a duplicate is a no-op.
/// </summary>
/// <param name="Partition">The run's partition in the Executions table.</param>
/// <param name="Attempt">How many times handling it failed (it is moved later each time).</param>
public sealed record Reminder(ReminderKind Kind, DateTimeOffset Due, string Partition, string RunId, int Attempt = 0)
{
    public string PartitionKey => ReminderKeys.Bucket(Due);
    public string RowKey => ReminderKeys.Row(Due, Partition, RunId, Kind);

    public static Reminder Alarm(DateTimeOffset due, string partition, string runId) => new(ReminderKind.Alarm, due, partition, runId);
    public static Reminder Visibility(DateTimeOffset due, string partition, string runId) => new(ReminderKind.Visibility, due, partition, runId);
}

/// <summary>
/// Keys of the Reminders table. Partition: the due minute (UTC, <c>yyyyMMddHHmm</c>), so writes spread over time and
/// a sweep reads "everything due until t" as ONE range query over partitions, returned in due order (partitions
/// sort by minute, rows within one by due ticks). Row: due ticks, then the run, then the kind, so one run has at
/// most one reminder of a kind per instant and re-arming the same time is an idempotent upsert.
/// LOAD-BEARING: stored keys use these formats; the engine finds a run's alarm row again from its due time.
/// </summary>
/// <remarks>
/// At very high rates one minute's partition becomes a hot spot (~2,000 writes/s per partition on Azure); the way
/// out is a shard suffix on the partition key with one range query per shard. Not needed at this scale.
/// </remarks>
public static class ReminderKeys
{
    public static string Bucket(DateTimeOffset due) => due.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public static string Row(DateTimeOffset due, string partition, string runId, ReminderKind kind) =>
        $"{due.UtcTicks:D19}|{partition}|{runId}|{(kind == ReminderKind.Alarm ? 'a' : 'v')}";

    /// <summary>The last possible row key of the instant <paramref name="until"/>: a bound for "due at or before".</summary>
    public static string RowUntil(DateTimeOffset until) => $"{until.UtcTicks:D19}|~";

    public static ReminderKind KindOf(string rowKey) => rowKey.EndsWith("|v", StringComparison.Ordinal) ? ReminderKind.Visibility : ReminderKind.Alarm;
}
