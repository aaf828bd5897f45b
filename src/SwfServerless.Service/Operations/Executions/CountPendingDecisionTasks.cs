using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Decision tasks scheduled on the task list and neither started nor closed, from the runs' state rows (see <see cref="PendingTasks"/>).</summary>
public sealed class CountPendingDecisionTasks(ServiceContext context, PendingTasks pending) : ISwfOperation<CountPendingDecisionTasksInput, PendingTaskCount>
{
    public async Task<PendingTaskCount> HandleAsync(CountPendingDecisionTasksInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        var (count, truncated) = await pending.CountAsync(input.Domain!, TaskKind.Decision, input.TaskList!.Name!, ct);
        return new PendingTaskCount { Count = count, Truncated = truncated };
    }
}
