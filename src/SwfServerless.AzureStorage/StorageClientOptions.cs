namespace SwfServerless.AzureStorage;

public sealed record StorageClientOptions
{
    public StorageRetryPolicy Retry { get; init; } = StorageRetryPolicy.Default;

    /// <summary>Clock for x-ms-date, token expiry and retry delays.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Base64 is what the Azure Functions queue trigger expects by default.</summary>
    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <summary>REST API version sent as x-ms-version; supported by Azure and by Azurite 3.37.</summary>
    public string ServiceVersion { get; init; } = "2021-12-02";
}
