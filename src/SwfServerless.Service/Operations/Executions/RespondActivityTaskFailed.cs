using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Executions;

public sealed class RespondActivityTaskFailed(ExecutionEngine engine, TaskTokenService tokens) : ISwfOperation<RespondActivityTaskFailedInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RespondActivityTaskFailedInput input, SwfCall call, CancellationToken ct)
    {
        var task = tokens.Require(input.TaskToken!, TaskKind.Activity);
        await engine.UpdateAsync(task.Partition, task.RunId, m =>
        {
            TaskTokenService.Authorize(call, m.State.Domain);
            m.FailActivityTask(task.ScheduledEventId, task.StartedEventId, input.Reason, input.Details);
            return 0;
        }, ct);
        return NoOutput.Instance;
    }
}
