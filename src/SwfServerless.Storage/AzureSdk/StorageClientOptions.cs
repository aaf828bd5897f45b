namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// How the storage clients retry and time out. The SDKs retry 408, 429, 500, 502, 503, 504, connection failures and
/// attempts that exceed <see cref="NetworkTimeout"/>; any other answer is final. A few quick retries, not the SDKs'
/// default of minutes: a caller waiting on an SWF call is better told to retry (503) than left hanging.
/// </summary>
public sealed record StorageClientOptions
{
    /// <summary>Retries after the first attempt; every attempt is counted in <see cref="StorageMetrics"/>.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The first backoff; it doubles with each retry (with jitter), up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>One attempt, response body included, after which it is abandoned and retried.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// For tests only: the client that carries every request (a handler that records or fails requests, or trusts a test
    /// certificate). Null in production: a pooled client of <see cref="StorageClients"/>' own.
    /// </summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// For tests only: pipeline policies added to every table and queue client per attempt, after the retry policy and the
    /// metrics (e.g. one that injects storage faults). Empty in production.
    /// </summary>
    public IReadOnlyList<Azure.Core.Pipeline.HttpPipelinePolicy> AdditionalPolicies { get; init; } = [];
}
