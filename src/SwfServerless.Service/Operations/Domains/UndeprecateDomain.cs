using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Domains;

namespace SwfServerless.Service.Operations.Domains;

/// <summary>Makes a deprecated domain usable again. Its types stay as they are: each is undeprecated on its own.</summary>
public sealed class UndeprecateDomain(ServiceContext context, DomainRepository domains, RegistryCache registry) : ISwfOperation<UndeprecateDomainInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(UndeprecateDomainInput input, SwfCall call, CancellationToken ct)
    {
        while (true)
        {
            var (domain, etag) = await context.RequireDomainAsync(input.Name!, ct);
            if (!domain.IsDeprecated) throw SwfFault.DomainAlreadyExists($"Domain is already registered: {domain.Name}");
            var registered = domain with { Status = RegistrationStatus.Registered, DeprecatedAt = null };
            if (!await domains.TryReplaceAsync(registered, etag, ct)) continue;
            registry.ForgetDomain(domain.Name);
            return NoOutput.Instance;
        }
    }
}
