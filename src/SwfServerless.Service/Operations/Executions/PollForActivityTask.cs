using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>Long-polls a task list for an activity task; an empty answer (no taskToken) after the poll time.</summary>
public sealed class PollForActivityTask(ServiceContext context, TaskPoller poller, ExecutionRepository executions, TaskTokenService tokens)
    : ISwfOperation<PollForActivityTaskInput, ActivityTask>
{
    public async Task<ActivityTask> HandleAsync(PollForActivityTaskInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        var claimed = await poller.PollActivityAsync(input.Domain!, input.TaskList!.Name!, input.Identity, ct);
        if (claimed is null) return new ActivityTask { TaskToken = "", StartedEventId = 0 };
        var start = claimed.Start;
        // The input stays in history, not in the run's state: read it from the ActivityTaskScheduled event.
        var scheduled = await executions.GetEventAsync(claimed.Partition, claimed.State.RunId, start.ScheduledEventId, ct);
        return new ActivityTask
        {
            TaskToken = tokens.Issue(TaskKind.Activity, claimed.Partition, claimed.State.RunId, start.ScheduledEventId, start.StartedEventId),
            ActivityId = start.ActivityId,
            StartedEventId = start.StartedEventId,
            WorkflowExecution = start.WorkflowExecution,
            ActivityType = start.ActivityType,
            Input = scheduled?.ActivityTaskScheduledEventAttributes?.Input,
        };
    }
}
