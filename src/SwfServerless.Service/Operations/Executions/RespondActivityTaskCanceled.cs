using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Executions;

public sealed class RespondActivityTaskCanceled(ExecutionEngine engine, TaskTokenService tokens) : ISwfOperation<RespondActivityTaskCanceledInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RespondActivityTaskCanceledInput input, SwfCall call, CancellationToken ct)
    {
        var task = tokens.Require(input.TaskToken!, TaskKind.Activity);
        await engine.UpdateAsync(task.Partition, task.RunId, m =>
        {
            TaskTokenService.Authorize(call, m.State.Domain);
            m.CancelActivityTask(task.ScheduledEventId, task.StartedEventId, input.Details);
            return 0;
        }, ct);
        return NoOutput.Instance;
    }
}
