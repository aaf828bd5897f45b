using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Tasks waiting in the task list's queues (approximate, as SWF allows).</summary>
public sealed class CountPendingDecisionTasks(ServiceContext context, TaskQueues queues) : ISwfOperation<CountPendingDecisionTasksInput, PendingTaskCount>
{
    public async Task<PendingTaskCount> HandleAsync(CountPendingDecisionTasksInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        return new PendingTaskCount { Count = await queues.CountAsync(input.Domain!, TaskKind.Decision, input.TaskList!.Name!, ct), Truncated = false };
    }
}
