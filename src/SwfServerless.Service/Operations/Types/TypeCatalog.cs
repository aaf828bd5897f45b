using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Paging;
using SwfServerless.Core.Types;
using SwfServerless.Storage;
using SwfServerless.Storage.Types;

namespace SwfServerless.Service.Operations.Types;

/// <summary>
/// What activity and workflow types have in common (register, find, deprecate, undeprecate, delete, list);
/// the per-operation handlers only map their inputs and outputs onto it.
/// </summary>
public sealed class TypeCatalog(ServiceContext context, TypeRepository types, QuotaGuard quotas, RegistryCache registry)
{
    public async Task RegisterAsync(RegisteredType type, CancellationToken ct)
    {
        var domain = (await context.RequireDomainAsync(type.Domain, ct)).Value;
        if (domain.IsDeprecated) throw SwfFault.DomainDeprecated($"Domain is deprecated: {domain.Name}");
        await quotas.RequireRoomForTypeAsync(type, ct);
        if (!await types.TryInsertAsync(type, ct))
            throw SwfFault.TypeAlreadyExists($"{type.Describe()} already exists in domain {type.Domain}");
        registry.ForgetType(type.Domain, type.Kind, type.Name, type.Version);
    }

    public async Task<Stored<RegisteredType>> RequireAsync(string domain, TypeKind kind, string name, string version, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(domain, ct);
        return await types.GetAsync(domain, kind, name, version, ct)
            ?? throw SwfFault.UnknownResource($"Unknown type: {(kind == TypeKind.Activity ? "ActivityType" : "WorkflowType")}=[name={name}, version={version}] in domain {domain}");
    }

    public async Task DeprecateAsync(string domain, TypeKind kind, string name, string version, CancellationToken ct)
    {
        while (true)
        {
            var (type, etag) = await RequireAsync(domain, kind, name, version, ct);
            if (type.IsDeprecated) throw SwfFault.TypeDeprecated($"{type.Describe()} is already deprecated");
            var deprecated = type with { Status = RegistrationStatus.Deprecated, DeprecatedAt = context.Now() };
            if (!await types.TryReplaceAsync(deprecated, etag, ct)) continue;
            registry.ForgetType(domain, kind, name, version);
            return;
        }
    }

    public async Task UndeprecateAsync(string domain, TypeKind kind, string name, string version, CancellationToken ct)
    {
        while (true)
        {
            var (type, etag) = await RequireAsync(domain, kind, name, version, ct);
            if (!type.IsDeprecated) throw SwfFault.TypeAlreadyExists($"{type.Describe()} is already registered");
            var registered = type with { Status = RegistrationStatus.Registered, DeprecatedAt = null };
            if (!await types.TryReplaceAsync(registered, etag, ct)) continue;
            registry.ForgetType(domain, kind, name, version);
            return;
        }
    }

    /// <summary>Only a deprecated type may be deleted (SWF: TypeNotDeprecatedFault otherwise).</summary>
    public async Task DeleteAsync(string domain, TypeKind kind, string name, string version, CancellationToken ct)
    {
        while (true)
        {
            var (type, etag) = await RequireAsync(domain, kind, name, version, ct);
            if (!type.IsDeprecated) throw SwfFault.TypeNotDeprecated($"{type.Describe()} must be deprecated before it can be deleted");
            if (!await types.TryDeleteAsync(type, etag, ct)) continue;
            registry.ForgetType(domain, kind, name, version);
            return;
        }
    }

    public async Task<(List<RegisteredType> Page, string? NextPageToken)> ListAsync(
        string domain, TypeKind kind, string registrationStatus, string? name,
        int? maximumPageSize, string? nextPageToken, bool reverseOrder, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(domain, ct);
        var all = (await types.ListAsync(domain, kind, registrationStatus, name, ct)).Select(t => t.Value);
        return Pager.Page(all, t => t.Name + "\u0000" + t.Version, maximumPageSize, nextPageToken,
            $"{kind}|{domain}|{registrationStatus}|{name}|{reverseOrder}", reverseOrder);
    }
}
