using SwfServerless.Functions.Hosting;
using SwfServerless.Storage.Intents;

namespace SwfServerless.Functions.Executions;

/// <summary>
/// The queue-triggered function "Intents": one intents-queue message per call, carried out by the same
/// <see cref="IntentExecutor"/> the standalone <see cref="IntentService"/> uses. Returning completes the message (the
/// host deletes it); throwing makes the host retry it. The host cannot make a message visible later, so a deferral
/// queues a delayed copy (same intent, same first-queued time) and completes this one.
/// </summary>
public sealed class IntentsWork(IntentQueue queue, IntentExecutor executor) : ITriggeredWork
{
    public string FunctionName => FunctionsHost.IntentsFunction;

    public async Task RunAsync(string? payload, CancellationToken ct)
    {
        if (IntentQueue.Parse(payload) is not { } intent) return; // not an intent message: completing drops it
        var result = await executor.ExecuteAsync(intent, ct);
        if (result.Outcome == IntentOutcome.Deferred) await queue.EnqueueAsync(intent, ct, result.Delay);
    }
}
