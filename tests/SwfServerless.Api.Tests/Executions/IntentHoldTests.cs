using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Service.Executions;
using SwfServerless.Storage.Intents;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>
/// Intents held at a crash point while the test makes things happen around them: duplicates, a child's whole life, the
/// parent's end. A received message stays hidden longer than any of these tests (visibility timeout 30 s here), so
/// nothing comes back on its own, and an empty intents queue means every delivery has finished.
/// </summary>
[Collection("api")]
public sealed class IntentHoldTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private readonly IntentFaults crashes = new();

    protected override Dictionary<string, string?> Settings() =>
        new() { ["Swf:LongPollSeconds"] = "2", ["Swf:IntentVisibilitySeconds"] = "30", ["Swf:PollIntervalMilliseconds"] = "200", ["Swf:IntentPollIntervalMilliseconds"] = "200" };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIntentCrashPoints>(crashes);

    [Fact]
    public async Task Duplicates_delivered_while_the_first_delivery_is_between_target_write_and_report_change_nothing()
    {
        crashes.HoldReports = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var targetRun = (await Wf.StartAsync("target", new { taskList = new { name = "targets" } })).RunId;
        var parentRun = (await Wf.StartAsync("parent")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.StartChild("kid"), Workflows.Signal("target", "hello"), Workflows.RequestCancel("target"));
        await crashes.ThreeHeld.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The target writes are committed, the reports are not: the source still has the intents pending, so each
        // duplicate goes all the way to the target again, finds its intent row there, and reports.
        var work = App.Services.GetRequiredService<IntentsWork>();
        foreach (var message in crashes.Held.Values)
        {
            await Task.WhenAll(work.RunAsync(IntentQueue.Serialize(message), 1, CancellationToken.None), work.RunAsync(IntentQueue.Serialize(message), 1, CancellationToken.None));
        }
        crashes.HoldReports.SetResult();
        await IntentsSettledAsync(); // the held deliveries have reported

        var parent = await Wf.HistoryAsync("parent", parentRun);
        Assert.Equal((1, 1, 1), (Workflows.Count(parent, "ChildWorkflowExecutionStarted"), Workflows.Count(parent, "ExternalWorkflowExecutionSignaled"),
            Workflows.Count(parent, "ExternalWorkflowExecutionCancelRequested")));
        var target = await Wf.HistoryAsync("target", targetRun);
        Assert.Equal((1, 1), (Workflows.Count(target, "WorkflowExecutionSignaled"), Workflows.Count(target, "WorkflowExecutionCancelRequested")));
        Assert.Equal(1, await Wf.CountRunsAsync("kid"));
    }

    [Fact]
    public async Task A_child_that_continues_as_new_and_completes_before_its_start_is_reported_is_reported_started_and_completed_once()
    {
        crashes.HoldReports = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var parentRun = (await Wf.StartAsync("parent")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.StartChild("kid"));
        await crashes.FirstHeld.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the child is started; the parent has not heard

        var first = await Wf.PollDecisionAsync("kids");
        var firstRun = first.GetProperty("workflowExecution").GetProperty("runId").GetString();
        await Wf.DecideAsync(first, Workflows.ContinueAsNew("2", "kids"));
        await Wf.DecideAsync(await Wf.PollDecisionAsync("kids"), Workflows.ContinueAsNew("3", "kids"));
        var last = await Wf.PollDecisionAsync("kids");
        var lastRun = last.GetProperty("workflowExecution").GetProperty("runId").GetString();
        Assert.Equal(("parent", parentRun), (Workflows.Attributes(last.GetProperty("events")[0]).GetProperty("parentWorkflowExecution").GetProperty("workflowId").GetString(),
            Workflows.Attributes(last.GetProperty("events")[0]).GetProperty("parentWorkflowExecution").GetProperty("runId").GetString()));
        await Wf.DecideAsync(last, Workflows.Complete("r"));

        var parent = await Wf.WaitForHistoryAsync("parent", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionCompleted") == 1);
        crashes.HoldReports.SetResult();
        await IntentsSettledAsync(); // the held start and close reports are made
        parent = await Wf.HistoryAsync("parent", parentRun);
        Assert.Equal((1, 1), (Workflows.Count(parent, "ChildWorkflowExecutionStarted"), Workflows.Count(parent, "ChildWorkflowExecutionCompleted")));
        Assert.Equal(firstRun, Workflows.ChildRunId(parent));
        var completed = Workflows.Attributes(Workflows.Last(parent, "ChildWorkflowExecutionCompleted"));
        Assert.Equal((lastRun, "r"), (completed.GetProperty("workflowExecution").GetProperty("runId").GetString(), completed.GetProperty("result").GetString()));
        Assert.Equal(0, (await Wf.DescribeAsync("parent", parentRun))
            .GetProperty("openCounts").GetProperty("openChildWorkflowExecutions").GetInt32());
    }

    [Fact]
    public async Task A_child_whose_parent_is_terminated_before_the_start_is_reported_gets_the_child_policy_when_it_starts()
    {
        crashes.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var parentRun = (await Wf.StartAsync("parent")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.StartChild("kid"));
        await crashes.AtGate.Task.WaitAsync(TimeSpan.FromSeconds(20));  // the start intent is held before its target write

        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "parent" }); // policy TERMINATE
        crashes.Gate.SetResult();

        var kidRun = await Wf.WaitForRunAsync("kid");
        var kid = await Wf.WaitForHistoryAsync("kid", kidRun, e => Workflows.Count(e, "WorkflowExecutionTerminated") == 1);
        Assert.Equal("CHILD_POLICY_APPLIED", Workflows.Attributes(Workflows.Last(kid, "WorkflowExecutionTerminated")).GetProperty("cause").GetString());
        var parent = await Wf.HistoryAsync("parent", parentRun);
        Assert.Equal("WorkflowExecutionTerminated", parent[^1].GetProperty("eventType").GetString());
    }
}
