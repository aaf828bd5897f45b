using SwfServerless.Storage.Tasks;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Dispatch;

/// <summary>
/// CountPendingActivityTasks / CountPendingDecisionTasks count exactly the tasks scheduled and neither started, cancelled
/// nor timed out (<see cref="PendingTasks"/>): each transition, right after the call that makes it or, for a timeout,
/// once the timeout has fired.
/// </summary>
[Collection("api")]
public sealed class PendingCountTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private const string Activities = "CountPendingActivityTasks", Decisions = "CountPendingDecisionTasks";

    protected override Dictionary<string, string?> Settings() => new() { ["Swf:LongPollSeconds"] = "2" };

    private async Task<int> PendingAsync(string operation, string taskList) =>
        (await App.OkAsync(operation, new { domain = Wf.Domain, taskList = new { name = taskList } })).GetProperty("count").GetInt32();

    private static object CancelActivity(string activityId) =>
        new { decisionType = "RequestCancelActivityTask", requestCancelActivityTaskDecisionAttributes = new { activityId } };

    private static object ScheduleWithStartTimeout(string activityId, string seconds) => new
    {
        decisionType = "ScheduleActivityTask",
        scheduleActivityTaskDecisionAttributes = new { activityId, activityType = new { name = "work", version = "1" }, scheduleToStartTimeout = seconds },
    };

    [Fact]
    public async Task Scheduled_started_cancelled_before_start_and_terminated_tasks_are_counted_exactly()
    {
        var run = await Wf.StartAsync();
        Assert.Equal(1, await PendingAsync(Decisions, Workflows.Deciders));
        var decision = await Wf.PollDecisionAsync(run);
        Assert.Equal(0, await PendingAsync(Decisions, Workflows.Deciders));

        await Wf.DecideAsync(decision, Workflows.Schedule("a1"), Workflows.Schedule("a2"), Workflows.Schedule("a3"), Workflows.Schedule("b1", taskList: "other"));
        Assert.Equal(3, await PendingAsync(Activities, Workflows.Workers));
        Assert.Equal(1, await PendingAsync(Activities, "other"));
        Assert.Equal(0, await PendingAsync(Activities, "nobody"));

        var started = (await Wf.PollActivityAsync()).GetProperty("activityId").GetString();
        Assert.Equal(2, await PendingAsync(Activities, Workflows.Workers));

        await Wf.SignalAsync(run);
        Assert.Equal(1, await PendingAsync(Decisions, Workflows.Deciders));
        var unstarted = new[] { "a1", "a2", "a3" }.First(a => a != started);
        await Wf.DecideAsync(run, CancelActivity(unstarted)); // not started: cancelled at once
        Assert.Equal(1, await PendingAsync(Activities, Workflows.Workers));
        Assert.Equal(1, await PendingAsync(Decisions, Workflows.Deciders)); // ActivityTaskCanceled asks for a decision

        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = run.WorkflowId, runId = run.RunId });
        Assert.Equal(0, await PendingAsync(Activities, Workflows.Workers));
        Assert.Equal(0, await PendingAsync(Activities, "other"));
        Assert.Equal(0, await PendingAsync(Decisions, Workflows.Deciders));
    }

    [Fact]
    public async Task An_activity_that_times_out_before_it_starts_leaves_the_count()
    {
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, ScheduleWithStartTimeout("late", "1"), Workflows.Schedule("stays"));
        Assert.Equal(2, await PendingAsync(Activities, Workflows.Workers));
        await Wf.WaitForEventAsync(run, "ActivityTaskTimedOut");
        Assert.Equal(1, await PendingAsync(Activities, Workflows.Workers));
    }

    [Fact]
    public async Task A_decision_task_that_times_out_is_counted_again_once_rescheduled()
    {
        var run = await Wf.StartAsync(taskTimeout: "1");
        await Wf.PollDecisionAsync(run);
        Assert.Equal(0, await PendingAsync(Decisions, Workflows.Deciders));
        await Wf.WaitForEventAsync(run, "DecisionTaskTimedOut");
        Assert.Equal(1, await PendingAsync(Decisions, Workflows.Deciders));
    }

    [Fact]
    public async Task A_run_with_tasks_on_more_task_lists_than_its_row_holds_is_still_counted()
    {
        var run = await Wf.StartAsync();
        var lists = Enumerable.Range(0, PendingTasks.MaxListsPerRow + 1).Select(i => $"list-{i}").ToList();
        var decisions = lists.Select(l => Workflows.Schedule("on-" + l, taskList: l))
            .Append(Workflows.Schedule("w1")).Append(Workflows.Schedule("w2")).ToArray();
        await Wf.DecideAsync(run, decisions);

        Assert.Equal(2, await PendingAsync(Activities, Workflows.Workers));
        Assert.Equal(1, await PendingAsync(Activities, "list-7"));
        await Wf.PollActivityAsync("list-7");
        Assert.Equal(0, await PendingAsync(Activities, "list-7"));
        Assert.Equal(2, await PendingAsync(Activities, Workflows.Workers));
    }
}
