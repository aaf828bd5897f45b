using System.Net;
using Azure;
using Azure.Identity;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// What a failed storage call looks like once the SDKs have retried: so the service can answer it (retryable or not, see
/// <see cref="IsTransient"/> and <see cref="IsSizeLimit"/>) without naming SDK types. The SDKs throw <see cref="RequestFailedException"/> for an answer they did not like
/// (status 0: no answer at all, or none in time: <see cref="AttemptTimeoutPolicy"/>), an <see cref="AggregateException"/>
/// of the attempts when more than one failed without an answer, and Azure.Identity's exceptions when no token could be
/// had. The caller's own cancellation is none of these.
/// </summary>
public static class StorageFailure
{
    public static bool IsStorageFailure(Exception e) => e switch
    {
        RequestFailedException or AuthenticationFailedException => true, // CredentialUnavailableException is one too
        StorageSizeLimitException => true,
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

    /// <summary>
    /// A write larger than storage accepts, whether our own checks or the service said so: what the request asked to store
    /// decides it, so retrying repeats it.
    /// </summary>
    public static bool IsSizeLimit(Exception e) => e switch
    {
        StorageSizeLimitException => true,
        RequestFailedException { Status: 413 } => true,
        RequestFailedException f => f.ErrorCode is "EntityTooLarge" or "PropertyValueTooLarge" or "RequestBodyTooLarge" or "MessageTooLarge",
        _ => false,
    };

    /// <summary>What failed, for an error message: the storage's status and error code (and the limit, for a size), or our size check's own words.</summary>
    public static string Describe(Exception e) => e switch
    {
        StorageSizeLimitException => e.Message,
        RequestFailedException { Status: 0 } => "no answer from storage",
        RequestFailedException f => $"storage answered {f.Status}{(f.ErrorCode is { Length: > 0 } code ? " " + code : "")}" + (f.ErrorCode switch
        {
            "EntityTooLarge" => ": a row holds at most 1 MiB",
            "PropertyValueTooLarge" => ": a property holds at most 64 KiB",
            "MessageTooLarge" => ": a queue message holds at most 64 KiB",
            _ when f.Status == 413 || f.ErrorCode == "RequestBodyTooLarge" => ": a request holds at most 4 MiB",
            _ => "",
        }),
        CredentialUnavailableException => "no storage credential is configured",
        AuthenticationFailedException => "no storage token could be had",
        AggregateException { InnerExceptions.Count: > 0 } all => Describe(all.InnerExceptions[^1]),
        _ => e.GetType().Name,
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
