using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage;

/// <summary>The service's tables and queues, named with a configurable prefix so several deployments can share an account.</summary>
public sealed class SwfTables(StorageClients clients, string prefix)
{
    public TableClient Domains { get; } = clients.GetTableClient(prefix + "Domains");
    public TableClient Types { get; } = clients.GetTableClient(prefix + "Types");
    public TableClient Executions { get; } = clients.GetTableClient(prefix + "Executions");
    public TableClient Visibility { get; } = clients.GetTableClient(prefix + "Visibility");
    public TableClient Secrets { get; } = clients.GetTableClient(prefix + "Secrets");
    public TableClient TaskLists { get; } = clients.GetTableClient(prefix + "TaskLists");
    public TableClient Reminders { get; } = clients.GetTableClient(prefix + "Reminders");

    public IEnumerable<TableClient> All => [Domains, Types, Executions, Visibility, Secrets, TaskLists, Reminders];

    public async Task CreateIfNotExistsAsync(CancellationToken ct)
    {
        foreach (var table in All) await table.CreateIfMissingAsync(ct);
    }
}
