using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Operations.Executions;

public sealed class RespondActivityTaskCompleted(ExecutionEngine engine, TaskTokenService tokens) : ISwfOperation<RespondActivityTaskCompletedInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RespondActivityTaskCompletedInput input, SwfCall call, CancellationToken ct)
    {
        var task = tokens.Require(input.TaskToken!, TaskKind.Activity);
        await engine.UpdateAsync(task.Partition, task.RunId, m =>
        {
            TaskTokenService.Authorize(call, m.State.Domain);
            m.CompleteActivityTask(task.ScheduledEventId, task.StartedEventId, input.Result);
            return 0;
        }, ct);
        return NoOutput.Instance;
    }
}
