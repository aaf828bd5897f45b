using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Domains;
using SwfServerless.Storage.Types;

namespace SwfServerless.Service.Operations.Domains;

/// <summary>
/// Deprecates the domain and then every type registered in it (SWF: "deprecating a domain also deprecates all
/// activity and workflow types registered in the domain"). The domain row is committed first with a pending
/// flag, so a crash half-way through the types is finished by the next DeprecateDomain call, which still
/// answers DomainDeprecatedFault.
/// </summary>
public sealed class DeprecateDomain(ServiceContext context, DomainRepository domains, TypeRepository types, RegistryCache registry)
    : ISwfOperation<DeprecateDomainInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(DeprecateDomainInput input, SwfCall call, CancellationToken ct)
    {
        while (true)
        {
            var (domain, etag) = await context.RequireDomainAsync(input.Name!, ct);
            if (domain.IsDeprecated)
            {
                if (await domains.IsTypesDeprecationPendingAsync(domain.Name, ct))
                    await FinishAsync(domain.Name, ct);
                throw SwfFault.DomainDeprecated($"Domain is already deprecated: {domain.Name}");
            }
            var deprecated = domain with { Status = RegistrationStatus.Deprecated, DeprecatedAt = context.Now() };
            if (!await domains.TryReplaceAsync(deprecated, etag, ct, typesDeprecationPending: true)) continue;
            await FinishAsync(domain.Name, ct);
            return NoOutput.Instance;
        }
    }

    private async Task FinishAsync(string name, CancellationToken ct)
    {
        // Forgotten before and after: a call on this instance sees the domain deprecated at once, and its types once they are.
        registry.ForgetDomain(name);
        await types.DeprecateAllAsync(name, context.Now(), ct);
        registry.ForgetDomain(name);
        while (await domains.GetAsync(name, ct) is { } current && current.Value.IsDeprecated)
            if (await domains.TryReplaceAsync(current.Value, current.ETag, ct, typesDeprecationPending: false)) return;
    }
}
