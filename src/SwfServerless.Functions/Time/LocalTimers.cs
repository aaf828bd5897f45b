using Microsoft.Extensions.Options;
using SwfServerless.Functions.Hosting;

namespace SwfServerless.Functions.Time;

/// <summary>
/// In-process timers: run a piece of work at a given time while this instance is up, so a deadline fires within
/// about a second of being due instead of at the next sweep. Nothing here is durable: every entry is a copy of a
/// durable reminder (or work the closing instance does early), and if the instance dies the sweep does it instead.
/// Entries with the same key are scheduled once. Only work due within <see cref="Horizon"/> is taken (later work
/// comes back through the sweep's look-ahead), and at most <see cref="MaxEntries"/> are held.
/// </summary>
public sealed partial class LocalTimers(TimeProvider clock, IOptions<SwfOptions> options, ILogger<LocalTimers> log) : BackgroundService
{
    public const int MaxEntries = 100_000;
    private const int MaxConcurrentWork = 16;

    private readonly object gate = new();
    private readonly PriorityQueue<Entry, DateTimeOffset> queue = new();
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim concurrency = new(MaxConcurrentWork);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool running;

    private sealed record Entry(string Key, DateTimeOffset Due, Func<CancellationToken, Task> Work);

    public bool Enabled => options.Value.InProcessTimers;

    /// <summary>How far ahead work is taken: a few sweep intervals, at least a minute.</summary>
    public TimeSpan Horizon => TimeSpan.FromSeconds(Math.Max(60, 3 * options.Value.SweepIntervalSeconds));

    /// <summary>Number of entries waiting (tests and diagnostics).</summary>
    public int Count { get { lock (gate) return queue.Count; } }

    /// <summary>Runs <paramref name="work"/> at <paramref name="due"/> (at once if past); false when not taken (disabled, stopped, too far ahead, full, or already scheduled).</summary>
    public bool Schedule(string key, DateTimeOffset due, Func<CancellationToken, Task> work)
    {
        if (!Enabled || !running || due > clock.GetUtcNow() + Horizon) return false;
        TaskCompletionSource wake;
        lock (gate)
        {
            if (queue.Count >= MaxEntries || !keys.Add(key)) return false;
            queue.Enqueue(new Entry(key, due, work), due);
            if (!queue.TryPeek(out var first, out _) || first.Key != key) return true; // not the new earliest: the loop's wait stands
            wake = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.TrySetResult();
        return true;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        running = Enabled;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
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
                foreach (var entry in due) await StartWorkAsync(entry, stoppingToken);
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

    private async Task StartWorkAsync(Entry entry, CancellationToken stoppingToken)
    {
        await concurrency.WaitAsync(stoppingToken);
        _ = Task.Run(async () =>
        {
            try
            {
                await entry.Work(stoppingToken);
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
