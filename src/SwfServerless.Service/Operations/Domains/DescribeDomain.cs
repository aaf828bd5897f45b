using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Domains;

public sealed class DescribeDomain(ServiceContext context) : ISwfOperation<DescribeDomainInput, DomainDetail>
{
    public async Task<DomainDetail> HandleAsync(DescribeDomainInput input, SwfCall call, CancellationToken ct)
    {
        var domain = (await context.RequireDomainAsync(input.Name!, ct)).Value;
        return new DomainDetail
        {
            DomainInfo = DomainInfos.From(domain, context),
            Configuration = new DomainConfiguration
            {
                WorkflowExecutionRetentionPeriodInDays = domain.RetentionPeriodInDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }
}
