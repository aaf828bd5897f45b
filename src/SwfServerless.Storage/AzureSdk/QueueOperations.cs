using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>The queue operations the repositories use: the SDK's, plus the message limit and the emulator's quirks.</summary>
public static class QueueOperations
{
    /// <summary>The time-to-live of a message that never expires (Azure's default is 7 days).</summary>
    public static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    /// <param name="visibilityTimeout">Hide the message this long after sending (a delayed message); at most 7 days.</param>
    /// <param name="timeToLive">Default 7 days; <see cref="NeverExpires"/>: never expires.</param>
    public static Task<Response<SendReceipt>> SendCheckedAsync(this QueueClient queue, string messageText,
        TimeSpan? visibilityTimeout = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        QueueLimits.ValidateMessage(messageText);
        return queue.SendMessageAsync(messageText, visibilityTimeout, timeToLive, cancellationToken);
    }

    /// <returns>
    /// False if the message is gone or no longer ours (someone else received it after our visibility timeout ran out):
    /// Azure answers a stale pop receipt with 404, Azurite with 400 PopReceiptMismatch.
    /// </returns>
    public static async Task<bool> DeleteIfOwnedAsync(this QueueClient queue, string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        try
        {
            await queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404 || e.ErrorCode == "PopReceiptMismatch")
        {
            return false;
        }
    }

    /// <summary>
    /// A received message that is not base64 (not written by us or by the Functions host) would fail every receive that
    /// returns it; the SDK leaves it out of the answer and reports it here, and we delete it: it is not ours.
    /// </summary>
    /// <remarks>Asynchronous only: this project never receives synchronously.</remarks>
    /// <returns>The id of the message deleted, or null.</returns>
    internal static async Task<string?> DropUndecodableAsync(QueueMessageDecodingFailedEventArgs args)
    {
        if (args.ReceivedMessage is not { } message) return null; // a peek received nothing: nothing to drop
        await DeleteIfOwnedAsync(args.Queue, message.MessageId, message.PopReceipt, args.CancellationToken).ConfigureAwait(false);
        return message.MessageId;
    }
}
