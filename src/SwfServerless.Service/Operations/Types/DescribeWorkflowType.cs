using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Types;

public sealed class DescribeWorkflowType(TypeCatalog catalog) : ISwfOperation<DescribeWorkflowTypeInput, WorkflowTypeDetail>
{
    public async Task<WorkflowTypeDetail> HandleAsync(DescribeWorkflowTypeInput input, SwfCall call, CancellationToken ct)
    {
        var type = (await catalog.RequireAsync(input.Domain!, TypeKind.Workflow, input.WorkflowType!.Name!, input.WorkflowType.Version!, ct)).Value;
        return new WorkflowTypeDetail { TypeInfo = TypeInfos.Workflow(type), Configuration = type.WorkflowDefaults ?? new() };
    }
}
