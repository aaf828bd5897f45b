using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Executions;

public sealed class DescribeWorkflowExecution(ExecutionFinder finder) : ISwfOperation<DescribeWorkflowExecutionInput, WorkflowExecutionDetail>
{
    public async Task<WorkflowExecutionDetail> HandleAsync(DescribeWorkflowExecutionInput input, SwfCall call, CancellationToken ct)
    {
        var run = await finder.RequireAsync(input.Domain!, input.Execution!.WorkflowId!, input.Execution.RunId!, ct);
        return run.State.Detail();
    }
}
