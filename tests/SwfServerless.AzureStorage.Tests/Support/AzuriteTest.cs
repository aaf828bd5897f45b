using SwfServerless.Testing;

namespace SwfServerless.AzureStorage.Tests;

/// <summary>Base for tests against the shared Azurite: each test makes its own table or queue.</summary>
[Collection("azurite")]
public abstract class AzuriteTest : IDisposable
{
    protected AzuriteTest(AzuriteFixture azurite)
    {
        Azurite = azurite;
        Account = StorageAccount.Parse(azurite.ConnectionString);
        Clients = new StorageClients(Account, metrics: Metrics);
    }

    protected AzuriteFixture Azurite { get; }

    protected StorageAccount Account { get; }

    protected StorageMetrics Metrics { get; } = new();

    protected StorageClients Clients { get; }

    protected async Task<TableClient> NewTableAsync(StorageClients? clients = null)
    {
        var table = (clients ?? Clients).GetTableClient(TestNames.Unique(GetType().Name));
        Assert.True(await table.CreateIfNotExistsAsync());
        return table;
    }

    protected async Task<QueueClient> NewQueueAsync(StorageClients? clients = null, QueueMessageEncoding? encoding = null)
    {
        var queue = (clients ?? Clients).GetQueueClient(TestNames.Unique(GetType().Name), encoding);
        Assert.True(await queue.CreateIfNotExistsAsync());
        return queue;
    }

    public void Dispose()
    {
        Clients.Dispose();
        GC.SuppressFinalize(this);
    }
}
