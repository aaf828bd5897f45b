using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class DeprecateWorkflowType(TypeCatalog catalog) : ISwfOperation<DeprecateWorkflowTypeInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(DeprecateWorkflowTypeInput input, SwfCall call, CancellationToken ct)
    {
        await catalog.DeprecateAsync(input.Domain!, TypeKind.Workflow, input.WorkflowType!.Name!, input.WorkflowType.Version!, ct);
        return NoOutput.Instance;
    }
}
