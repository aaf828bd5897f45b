using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>
/// One state read and one write to the activity's own heartbeat row, never to the run's state row: heartbeats
/// of many parallel activities do not contend. The details are kept for the ActivityTaskTimedOut event.
/// </summary>
public sealed class RecordActivityTaskHeartbeat(ServiceContext context, ExecutionRepository executions, TaskTokenService tokens)
    : ISwfOperation<RecordActivityTaskHeartbeatInput, Core.Model.ActivityTaskStatus>
{
    public async Task<Core.Model.ActivityTaskStatus> HandleAsync(RecordActivityTaskHeartbeatInput input, SwfCall call, CancellationToken ct)
    {
        var task = tokens.Require(input.TaskToken!, TaskKind.Activity);
        var run = await executions.LoadAsync(task.Partition, task.RunId, ct) ?? throw ExecutionEngine.UnknownExecution(task.RunId);
        TaskTokenService.Authorize(call, run.State.Domain);
        var status = new ExecutionMachine(run.State, context.Now()).RecordHeartbeat(task.ScheduledEventId, task.StartedEventId);
        await executions.RecordHeartbeatAsync(task.Partition, task.RunId, task.ScheduledEventId, task.StartedEventId, input.Details, context.Now(), ct);
        return new Core.Model.ActivityTaskStatus { CancelRequested = status.CancelRequested };
    }
}
