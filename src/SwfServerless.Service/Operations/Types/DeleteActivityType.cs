using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class DeleteActivityType(TypeCatalog catalog) : ISwfOperation<DeleteActivityTypeInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(DeleteActivityTypeInput input, SwfCall call, CancellationToken ct)
    {
        await catalog.DeleteAsync(input.Domain!, TypeKind.Activity, input.ActivityType!.Name!, input.ActivityType.Version!, ct);
        return NoOutput.Instance;
    }
}
