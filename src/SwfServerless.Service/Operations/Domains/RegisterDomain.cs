using SwfServerless.Core.Domains;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Domains;

namespace SwfServerless.Service.Operations.Domains;

public sealed class RegisterDomain(ServiceContext context, DomainRepository domains, QuotaGuard quotas) : ISwfOperation<RegisterDomainInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RegisterDomainInput input, SwfCall call, CancellationToken ct)
    {
        var domain = new Domain(
            Name: input.Name!,
            Description: input.Description,
            Status: RegistrationStatus.Registered,
            RetentionPeriodInDays: Domain.ParseRetention(input.WorkflowExecutionRetentionPeriodInDays!),
            Tags: ResourceTags.Merge(new Dictionary<string, string>(), input.Tags ?? []),
            RegisteredAt: context.Now(),
            DeprecatedAt: null);
        await quotas.RequireRoomForDomainAsync(domain.Name, ct);
        // The insert is the uniqueness check: of racing callers exactly one wins. A deprecated domain keeps its name.
        if (!await domains.TryInsertAsync(domain, ct))
            throw SwfFault.DomainAlreadyExists($"Domain already exists: {domain.Name}");
        return NoOutput.Instance;
    }
}
