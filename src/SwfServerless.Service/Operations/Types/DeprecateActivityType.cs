using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class DeprecateActivityType(TypeCatalog catalog) : ISwfOperation<DeprecateActivityTypeInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(DeprecateActivityTypeInput input, SwfCall call, CancellationToken ct)
    {
        await catalog.DeprecateAsync(input.Domain!, TypeKind.Activity, input.ActivityType!.Name!, input.ActivityType.Version!, ct);
        return NoOutput.Instance;
    }
}
