using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Tasks waiting in the task list's queues (approximate, as SWF allows).</summary>
public sealed class CountPendingActivityTasks(ServiceContext context, TaskQueues queues) : ISwfOperation<CountPendingActivityTasksInput, PendingTaskCount>
{
    public async Task<PendingTaskCount> HandleAsync(CountPendingActivityTasksInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        return new PendingTaskCount { Count = await queues.CountAsync(input.Domain!, TaskKind.Activity, input.TaskList!.Name!, ct), Truncated = false };
    }
}
