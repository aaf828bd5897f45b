using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Records WorkflowExecutionCancelRequested; the decider decides what cancelling means.</summary>
public sealed class RequestCancelWorkflowExecution(ExecutionFinder finder, ExecutionEngine engine) : ISwfOperation<RequestCancelWorkflowExecutionInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RequestCancelWorkflowExecutionInput input, SwfCall call, CancellationToken ct)
    {
        var (partition, runId) = await finder.RequireOpenAsync(input.Domain!, input.WorkflowId!, input.RunId, ct);
        await engine.UpdateAsync(partition, runId, m => { m.RequestCancel(); return 0; }, ct);
        return NoOutput.Instance;
    }
}
