using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SwfServerless.Core.Domains;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Domains;

/// <summary>
/// Domains live in one partition (SWF caps an account at a few hundred domains), one row each, keyed by name.
/// Registration is an insert, so two racing RegisterDomain calls cannot both win.
/// </summary>
public sealed class DomainRepository(SwfTables tables)
{
    private const string Partition = "domain";
    private TableClient Table => tables.Domains;

    public async Task<Stored<Domain>?> GetAsync(string name, CancellationToken ct)
    {
        var row = await Table.GetRowAsync(Partition, KeyEncoding.EscapeKey(name), cancellationToken: ct);
        return row is null ? null : new Stored<Domain>(FromRow(row), row.ETag.ToString());
    }

    /// <summary>Inserts a new domain; false when one of that name already exists (registered or deprecated).</summary>
    public async Task<bool> TryInsertAsync(Domain domain, CancellationToken ct)
    {
        try
        {
            await Table.AddRowAsync(ToRow(domain, typesDeprecationPending: false), ct);
            return true;
        }
        catch (RequestFailedException e) when (e.IsEntityAlreadyExists())
        {
            return false;
        }
    }

    /// <summary>Replaces the domain if it is unchanged since read; false when someone else changed it first.</summary>
    public async Task<bool> TryReplaceAsync(Domain domain, string etag, CancellationToken ct, bool typesDeprecationPending = false)
    {
        try
        {
            await Table.UpdateRowAsync(ToRow(domain, typesDeprecationPending), new ETag(etag), TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.IsConcurrencyConflict())
        {
            return false;
        }
    }

    /// <summary>True while a DeprecateDomain has not yet finished deprecating the domain's types.</summary>
    public async Task<bool> IsTypesDeprecationPendingAsync(string name, CancellationToken ct)
    {
        var row = await Table.GetRowAsync(Partition, KeyEncoding.EscapeKey(name), ["TypesDeprecationPending"], ct);
        return row?.GetBoolean("TypesDeprecationPending") == true;
    }

    public async Task<List<Domain>> ListAsync(string registrationStatus, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {registrationStatus}");
        var result = new List<Domain>();
        await foreach (var row in Table.QueryRowsAsync(filter, cancellationToken: ct)) result.Add(FromRow(row));
        return result;
    }

    private static TableEntity ToRow(Domain d, bool typesDeprecationPending) => new(Partition, KeyEncoding.EscapeKey(d.Name))
    {
        ["Name"] = d.Name,
        ["Description"] = d.Description,
        ["Status"] = d.Status,
        ["RetentionDays"] = d.RetentionPeriodInDays,
        ["Tags"] = JsonSerializer.Serialize(d.Tags, StorageJsonContext.Default.IReadOnlyDictionaryStringString),
        ["RegisteredAt"] = d.RegisteredAt,
        ["DeprecatedAt"] = d.DeprecatedAt,
        ["TypesDeprecationPending"] = typesDeprecationPending,
    };

    private static Domain FromRow(TableEntity row) => new(
        Name: row.GetString("Name")!,
        Description: row.GetString("Description"),
        Status: row.GetString("Status")!,
        RetentionPeriodInDays: row.GetInt32("RetentionDays") ?? 0,
        Tags: JsonSerializer.Deserialize(row.GetString("Tags") ?? "{}", StorageJsonContext.Default.IReadOnlyDictionaryStringString)!,
        RegisteredAt: row.GetDateTimeOffset("RegisteredAt") ?? DateTimeOffset.UnixEpoch,
        DeprecatedAt: row.GetDateTimeOffset("DeprecatedAt"));
}
