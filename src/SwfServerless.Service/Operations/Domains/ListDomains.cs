using SwfServerless.Core.Model;
using SwfServerless.Core.Paging;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Domains;

namespace SwfServerless.Service.Operations.Domains;

/// <summary>Domains of one registration status in name order (reverseOrder: descending), paged by opaque tokens.</summary>
public sealed class ListDomains(ServiceContext context, DomainRepository domains) : ISwfOperation<ListDomainsInput, Core.Model.DomainInfos>
{
    public async Task<Core.Model.DomainInfos> HandleAsync(ListDomainsInput input, SwfCall call, CancellationToken ct)
    {
        var all = await domains.ListAsync(input.RegistrationStatus!, ct);
        var (page, next) = Pager.Page(all, d => d.Name, input.MaximumPageSize, input.NextPageToken,
            $"ListDomains|{input.RegistrationStatus}|{input.ReverseOrder}", input.ReverseOrder == true);
        return new Core.Model.DomainInfos
        {
            DomainInfoList = page.Select(d => DomainInfos.From(d, context)).ToList(),
            NextPageToken = next,
        };
    }
}
