using Azure;

namespace SwfServerless.AzureStorage;

/// <summary>
/// A storage request the service refused or that could not be completed.
/// Derives from <see cref="RequestFailedException"/> (what the official SDKs throw) so callers survive a swap.
/// <see cref="RequestFailedException.Status"/> is 0 when no HTTP answer arrived (connection failures, timeouts).
/// </summary>
public class StorageRequestFailedException : RequestFailedException
{
    public StorageRequestFailedException(int status, string? errorCode, string message, int? failedActionIndex = null, Exception? innerException = null)
        : base(status, message, errorCode, innerException)
    {
        FailedActionIndex = failedActionIndex;
    }

    /// <summary>For a failed entity-group transaction: the zero-based index of the action the service rejected, when it said.</summary>
    public int? FailedActionIndex { get; }
}

/// <summary>412: the ETag (If-Match) no longer matches; reload and decide again.</summary>
public sealed class ConcurrencyConflictException(string? errorCode, string message, int? failedActionIndex = null)
    : StorageRequestFailedException(412, errorCode, message, failedActionIndex);

/// <summary>409 EntityAlreadyExists: an Add found the row already there.</summary>
public sealed class EntityAlreadyExistsException(string message, int? failedActionIndex = null)
    : StorageRequestFailedException(409, StorageErrorCodes.EntityAlreadyExists, message, failedActionIndex);
