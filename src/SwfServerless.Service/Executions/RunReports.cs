using SwfServerless.Core.Executions;

namespace SwfServerless.Service.Executions;

/// <summary>
/// Group commit for what intents report back to one run (a parent hearing of 100 children starting, say): a report
/// goes straight to the engine when none is in flight for that run; reports that arrive meanwhile wait and then go
/// together in the next single load-and-commit. A lone report gets no extra latency; a fan-out costs a handful of
/// commits instead of one per child plus the ETag conflicts of many writers on one run.
/// </summary>
/// <remarks>
/// Each report is a machine command that returns whether it recorded anything. Commands are pure functions of the state,
/// so a batch that loses its ETag race is simply run again on the reloaded state, all of it. A command that throws has
/// recorded nothing (the machine checks before it appends), so it fails alone and the rest of its batch commits.
/// Callers still delete their queue message only after their own report committed: a crash loses nothing.
/// A commit under way when the host shuts down is awaited (<see cref="DisposeAsync"/>): its callers may have stopped
/// waiting, but it finishes (or fails whole) before the storage clients it uses are disposed.
/// </remarks>
public sealed class RunReports(ExecutionEngine engine) : IAsyncDisposable
{
    private readonly Dictionary<(string Partition, string RunId), List<Pending>> waiting = [];
    private readonly HashSet<Task> committing = [];
    private readonly Lock gate = new();

    private sealed record Pending(Func<ExecutionMachine, bool> Command, TaskCompletionSource<bool> Done);

    /// <returns>What the command returned, as committed.</returns>
    public Task<bool> ReportAsync(string partition, string runId, Func<ExecutionMachine, bool> command, CancellationToken ct)
    {
        var pending = new Pending(command, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        var key = (partition, runId);
        bool first;
        lock (gate)
        {
            first = !waiting.TryGetValue(key, out var queue);
            if (first) waiting[key] = queue = [];
            queue!.Add(pending);
        }
        if (first)
        {
            var committer = Task.Run(() => CommitAllAsync(key));
            lock (gate) committing.Add(committer);
            _ = committer.ContinueWith(done => { lock (gate) committing.Remove(done); }, TaskScheduler.Default);
        }
        return pending.Done.Task.WaitAsync(ct);
    }

    /// <summary>Waits for every commit under way, including any that started while waiting (the container disposes this
    /// before the engine and storage it was built from).</summary>
    public async ValueTask DisposeAsync()
    {
        while (true)
        {
            Task[] under;
            lock (gate) under = [.. committing];
            if (under.Length == 0) return;
            await Task.WhenAll(under); // CommitAllAsync never throws: failures go to the reports' callers
        }
    }

    /// <summary>Commits what waits for the run, batch after batch, until nothing does.</summary>
    private async Task CommitAllAsync((string Partition, string RunId) key)
    {
        while (true)
        {
            List<Pending> batch;
            lock (gate)
            {
                var queue = waiting[key];
                if (queue.Count == 0)
                {
                    waiting.Remove(key);
                    return;
                }
                batch = [.. queue];
                queue.Clear();
            }
            var outcomes = new (bool Result, Exception? Error)[batch.Count];
            try
            {
                await engine.UpdateAsync(key.Partition, key.RunId, m =>
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        try { outcomes[i] = (batch[i].Command(m), null); }
                        catch (Exception e) { outcomes[i] = (false, e); }
                    }
                    return 0;
                }, CancellationToken.None);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (outcomes[i].Error is { } error) batch[i].Done.TrySetException(error);
                    else batch[i].Done.TrySetResult(outcomes[i].Result);
                }
            }
            catch (Exception e)
            {
                foreach (var pending in batch) pending.Done.TrySetException(e);
            }
        }
    }
}
