using SwfServerless.Core.Domains;
using SwfServerless.Core.Model;

namespace SwfServerless.Service.Operations.Domains;

internal static class DomainInfos
{
    public static DomainInfo From(Domain domain, ServiceContext context) => new()
    {
        Name = domain.Name,
        Status = domain.Status,
        Description = domain.Description,
        Arn = context.DomainArn(domain.Name),
    };
}
