using Azure.Core;
using Azure.Core.Pipeline;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// Counts every attempt the SDK sends in <see cref="StorageMetrics"/>. Added at <see cref="HttpPipelinePosition.PerRetry"/>,
/// after the retry policy, so a retried request counts once per attempt, as the account bills it.
/// </summary>
internal sealed class StorageMetricsPolicy(StorageMetrics metrics, StorageService service) : HttpPipelineSynchronousPolicy
{
    // The service root's path, stripped before classifying: "" on Azure, "devstoreaccount1" for path-style addresses (Azurite).
    private string _servicePath = "";

    /// <summary>Called once the service client is built (the SDK parses the connection string), before its first request.</summary>
    public void UseServiceRoot(Uri serviceUri) => _servicePath = serviceUri.AbsolutePath.Trim('/');

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        // The Tables SDK writes paths without their leading '/', the Queues SDK with it.
        var path = request.Uri.Path.TrimStart('/');
        if (_servicePath.Length > 0 && path.StartsWith(_servicePath, StringComparison.Ordinal) && (path.Length == _servicePath.Length || path[_servicePath.Length] == '/'))
            path = path[_servicePath.Length..];
        var operation = StorageOperation.Classify(service, request.Method.Method, path, request.Uri.Query, request.Headers.Contains("If-Match"));
        metrics.RecordAttempt(operation, isRetry: message.ProcessingContext.RetryNumber > 0);
    }
}
