using System.Globalization;
using System.Net;

namespace SwfServerless.AzureStorage;

/// <summary>
/// Sends one logical storage request: stamps and signs each attempt, counts it, retries transient failures
/// with backoff and turns a final failure into a <see cref="StorageRequestFailedException"/>.
/// Retries resend the request as built, so a retried insert can find its own first attempt (409) and a
/// retried conditional update its own new ETag (412): callers treat those as "reload and decide", as for any race.
/// </summary>
internal sealed class StoragePipeline(HttpClient http, RequestAuthorizer authorizer, StorageMetrics metrics, StorageClientOptions options)
{
    public StorageClientOptions Options => options;

    /// <param name="createRequest">Called once per attempt: a request message can be sent only once.</param>
    /// <param name="tolerate">A failure status the caller handles itself (e.g. 404 for "if exists").</param>
    public async Task<HttpResponseMessage> SendAsync(
        StorageOperation operation,
        StorageService service,
        Func<HttpRequestMessage> createRequest,
        CancellationToken cancellationToken,
        HttpStatusCode? tolerate = null)
    {
        var retry = options.Retry;
        var clientRequestId = Guid.NewGuid().ToString();
        for (var attempt = 1; ; attempt++)
        {
            var isLast = attempt >= retry.MaxAttempts;
            using var request = createRequest();
            request.Headers.TryAddWithoutValidation("x-ms-version", options.ServiceVersion);
            request.Headers.TryAddWithoutValidation("x-ms-date", options.TimeProvider.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("x-ms-client-request-id", clientRequestId);
            await authorizer.AuthorizeAsync(request, service, cancellationToken).ConfigureAwait(false);
            metrics.RecordAttempt(operation, isRetry: attempt > 1);

            HttpResponseMessage response;
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(retry.PerAttemptTimeout);
                try
                {
                    // ResponseContentRead: the body is read under the same per-attempt timeout.
                    response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTransportFailure(e, cancellationToken))
                {
                    if (isLast)
                        throw TransportFailure(operation, e, attempt);
                    await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            if (response.IsSuccessStatusCode || response.StatusCode == tolerate)
                return response;

            if (StorageRetryPolicy.IsTransient(response.StatusCode) && !isLast)
            {
                response.Dispose();
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (response)
                throw await StorageErrors.FromResponseAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task DelayAsync(int failedAttempts, CancellationToken cancellationToken) =>
        Task.Delay(options.Retry.GetDelay(failedAttempts, Random.Shared.NextDouble()), options.TimeProvider, cancellationToken);

    // The caller's own cancellation is not a failure to retry; our per-attempt timeout is.
    private static bool IsTransportFailure(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException ||
        (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static StorageRequestFailedException TransportFailure(StorageOperation operation, Exception e, int attempts)
    {
        var timeout = e is OperationCanceledException;
        var code = timeout ? StorageErrorCodes.ClientTimeout : StorageErrorCodes.TransportFailure;
        var what = timeout ? "timed out" : "got no answer";
        return new StorageRequestFailedException(0, code, $"{operation.Name} {what} after {attempts} attempts: {e.Message}", innerException: e);
    }
}
