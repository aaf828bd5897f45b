namespace SwfServerless.AzureStorage;

/// <summary>Which service a request goes to; the two sign Shared Key differently.</summary>
internal enum StorageService
{
    Table,
    Queue,
}
