using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// The SDKs report an attempt that exceeded <see cref="StorageClientOptions.NetworkTimeout"/> as a plain
/// <see cref="TaskCanceledException"/>, the same type as the caller's own cancellation. This makes it what an attempt
/// without an answer is, a <see cref="RequestFailedException"/> with status 0: retried the same by the SDK, and
/// recognised by <see cref="StorageFailure"/> without guessing whose cancellation it was. Added per attempt, outside the
/// SDK's timeout, where <see cref="HttpMessage.CancellationToken"/> is the caller's again.
/// </summary>
internal sealed class AttemptTimeoutPolicy : HttpPipelinePolicy
{
    private const string ClientTimeout = "ClientTimeout";

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try { ProcessNext(message, pipeline); }
        catch (OperationCanceledException e) when (!message.CancellationToken.IsCancellationRequested) { throw TimedOut(e); }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try { await ProcessNextAsync(message, pipeline).ConfigureAwait(false); }
        catch (OperationCanceledException e) when (!message.CancellationToken.IsCancellationRequested) { throw TimedOut(e); }
    }

    private static RequestFailedException TimedOut(OperationCanceledException e) => new(0, e.Message, ClientTimeout, e);
}
