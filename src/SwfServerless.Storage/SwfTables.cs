using SwfServerless.AzureStorage;

namespace SwfServerless.Storage;

/// <summary>The service's tables and queues, named with a configurable prefix so several deployments can share an account.</summary>
public sealed class SwfTables(StorageClients clients, string prefix)
{
    public TableClient Domains { get; } = clients.GetTableClient(prefix + "Domains");
    public TableClient Types { get; } = clients.GetTableClient(prefix + "Types");

    public IEnumerable<TableClient> All => [Domains, Types];

    public async Task CreateIfNotExistsAsync(CancellationToken ct)
    {
        foreach (var table in All) await table.CreateIfNotExistsAsync(ct);
    }
}
