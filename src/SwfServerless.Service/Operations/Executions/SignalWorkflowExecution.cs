using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Records WorkflowExecutionSignaled in the named run, or the workflowId's open run; closed runs are unknown.</summary>
public sealed class SignalWorkflowExecution(ExecutionFinder finder, ExecutionEngine engine) : ISwfOperation<SignalWorkflowExecutionInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(SignalWorkflowExecutionInput input, SwfCall call, CancellationToken ct)
    {
        var (partition, runId) = await finder.RequireOpenAsync(input.Domain!, input.WorkflowId!, input.RunId, ct);
        await engine.UpdateAsync(partition, runId, m => { m.Signal(input.SignalName!, input.Input); return 0; }, ct);
        return NoOutput.Instance;
    }
}
