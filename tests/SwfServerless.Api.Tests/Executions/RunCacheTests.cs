using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Time;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>
/// Each instance's copy of the runs it used (<see cref="RunCache"/>): commits try it first and history reads it covers
/// skip the query; a stale copy costs a retry, never a wrong answer. Two instances on one storage make each one's copy
/// stale in turn.
/// </summary>
[Collection("api")]
public sealed class RunCacheTests(AzuriteFixture azurite) : WorkflowTest(azurite), IAsyncLifetime
{
    private readonly string prefix = TestNames.Unique("t");
    private TestApp b = null!;
    private Workflows wfB = null!;

    protected override Dictionary<string, string?> Settings() => new()
    {
        ["Swf:StoragePrefix"] = prefix, ["Swf:LongPollSeconds"] = "2", ["Swf:SweepIntervalSeconds"] = "0",
    };

    protected override async Task SetUpAsync()
    {
        await base.SetUpAsync();
        b = await TestApp.StartAsync(Azurite, Settings());
        wfB = Wf.On(b);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await b.DisposeAsync();
        await DisposeAsync();
    }

    private static ImmutableSortedDictionary<string, long> Requests(TestApp app) =>
        app.Services.GetRequiredService<StorageClients>().Metrics.Snapshot().ByOperation;

    private static Dictionary<string, long> Since(TestApp app, ImmutableSortedDictionary<string, long> before) =>
        Requests(app).Select(p => (p.Key, Count: p.Value - before.GetValueOrDefault(p.Key))).Where(p => p.Count != 0).ToDictionary(p => p.Key, p => p.Count);

    [Fact]
    public async Task Two_instances_taking_turns_on_one_run_answer_right_and_keep_the_history_exact()
    {
        var run = await Wf.StartAsync();
        var apps = new[] { Wf, wfB };
        for (var step = 0; step < 4; step++)
        {
            // Each call goes to the instance that did not make the last change: its copy is one change behind.
            var decider = apps[step % 2];
            var decision = await decider.PollDecisionAsync(run);
            await AssertSameAsHistoryAsync(run, decision);
            await apps[(step + 1) % 2].DecideAsync(decision, Workflows.Schedule($"a{step}", input: $"in{step}"));
            var activity = await decider.PollActivityAsync();
            Assert.Equal($"in{step}", activity.GetProperty("input").GetString());
            await apps[(step + 1) % 2].App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Workflows.Token(activity), result = $"out{step}" });
        }
        var last = await wfB.PollDecisionAsync(run);
        await AssertSameAsHistoryAsync(run, last);
        await Wf.DecideAsync(last, Workflows.Complete("done"));

        var history = await Wf.HistoryAsync(run);
        Assert.Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), history.Select(e => e.GetProperty("eventId").GetInt64()));
        Assert.Equal(4, Workflows.Count(history, "ActivityTaskCompleted"));
        Assert.Equal(1, Workflows.Count(history, "WorkflowExecutionCompleted"));
        Assert.Equal(history.Select(e => e.GetRawText()), (await wfB.HistoryAsync(run)).Select(e => e.GetRawText()));
    }

    /// <summary>The decision task's events (from this instance's window or a query) are exactly the stored history's.</summary>
    private async Task AssertSameAsHistoryAsync(Execution run, JsonElement task)
    {
        var started = task.GetProperty("startedEventId").GetInt64();
        var stored = (await Wf.HistoryAsync(run)).Where(e => e.GetProperty("eventId").GetInt64() <= started).Select(e => e.GetRawText());
        Assert.Equal(stored, task.GetProperty("events").EnumerateArray().Select(e => e.GetRawText()));
    }

    [Fact]
    public async Task A_stale_copy_never_answers_unknown_resource_for_a_task_another_instance_started()
    {
        var run = await Wf.StartAsync();
        // A schedules the activity (its copy: scheduled, not started); B claims it; A gets B's token.
        await Wf.DecideAsync(run, Workflows.Schedule("a1"));
        var activity = await wfB.PollActivityAsync();
        await App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Workflows.Token(activity), result = "r" });

        // Likewise a decision task: A's copy has it scheduled when B claims it.
        var decision = await wfB.PollDecisionAsync(run);
        await Wf.DecideAsync(decision, Workflows.Complete());

        var history = await Wf.HistoryAsync(run);
        Assert.Equal(1, Workflows.Count(history, "ActivityTaskCompleted"));
        Assert.Equal(1, Workflows.Count(history, "WorkflowExecutionCompleted"));
    }

    [Fact]
    public async Task A_completed_decision_task_is_unknown_on_both_instances()
    {
        var run = await Wf.StartAsync();
        var decision = await Wf.PollDecisionAsync(run);
        await Wf.DecideAsync(decision, Workflows.Schedule("a1"));
        // The same token again: the decision task is completed, and the stored row says so too.
        await App.FaultAsync("RespondDecisionTaskCompleted", new { taskToken = Workflows.Token(decision), decisions = Array.Empty<object>() }, "UnknownResourceFault");
        await b.FaultAsync("RespondDecisionTaskCompleted", new { taskToken = Workflows.Token(decision), decisions = Array.Empty<object>() }, "UnknownResourceFault");
    }

    [Fact]
    public async Task A_claim_on_a_copy_older_than_the_scheduling_commit_rereads_instead_of_putting_the_task_back()
    {
        var run = await Wf.StartAsync();
        var decision = await Wf.PollDecisionAsync(run); // A's copy: decision started, nothing scheduled
        await wfB.DecideAsync(decision, Workflows.Schedule("a1"));

        var before = Requests(App);
        var activity = await Wf.PollActivityAsync();
        Assert.Equal(run.RunId, activity.GetProperty("workflowExecution").GetProperty("runId").GetString());
        var spent = Since(App, before);
        Assert.False(spent.ContainsKey("queue.update"), "the message was put back: " + string.Join(" ", spent));
        Assert.Equal(1, spent.GetValueOrDefault("table.get")); // the stale copy, then the stored row once
    }

    [Fact]
    public async Task A_sequential_step_on_one_instance_reads_nothing_from_tables()
    {
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, Workflows.Schedule("a0"));
        await Wf.App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Workflows.Token(await Wf.PollActivityAsync()), result = "r" });

        // One activity step, every call made after its task is queued (no poller waits): the cost of the work itself.
        // The batched reminder cleanup (README "Time": obsolete alarms go within half a second, one transaction per
        // partition) may land inside the window, from these calls or the ones before: counted apart.
        var reminders = App.Services.GetRequiredService<ReminderRepository>();
        await reminders.FlushAsync();
        var cleanupBefore = reminders.CleanupTransactions;
        var before = Requests(App);
        var decision = await Wf.PollDecisionAsync(run);
        await Wf.DecideAsync(decision, Workflows.Schedule("a1"));
        var activity = await Wf.PollActivityAsync();
        await App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Workflows.Token(activity), result = "r" });
        var spent = Since(App, before);
        var cleanup = (int)(reminders.CleanupTransactions - cleanupBefore);

        var what = string.Join(" ", spent.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));
        // Two claims and two responses (one batch each), two tasks put, received and deleted; the run and the decision's
        // history come from this instance's copy. Receives also come from idle loops, so they are bounded, not exact.
        Assert.Equal(4, spent.GetValueOrDefault("table.batch") - cleanup);
        Assert.Equal(2, spent.GetValueOrDefault("queue.put"));
        Assert.Equal(2, spent.GetValueOrDefault("queue.delete"));
        Assert.Equal(0, spent.GetValueOrDefault("table.get"));
        Assert.Equal(0, spent.GetValueOrDefault("table.query"));
        Assert.True(spent.Keys.All(k => k is "table.batch" or "queue.put" or "queue.delete" or "queue.get"), what);
    }
}
