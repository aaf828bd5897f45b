using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Types;

/// <summary>
/// Types of one domain and kind share a partition; the row key is name and version (neither may hold '|').
/// Registration is an insert, so a name+version can be registered once however many callers race.
/// </summary>
public sealed class TypeRepository(SwfTables tables)
{
    private TableClient Table => tables.Types;

    public static string PartitionOf(string domain, TypeKind kind)
    {
        var suffix = kind == TypeKind.Activity ? "|activity" : "|workflow";
        return KeyEncoding.Bounded(KeyEncoding.Escape(domain) + suffix, domain + suffix);
    }

    public static string RowOf(string name, string version) =>
        KeyEncoding.Bounded(KeyEncoding.Escape(name) + "|" + KeyEncoding.Escape(version), name + "\n" + version);

    public async Task<Stored<RegisteredType>?> GetAsync(string domain, TypeKind kind, string name, string version, CancellationToken ct)
    {
        var row = await Table.GetRowAsync(PartitionOf(domain, kind), RowOf(name, version), cancellationToken: ct);
        return row is null ? null : new Stored<RegisteredType>(FromRow(row, domain, kind), row.ETag.ToString());
    }

    /// <summary>False when the name and version are already taken (registered or deprecated).</summary>
    public async Task<bool> TryInsertAsync(RegisteredType type, CancellationToken ct)
    {
        try
        {
            await Table.AddRowAsync(ToRow(type), ct);
            return true;
        }
        catch (RequestFailedException e) when (e.IsEntityAlreadyExists())
        {
            return false;
        }
    }

    /// <summary>Replaces the type if unchanged since read; false when it changed or was deleted meanwhile (a racing DeleteActivityType).</summary>
    public async Task<bool> TryReplaceAsync(RegisteredType type, string etag, CancellationToken ct)
    {
        try
        {
            await Table.UpdateRowAsync(ToRow(type), new ETag(etag), TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.IsConcurrencyConflict())
        {
            return false;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Deletes the type if unchanged since read; false when it changed or is already gone.</summary>
    public async Task<bool> TryDeleteAsync(RegisteredType type, string etag, CancellationToken ct)
    {
        try
        {
            return await Table.DeleteRowAsync(PartitionOf(type.Domain, type.Kind), RowOf(type.Name, type.Version), new ETag(etag), ct);
        }
        catch (RequestFailedException e) when (e.IsConcurrencyConflict())
        {
            return false;
        }
    }

    /// <summary>All types of a domain and kind, optionally of one status and one name, with their ETags.</summary>
    public async Task<List<Stored<RegisteredType>>> ListAsync(
        string domain, TypeKind kind, string? registrationStatus, string? name, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(domain, kind)}");
        if (registrationStatus is not null) filter += " and " + TableClient.CreateQueryFilter($"Status eq {registrationStatus}");
        if (name is not null) filter += " and " + TableClient.CreateQueryFilter($"Name eq {name}");
        var result = new List<Stored<RegisteredType>>();
        await foreach (var row in Table.QueryRowsAsync(filter, cancellationToken: ct))
            result.Add(new Stored<RegisteredType>(FromRow(row, domain, kind), row.ETag.ToString()));
        return result;
    }

    /// <summary>Deprecates every registered type of a domain, both kinds; safe to repeat and to race.</summary>
    public async Task DeprecateAllAsync(string domain, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var kind in new[] { TypeKind.Activity, TypeKind.Workflow })
        {
            foreach (var (type, etag) in await ListAsync(domain, kind, RegistrationStatus.Registered, null, ct))
            {
                var current = (type, etag);
                // A lost race means someone changed this type meanwhile: reread it and deprecate it if still registered.
                while (!await TryReplaceAsync(current.type with { Status = RegistrationStatus.Deprecated, DeprecatedAt = now }, current.etag, ct))
                {
                    if (await GetAsync(domain, kind, type.Name, type.Version, ct) is not { } reread || reread.Value.IsDeprecated) break;
                    current = (reread.Value, reread.ETag);
                }
            }
        }
    }

    private static TableEntity ToRow(RegisteredType t) => new(PartitionOf(t.Domain, t.Kind), RowOf(t.Name, t.Version))
    {
        ["Name"] = t.Name,
        ["Version"] = t.Version,
        ["Status"] = t.Status,
        ["Description"] = t.Description,
        ["CreatedAt"] = t.CreatedAt,
        ["DeprecatedAt"] = t.DeprecatedAt,
        ["Defaults"] = t.Kind == TypeKind.Activity
            ? JsonSerializer.Serialize(t.ActivityDefaults ?? new(), SwfJsonContext.Default.ActivityTypeConfiguration)
            : JsonSerializer.Serialize(t.WorkflowDefaults ?? new(), SwfJsonContext.Default.WorkflowTypeConfiguration),
    };

    private static RegisteredType FromRow(TableEntity row, string domain, TypeKind kind)
    {
        var defaults = row.GetString("Defaults") ?? "{}";
        return new RegisteredType(
            kind, domain, row.GetString("Name")!, row.GetString("Version")!, row.GetString("Status")!, row.GetString("Description"),
            row.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.UnixEpoch, row.GetDateTimeOffset("DeprecatedAt"),
            kind == TypeKind.Activity ? JsonSerializer.Deserialize(defaults, SwfJsonContext.Default.ActivityTypeConfiguration) : null,
            kind == TypeKind.Workflow ? JsonSerializer.Deserialize(defaults, SwfJsonContext.Default.WorkflowTypeConfiguration) : null);
    }
}
