using SwfServerless.Core.Domains;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Tags;

public sealed class ListTagsForResource(ServiceContext context) : ISwfOperation<ListTagsForResourceInput, ListTagsForResourceOutput>
{
    public async Task<ListTagsForResourceOutput> HandleAsync(ListTagsForResourceInput input, SwfCall call, CancellationToken ct)
    {
        var domain = (await context.RequireDomainByArnAsync(input.ResourceArn!, ct)).Value;
        return new ListTagsForResourceOutput { Tags = ResourceTags.ToList(domain.Tags) };
    }
}
