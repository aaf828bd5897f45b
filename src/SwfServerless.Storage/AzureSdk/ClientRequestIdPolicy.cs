using Azure.Core;
using Azure.Core.Pipeline;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// Gives each storage request its <c>x-ms-client-request-id</c> from <see cref="UniqueIds"/> before the SDK's own
/// policy would make one with <see cref="Guid.NewGuid"/> (a system call each). Per call, so the retries of a
/// request share its id, as with the SDK's. Sub-requests of a table transaction still get the SDK's ids.
/// </summary>
internal sealed class ClientRequestIdPolicy : HttpPipelineSynchronousPolicy
{
    public static ClientRequestIdPolicy Shared { get; } = new();

    public override void OnSendingRequest(HttpMessage message) => message.Request.ClientRequestId = UniqueIds.NewGuid().ToString();
}
