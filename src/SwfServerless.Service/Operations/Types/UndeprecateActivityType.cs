using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class UndeprecateActivityType(TypeCatalog catalog) : ISwfOperation<UndeprecateActivityTypeInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(UndeprecateActivityTypeInput input, SwfCall call, CancellationToken ct)
    {
        await catalog.UndeprecateAsync(input.Domain!, TypeKind.Activity, input.ActivityType!.Name!, input.ActivityType.Version!, ct);
        return NoOutput.Instance;
    }
}
