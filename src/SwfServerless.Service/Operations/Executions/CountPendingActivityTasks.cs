using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Activity tasks scheduled on the task list and neither started nor closed, from the runs' state rows (see <see cref="PendingTasks"/>).</summary>
public sealed class CountPendingActivityTasks(ServiceContext context, PendingTasks pending) : ISwfOperation<CountPendingActivityTasksInput, PendingTaskCount>
{
    public async Task<PendingTaskCount> HandleAsync(CountPendingActivityTasksInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        var (count, truncated) = await pending.CountAsync(input.Domain!, TaskKind.Activity, input.TaskList!.Name!, ct);
        return new PendingTaskCount { Count = count, Truncated = truncated };
    }
}
