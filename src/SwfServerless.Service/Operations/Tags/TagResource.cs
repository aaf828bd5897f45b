using SwfServerless.Core.Domains;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Domains;

namespace SwfServerless.Service.Operations.Tags;

/// <summary>Adds or overwrites tags of a domain; more than 50 in all is TooManyTagsFault and changes nothing.</summary>
public sealed class TagResource(ServiceContext context, DomainRepository domains) : ISwfOperation<TagResourceInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(TagResourceInput input, SwfCall call, CancellationToken ct)
    {
        while (true)
        {
            var (domain, etag) = await context.RequireDomainByArnAsync(input.ResourceArn!, ct);
            var tagged = domain with { Tags = ResourceTags.Merge(domain.Tags, input.Tags!) };
            if (await domains.TryReplaceAsync(tagged, etag, ct)) return NoOutput.Instance;
        }
    }
}
