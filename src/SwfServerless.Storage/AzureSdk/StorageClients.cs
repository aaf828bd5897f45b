using System.Collections.Concurrent;
using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// The storage account as the official SDKs reach it: one Table and one Queue service client sharing one connection
/// pool, one credential (so one token cache per service), one retry setting and one set of <see cref="StorageMetrics"/>.
/// Create one per process; the clients it hands out are cheap and thread-safe.
/// </summary>
public sealed class StorageClients : IDisposable
{
    private readonly HttpClient? _ownedHttp;

    /// <summary>A received queue message that was not ours (not base64, or not a message this app writes) was deleted: (queue name, message id), for the log.</summary>
    public event Action<string, string>? UndecodableMessageDropped;

    /// <summary>Tells <see cref="UndecodableMessageDropped"/> of a message a reader found not to be ours and deleted.</summary>
    public void ReportDropped(string queueName, string messageId) => UndecodableMessageDropped?.Invoke(queueName, messageId);

    private StorageClients(
        Func<TableClientOptions, TableServiceClient> tables, Func<QueueClientOptions, QueueServiceClient> queues, StorageClientOptions? options)
    {
        options ??= new StorageClientOptions();
        var transport = new HttpClientTransport(options.HttpClient ?? (_ownedHttp = CreateHttpClient()));

        var tablePolicy = new StorageMetricsPolicy(Metrics, StorageService.Table);
        var tableOptions = new TableClientOptions { Transport = transport };
        Configure(tableOptions, options, tablePolicy);
        Tables = tables(tableOptions);
        tablePolicy.UseServiceRoot(Tables.Uri);

        var queuePolicy = new StorageMetricsPolicy(Metrics, StorageService.Queue);
        // Base64: what the Azure Functions queue trigger decodes by default (host.json says so too); any text survives it.
        var queueOptions = new QueueClientOptions { Transport = transport, MessageEncoding = QueueMessageEncoding.Base64 };
        queueOptions.MessageDecodingFailed += async args =>
        {
            if (await QueueOperations.DropUndecodableAsync(args).ConfigureAwait(false) is { } id) UndecodableMessageDropped?.Invoke(args.Queue.Name, id);
        };
        Configure(queueOptions, options, queuePolicy);
        Queues = queues(queueOptions);
        queuePolicy.UseServiceRoot(Queues.Uri);
    }

    /// <summary>From a connection string: Azurite's <c>UseDevelopmentStorage=true</c>, or an account name and key with endpoints.</summary>
    public static StorageClients FromConnectionString(string connectionString, StorageClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new(o => new TableServiceClient(connectionString, o), o => new QueueServiceClient(connectionString, o), options);
    }

    /// <summary>Entra ID bearer tokens for <c>https://storage.azure.com</c> (the SDKs send them over HTTPS only).</summary>
    /// <param name="tableServiceUri">e.g. https://account.table.core.windows.net</param>
    /// <param name="queueServiceUri">e.g. https://account.queue.core.windows.net</param>
    public static StorageClients FromCredential(TokenCredential credential, Uri tableServiceUri, Uri queueServiceUri, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new(o => new TableServiceClient(tableServiceUri, credential, o), o => new QueueServiceClient(queueServiceUri, credential, o), options);
    }

    /// <summary>The platform's managed identity (<see cref="ManagedIdentity"/>).</summary>
    public static StorageClients FromManagedIdentity(string? clientId, Uri tableServiceUri, Uri queueServiceUri, StorageClientOptions? options = null) =>
        FromCredential(ManagedIdentity(clientId), tableServiceUri, queueServiceUri, options);

    /// <summary>
    /// The app's managed identity: user-assigned when <paramref name="clientId"/> (<c>AzureWebJobsStorage__clientId</c>) is
    /// given, else system-assigned. Storage and the calls of Lambda tasks with an audience both use it.
    /// </summary>
    public static TokenCredential ManagedIdentity(string? clientId) =>
        new ManagedIdentityCredential(string.IsNullOrEmpty(clientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));

    public TableServiceClient Tables { get; }

    public QueueServiceClient Queues { get; }

    public StorageMetrics Metrics { get; } = new();

    public TableClient GetTableClient(string name)
    {
        TableLimits.ValidateTableName(name);
        return Tables.GetTableClient(name);
    }

    /// <summary>A queue whose messages are base64 on the wire (<see cref="QueueLimits.ValidateMessage"/> counts them so).</summary>
    /// <remarks>One client per queue name, kept: every task put, claim and delete asks for one, and a new client parses its URI.</remarks>
    public QueueClient GetQueueClient(string name)
    {
        if (_queueClients.TryGetValue(name, out var client)) return client;
        QueueLimits.ValidateQueueName(name);
        if (_queueClients.Count >= MaxQueueClients) _queueClients.Clear(); // task lists come and go: keep about those in use
        return _queueClients.GetOrAdd(name, Queues.GetQueueClient);
    }

    private const int MaxQueueClients = 4096;
    private readonly ConcurrentDictionary<string, QueueClient> _queueClients = new(StringComparer.Ordinal);

    public void Dispose() => _ownedHttp?.Dispose();

    private static void Configure(ClientOptions sdk, StorageClientOptions options, StorageMetricsPolicy metrics)
    {
        sdk.Retry.Mode = RetryMode.Exponential;
        sdk.Retry.MaxRetries = options.MaxRetries;
        sdk.Retry.Delay = options.RetryDelay;
        sdk.Retry.MaxDelay = options.MaxRetryDelay;
        sdk.Retry.NetworkTimeout = options.NetworkTimeout;
        sdk.AddPolicy(ClientRequestIdPolicy.Shared, HttpPipelinePosition.PerCall);
        // After the retry policy: every attempt is counted, and a timed-out attempt fails as one without an answer.
        sdk.AddPolicy(metrics, HttpPipelinePosition.PerRetry);
        sdk.AddPolicy(new AttemptTimeoutPolicy(), HttpPipelinePosition.PerRetry);
        foreach (var policy in options.AdditionalPolicies) sdk.AddPolicy(policy, HttpPipelinePosition.PerRetry);
    }

    /// <summary>
    /// Pooled keep-alive connections, recycled every few minutes so DNS changes are seen; many per server because every
    /// concurrent request needs its own under HTTP/1.1. No overall timeout: the SDKs time out each attempt.
    /// </summary>
    private static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
