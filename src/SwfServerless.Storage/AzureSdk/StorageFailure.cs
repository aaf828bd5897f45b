using System.Net;
using Azure;
using Azure.Identity;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// What a failed storage call looks like once the SDKs have retried: so the service can answer it (a retryable 503)
/// without naming SDK types. The SDKs throw <see cref="RequestFailedException"/> for an answer they did not like
/// (status 0: no answer at all, or none in time: <see cref="AttemptTimeoutPolicy"/>), an <see cref="AggregateException"/>
/// of the attempts when more than one failed without an answer, and Azure.Identity's exceptions when no token could be
/// had. The caller's own cancellation is none of these.
/// </summary>
public static class StorageFailure
{
    public static bool IsStorageFailure(Exception e) => e switch
    {
        RequestFailedException or AuthenticationFailedException => true, // CredentialUnavailableException is one too
        HttpRequestException or IOException or TimeoutException => true,
        AggregateException { InnerExceptions.Count: > 0 } all => all.InnerExceptions.All(IsStorageFailure),
        _ => false,
    };

    /// <summary>
    /// True when trying again later may succeed: no answer, a timeout, throttling, a server error, a token endpoint that
    /// failed. False for answers that say the request itself is wrong (400, 403, 404, 409, 412, ...), which retrying repeats.
    /// </summary>
    public static bool IsTransient(Exception e) => e switch
    {
        RequestFailedException { Status: 0 } => true,
        RequestFailedException f => IsTransientStatus(f.Status),
        CredentialUnavailableException => false, // no identity configured: a deployment error
        AuthenticationFailedException => true,
        HttpRequestException or IOException or TimeoutException => true,
        AggregateException { InnerExceptions.Count: > 0 } all => all.InnerExceptions.All(IsTransient),
        _ => false,
    };

    /// <summary>A row, table, queue or message that is not there.</summary>
    public static bool IsNotFound(this RequestFailedException e) => e.Status == (int)HttpStatusCode.NotFound;

    /// <summary>409 EntityAlreadyExists: an insert found the row already there.</summary>
    public static bool IsEntityAlreadyExists(this RequestFailedException e) =>
        e.Status == (int)HttpStatusCode.Conflict && e.ErrorCode == "EntityAlreadyExists";

    /// <summary>412: the ETag (If-Match) no longer matches; reload and decide again.</summary>
    public static bool IsConcurrencyConflict(this RequestFailedException e) => e.Status == (int)HttpStatusCode.PreconditionFailed;

    private static bool IsTransientStatus(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;
}
