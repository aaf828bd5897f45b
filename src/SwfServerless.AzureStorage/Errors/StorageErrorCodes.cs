namespace SwfServerless.AzureStorage;

/// <summary>x-ms-error-code values this project reacts to.</summary>
public static class StorageErrorCodes
{
    public const string EntityAlreadyExists = "EntityAlreadyExists";
    public const string UpdateConditionNotSatisfied = "UpdateConditionNotSatisfied";
    public const string ConditionNotMet = "ConditionNotMet";
    public const string ResourceNotFound = "ResourceNotFound";
    public const string TableAlreadyExists = "TableAlreadyExists";
    public const string TableNotFound = "TableNotFound";
    public const string QueueNotFound = "QueueNotFound";
    public const string MessageNotFound = "MessageNotFound";
    public const string PopReceiptMismatch = "PopReceiptMismatch";

    // Client-side codes for failures without an HTTP answer.
    public const string ClientTimeout = "ClientTimeout";
    public const string TransportFailure = "TransportFailure";
}
