using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class UndeprecateWorkflowType(TypeCatalog catalog) : ISwfOperation<UndeprecateWorkflowTypeInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(UndeprecateWorkflowTypeInput input, SwfCall call, CancellationToken ct)
    {
        await catalog.UndeprecateAsync(input.Domain!, TypeKind.Workflow, input.WorkflowType!.Name!, input.WorkflowType.Version!, ct);
        return NoOutput.Instance;
    }
}
