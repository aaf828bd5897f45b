namespace SwfServerless.Storage.Tasks;

/// <summary>
/// Received task messages that are done with (their task claimed, or found started or gone), kept for a moment so that
/// the next task put on the same queue overwrites one (an update: its text, visible at once) instead of a delete now and
/// a put then. Behind a backlog every task goes by the queue, and this makes that path's delete and put one request.
/// </summary>
/// <remarks>
/// Crash safety is the delete's: a kept message is hidden and names a task that no longer needs it. If this instance dies
/// holding it, it comes back when its visibility ends and the claimer that meets it drops it as stale, as after a crash
/// between a claim and its delete. The overwrite is conditional on the pop receipt, so a message someone else received
/// meanwhile is never overwritten (the put happens instead). Only hidden messages with most of their visibility and
/// life ahead are kept: one that would turn visible while kept would be received and dropped again, for nothing.
/// </remarks>
internal sealed class SpareMessages(TimeProvider clock, Func<ReceivedTask, Task> delete) : IAsyncDisposable
{
    /// <summary>How long a spare waits for a put on its queue before it is deleted.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    /// <summary>A spare is still hidden this long after the latest moment it can be taken (the sweep runs every <see cref="Linger"/>).</summary>
    private static readonly TimeSpan HiddenMargin = TimeSpan.FromSeconds(5);

    /// <summary>A message keeps its first put's expiry (7 days) when overwritten: one with less left than this is not reused.</summary>
    private static readonly TimeSpan MinLifeLeft = TimeSpan.FromDays(6);

    private const int MaxPerQueue = 256;

    private readonly Lock gate = new();
    private readonly Dictionary<string, Queue<(ReceivedTask Task, DateTimeOffset At)>> byQueue = new(StringComparer.Ordinal);
    private int count;
    private ITimer? sweep;
    private long reused, deleted;

    /// <summary>Spares taken by a put so far (whether or not the overwrite then succeeded).</summary>
    public long Reused => Interlocked.Read(ref reused);

    /// <summary>Spares deleted unused so far (after <see cref="Linger"/>, or at shutdown).</summary>
    public long Deleted => Interlocked.Read(ref deleted);

    /// <summary>Keeps the message as a spare of its queue; false when it is not one to keep (the caller deletes it).</summary>
    public bool TryKeep(ReceivedTask task)
    {
        var now = clock.GetUtcNow();
        if (!task.Hidden || task.HiddenUntil - now < 2 * Linger + HiddenMargin) return false;
        if (task.ExpiresOn is not { } expires || expires - now < MinLifeLeft) return false;
        lock (gate)
        {
            if (!byQueue.TryGetValue(task.QueueName, out var spares)) byQueue[task.QueueName] = spares = new();
            if (spares.Count >= MaxPerQueue) return false;
            spares.Enqueue((task, now));
            count++;
            sweep ??= clock.CreateTimer(static self => _ = ((SpareMessages)self!).SweepAsync(all: false), this, Linger, Linger);
        }
        return true;
    }

    /// <summary>A spare of the queue, taken (the caller overwrites it or lets it come back as stale), or none.</summary>
    public ReceivedTask? TryTake(string queueName)
    {
        lock (gate)
        {
            if (!byQueue.TryGetValue(queueName, out var spares) || !spares.TryDequeue(out var spare)) return null;
            count--;
            Interlocked.Increment(ref reused);
            return spare.Task;
        }
    }

    /// <summary>Deletes the spares kept longer than <see cref="Linger"/>, or all of them.</summary>
    public async Task SweepAsync(bool all)
    {
        var now = clock.GetUtcNow();
        var old = new List<ReceivedTask>();
        lock (gate)
        {
            foreach (var spares in byQueue.Values)
            {
                while (spares.TryPeek(out var spare) && (all || now - spare.At >= Linger))
                {
                    old.Add(spares.Dequeue().Task);
                    count--;
                }
            }
            foreach (var name in byQueue.Where(q => q.Value.Count == 0).Select(q => q.Key).ToList()) byQueue.Remove(name);
            if (count == 0)
            {
                sweep?.Dispose();
                sweep = null;
            }
        }
        Interlocked.Add(ref deleted, old.Count);
        // A delete that fails leaves a stale message, dropped by whoever receives it.
        await Task.WhenAll(old.Select(async task =>
        {
            try { await delete(task).ConfigureAwait(false); }
            catch (Exception e) when (e is not OutOfMemoryException) { } // a timed-out attempt too
        })).ConfigureAwait(false);
    }

    /// <summary>At shutdown the spares go (a few seconds at most; what is left comes back as stale messages).</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAny(SweepAsync(all: true), Task.Delay(ShutdownWait, clock)).ConfigureAwait(false);

    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);
}
