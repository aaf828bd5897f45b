using Azure.Data.Tables;
using Azure.Storage.Queues;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>Base for tests against the shared Azurite: each test makes its own table or queue.</summary>
[Collection("azurite")]
public abstract class AzuriteTest(AzuriteFixture azurite) : IDisposable
{
    /// <summary>Retries without waiting, so tests that fail attempts on purpose stay quick.</summary>
    protected static readonly StorageClientOptions FastRetry = new() { RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5) };

    protected AzuriteFixture Azurite { get; } = azurite;

    protected StorageClients Clients { get; } = StorageClients.FromConnectionString(azurite.ConnectionString);

    protected StorageMetrics Metrics => Clients.Metrics;

    /// <summary>Clients whose every attempt passes through <paramref name="handler"/> (it may fail some) on its way to Azurite.</summary>
    protected StorageClients ClientsThrough(HttpMessageHandler handler, StorageClientOptions? options = null) =>
        StorageClients.FromConnectionString(Azurite.ConnectionString, (options ?? FastRetry) with { HttpClient = new HttpClient(handler) });

    protected async Task<TableClient> NewTableAsync(StorageClients? clients = null)
    {
        var table = (clients ?? Clients).GetTableClient(TestNames.Unique(GetType().Name));
        Assert.True(await table.CreateIfMissingAsync());
        return table;
    }

    protected async Task<QueueClient> NewQueueAsync(StorageClients? clients = null)
    {
        var queue = (clients ?? Clients).GetQueueClient(TestNames.Unique(GetType().Name));
        Assert.NotNull(await queue.CreateIfNotExistsAsync());
        return queue;
    }

    /// <summary>The same queue without base64: what is really on the wire.</summary>
    protected QueueClient Raw(QueueClient queue) =>
        new(Azurite.ConnectionString, queue.Name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    public void Dispose()
    {
        Clients.Dispose();
        GC.SuppressFinalize(this);
    }
}
