namespace SwfServerless.Service.Executions;

/// <summary>
/// Serializes this instance's changes to one run. The ETag alone keeps commits correct, but under a burst (a
/// decider answering while hundreds of activity claims and completions hit the same run) every loser reloads
/// and retries, and the slowest caller can lose every race. Taking turns in-process turns those lost races
/// into a short wait; races with other instances are still settled by the ETag.
/// </summary>
public sealed class RunLocks
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Users;
    }

    public async Task<IDisposable> AcquireAsync(string runId, CancellationToken ct)
    {
        Entry entry;
        lock (entries)
        {
            if (!entries.TryGetValue(runId, out entry!)) entries[runId] = entry = new Entry();
            entry.Users++;
        }
        try
        {
            await entry.Gate.WaitAsync(ct);
        }
        catch
        {
            Release(runId, entry, entered: false);
            throw;
        }
        return new Turn(this, runId, entry);
    }

    private void Release(string runId, Entry entry, bool entered)
    {
        if (entered) entry.Gate.Release();
        lock (entries)
        {
            if (--entry.Users == 0) entries.Remove(runId);
        }
    }

    private sealed class Turn(RunLocks owner, string runId, Entry entry) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) owner.Release(runId, entry, entered: true);
        }
    }
}
