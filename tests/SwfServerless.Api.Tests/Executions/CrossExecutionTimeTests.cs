using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Intents;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>
/// Where work across executions meets time: an execution timeout fired by the run's alarm applies the child policy, a
/// child started by the intent executor and a run started by ContinueAsNew each get their own alarm and index rows, and
/// retention never removes a run while an intent it owes is under way (the executor reads what to do from the run).
/// </summary>
[Collection("api")]
public sealed class CrossExecutionTimeTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private const int RepairSeconds = 1;
    private readonly CrashOnce crashes = new(IntentKind.RunClosed);

    protected override Dictionary<string, string?> Settings() => new()
    {
        ["Swf:LongPollSeconds"] = "2",
        ["Swf:PollIntervalMilliseconds"] = "200", ["Swf:IntentPollIntervalMilliseconds"] = "200",
        ["Swf:SweepIntervalSeconds"] = "1",
        ["Swf:VisibilityRepairSeconds"] = RepairSeconds.ToString(),
        ["Swf:IntentVisibilitySeconds"] = "3",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIntentCrashPoints>(crashes);

    [Fact]
    public async Task A_parent_that_times_out_applies_its_child_policy_TERMINATE_to_its_child()
    {
        var parentRun = (await Wf.StartAsync("parent", new { executionStartToCloseTimeout = "3", childPolicy = "TERMINATE" })).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.StartChild("kid"));
        var parent = await Wf.WaitForHistoryAsync("parent", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 1);
        var kidRun = Workflows.ChildRunId(parent);

        // Nobody decides any more: the parent's alarm fires its execution timeout, and its close carries the policy out.
        parent = await Wf.WaitForHistoryAsync("parent", parentRun, e => Workflows.Count(e, "WorkflowExecutionTimedOut") == 1);
        var timedOut = Workflows.Attributes(parent[^1]);
        Assert.Equal(("START_TO_CLOSE", "TERMINATE"), (timedOut.GetProperty("timeoutType").GetString(), timedOut.GetProperty("childPolicy").GetString()));

        var kid = await Wf.WaitForHistoryAsync("kid", kidRun, e => Workflows.Count(e, "WorkflowExecutionTerminated") == 1);
        Assert.Equal("CHILD_POLICY_APPLIED", Workflows.Attributes(kid[^1]).GetProperty("cause").GetString());
        var info = (await Wf.DescribeAsync("kid", kidRun)).GetProperty("executionInfo");
        Assert.Equal(("CLOSED", "TERMINATED"), (info.GetProperty("executionStatus").GetString(), info.GetProperty("closeStatus").GetString()));
        Assert.Contains(kidRun, await Wf.ListAsync("ListClosedWorkflowExecutions", new { status = "TERMINATED" }));
    }

    [Fact]
    public async Task A_child_started_by_the_intent_executor_has_its_own_alarm_and_its_timeout_reaches_the_parent()
    {
        var parentRun = (await Wf.StartAsync("parent2")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), new
        {
            decisionType = "StartChildWorkflowExecution",
            startChildWorkflowExecutionDecisionAttributes = new
            {
                workflowId = "short-kid", workflowType = Workflows.WorkflowType, taskList = new { name = "kids" }, executionStartToCloseTimeout = "2",
            },
        });
        var parent = await Wf.WaitForHistoryAsync("parent2", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 1);
        var kidRun = Workflows.ChildRunId(parent);

        var kid = (await LoadAsync("short-kid", kidRun))!;
        Assert.Equal(kid.State.ExecutionTimeoutDue, kid.Alarm); // committed with the start: its earliest deadline
        Assert.Contains(kidRun, await Wf.ListAsync("ListOpenWorkflowExecutions"));

        parent = await Wf.WaitForHistoryAsync("parent2", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionTimedOut") == 1);
        var timedOut = Workflows.Attributes(Workflows.Last(parent, "ChildWorkflowExecutionTimedOut"));
        Assert.Equal(("START_TO_CLOSE", kidRun), (timedOut.GetProperty("timeoutType").GetString(),
            timedOut.GetProperty("workflowExecution").GetProperty("runId").GetString()));
        Assert.Contains(kidRun, await Wf.ListAsync("ListClosedWorkflowExecutions", new { status = "TIMED_OUT" }));
    }

    [Fact]
    public async Task ContinueAsNew_gives_the_new_run_its_own_alarm_and_index_rows_and_the_old_run_its_removal_time()
    {
        var firstRun = (await Wf.StartAsync("cont")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), new
        {
            decisionType = "ContinueAsNewWorkflowExecution",
            continueAsNewWorkflowExecutionDecisionAttributes = new { executionStartToCloseTimeout = "2", input = "next" },
        });
        var first = (await LoadAsync("cont", firstRun))!;
        Assert.Equal("CONTINUED_AS_NEW", first.State.CloseStatus);
        var nextRun = Workflows.Attributes((await Wf.HistoryAsync("cont", firstRun))[^1]).GetProperty("newExecutionRunId").GetString()!;
        Assert.Equal(first.State.CloseTimestamp!.Value + TimeSpan.FromDays(1) + TimeSpan.FromSeconds(RepairSeconds), first.Alarm);
        var next = (await LoadAsync("cont", nextRun))!;
        Assert.Equal(next.State.ExecutionTimeoutDue, next.Alarm);

        Assert.Equal([nextRun], await Wf.ListAsync("ListOpenWorkflowExecutions"));
        Assert.Equal([firstRun], await Wf.ListAsync("ListClosedWorkflowExecutions", new { status = "CONTINUED_AS_NEW" }));

        // The new run's alarm fires its execution timeout (nobody takes its decision task).
        var events = await Wf.WaitForHistoryAsync("cont", nextRun, e => Workflows.Count(e, "WorkflowExecutionTimedOut") == 1);
        Assert.Equal(firstRun, Workflows.Attributes(events[0]).GetProperty("continuedExecutionRunId").GetString());
        // The index follows the close (written after its commit: SWF's lists are eventually consistent too).
        await Eventually.TrueAsync(async () => (await Wf.ListAsync("ListOpenWorkflowExecutions")).Count == 0, "the open list is empty");
        Assert.Equal([nextRun], await Wf.ListAsync("ListClosedWorkflowExecutions", new { status = "TIMED_OUT" }));
        var closed = (await LoadAsync("cont", nextRun))!;
        Assert.Equal(closed.State.CloseTimestamp!.Value + TimeSpan.FromDays(1) + TimeSpan.FromSeconds(RepairSeconds), closed.Alarm);
    }

    [Fact]
    public async Task Retention_zero_waits_for_a_childs_close_report_that_crashed_and_then_removes_every_row_of_both()
    {
        var r0 = new Workflows(App, "retain0");
        await r0.RegisterAsync(retentionDays: "0");
        var parentRun = (await r0.StartAsync("p0")).RunId;
        await r0.DecideAsync(await r0.PollDecisionAsync(), Workflows.StartChild("k0"));
        var parent = await r0.WaitForHistoryAsync("p0", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 1);
        var kidRun = Workflows.ChildRunId(parent);

        // The child's close report crashes once: its message comes back after 3 s, while the child's removal is due after 1 s.
        crashes.Armed = true;
        await r0.DecideAsync(await r0.PollDecisionAsync("kids"), Workflows.Complete("kid-done"));
        parent = await r0.WaitForHistoryAsync("p0", parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionCompleted") == 1);
        Assert.Single(crashes.Crashed);
        Assert.Equal("kid-done", Workflows.Attributes(Workflows.Last(parent, "ChildWorkflowExecutionCompleted")).GetProperty("result").GetString());

        // Then the child goes, all of it: state, history, current-run row, the row of the start that created it.
        await Eventually.TrueAsync(async () => (await RowKeysAsync("retain0", "k0")).Count == 0, "the child's rows are removed");
        Assert.EndsWith("#UnknownResourceFault", (await App.CallAsync("DescribeWorkflowExecution",
            new { domain = "retain0", execution = new { workflowId = "k0", runId = kidRun } })).FaultType);

        // The parent owes nothing when it completes: removed at once, with its index rows.
        await r0.DecideAsync(await r0.PollDecisionAsync(), Workflows.Complete());
        await Eventually.TrueAsync(async () => (await RowKeysAsync("retain0", "p0")).Count == 0, "the parent's rows are removed");
        Assert.Empty(await r0.ListAsync("ListClosedWorkflowExecutions"));
    }

    [Fact]
    public async Task Intents_go_to_the_queue_the_Intents_trigger_reads_named_by_SWF_INTENT_QUEUE_in_lowercase()
    {
        var name = "Intents-" + TestNames.Unique("q");
        await using var other = await TestApp.StartAsync(Azurite, new Dictionary<string, string?>
        {
            [TriggerSettings.IntentQueueSetting] = name,
            ["Swf:LongPollSeconds"] = "2",
        });
        var queue = other.Services.GetRequiredService<IntentQueue>();
        Assert.Equal(name.ToLowerInvariant(), queue.Name);
        Assert.Equal(queue.Name, other.Services.GetRequiredService<TriggerSettings>().IntentQueue);

        var flows = new Workflows(other);
        await flows.RegisterAsync();
        var parent = await flows.StartAsync("via-queue");
        await flows.DecideAsync(await flows.PollDecisionAsync(), Workflows.StartChild("via-queue-kid"));
        await flows.WaitForHistoryAsync(parent, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 1);
    }

    private Task<LoadedRun?> LoadAsync(string workflowId, string runId) => Wf.LoadAsync(new Execution(workflowId, runId));

    private async Task<List<string>> RowKeysAsync(string domain, string workflowId)
    {
        var tables = App.Services.GetRequiredService<SwfTables>();
        var keys = new List<string>();
        await foreach (var row in tables.Executions.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {ExecutionKeys.Partition(domain, workflowId)}"), select: []))
            keys.Add(row.RowKey);
        return keys;
    }

    /// <summary>Once armed, the first intent of that kind throws before it writes anything: left in the queue, as after a crash.</summary>
    private sealed class CrashOnce(IntentKind kind) : IIntentCrashPoints
    {
        public volatile bool Armed;
        public ConcurrentDictionary<string, IntentMessage> Crashed { get; } = new();

        public ValueTask BeforeTargetWriteAsync(IntentMessage intent, CancellationToken ct)
        {
            if (Armed && intent.Kind == kind && Crashed.IsEmpty && Crashed.TryAdd(intent.RunId, intent))
                throw new InvalidOperationException($"Injected crash in intent {intent.Kind} of run {intent.RunId}");
            return ValueTask.CompletedTask;
        }

        public ValueTask BeforeReportAsync(IntentMessage intent, CancellationToken ct) => ValueTask.CompletedTask;
    }
}
