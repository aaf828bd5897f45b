using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>
/// Long-polls a task list for an activity task; after the poll time, an empty answer as Amazon SWF sends it:
/// <c>{"startedEventId":0}</c>, no taskToken member at all. The model's documentation speaks of "an empty string", but
/// the wire has none (amazonka issues #108, #257) and clients test for the member's absence (the AWS Flow Framework's
/// getTaskToken() == null, boto3's 'taskToken' not in resp); see PollForDecisionTask.
/// </summary>
public sealed class PollForActivityTask(ServiceContext context, TaskPoller poller, ExecutionRepository executions, TaskTokenService tokens)
    : ISwfOperation<PollForActivityTaskInput, ActivityTask>
{
    public async Task<ActivityTask> HandleAsync(PollForActivityTaskInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        var claimed = await poller.PollActivityAsync(input.Domain!, input.TaskList!.Name!, input.Identity, ct);
        if (claimed is null) return new ActivityTask { StartedEventId = 0 };
        var start = claimed.Start;
        // The input stays in history, not in the run's state; the task's message usually brings it along.
        var taskInput = CarriesInput(claimed)
            ? claimed.Message.Input
            : (await executions.GetEventAsync(claimed.Partition, claimed.State.RunId, start.ScheduledEventId, ct))?.ActivityTaskScheduledEventAttributes?.Input;
        return new ActivityTask
        {
            TaskToken = tokens.Issue(TaskKind.Activity, claimed.Partition, claimed.State.RunId, start.ScheduledEventId, start.StartedEventId),
            ActivityId = start.ActivityId,
            StartedEventId = start.StartedEventId,
            WorkflowExecution = start.WorkflowExecution,
            ActivityType = start.ActivityType,
            Input = taskInput,
        };
    }

    /// <summary>
    /// Whether the task's message brought the input along (from the commit that scheduled it: in-process for a task started
    /// for a poller waiting here,
    /// else in the queue message) for the activity that was claimed. A message of a commit that lost its race may
    /// name the same event id for another activity (the retry numbered events differently): then its activity id or its
    /// scheduled time differs, and the input is read from history instead.
    /// </summary>
    private static bool CarriesInput(ClaimedTask<ActivityTaskStart> claimed)
    {
        var message = claimed.Message;
        var activity = claimed.State.FindActivity(claimed.Start.ScheduledEventId);
        return message.HasInput && message.ActivityId == claimed.Start.ActivityId && activity is not null && message.ScheduledAt == activity.ScheduledAt;
    }
}
