using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.Intents;

namespace SwfServerless.Service.Executions;

/// <summary>
/// Runs intents from the intents queue on this instance: woken in-process as soon as this instance queues one (so a
/// child starts or a signal arrives without waiting for a poll), and, standalone, looking at the queue between wake-ups
/// for intents other instances queued or a crash left behind (they come back after their visibility timeout).
/// Under the Functions host the queue trigger (<see cref="IntentsWork"/>) drives intents; this service then only runs
/// those this instance queued, and does not poll an idle queue.
/// </summary>
public sealed partial class IntentService(
    IntentQueue queue, IntentExecutor executor, IOptions<SwfOptions> options, SwfHosting hosting, ILogger<IntentService> log)
    : BackgroundService
{
    private const int BatchSize = 32;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var settings = options.Value;
        var visibility = TimeSpan.FromSeconds(Math.Max(1, settings.IntentVisibilitySeconds));
        var maxIdle = TimeSpan.FromMilliseconds(Math.Max(50, settings.IntentPollIntervalMilliseconds));
        bool underFunctionsHost = hosting.UnderFunctionsHost;
        using var slots = new SemaphoreSlim(Math.Max(1, settings.IntentConcurrency));
        var idle = TimeSpan.FromMilliseconds(50);
        while (!stop.IsCancellationRequested)
        {
            var woken = queue.LocalWorkSignal();
            IReadOnlyList<ReceivedIntent> batch;
            try
            {
                await slots.WaitAsync(stop);
                int free = slots.CurrentCount + 1;
                slots.Release();
                batch = await queue.ReceiveAsync(Math.Min(BatchSize, free), visibility, stop, id => LogUnreadable(log, id));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogReceiveFailed(log, e);
                await Delay(TimeSpan.FromSeconds(1), stop);
                continue;
            }
            if (batch.Count == 0)
            {
                await WaitAsync(woken, underFunctionsHost ? Timeout.InfiniteTimeSpan : idle, stop);
                idle = idle * 2 < maxIdle ? idle * 2 : maxIdle;
                continue;
            }
            idle = TimeSpan.FromMilliseconds(50);
            foreach (var intent in batch)
            {
                await slots.WaitAsync(stop);
                _ = Task.Run(async () =>
                {
                    try { await RunAsync(intent, visibility, stop); }
                    finally { slots.Release(); }
                }, CancellationToken.None);
            }
        }
        // Let the intents in flight see the stop and finish before the services they use are disposed.
        for (var i = 0; i < Math.Max(1, settings.IntentConcurrency); i++)
        {
            if (!await slots.WaitAsync(TimeSpan.FromSeconds(5))) break;
        }
    }

    /// <summary>Until woken, the timeout passes or the service stops; the timer is cancelled after, so waits do not pile up.</summary>
    private static async Task WaitAsync(Task woken, TimeSpan timeout, CancellationToken stop)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stop);
        await Task.WhenAny(woken, Task.Delay(timeout, done.Token));
        await done.CancelAsync();
    }

    private async Task RunAsync(ReceivedIntent received, TimeSpan visibility, CancellationToken stop)
    {
        var intent = received;
        // A Lambda task's call may last up to its startToCloseTimeout (900 s): its message stays hidden meanwhile, so
        // that it is not delivered again (and the function called again) while the call is under way. Hidden again at
        // once (the receive's visibility has been running since the batch came in), then every third of it, so that one
        // slow renewal does not let the message out.
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var renewal = received.Message.Kind != IntentKind.LambdaFunction ? Task.CompletedTask : Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    intent = await queue.ExtendAsync(intent, visibility, renewing.Token);
                    await Task.Delay(visibility / 3, renewing.Token);
                }
            }
            catch (Exception)
            {
                // Stopped, or the message is no longer ours: a redelivery may call again, and records nothing twice.
            }
        }, CancellationToken.None);
        try
        {
            IntentResult result;
            try { result = await executor.ExecuteAsync(intent.Message, stop); }
            finally
            {
                await renewing.CancelAsync();
                await renewal;
            }
            if (result.Outcome == IntentOutcome.Deferred) await queue.DeferAsync(intent, result.Delay, stop);
            else await queue.DeleteAsync(intent, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Shutting down: the message comes back after its visibility timeout.
        }
        catch (Exception e)
        {
            // Left in the queue, exactly as after a crash: it comes back after its visibility timeout and is retried.
            // Never dropped: an intent that keeps failing is logged loudly instead.
            if (intent.DequeueCount >= 5) LogKeepsFailing(log, intent.Message.Kind, intent.Message.RunId, intent.Message.EventId, intent.DequeueCount, e);
            else LogFailed(log, intent.Message.Kind, intent.Message.RunId, intent.Message.EventId, e);
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken ct)
    {
        try { await Task.Delay(delay, ct); }
        catch (OperationCanceledException) { }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Intents queue: message {MessageId} is not an intent; dropped")]
    private static partial void LogUnreadable(ILogger log, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving from the intents queue failed; retrying")]
    private static partial void LogReceiveFailed(ILogger log, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Intent {Kind} of event {EventId} of run {RunId} failed; it will be retried")]
    private static partial void LogFailed(ILogger log, IntentKind kind, string runId, long eventId, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Intent {Kind} of event {EventId} of run {RunId} failed {Attempts} times; it keeps being retried")]
    private static partial void LogKeepsFailing(ILogger log, IntentKind kind, string runId, long eventId, long attempts, Exception e);
}
