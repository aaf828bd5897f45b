using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Executions;

public sealed class GetWorkflowExecutionHistory(ExecutionFinder finder, HistoryPages pages) : ISwfOperation<GetWorkflowExecutionHistoryInput, History>
{
    public async Task<History> HandleAsync(GetWorkflowExecutionHistoryInput input, SwfCall call, CancellationToken ct)
    {
        var run = await finder.RequireAsync(input.Domain!, input.Execution!.WorkflowId!, input.Execution.RunId!, ct);
        var (events, next) = await pages.PageAsync(run.Partition, run.State.RunId, 1, run.State.LastEventId,
            input.MaximumPageSize, input.ReverseOrder == true, input.NextPageToken, "history", ct);
        return new History { Events = HistoryWire.AsSent(events), NextPageToken = next };
    }
}
