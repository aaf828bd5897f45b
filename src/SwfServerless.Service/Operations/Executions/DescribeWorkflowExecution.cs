using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Service.Operations.Executions;

public sealed class DescribeWorkflowExecution(ExecutionFinder finder, ExecutionRepository executions)
    : ISwfOperation<DescribeWorkflowExecutionInput, WorkflowExecutionDetail>
{
    public async Task<WorkflowExecutionDetail> HandleAsync(DescribeWorkflowExecutionInput input, SwfCall call, CancellationToken ct)
    {
        var run = await finder.RequireAsync(input.Domain!, input.Execution!.WorkflowId!, input.Execution.RunId!, ct);
        var state = run.State;
        // The latest executionContext stays in its DecisionTaskCompleted event (the state row only names it).
        string? context = null;
        if (state.LatestExecutionContextEventId > 0)
        {
            context = (await executions.GetEventAsync(run.Partition, state.RunId, state.LatestExecutionContextEventId, ct))
                ?.DecisionTaskCompletedEventAttributes?.ExecutionContext;
        }
        return state.Detail(context);
    }
}
