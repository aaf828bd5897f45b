using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class DeleteWorkflowType(TypeCatalog catalog) : ISwfOperation<DeleteWorkflowTypeInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(DeleteWorkflowTypeInput input, SwfCall call, CancellationToken ct)
    {
        await catalog.DeleteAsync(input.Domain!, TypeKind.Workflow, input.WorkflowType!.Name!, input.WorkflowType.Version!, ct);
        return NoOutput.Instance;
    }
}
