using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Time;

/// <summary>
/// The Reminders table: durable reminders by due time (<see cref="ReminderKeys"/>). Written before the commit
/// that needs them (a reminder without its commit is stale and dropped when due), deleted after the commit that
/// makes them obsolete (a crash in between leaves one that is handled as a no-op).
/// </summary>
/// <remarks>
/// <b>Cleanup deletes go together.</b> The reminders a commit makes obsolete (its index repair reminder, the alarm it
/// moved) are deleted by <see cref="DeleteSoon"/>: gathered for <see cref="CleanupDelay"/> and sent as one transaction per
/// minute partition (up to 100), so that under load a start or a close costs no delete request of its own (three per
/// workflow before: 0.6 requests per activity step at 5 steps). Crash safety is unchanged: a delete that never happened
/// leaves a reminder that is handled as a no-op when due, as before when the instance died before its delete. Re-arming a
/// reminder whose delete is waiting takes it out of the batch, and waits for a batch already under way, so a delete
/// never lands after a later arm of the same reminder from this instance.
/// </remarks>
public sealed class ReminderRepository(SwfTables tables, TimeProvider clock) : IAsyncDisposable, IDisposable
{
    /// <summary>How long a cleanup delete waits for others of its partition (and for a re-arm that cancels it).</summary>
    public static readonly TimeSpan CleanupDelay = TimeSpan.FromMilliseconds(500);

    private readonly Lock gate = new();
    // Deletes waiting, by partition and row; and the batches under way, by row, for an arm that must come after them.
    private Dictionary<string, Dictionary<string, Reminder>> waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> underWay = new(StringComparer.Ordinal);
    private ITimer? flushTimer;

    public ReminderRepository(SwfTables tables) : this(tables, TimeProvider.System) { }

    /// <summary>Transactions sent for <see cref="DeleteSoon"/> so far (every attempt), for counting requests by what they are for.</summary>
    public long CleanupTransactions => Interlocked.Read(ref cleanupTransactions);

    private long cleanupTransactions;

    /// <summary>A cleanup delete that failed (other than the row being gone already): the reminder is handled as a no-op when due.</summary>
    public event Action<Exception>? CleanupFailed;

    private TableClient Table => tables.Reminders;

    /// <summary>Writes the reminder; writing the same one again changes nothing. A delete of it still waiting here is dropped.</summary>
    public async Task ArmAsync(Reminder reminder, CancellationToken ct)
    {
        Task? deleting;
        lock (gate)
        {
            if (waiting.TryGetValue(reminder.PartitionKey, out var rows)) rows.Remove(reminder.RowKey);
            underWay.TryGetValue(reminder.RowKey, out deleting);
        }
        // Rare: re-armed while its delete is on the wire. Written after that lands, or the delete would undo it.
        if (deleting is not null) await deleting.ConfigureAwait(false);
        await Table.UpsertRowAsync(ToRow(reminder), TableUpdateMode.Replace, ct).ConfigureAwait(false);
    }

    /// <summary>Removes the reminder if it is still there (someone else may have handled it first).</summary>
    public Task DeleteAsync(Reminder reminder, CancellationToken ct) =>
        Table.DeleteRowAsync(reminder.PartitionKey, reminder.RowKey, cancellationToken: ct);

    /// <summary>
    /// Removes the reminder within <see cref="CleanupDelay"/>, in one transaction with the others of its partition; for
    /// cleanup nobody waits on. A failure is reported by <see cref="CleanupFailed"/>, not thrown.
    /// </summary>
    public void DeleteSoon(Reminder reminder)
    {
        bool full;
        lock (gate)
        {
            if (!waiting.TryGetValue(reminder.PartitionKey, out var rows)) waiting[reminder.PartitionKey] = rows = new(StringComparer.Ordinal);
            rows[reminder.RowKey] = reminder;
            full = rows.Count >= TableLimits.MaxTransactionActions;
            if (!full) flushTimer ??= clock.CreateTimer(static self => _ = ((ReminderRepository)self!).FlushAsync(), this, CleanupDelay, Timeout.InfiniteTimeSpan);
        }
        if (full) _ = FlushAsync();
    }

    /// <summary>Sends every delete waiting now, and returns once those and the ones already under way are done.</summary>
    public Task FlushAsync()
    {
        Dictionary<string, Dictionary<string, Reminder>> batch;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            flushTimer?.Dispose();
            flushTimer = null;
            batch = waiting;
            waiting = new(StringComparer.Ordinal);
            foreach (var row in batch.Values.SelectMany(rows => rows.Keys)) underWay[row] = done.Task;
            if (batch.Count == 0) return Task.WhenAll(underWay.Values.Distinct());
        }
        _ = SendAsync(batch, done);
        return done.Task;
    }

    /// <summary>At shutdown: the deletes still waiting are sent (a few seconds at most; what is not sent is dropped as a no-op when due).</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAny(FlushAsync(), Task.Delay(ShutdownWait, clock)).ConfigureAwait(false);

    public void Dispose() => FlushAsync().Wait(ShutdownWait);

    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);

    private async Task SendAsync(Dictionary<string, Dictionary<string, Reminder>> batch, TaskCompletionSource done)
    {
        try
        {
            await Task.WhenAll(batch.Values.Where(rows => rows.Count > 0).Select(rows => DeleteAllAsync([.. rows.Values]))).ConfigureAwait(false);
        }
        finally
        {
            lock (gate)
            {
                foreach (var row in batch.Values.SelectMany(rows => rows.Keys))
                    if (underWay.TryGetValue(row, out var task) && task == done.Task) underWay.Remove(row);
            }
            done.SetResult();
        }
    }

    /// <summary>One transaction for reminders of one partition; one already gone is left out and the rest sent again.</summary>
    private async Task DeleteAllAsync(List<Reminder> reminders)
    {
        while (reminders.Count > 0)
        {
            try
            {
                Interlocked.Increment(ref cleanupTransactions);
                await Table.TransactAsync(reminders.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.PartitionKey, r.RowKey))).ToList())
                    .ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status == 404 && e.FailedTransactionActionIndex is { } gone && gone < reminders.Count)
            {
                reminders.RemoveAt(gone);
            }
            catch (Exception e)
            {
                CleanupFailed?.Invoke(e);
                return;
            }
        }
    }

    /// <summary>
    /// Moves a reminder to <paramref name="due"/>, counting the attempt: a poison reminder never blocks the ones behind it.
    /// The new row is armed before the old one is deleted; if that delete fails, the old row comes due again and is moved
    /// again. A <paramref name="due"/> computed from the row (its due time plus a delay) then writes the same new row, where
    /// one read from the clock writes one more each time: under storage faults that multiplied a stale alarm into
    /// thousands of rows.
    /// </summary>
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
