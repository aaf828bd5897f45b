using System.Collections.Concurrent;
using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>Child workflows, signals and cancel requests between executions, ContinueAsNew and child policies, over real HTTP against Azurite.</summary>
[Collection("api")]
public sealed class CrossExecutionTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    protected override Dictionary<string, string?> Settings() => new() { ["Swf:LongPollSeconds"] = "2" };

    [Fact]
    public async Task A_parent_starts_a_child_hears_it_started_and_completed_each_with_a_decision_task()
    {
        var parentRun = (await Wf.StartAsync("parent")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.StartChild("kid", input: "to-kid", control: "ctl"));

        var second = await Wf.PollDecisionAsync();
        var events = second.GetProperty("events").EnumerateArray().ToList();
        Assert.EndsWith("DecisionTaskCompleted, StartChildWorkflowExecutionInitiated, ChildWorkflowExecutionStarted, DecisionTaskScheduled, DecisionTaskStarted",
            Workflows.Types(events));
        var initiated = Workflows.Attributes(Workflows.Last(events, "StartChildWorkflowExecutionInitiated"));
        Assert.Equal(("kid", "kids", "TERMINATE", "ctl", "600"), (initiated.GetProperty("workflowId").GetString(), initiated.GetProperty("taskList").GetProperty("name").GetString(),
            initiated.GetProperty("childPolicy").GetString(), initiated.GetProperty("control").GetString(), initiated.GetProperty("executionStartToCloseTimeout").GetString()));
        var started = Workflows.Attributes(Workflows.Last(events, "ChildWorkflowExecutionStarted"));
        var kidRun = started.GetProperty("workflowExecution").GetProperty("runId").GetString()!;
        Assert.Equal(5, started.GetProperty("initiatedEventId").GetInt64());
        Assert.Equal(1, (await Wf.DescribeAsync("parent", parentRun)).GetProperty("openCounts").GetProperty("openChildWorkflowExecutions").GetInt32());
        await Wf.DecideAsync(second);

        var kid = await Wf.PollDecisionAsync("kids");
        Assert.Equal(kidRun, kid.GetProperty("workflowExecution").GetProperty("runId").GetString());
        var kidStarted = Workflows.Attributes(kid.GetProperty("events")[0]);
        Assert.Equal(("parent", parentRun, 5L, "to-kid"), (kidStarted.GetProperty("parentWorkflowExecution").GetProperty("workflowId").GetString(),
            kidStarted.GetProperty("parentWorkflowExecution").GetProperty("runId").GetString(), kidStarted.GetProperty("parentInitiatedEventId").GetInt64(),
            kidStarted.GetProperty("input").GetString()));
        var kidInfo = (await Wf.DescribeAsync("kid", kidRun)).GetProperty("executionInfo");
        Assert.Equal(parentRun, kidInfo.GetProperty("parent").GetProperty("runId").GetString());
        await Wf.DecideAsync(kid, Workflows.Complete("kid-result"));

        var third = await Wf.PollDecisionAsync();
        var completed = Workflows.Attributes(Workflows.Last(third.GetProperty("events").EnumerateArray(), "ChildWorkflowExecutionCompleted"));
        Assert.Equal(("kid-result", 5L, 6L, kidRun), (completed.GetProperty("result").GetString(), completed.GetProperty("initiatedEventId").GetInt64(),
            completed.GetProperty("startedEventId").GetInt64(), completed.GetProperty("workflowExecution").GetProperty("runId").GetString()));
        Assert.Equal(0, (await Wf.DescribeAsync("parent", parentRun)).GetProperty("openCounts").GetProperty("openChildWorkflowExecutions").GetInt32());
        await Wf.DecideAsync(third, Workflows.Complete());
    }

    [Fact]
    public async Task Starting_a_child_whose_workflowId_is_open_fails_with_WORKFLOW_ALREADY_RUNNING_and_a_missing_type_in_the_decision()
    {
        await Wf.StartAsync("busy", new { taskList = new { name = "elsewhere" } });
        var parentRun = (await Wf.StartAsync("parent")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.StartChild("busy", control: "c1"), new
        {
            decisionType = "StartChildWorkflowExecution",
            startChildWorkflowExecutionDecisionAttributes = new { workflowId = "nope", workflowType = new { name = "flow", version = "9" } },
        });

        var events = await Wf.WaitForHistoryAsync("parent", parentRun, e => Workflows.Count(e, "StartChildWorkflowExecutionFailed") == 2);
        var failures = events.Where(e => e.GetProperty("eventType").GetString() == "StartChildWorkflowExecutionFailed").Select(Workflows.Attributes).ToList();
        Assert.Equal(("WORKFLOW_TYPE_DOES_NOT_EXIST", 0L), (failures[0].GetProperty("cause").GetString(), failures[0].GetProperty("initiatedEventId").GetInt64()));
        Assert.Equal(("WORKFLOW_ALREADY_RUNNING", 5L, 4L, "c1"), (failures[1].GetProperty("cause").GetString(), failures[1].GetProperty("initiatedEventId").GetInt64(),
            failures[1].GetProperty("decisionTaskCompletedEventId").GetInt64(), failures[1].GetProperty("control").GetString()));
        Assert.Equal(1, await Wf.CountRunsAsync("busy"));
    }

    [Fact]
    public async Task A_signal_to_another_execution_arrives_once_and_the_sender_hears_it_was_delivered_or_failed()
    {
        var targetRun = (await Wf.StartAsync("target", new { taskList = new { name = "targets" } })).RunId;
        var senderRun = (await Wf.StartAsync("sender")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(),
            Workflows.Signal("target", "hello", input: "payload", control: "ctl"), Workflows.Signal("nobody", "hello", control: "lost"),
            Workflows.Signal("target", "pinned", runId: "0123456789abcdef0123456789abcdef", control: "old run"));

        var sender = await Wf.WaitForHistoryAsync("sender", senderRun, e => Workflows.Count(e, "ExternalWorkflowExecutionSignaled") == 1
            && Workflows.Count(e, "SignalExternalWorkflowExecutionFailed") == 2);
        var signaled = Workflows.Attributes(Workflows.Last(sender, "ExternalWorkflowExecutionSignaled"));
        Assert.Equal((targetRun, 5L), (signaled.GetProperty("workflowExecution").GetProperty("runId").GetString(), signaled.GetProperty("initiatedEventId").GetInt64()));
        var failed = sender.Where(e => e.GetProperty("eventType").GetString() == "SignalExternalWorkflowExecutionFailed").Select(Workflows.Attributes)
            .OrderBy(a => a.GetProperty("initiatedEventId").GetInt64()).ToList();
        Assert.Equal(("UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", "nobody", 6L, 4L, "lost"), (failed[0].GetProperty("cause").GetString(), failed[0].GetProperty("workflowId").GetString(),
            failed[0].GetProperty("initiatedEventId").GetInt64(), failed[0].GetProperty("decisionTaskCompletedEventId").GetInt64(), failed[0].GetProperty("control").GetString()));
        Assert.Equal(("UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", "old run"), (failed[1].GetProperty("cause").GetString(), failed[1].GetProperty("control").GetString()));

        var target = await Wf.HistoryAsync("target", targetRun);
        Assert.Equal(1, Workflows.Count(target, "WorkflowExecutionSignaled"));
        var received = Workflows.Attributes(Workflows.Last(target, "WorkflowExecutionSignaled"));
        Assert.Equal(("hello", "payload", "sender", senderRun, 5L), (received.GetProperty("signalName").GetString(), received.GetProperty("input").GetString(),
            received.GetProperty("externalWorkflowExecution").GetProperty("workflowId").GetString(),
            received.GetProperty("externalWorkflowExecution").GetProperty("runId").GetString(), received.GetProperty("externalInitiatedEventId").GetInt64()));
    }

    [Fact]
    public async Task A_cancel_request_to_another_execution_is_recorded_there_once_and_reported_back()
    {
        var targetRun = (await Wf.StartAsync("target", new { taskList = new { name = "targets" } })).RunId;
        var senderRun = (await Wf.StartAsync("sender")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.RequestCancel("target", targetRun, "c1"), Workflows.RequestCancel("nobody", control: "c2"));

        var sender = await Wf.WaitForHistoryAsync("sender", senderRun, e => Workflows.Count(e, "ExternalWorkflowExecutionCancelRequested") == 1
            && Workflows.Count(e, "RequestCancelExternalWorkflowExecutionFailed") == 1);
        var requested = Workflows.Attributes(Workflows.Last(sender, "ExternalWorkflowExecutionCancelRequested"));
        Assert.Equal((targetRun, 5L), (requested.GetProperty("workflowExecution").GetProperty("runId").GetString(), requested.GetProperty("initiatedEventId").GetInt64()));
        var failed = Workflows.Attributes(Workflows.Last(sender, "RequestCancelExternalWorkflowExecutionFailed"));
        Assert.Equal(("UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", "c2", 6L), (failed.GetProperty("cause").GetString(), failed.GetProperty("control").GetString(),
            failed.GetProperty("initiatedEventId").GetInt64()));

        var target = await Wf.HistoryAsync("target", targetRun);
        var received = Workflows.Attributes(Workflows.Last(target, "WorkflowExecutionCancelRequested"));
        Assert.Equal(1, Workflows.Count(target, "WorkflowExecutionCancelRequested"));
        Assert.Equal((senderRun, 5L), (received.GetProperty("externalWorkflowExecution").GetProperty("runId").GetString(), received.GetProperty("externalInitiatedEventId").GetInt64()));
        Assert.True((await Wf.DescribeAsync("target", targetRun)).GetProperty("executionInfo").GetProperty("cancelRequested").GetBoolean());
    }

    [Fact]
    public async Task ContinueAsNew_three_times_then_complete_leaves_a_chain_of_runs_in_one_workflowId()
    {
        var firstRun = (await Wf.StartAsync("looping", new { input = "0", tagList = new[] { "loop" } })).RunId;
        var runs = new List<string> { firstRun };
        for (var i = 1; i <= 4; i++)
        {
            var task = await Wf.PollDecisionAsync();
            var started = Workflows.Attributes(task.GetProperty("events")[0]);
            Assert.Equal($"{i - 1}", started.GetProperty("input").GetString());
            Assert.Equal(runs[^1], task.GetProperty("workflowExecution").GetProperty("runId").GetString());
            if (i > 1) Assert.Equal(runs[^2], started.GetProperty("continuedExecutionRunId").GetString());
            if (i == 4) { await Wf.DecideAsync(task, Workflows.Complete("done")); break; }
            await Wf.DecideAsync(task, Workflows.ContinueAsNew($"{i}"));
            var continued = Workflows.Attributes(Workflows.Last(await Wf.HistoryAsync("looping", runs[^1]), "WorkflowExecutionContinuedAsNew"));
            runs.Add(continued.GetProperty("newExecutionRunId").GetString()!);
            // The workflowId's open run is the new one at once: a signal without runId reaches it.
            if (i == 2) await App.OkAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = "looping", signalName = "poke" });
        }

        var closed = await App.OkAsync("ListClosedWorkflowExecutions", new
        {
            domain = Wf.Domain, startTimeFilter = new { oldestDate = 0 }, executionFilter = new { workflowId = "looping" }, reverseOrder = true,
        });
        var infos = closed.GetProperty("executionInfos").EnumerateArray().ToList();
        Assert.Equal(runs, infos.Select(i => i.GetProperty("execution").GetProperty("runId").GetString()));
        Assert.Equal(["CONTINUED_AS_NEW", "CONTINUED_AS_NEW", "CONTINUED_AS_NEW", "COMPLETED"], infos.Select(i => i.GetProperty("closeStatus").GetString()));
        Assert.Equal(1, Workflows.Count(await Wf.HistoryAsync("looping", runs[2]), "WorkflowExecutionSignaled"));
        var open = await App.OkAsync("CountOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = new { oldestDate = 0 }, executionFilter = new { workflowId = "looping" } });
        Assert.Equal(0, open.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task ContinueAsNew_to_a_missing_version_fails_in_the_decision_and_the_run_stays_open()
    {
        var run = await Wf.StartAsync("stays");
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), new
        {
            decisionType = "ContinueAsNewWorkflowExecution",
            continueAsNewWorkflowExecutionDecisionAttributes = new { workflowTypeVersion = "9" },
        });
        var events = await Wf.HistoryAsync(run);
        Assert.Equal("WORKFLOW_TYPE_DOES_NOT_EXIST", Workflows.Attributes(Workflows.Last(events, "ContinueAsNewWorkflowExecutionFailed")).GetProperty("cause").GetString());
        Assert.Equal("OPEN", (await Wf.DescribeAsync(run)).GetProperty("executionInfo").GetProperty("executionStatus").GetString());
    }

    [Fact]
    public async Task Terminating_a_parent_with_childPolicy_TERMINATE_terminates_its_children_and_theirs()
    {
        var (parentRun, childRun) = await StartParentAndChildAsync("p", "c", "TERMINATE");
        // The child starts a grandchild (its own child policy: the type's default, TERMINATE).
        await Wf.DecideAsync(await Wf.PollDecisionAsync("kids"), Workflows.StartChild("g", taskList: "grandkids"));
        var child = await Wf.WaitForHistoryAsync("c", childRun, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 1);
        var grandRun = Workflows.ChildRunId(child);

        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "p", reason = "stop" });

        foreach (var (id, run) in new[] { ("c", childRun), ("g", grandRun) })
        {
            var events = await Wf.WaitForHistoryAsync(id, run, e => Workflows.Count(e, "WorkflowExecutionTerminated") == 1);
            var terminated = Workflows.Attributes(Workflows.Last(events, "WorkflowExecutionTerminated"));
            Assert.Equal("CHILD_POLICY_APPLIED", terminated.GetProperty("cause").GetString());
            Assert.Equal("TERMINATED", (await Wf.DescribeAsync(id, run)).GetProperty("executionInfo").GetProperty("closeStatus").GetString());
        }
        // The parent is closed: it hears nothing of its child's end.
        Assert.Equal("WorkflowExecutionTerminated", (await Wf.HistoryAsync("p", parentRun))[^1].GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task Terminating_a_parent_with_REQUEST_CANCEL_asks_its_children_to_cancel_and_with_ABANDON_leaves_them()
    {
        var (_, cancelled) = await StartParentAndChildAsync("p1", "c1", "REQUEST_CANCEL");
        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "p1" });
        var events = await Wf.WaitForHistoryAsync("c1", cancelled, e => Workflows.Count(e, "WorkflowExecutionCancelRequested") == 1);
        var requested = Workflows.Attributes(Workflows.Last(events, "WorkflowExecutionCancelRequested"));
        Assert.Equal("CHILD_POLICY_APPLIED", requested.GetProperty("cause").GetString());
        Assert.Equal("OPEN", (await Wf.DescribeAsync("c1", cancelled)).GetProperty("executionInfo").GetProperty("executionStatus").GetString());

        var (_, abandoned) = await StartParentAndChildAsync("p2", "c2", "TERMINATE");
        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "p2", childPolicy = "ABANDON" });
        await IntentsSettledAsync(); // whatever the termination set going has been carried out
        var info = (await Wf.DescribeAsync("c2", abandoned)).GetProperty("executionInfo");
        Assert.Equal(("OPEN", false), (info.GetProperty("executionStatus").GetString(), info.GetProperty("cancelRequested").GetBoolean()));
    }

    [Fact]
    public async Task Two_executions_signalling_each_other_at_once_neither_deadlock_nor_lose_a_signal()
    {
        const int Signals = 10;
        var aRun = (await Wf.StartAsync("a", new { taskList = new { name = "a-list" } })).RunId;
        var bRun = (await Wf.StartAsync("b", new { taskList = new { name = "b-list" } })).RunId;
        var (aTask, bTask) = (await Wf.PollDecisionAsync("a-list"), await Wf.PollDecisionAsync("b-list"));
        await Task.WhenAll(
            Wf.DecideAsync(aTask, Enumerable.Range(0, Signals).Select(i => Workflows.Signal("b", "from-a", input: $"{i}")).ToArray()),
            Wf.DecideAsync(bTask, Enumerable.Range(0, Signals).Select(i => Workflows.Signal("a", "from-b", input: $"{i}")).ToArray()));

        foreach (var (id, run, other) in new[] { ("a", aRun, "from-b"), ("b", bRun, "from-a") })
        {
            var events = await Wf.WaitForHistoryAsync(id, run, e => Workflows.Count(e, "ExternalWorkflowExecutionSignaled") == Signals
                && Workflows.Count(e, "WorkflowExecutionSignaled") == Signals);
            var inputs = events.Where(e => e.GetProperty("eventType").GetString() == "WorkflowExecutionSignaled").Select(Workflows.Attributes).ToList();
            Assert.All(inputs, s => Assert.Equal(other, s.GetProperty("signalName").GetString()));
            Assert.Equal(Enumerable.Range(0, Signals).Select(i => $"{i}").ToHashSet(), inputs.Select(s => s.GetProperty("input").GetString()!).ToHashSet());
            Assert.Equal(Signals, events.Where(e => e.GetProperty("eventType").GetString() == "ExternalWorkflowExecutionSignaled")
                .Select(e => Workflows.Attributes(e).GetProperty("initiatedEventId").GetInt64()).Distinct().Count());
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("eventId").GetInt64()));
        }
    }

    [Fact]
    public async Task A_fan_out_of_100_children_all_start_complete_and_are_reported_to_the_parent_once()
    {
        const int Children = 100;
        var parentRun = (await Wf.StartAsync("fan-out")).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Enumerable.Range(0, Children).Select(i => Workflows.StartChild($"kid-{i}", input: $"{i}")).ToArray());

        var completedKids = new ConcurrentBag<string>();
        async Task KidDecider()
        {
            while (completedKids.Count < Children)
            {
                var task = await Wf.PollDecisionOrEmptyAsync("kids");
                if (Workflows.IsEmpty(task)) continue;
                var input = Workflows.Attributes(task.GetProperty("events")[0]).GetProperty("input").GetString()!;
                await Wf.DecideAsync(task, Workflows.Complete($"result-{input}"));
                completedKids.Add(input);
            }
        }
        async Task ParentDecider()
        {
            while (true)
            {
                var task = await Wf.PollDecisionOrEmptyAsync();
                if (Workflows.IsEmpty(task)) continue;
                var events = await Wf.HistoryAsync("fan-out", parentRun);
                if (Workflows.Count(events, "ChildWorkflowExecutionCompleted") < Children) { await Wf.DecideAsync(task); continue; }
                await Wf.DecideAsync(task, Workflows.Complete());
                if ((await Wf.DescribeAsync("fan-out", parentRun)).GetProperty("executionInfo").GetProperty("executionStatus").GetString() == "CLOSED") return;
            }
        }
        await Task.WhenAll(ParentDecider(), KidDecider(), KidDecider(), KidDecider(), KidDecider()).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(Children, completedKids.Distinct().Count());
        var history = await Wf.HistoryAsync("fan-out", parentRun);
        Assert.Equal((Children, Children, Children), (Workflows.Count(history, "StartChildWorkflowExecutionInitiated"),
            Workflows.Count(history, "ChildWorkflowExecutionStarted"), Workflows.Count(history, "ChildWorkflowExecutionCompleted")));
        var results = history.Where(e => e.GetProperty("eventType").GetString() == "ChildWorkflowExecutionCompleted").Select(Workflows.Attributes).ToList();
        Assert.Equal(Enumerable.Range(0, Children).Select(i => $"result-{i}").ToHashSet(), results.Select(r => r.GetProperty("result").GetString()!).ToHashSet());
        Assert.Equal(Children, results.Select(r => r.GetProperty("initiatedEventId").GetInt64()).Distinct().Count());
        var closed = await App.OkAsync("CountClosedWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = new { oldestDate = 0 } });
        Assert.Equal(Children + 1, closed.GetProperty("count").GetInt32()); // each child ran once
    }

    private async Task<(string Parent, string Child)> StartParentAndChildAsync(string parentId, string childId, string parentChildPolicy)
    {
        var parentRun = (await Wf.StartAsync(parentId, new { childPolicy = parentChildPolicy })).RunId;
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Workflows.StartChild(childId));
        var events = await Wf.WaitForHistoryAsync(parentId, parentRun, e => Workflows.Count(e, "ChildWorkflowExecutionStarted") == 1);
        var childRun = Workflows.ChildRunId(events);
        return (parentRun, childRun);
    }
}
