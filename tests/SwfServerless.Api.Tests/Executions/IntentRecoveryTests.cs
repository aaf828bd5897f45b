using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.Intents;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>
/// Intents survive crashes and duplicates: a crash (an exception at a crash point leaves the message in the queue, as a
/// dead process would) right after the source commit, or right after the target write, is followed by redelivery
/// (visibility timeout 1 s here) and the intent takes effect exactly once; delivering a message again changes nothing.
/// </summary>
[Collection("api")]
public sealed class IntentRecoveryTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private readonly IntentFaults crashes = new();

    protected override Dictionary<string, string?> Settings() =>
        new() { ["Swf:LongPollSeconds"] = "2", ["Swf:IntentVisibilitySeconds"] = "1", ["Swf:PollIntervalMilliseconds"] = "200", ["Swf:IntentPollIntervalMilliseconds"] = "200" };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIntentCrashPoints>(crashes);

    [Theory]
    [InlineData(CrashPoint.BeforeTargetWrite)]
    [InlineData(CrashPoint.BeforeReport)]
    public async Task After_a_crash_the_child_starts_once_the_signal_arrives_once_the_cancel_request_is_recorded_once(CrashPoint point)
    {
        crashes.At = point;
        var targetRun = (await Wf.StartAsync("target", new { taskList = new { name = "targets" } })).RunId;
        var parentRun = (await Wf.StartAsync("parent")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(),
            Workflows.StartChild("kid"), Workflows.Signal("target", "hello", input: "once"), Workflows.RequestCancel("target"));

        var parent = await Wf.WaitForHistoryAsync("parent", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 1
            && Workflows.Count(e, "ExternalWorkflowExecutionSignaled") == 1 && Workflows.Count(e, "ExternalWorkflowExecutionCancelRequested") == 1);
        // Each of the three intents crashed once at the crash point, and was carried out on its redelivery.
        Assert.Equal(3, crashes.Crashed.Count);
        await IntentsSettledAsync(); // no redelivery is left to come

        var target = await Wf.HistoryAsync("target", targetRun);
        Assert.Equal((1, 1), (Workflows.Count(target, "WorkflowExecutionSignaled"), Workflows.Count(target, "WorkflowExecutionCancelRequested")));
        parent = await Wf.HistoryAsync("parent", parentRun);
        Assert.Equal((1, 1, 1), (Workflows.Count(parent, "ChildWorkflowExecutionStarted"), Workflows.Count(parent, "ExternalWorkflowExecutionSignaled"),
            Workflows.Count(parent, "ExternalWorkflowExecutionCancelRequested")));
        Assert.Equal(1, await Wf.CountRunsAsync("kid"));
        var kidRun = Workflows.ChildRunId(parent);
        var kid = await Wf.PollDecisionAsync("kids");
        Assert.Equal(kidRun, kid.GetProperty("workflowExecution").GetProperty("runId").GetString());
    }

    [Fact]
    public async Task Delivering_every_intent_message_twice_more_changes_nothing()
    {
        var targetRun = (await Wf.StartAsync("target", new { taskList = new { name = "targets" } })).RunId;
        var parentRun = (await Wf.StartAsync("parent")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(),
            Workflows.StartChild("kid"), Workflows.Signal("target", "hello"), Workflows.RequestCancel("target"), Workflows.Signal("nobody", "lost"));
        await Wf.WaitForHistoryAsync("parent", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 1
            && Workflows.Count(e, "ExternalWorkflowExecutionSignaled") == 1 && Workflows.Count(e, "ExternalWorkflowExecutionCancelRequested") == 1
            && Workflows.Count(e, "SignalExternalWorkflowExecutionFailed") == 1);
        // The child completes and the parent hears of it (a RunClosed intent); then the parent is terminated with a child
        // policy over a second child (another RunClosed intent).
        await Wf.DecideAsync(await Wf.PollDecisionAsync("kids"), Workflows.Complete("r"));
        var events = await Wf.WaitForHistoryAsync("parent", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionCompleted") == 1);
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.StartChild("kid2", childPolicy: "ABANDON"));
        events = await Wf.WaitForHistoryAsync("parent", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 2);
        var kid2Run = Workflows.ChildRunId(events);
        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "parent", childPolicy = "REQUEST_CANCEL" });
        await Wf.WaitForHistoryAsync("kid2", kid2Run, e => Workflows.Count(e, "WorkflowExecutionCancelRequested") == 1);
        await IntentsSettledAsync(); // every intent has been seen and carried out

        var seen = crashes.Seen.Values.ToList();
        Assert.Equal([IntentKind.StartChild, IntentKind.StartChild, IntentKind.SignalExternal, IntentKind.SignalExternal, IntentKind.RequestCancelExternal,
            IntentKind.RunClosed, IntentKind.RunClosed], seen.Select(m => m.Kind).Order());
        var before = await SnapshotAsync();
        var work = App.Services.GetRequiredService<IntentsWork>();
        foreach (var message in seen)
        {
            await work.RunAsync(IntentQueue.Serialize(message), 1, CancellationToken.None);
            await work.RunAsync(IntentQueue.Serialize(message), 1, CancellationToken.None);
        }
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Under_the_Functions_trigger_an_intent_not_yet_committed_is_requeued_and_dropped_after_the_grace_period()
    {
        var queue = App.Services.GetRequiredService<IntentQueue>();
        var work = App.Services.GetRequiredService<IntentsWork>();
        Assert.Equal(0, await queue.CountAsync(CancellationToken.None));

        // The trigger completes (deletes) the delivered message itself; a deferral must therefore queue a delayed copy.
        var young = new IntentMessage(IntentKind.SignalExternal, "no-such-partition", "no-such-run", 5, DateTimeOffset.UtcNow);
        await work.RunAsync(IntentQueue.Serialize(young), 1, CancellationToken.None);
        Assert.Equal(1, await queue.CountAsync(CancellationToken.None));

        // Past the grace period: the commit that queued it failed for good. Dropped, no copy.
        var old = young with { RunId = "another-run", EnqueuedAt = DateTimeOffset.UtcNow.AddMinutes(-3) };
        await work.RunAsync(IntentQueue.Serialize(old), 1, CancellationToken.None);
        await work.RunAsync("not an intent", 1, CancellationToken.None);
        Assert.Equal(1, await queue.CountAsync(CancellationToken.None));
    }

    /// <summary>Every run's history, as text, of the test's domain.</summary>
    private async Task<string> SnapshotAsync()
    {
        var runs = new List<(string WorkflowId, string RunId)>();
        foreach (var operation in new[] { "ListOpenWorkflowExecutions", "ListClosedWorkflowExecutions" })
        {
            var page = await App.OkAsync(operation, new { domain = Wf.Domain, startTimeFilter = new { oldestDate = 0 } });
            runs.AddRange(page.GetProperty("executionInfos").EnumerateArray().Select(i =>
                (i.GetProperty("execution").GetProperty("workflowId").GetString()!, i.GetProperty("execution").GetProperty("runId").GetString()!)));
        }
        var text = new List<string>();
        foreach (var (workflowId, runId) in runs.Order())
            text.Add($"{workflowId}/{runId}: " + JsonSerializer.Serialize(await Wf.HistoryAsync(workflowId, runId)));
        return string.Join("\n", text);
    }
}
