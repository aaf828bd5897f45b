using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.Time;

namespace SwfServerless.Service.Time;

/// <summary>
/// In-process timers: run a piece of work at a given time while this instance is up, so a deadline fires within
/// about a second of being due instead of at the next sweep. Nothing here is durable: every entry is a copy of a
/// durable reminder (or work the closing instance does early), and if the instance dies the sweep does it instead.
/// Entries with the same key are scheduled once. Only work due within <see cref="Horizon"/> is taken (later work
/// comes back through the sweep's look-ahead), and at most <see cref="MaxEntries"/> are held.
/// Entries are data (<see cref="LocalAlarm"/>); <see cref="LocalAlarmService"/> runs the loop and fires them through
/// <see cref="RunAlarms"/>, so the engine that schedules them does not depend on what handles them.
/// </summary>
public sealed partial class LocalTimers(TimeProvider clock, IOptions<SwfOptions> options, ILogger<LocalTimers> log)
{
    public const int MaxEntries = 100_000;
    private const int MaxConcurrentWork = 16;

    private readonly object gate = new();
    private readonly PriorityQueue<Entry, DateTimeOffset> queue = new();
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim concurrency = new(MaxConcurrentWork);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool running;

    private sealed record Entry(string Key, DateTimeOffset Due, LocalAlarm Alarm);

    public bool Enabled => options.Value.InProcessTimers;

    /// <summary>How far ahead work is taken: a few sweep intervals, at least two minutes (the Functions sweep runs every minute).</summary>
    public TimeSpan Horizon => TimeSpan.FromSeconds(Math.Max(120, 3 * options.Value.SweepIntervalSeconds));

    /// <summary>Number of entries waiting (tests and diagnostics).</summary>
    public int Count { get { lock (gate) return queue.Count; } }

    /// <summary>Fires <paramref name="alarm"/> at <paramref name="due"/> (at once if past); false when not taken (disabled, not running, too far ahead, full, or already scheduled).</summary>
    public bool Schedule(string key, DateTimeOffset due, LocalAlarm alarm)
    {
        if (!Enabled || !running || due > clock.GetUtcNow() + Horizon) return false;
        TaskCompletionSource wake;
        lock (gate)
        {
            if (queue.Count >= MaxEntries || !keys.Add(key)) return false;
            queue.Enqueue(new Entry(key, due, alarm), due);
            if (!queue.TryPeek(out var first, out _) || first.Key != key) return true; // not the new earliest: the loop's wait stands
            wake = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.TrySetResult();
        return true;
    }

    /// <summary>The loop: fires each entry when due, through <paramref name="fire"/>, until <paramref name="stoppingToken"/>.</summary>
    public async Task RunAsync(Func<LocalAlarm, CancellationToken, Task> fire, CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        running = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Task wake;
                TimeSpan wait;
                var due = new List<Entry>();
                lock (gate)
                {
                    wake = changed.Task;
                    var now = clock.GetUtcNow();
                    while (queue.TryPeek(out var first, out var at) && at <= now)
                    {
                        queue.Dequeue();
                        keys.Remove(first.Key);
                        due.Add(first);
                    }
                    wait = queue.TryPeek(out _, out var next) ? next - now : Timeout.InfiniteTimeSpan;
                }
                foreach (var entry in due) await StartWorkAsync(entry, fire, stoppingToken);
                if (due.Count > 0) continue;

                using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                // Timers may wake a little early; the loop then simply waits the rest.
                var sleep = Task.Delay(wait, clock, delay.Token);
                await Task.WhenAny(sleep, wake);
                delay.Cancel();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            running = false;
        }
    }

    private async Task StartWorkAsync(Entry entry, Func<LocalAlarm, CancellationToken, Task> fire, CancellationToken stoppingToken)
    {
        await concurrency.WaitAsync(stoppingToken);
        _ = Task.Run(async () =>
        {
            try
            {
                await fire(entry.Alarm, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The durable reminder is still there: the sweep retries it.
                LogWorkFailed(log, entry.Key, e);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                concurrency.Release();
            }
        }, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-process timer {Key} failed; the sweep will retry it")]
    private static partial void LogWorkFailed(ILogger log, string key, Exception e);
}

/// <summary>What an in-process timer fires: a reminder of a run (checked as the sweep would), or the early removal of a closed run.</summary>
/// <param name="AfterCommit">The alarm this instance committed itself (its reminder cannot be ahead of its commit).</param>
public sealed record LocalAlarm(string Partition, string RunId, Reminder? Reminder = null, ExecutionState? ClosedRun = null, bool AfterCommit = false);

/// <summary>Runs the in-process timers on this instance, firing through <see cref="RunAlarms"/>.</summary>
public sealed class LocalAlarmService(LocalTimers timers, RunAlarms alarms) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => timers.RunAsync(alarms.FireAsync, stoppingToken);
}
