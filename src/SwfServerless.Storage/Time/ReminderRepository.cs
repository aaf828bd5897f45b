using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Time;

/// <summary>
/// The Reminders table: durable reminders by due time (<see cref="ReminderKeys"/>). Written before the commit
/// that needs them (a reminder without its commit is stale and dropped when due), deleted after the commit that
/// makes them obsolete (a crash in between leaves one that is handled as a no-op).
/// </summary>
public sealed class ReminderRepository(SwfTables tables)
{
    private TableClient Table => tables.Reminders;

    /// <summary>Writes the reminder; writing the same one again changes nothing.</summary>
    public Task ArmAsync(Reminder reminder, CancellationToken ct) =>
        Table.UpsertRowAsync(ToRow(reminder), TableUpdateMode.Replace, ct);

    /// <summary>Removes the reminder if it is still there (someone else may have handled it first).</summary>
    public Task DeleteAsync(Reminder reminder, CancellationToken ct) =>
        Table.DeleteRowAsync(reminder.PartitionKey, reminder.RowKey, cancellationToken: ct);

    /// <summary>Moves a reminder whose handling failed to <paramref name="due"/>, counting the attempt: a poison reminder never blocks the ones behind it.</summary>
    public async Task PostponeAsync(Reminder reminder, DateTimeOffset due, CancellationToken ct)
    {
        await ArmAsync(reminder with { Due = due, Attempt = reminder.Attempt + 1 }, ct);
        await DeleteAsync(reminder, ct);
    }

    /// <summary>
    /// Up to <paramref name="max"/> reminders due at or before <paramref name="until"/>, earliest first. Handled
    /// reminders are deleted, so the next call carries on where this one left off: no cursor to keep.
    /// </summary>
    public async Task<List<Reminder>> DueAsync(DateTimeOffset until, int max, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {ReminderKeys.Bucket(until)} and RowKey le {ReminderKeys.RowUntil(until)}");
        var result = new List<Reminder>();
        string? token = null;
        do
        {
            // The service may answer a cross-partition range with short (even empty) pages and a continuation.
            var (rows, next) = await Table.QueryPageAsync(filter, Math.Min(max - result.Count, 1000), token, cancellationToken: ct);
            result.AddRange(rows.Select(FromRow));
            token = next;
        }
        while (token is not null && result.Count < max);
        return result;
    }

    private static TableEntity ToRow(Reminder r) => new(r.PartitionKey, r.RowKey)
    {
        ["Partition"] = r.Partition,
        ["RunId"] = r.RunId,
        ["DueTicks"] = r.Due.UtcTicks,
        ["Attempt"] = r.Attempt,
    };

    private static Reminder FromRow(TableEntity row) => new(
        ReminderKeys.KindOf(row.RowKey),
        new DateTimeOffset(row.GetInt64("DueTicks")!.Value, TimeSpan.Zero),
        row.GetString("Partition")!,
        row.GetString("RunId")!,
        row.GetInt32("Attempt") ?? 0);
}
