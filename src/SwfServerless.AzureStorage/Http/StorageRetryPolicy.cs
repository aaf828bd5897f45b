using System.Net;

namespace SwfServerless.AzureStorage;

/// <summary>
/// When and how long to wait before sending a request again. Only failures that say nothing about the
/// request itself are retried (no answer, a timeout, 408/500/502/503/504); any other 4xx is final.
/// </summary>
public sealed record StorageRetryPolicy
{
    public static readonly StorageRetryPolicy Default = new();

    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>One attempt, response body included, after which it is abandoned and retried.</summary>
    public TimeSpan PerAttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static bool IsTransient(HttpStatusCode status) => status is
        HttpStatusCode.RequestTimeout or
        HttpStatusCode.InternalServerError or
        HttpStatusCode.BadGateway or
        HttpStatusCode.ServiceUnavailable or
        HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// Exponential backoff capped at <see cref="MaxDelay"/>, with "equal jitter": half the step fixed, half random,
    /// so retrying callers spread out but never retry immediately. <paramref name="random01"/> is in [0, 1).
    /// </summary>
    public TimeSpan GetDelay(int failedAttempts, double random01)
    {
        var exponent = Math.Min(failedAttempts - 1, 30);
        var step = Math.Min(BaseDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(step / 2 + step / 2 * random01);
    }
}
