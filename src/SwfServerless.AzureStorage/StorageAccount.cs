using Azure.Core;

namespace SwfServerless.AzureStorage;

/// <summary>
/// Where a storage account's Table and Queue services live and how requests to them are authorized:
/// an account key (Shared Key, also what Azurite uses) or a token credential (managed identity).
/// </summary>
public sealed class StorageAccount
{
    // The emulator's fixed, public account; documented by Microsoft, not a secret.
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageAccount(string name, Uri tableEndpoint, Uri queueEndpoint, byte[]? key, TokenCredential? credential)
    {
        Name = name;
        TableEndpoint = tableEndpoint;
        QueueEndpoint = queueEndpoint;
        Key = key;
        Credential = credential;
    }

    public string Name { get; }

    /// <summary>Table service root without a trailing slash; path-style for Azurite (http://127.0.0.1:10002/devstoreaccount1).</summary>
    public Uri TableEndpoint { get; }

    public Uri QueueEndpoint { get; }

    internal byte[]? Key { get; }

    internal TokenCredential? Credential { get; }

    public static StorageAccount Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = ConnectionStringParser.Parse(connectionString);

        if (settings.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            return new StorageAccount(
                DevelopmentAccountName,
                new Uri("http://127.0.0.1:10002/" + DevelopmentAccountName),
                new Uri("http://127.0.0.1:10001/" + DevelopmentAccountName),
                Convert.FromBase64String(DevelopmentAccountKey),
                credential: null);
        }

        if (settings.ContainsKey("SharedAccessSignature"))
            throw new ArgumentException("SAS connection strings are not supported; use an account key or a token credential.", nameof(connectionString));
        if (!settings.TryGetValue("AccountName", out var name) || string.IsNullOrEmpty(name))
            throw new ArgumentException("The connection string has no AccountName.", nameof(connectionString));
        if (!settings.TryGetValue("AccountKey", out var key) || string.IsNullOrEmpty(key))
            throw new ArgumentException("The connection string has no AccountKey.", nameof(connectionString));

        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        var table = settings.TryGetValue("TableEndpoint", out var t) ? t : $"{protocol}://{name}.table.{suffix}";
        var queue = settings.TryGetValue("QueueEndpoint", out var q) ? q : $"{protocol}://{name}.queue.{suffix}";

        byte[] keyBytes;
        try { keyBytes = Convert.FromBase64String(key); }
        catch (FormatException e) { throw new ArgumentException("AccountKey is not valid base64.", nameof(connectionString), e); }

        return new StorageAccount(name, Endpoint(table), Endpoint(queue), keyBytes, credential: null);
    }

    /// <summary>Managed identity / Entra ID: bearer tokens for https://storage.azure.com/.default.</summary>
    public static StorageAccount WithTokenCredential(string accountName, TokenCredential credential, string endpointSuffix = "core.windows.net")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        return WithTokenCredential(accountName, credential,
            new Uri($"https://{accountName}.table.{endpointSuffix}"),
            new Uri($"https://{accountName}.queue.{endpointSuffix}"));
    }

    public static StorageAccount WithTokenCredential(string accountName, TokenCredential credential, Uri tableEndpoint, Uri queueEndpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentNullException.ThrowIfNull(credential);
        return new StorageAccount(accountName, Endpoint(tableEndpoint.OriginalString), Endpoint(queueEndpoint.OriginalString), key: null, credential);
    }

    public static StorageAccount WithSharedKey(string accountName, string accountKey, Uri tableEndpoint, Uri queueEndpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        return new StorageAccount(accountName, Endpoint(tableEndpoint.OriginalString), Endpoint(queueEndpoint.OriginalString),
            Convert.FromBase64String(accountKey), credential: null);
    }

    // Resource URIs are built by appending "/name", so keep endpoints without a trailing slash.
    private static Uri Endpoint(string value) => new(value.TrimEnd('/'), UriKind.Absolute);
}
