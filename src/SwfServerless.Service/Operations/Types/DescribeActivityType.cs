using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class DescribeActivityType(TypeCatalog catalog) : ISwfOperation<DescribeActivityTypeInput, ActivityTypeDetail>
{
    public async Task<ActivityTypeDetail> HandleAsync(DescribeActivityTypeInput input, SwfCall call, CancellationToken ct)
    {
        var type = (await catalog.RequireAsync(input.Domain!, TypeKind.Activity, input.ActivityType!.Name!, input.ActivityType.Version!, ct)).Value;
        return new ActivityTypeDetail { TypeInfo = TypeInfos.Activity(type), Configuration = type.ActivityDefaults ?? new() };
    }
}
