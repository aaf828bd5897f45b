using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Closes the run at once as TERMINATED (cause OPERATOR_INITIATED).</summary>
public sealed class TerminateWorkflowExecution(ExecutionFinder finder, ExecutionEngine engine) : ISwfOperation<TerminateWorkflowExecutionInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(TerminateWorkflowExecutionInput input, SwfCall call, CancellationToken ct)
    {
        var (partition, runId) = await finder.RequireOpenAsync(input.Domain!, input.WorkflowId!, input.RunId, ct);
        await engine.UpdateAsync(partition, runId, m =>
        {
            m.Terminate(input.Reason, input.Details, input.ChildPolicy, WorkflowExecutionTerminatedCause.OperatorInitiated);
            return 0;
        }, ct);
        return NoOutput.Instance;
    }
}
