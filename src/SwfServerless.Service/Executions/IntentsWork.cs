using SwfServerless.Core.Executions;
using SwfServerless.Storage.Intents;

namespace SwfServerless.Service.Executions;

/// <summary>
/// What the queue-triggered function <c>Intents</c> runs for one intents-queue message, with the same
/// <see cref="IntentExecutor"/> the standalone <see cref="IntentService"/> uses. Returning completes the message (the
/// Functions host deletes it); throwing makes the host retry it, and after <c>maxDequeueCount</c> (host.json) moves it
/// to the <c>-poison</c> queue. So that no intent dies there, a failure or a deferral is answered with a delayed copy of
/// the message (same intent, same first-queued time), and this one completes; only if even that copy cannot be queued
/// (storage is down) does it throw, and then the sweep moves whatever reached the poison queue back
/// (<see cref="IntentQueue.RedrivePoisonAsync"/>).
/// </summary>
public sealed partial class IntentsWork(IntentQueue queue, IntentExecutor executor, TimeProvider clock, ILogger<IntentsWork> log)
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    /// <param name="dequeueCount">How often the host has delivered this message, for the log.</param>
    /// <param name="messageId">The queue's id of the message, for the log.</param>
    public async Task RunAsync(string? message, long dequeueCount, CancellationToken ct, string? messageId = null)
    {
        if (IntentQueue.Parse(message) is not { } intent)
        {
            // Not written by this service (nothing else should write to this queue): completing drops it, said aloud.
            LogUnreadable(log, messageId ?? "?", message?.Length ?? 0);
            return;
        }
        TimeSpan? again;
        try
        {
            var result = await executor.ExecuteAsync(intent, ct);
            again = result.Outcome == IntentOutcome.Deferred ? result.Delay : null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Retried as a new message, later: every step is idempotent (README, "Work that crosses executions").
            again = RetryDelay(intent, clock.GetUtcNow());
            LogFailed(log, intent.Kind, intent.RunId, intent.EventId, dequeueCount, again.Value.TotalSeconds, e);
        }
        // A crash between this put and the host's delete leaves both messages: the second finds the work done.
        if (again is { } delay) await queue.EnqueueAsync(intent, ct, delay);
    }

    // Backs off with the intent's age: a few seconds at first, then up to five minutes.
    internal static TimeSpan RetryDelay(IntentMessage intent, DateTimeOffset now)
    {
        var age = now - intent.EnqueuedAt;
        var seconds = Math.Clamp(age.TotalSeconds / 4, 2, MaxRetryDelay.TotalSeconds);
        return TimeSpan.FromSeconds(Math.Ceiling(seconds));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Intents queue: message {MessageId} ({Length} characters) is not an intent; dropped")]
    private static partial void LogUnreadable(ILogger log, string messageId, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Intent {Kind} of event {EventId} of run {RunId} failed (delivery {Delivery}); queued again in {Seconds} s")]
    private static partial void LogFailed(ILogger log, IntentKind kind, string runId, long eventId, long delivery, double seconds, Exception e);
}
