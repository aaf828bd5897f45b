using System.Collections.Concurrent;
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
    private readonly CrashOnce crashes = new();

    protected override Dictionary<string, string?> Settings() =>
        new() { ["Swf:LongPollSeconds"] = "2", ["Swf:IntentVisibilitySeconds"] = "1", ["Swf:PollIntervalMilliseconds"] = "200" };

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
        var kidRun = Workflows.Attributes(Workflows.Last(parent, "ChildWorkflowExecutionStarted")).GetProperty("workflowExecution").GetProperty("runId").GetString();
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
        var kid2Run = Workflows.Attributes(Workflows.Last(events, "ChildWorkflowExecutionStarted")).GetProperty("workflowExecution").GetProperty("runId").GetString()!;
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
        await IntentsSettledAsync(); // the messages are done with, by the held deliveries or by their redeliveries
        // A held delivery whose message came back meanwhile may still be reporting; a second report must add nothing, and
        // only time shows nothing: its bounded chance.
        await Task.Delay(1000);

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
        await IntentsSettledAsync(); // the start message is done with, by the held delivery or by a redelivery
        // The held delivery, if its message came back meanwhile, may still be reporting; a second report must add nothing,
        // and only time shows nothing: its bounded chance.
        await Task.Delay(1000);
        parent = await Wf.HistoryAsync("parent", parentRun);
        Assert.Equal((1, 1), (Workflows.Count(parent, "ChildWorkflowExecutionStarted"), Workflows.Count(parent, "ChildWorkflowExecutionCompleted")));
        Assert.Equal(firstRun, Workflows.Attributes(Workflows.Last(parent, "ChildWorkflowExecutionStarted")).GetProperty("workflowExecution").GetProperty("runId").GetString());
        var completed = Workflows.Attributes(Workflows.Last(parent, "ChildWorkflowExecutionCompleted"));
        Assert.Equal((lastRun, "r"), (completed.GetProperty("workflowExecution").GetProperty("runId").GetString(), completed.GetProperty("result").GetString()));
        Assert.Equal(0, (await App.OkAsync("DescribeWorkflowExecution", new { domain = Wf.Domain, execution = new { workflowId = "parent", runId = parentRun } }))
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

    public enum CrashPoint { None, BeforeTargetWrite, BeforeReport }

    /// <summary>
    /// Crashes each intent once at the chosen point; records every intent it saw; can hold the first start intent before
    /// its target write, or the first delivery of each intent before its report.
    /// </summary>
    private sealed class CrashOnce : IIntentCrashPoints
    {
        public CrashPoint At { get; set; }
        public ConcurrentDictionary<string, IntentMessage> Crashed { get; } = new();
        public ConcurrentDictionary<string, IntentMessage> Seen { get; } = new();
        public TaskCompletionSource? Gate { get; set; }
        public TaskCompletionSource AtGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask BeforeTargetWriteAsync(IntentMessage intent, CancellationToken ct)
        {
            Seen.TryAdd(Key(intent), intent);
            if (Gate is { } gate && intent.Kind == IntentKind.StartChild)
            {
                AtGate.TrySetResult();
                await gate.Task.WaitAsync(ct);
            }
            Crash(intent, CrashPoint.BeforeTargetWrite);
        }

        public TaskCompletionSource? HoldReports { get; set; }
        public ConcurrentDictionary<string, IntentMessage> Held { get; } = new();
        public TaskCompletionSource ThreeHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource FirstHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask BeforeReportAsync(IntentMessage intent, CancellationToken ct)
        {
            if (HoldReports is { } hold && Held.TryAdd(Key(intent), intent))
            {
                FirstHeld.TrySetResult();
                if (Held.Count == 3) ThreeHeld.TrySetResult();
                await hold.Task.WaitAsync(ct);
            }
            Crash(intent, CrashPoint.BeforeReport);
        }

        private void Crash(IntentMessage intent, CrashPoint point)
        {
            if (At == point && Crashed.TryAdd(Key(intent), intent)) throw new InvalidOperationException($"Injected crash {point} in {Key(intent)}");
        }

        private static string Key(IntentMessage m) => $"{m.Kind}|{m.RunId}|{m.EventId}";
    }
}
