using System.Net;

namespace SwfServerless.AzureStorage;

/// <summary>
/// Makes table and queue clients that share one HTTP connection pool, one credential (and token cache),
/// one retry policy and one set of metrics. Create one per process; clients are cheap and thread-safe.
/// </summary>
public sealed class StorageClients : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly StoragePipeline _pipeline;

    /// <param name="http">Bring your own to add handlers (tests); its Timeout is left alone, so make it infinite or long.</param>
    public StorageClients(StorageAccount account, HttpClient? http = null, StorageMetrics? metrics = null, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        Account = account;
        Options = options ?? new StorageClientOptions();
        Metrics = metrics ?? new StorageMetrics();
        _ownsHttp = http is null;
        _http = http ?? CreateHttpClient();
        _pipeline = new StoragePipeline(_http, RequestAuthorizer.For(account, Options.TimeProvider), Metrics, Options);
    }

    public StorageAccount Account { get; }

    public StorageMetrics Metrics { get; }

    public StorageClientOptions Options { get; }

    public TableClient GetTableClient(string name) => new(_pipeline, Account.TableEndpoint, name);

    public QueueClient GetQueueClient(string name, QueueMessageEncoding? encoding = null) =>
        new(_pipeline, Account.QueueEndpoint, name, encoding ?? Options.MessageEncoding);

    /// <summary>
    /// Pooled keep-alive connections, recycled every few minutes so DNS changes are seen; many connections per
    /// server because every concurrent request needs its own under HTTP/1.1. Timeouts are per attempt in the pipeline.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
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

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }
}
