using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using SwfServerless.Core.Executions;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Intents;

/// <summary>
/// Work one run committed to do on another (<see cref="IntentToCarryOut"/>): which run (partition, runId) and which of
/// its events. Nothing else: the executor reads what to do from the committed run, so a message whose commit lost its
/// race, or a duplicate, cannot do anything the committed history does not say.
/// </summary>
/// <param name="EnqueuedAt">When the first message for this intent was queued: a message whose run never shows the
/// event is dropped after a grace period from here.</param>
public sealed record IntentMessage(
    [property: JsonConverter(typeof(JsonStringEnumConverter<IntentKind>))] IntentKind Kind,
    string Partition,
    string RunId,
    long EventId,
    DateTimeOffset EnqueuedAt);

/// <summary>An intent taken from the queue, hidden from other receivers until deleted or its visibility ends.</summary>
public sealed record ReceivedIntent(IntentMessage Message, string MessageId, string PopReceipt, long DequeueCount);

/// <summary>
/// The intents queue (<c>{prefix}-intents</c> unless <c>SWF_INTENT_QUEUE</c> names another: see <c>TriggerSettings</c>). Messages are put BEFORE the commit that records the intent (as tasks are), so a
/// committed intent always has a message; they never expire, and one is deleted only when its whole intent is done, so
/// a crash anywhere in between means redelivery after the visibility timeout. Message text is base64 on the wire
/// (<see cref="StorageClients"/>), which is what the Azure Functions queue trigger expects: the same messages drive
/// <c>IntentsWork</c> there.
/// LOAD-BEARING: the queue name and the message format are read by other instances and by the Functions trigger binding.
/// </summary>
public sealed class IntentQueue
{
    private readonly QueueClient queue;
    private readonly QueueClient poison;
    private readonly Lock wakeLock = new();
    private TaskCompletionSource wakeup = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="name">The queue's name: the one the Functions trigger binding reads (a valid, lowercase queue name).</param>
    public IntentQueue(StorageClients clients, string name)
    {
        Name = name;
        queue = clients.GetQueueClient(Name);
        // Where the Functions host moves a message after maxDequeueCount failed deliveries (its naming: "<queue>-poison").
        poison = clients.GetQueueClient(Name + "-poison");
    }

    public string Name { get; }

    public Task CreateIfNotExistsAsync(CancellationToken ct) => queue.CreateIfNotExistsAsync(cancellationToken: ct);

    public static string Serialize(IntentMessage message) => JsonSerializer.Serialize(message, StorageJsonContext.Default.IntentMessage);

    /// <summary>The message, or null for text that is not an intent message (such a message is dropped).</summary>
    public static IntentMessage? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return JsonSerializer.Deserialize(text, StorageJsonContext.Default.IntentMessage); }
        catch (JsonException) { return null; }
    }

    /// <param name="delay">Hidden this long first (a deferral under the Functions host, which cannot change a message's visibility).</param>
    public Task EnqueueAsync(IntentMessage message, CancellationToken ct, TimeSpan? delay = null) =>
        queue.SendCheckedAsync(Serialize(message), delay, QueueOperations.NeverExpires, ct);

    /// <param name="dropped">Told the id of each message that is no intent, which is deleted (nothing else writes to this
    /// queue): for the log, which must say so; never its text, which could be anything.</param>
    public async Task<IReadOnlyList<ReceivedIntent>> ReceiveAsync(int max, TimeSpan visibility, CancellationToken ct, Action<string>? dropped = null)
    {
        QueueMessage[] messages = await queue.ReceiveMessagesAsync(max, visibility, ct);
        var result = new List<ReceivedIntent>(messages.Length);
        foreach (var m in messages)
        {
            if (Parse(m.Body.ToString()) is { } message) result.Add(new ReceivedIntent(message, m.MessageId, m.PopReceipt, m.DequeueCount));
            else
            {
                await queue.DeleteIfOwnedAsync(m.MessageId, m.PopReceipt, ct); // not ours: drop it
                dropped?.Invoke(m.MessageId);
            }
        }
        return result;
    }

    /// <summary>Deletes the message; one that is no longer ours (its visibility ran out and another receiver took it) is left alone.</summary>
    public Task DeleteAsync(ReceivedIntent intent, CancellationToken ct) => queue.DeleteIfOwnedAsync(intent.MessageId, intent.PopReceipt, ct);

    /// <summary>Makes the message visible again after <paramref name="delay"/>.</summary>
    public Task DeferAsync(ReceivedIntent intent, TimeSpan delay, CancellationToken ct) =>
        queue.UpdateMessageAsync(intent.MessageId, intent.PopReceipt, visibilityTimeout: delay, cancellationToken: ct);

    /// <summary>Keeps the message hidden for another <paramref name="visibility"/>; later calls must use the answer's pop receipt.</summary>
    public async Task<ReceivedIntent> ExtendAsync(ReceivedIntent intent, TimeSpan visibility, CancellationToken ct)
    {
        var receipt = await queue.UpdateMessageAsync(intent.MessageId, intent.PopReceipt, visibilityTimeout: visibility, cancellationToken: ct);
        return intent with { PopReceipt = receipt.Value.PopReceipt };
    }

    public async Task<int> CountAsync(CancellationToken ct) => (await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;

    /// <summary>
    /// Moves what the Functions host put in the poison queue back into the intents queue: an intent is never dropped
    /// for failing. Put first, delete after: a crash in between leaves a duplicate, which the executor makes harmless.
    /// </summary>
    /// <returns>How many messages were moved.</returns>
    public async Task<int> RedrivePoisonAsync(int max, CancellationToken ct)
    {
        var moved = 0;
        while (moved < max)
        {
            QueueMessage[] messages;
            try { messages = await poison.ReceiveMessagesAsync(Math.Min(32, max - moved), TimeSpan.FromSeconds(30), ct); }
            catch (RequestFailedException e) when (e.IsNotFound()) { return moved; } // no poison queue: nothing ever failed that often
            if (messages.Length == 0) return moved;
            foreach (var m in messages)
            {
                await queue.SendCheckedAsync(m.Body.ToString(), timeToLive: QueueOperations.NeverExpires, cancellationToken: ct);
                await poison.DeleteIfOwnedAsync(m.MessageId, m.PopReceipt, ct);
                moved++;
            }
        }
        return moved;
    }

    /// <summary>Wakes this instance's intent executor: call after the commit, so it finds the intent committed.</summary>
    public void NotifyLocal()
    {
        TaskCompletionSource woken;
        lock (wakeLock)
        {
            woken = wakeup;
            wakeup = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
    }

    /// <summary>Completes when an intent is next queued on this instance. Take it BEFORE looking in the queue.</summary>
    public Task LocalWorkSignal()
    {
        lock (wakeLock) return wakeup.Task;
    }
}
