using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Paging;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>
/// Long-polls a task list for a decision task and answers with its history, paged. A call with a nextPageToken
/// does not claim a new task: it returns the next page of the task it came with.
/// </summary>
public sealed class PollForDecisionTask(
    ServiceContext context, TaskPoller poller, ExecutionRepository executions, HistoryPages pages, TaskTokenService tokens)
    : ISwfOperation<PollForDecisionTaskInput, DecisionTask>
{
    private const string PageScope = "PollForDecisionTask";

    /// <summary>
    /// An empty poll, as Amazon SWF answers it: <c>{"previousStartedEventId":0,"startedEventId":0}</c>, with no taskToken
    /// and no events member. The model's documentation says "the value of taskToken is an empty string"; we keep the
    /// wire instead, which has no taskToken at all (raw bodies from swf.us-west-2 in amazonka issues #108, #257, #285),
    /// because clients are written against the wire: the AWS Flow Framework for Java's pollers take a poll as empty
    /// only when getTaskToken() == null, and boto3 pollers test <c>'taskToken' not in resp</c>. moto sent "" once
    /// (PR #2769) and went back to no member (PR #3680). Null members are not written (SwfJsonContext).
    /// </summary>
    private static DecisionTask Empty => new() { StartedEventId = 0, PreviousStartedEventId = 0 };

    public async Task<DecisionTask> HandleAsync(PollForDecisionTaskInput input, SwfCall call, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(input.Domain!, ct);
        if (!string.IsNullOrEmpty(input.NextPageToken)) return await NextPageAsync(input, ct);

        var claimed = await poller.PollDecisionAsync(input.Domain!, input.TaskList!.Name!, input.Identity, ct);
        if (claimed is null) return Empty;
        var start = claimed.Start;
        var taskToken = tokens.Issue(TaskKind.Decision, claimed.Partition, claimed.State.RunId, start.ScheduledEventId, start.StartedEventId);
        return await AnswerAsync(input, claimed.Partition, claimed.State.RunId, taskToken, start.StartedEventId, start.PreviousStartedEventId,
            start.WorkflowExecution, start.WorkflowType, null, ct);
    }

    private async Task<DecisionTask> NextPageAsync(PollForDecisionTaskInput input, CancellationToken ct)
    {
        // The page token carries the task token it belongs to; that token's signature vouches for the task.
        var text = Pager.Decode(input.NextPageToken, PageScope) ?? "";
        var separator = text.IndexOf(' ');
        if (separator < 0) throw SwfFault.Validation("Invalid value at 'nextPageToken'.");
        var taskToken = text[..separator];
        var task = tokens.Require(taskToken, TaskKind.Decision);
        var run = await executions.LoadAsync(task.Partition, task.RunId, ct) ?? throw ExecutionEngine.UnknownExecution(task.RunId);
        // The page belongs to the poll of this domain (whose access the caller's policy was checked for), no other.
        if (run.State.Domain != input.Domain)
            throw SwfFault.Validation("Invalid value at 'nextPageToken': the token is malformed or belongs to a different query.");
        return await AnswerAsync(input, task.Partition, task.RunId, taskToken, task.StartedEventId, run.State.PreviousStartedEventId,
            run.State.Execution, run.State.WorkflowType, text[(separator + 1)..], ct);
    }

    private async Task<DecisionTask> AnswerAsync(PollForDecisionTaskInput input, string partition, string runId, string taskToken,
        long startedEventId, long previousStartedEventId, WorkflowExecution execution, WorkflowType type, string? historyToken, CancellationToken ct)
    {
        var first = input.StartAtPreviousStartedEvent == true && previousStartedEventId > 0 ? previousStartedEventId : 1;
        var (events, next) = await pages.PageAsync(partition, runId, first, startedEventId, input.MaximumPageSize, input.ReverseOrder == true,
            historyToken, taskToken, ct);
        return new DecisionTask
        {
            TaskToken = taskToken,
            StartedEventId = startedEventId,
            PreviousStartedEventId = previousStartedEventId,
            WorkflowExecution = execution,
            WorkflowType = type,
            Events = HistoryWire.AsSent(events),
            NextPageToken = next is null ? null : Pager.Encode(PageScope, $"{taskToken} {next}"),
        };
    }
}
