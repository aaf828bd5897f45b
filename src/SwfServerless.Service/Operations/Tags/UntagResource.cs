using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Domains;

namespace SwfServerless.Service.Operations.Tags;

/// <summary>Removes the named tag keys from a domain; keys it does not have are ignored.</summary>
public sealed class UntagResource(ServiceContext context, DomainRepository domains) : ISwfOperation<UntagResourceInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(UntagResourceInput input, SwfCall call, CancellationToken ct)
    {
        while (true)
        {
            var (domain, etag) = await context.RequireDomainByArnAsync(input.ResourceArn!, ct);
            var remaining = domain.Tags.Where(t => !input.TagKeys!.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            if (remaining.Count == domain.Tags.Count) return NoOutput.Instance;
            if (await domains.TryReplaceAsync(domain with { Tags = remaining }, etag, ct)) return NoOutput.Instance;
        }
    }
}
