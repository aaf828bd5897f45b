using System.Text.Json;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

public class ExecutionStateJsonTests
{
    /// <summary>A run with a bit of everything open: activities unstarted, started, cancel-requested; timers; a started decision task; an override.</summary>
    private static TestRun Busy()
    {
        var run = TestRun.Start(TestRun.Request(r => r with { TagList = ["x"], ParentWorkflowExecution = new WorkflowExecution { WorkflowId = "p", RunId = "pr" }, ParentInitiatedEventId = 3 }));
        run.StartDecision();
        run.Run(m => m.CompleteDecisionTask(3,
            [D.ScheduleActivity("a1", input: new string('i', 1000)), D.ScheduleActivity("a2"), D.StartTimer("t1", "100"), D.StartTimer("t2", "200")],
            "context", run.ActivityTypes, new TaskList { Name = "sticky" }, "15"));
        run.StartActivity("a1");
        run.Run(m => m.Signal("s", new string('s', 1000)));
        run.StartDecision();
        run.Decide(D.RequestCancelActivity("a1"));
        run.Run(m => m.RequestCancel());
        run.StartDecision();
        return run;
    }

    [Fact]
    public void State_RoundTripsThroughJson_AndTheCopyContinuesLikeTheOriginal()
    {
        var run = Busy();
        string json = ExecutionJsonContext.Serialize(run.State);
        var copy = ExecutionJsonContext.Deserialize(json);
        Assert.Equal(json, ExecutionJsonContext.Serialize(copy));

        Assert.Equal((2, 1, 2, 0, 0), StartExecutionTests.Counts(copy));
        Assert.True(copy.CancelRequested);
        Assert.True(copy.LatestExecutionContextEventId > 0);
        Assert.Equal("context", run.Event(copy.LatestExecutionContextEventId).DecisionTaskCompletedEventAttributes!.ExecutionContext);
        Assert.Equal(("sticky", "15"), (copy.TaskListOverride!.TaskList, copy.TaskListOverride.ScheduleToStartTimeout));
        Assert.True(copy.FindActivityById("a1")!.CancelRequested);
        Assert.Equal(run.State.DecisionTask!.StartedAt, copy.DecisionTask!.StartedAt);
        Assert.Equal("pr", copy.Info().Parent!.RunId);
        Assert.Equal(["x"], copy.TagList!);

        // The same commands on the original and on the copy give the same events, tasks and deadlines.
        var now = run.Now.AddSeconds(100);
        string Continue(ExecutionState state)
        {
            var decision = new ExecutionMachine(state, now);
            decision.CompleteDecisionTask(state.DecisionTask!.StartedEventId, [D.CancelTimer("t2"), D.ScheduleActivity("a3")], null, run.ActivityTypes);
            var worker = new ExecutionMachine(state, now);
            worker.CompleteActivityTask(state.FindActivityById("a1")!.ScheduledEventId, state.FindActivityById("a1")!.StartedEventId, "r");
            var sweep = new ExecutionMachine(state, now);
            sweep.FireTimer("t1", state.FindTimer("t1")!.StartedEventId);
            return JsonSerializer.Serialize(decision.NewEvents.Concat(worker.NewEvents).Concat(sweep.NewEvents).ToList(), SwfJsonContext.Default.ListHistoryEvent)
                + string.Join(";", decision.NewTasks.Concat(worker.NewTasks).Concat(sweep.NewTasks))
                + string.Join(";", decision.NewDeadlines.Concat(worker.NewDeadlines).Concat(sweep.NewDeadlines))
                + ExecutionJsonContext.Serialize(state);
        }
        Assert.Equal(Continue(run.State), Continue(copy));
    }

    [Fact]
    public void State_IsRebuiltByReplayingTheHistory()
    {
        var run = Busy();
        // History through its wire form, as the storage layer reads it back.
        var wire = JsonSerializer.Serialize(run.History, SwfJsonContext.Default.ListHistoryEvent);
        var history = JsonSerializer.Deserialize(wire, SwfJsonContext.Default.ListHistoryEvent)!;

        var replayed = ExecutionStateApplier.Replay("orders", "order-42", TestRun.RunId, history);
        Assert.Equal(ExecutionJsonContext.Serialize(run.State), ExecutionJsonContext.Serialize(replayed));
    }

    [Fact]
    public void State_LeavesPayloadsInTheHistory()
    {
        var run = Busy();
        string json = ExecutionJsonContext.Serialize(run.State);
        Assert.DoesNotContain("iiii", json);
        Assert.DoesNotContain("ssss", json);
        Assert.DoesNotContain("order input", json);
        Assert.True(json.Length < 3000, $"State JSON is {json.Length} characters.");
    }

    [Fact]
    public void State_ReadsUnknownMembers()
    {
        var run = TestRun.Start();
        string json = ExecutionJsonContext.Serialize(run.State);
        var copy = ExecutionJsonContext.Deserialize(json.Insert(1, "\"addedLater\":{\"x\":1},"));
        Assert.Equal(json, ExecutionJsonContext.Serialize(copy));
    }

    [Fact]
    public void Replay_RejectsAGapInTheHistory()
    {
        var run = TestRun.Start();
        run.Turn();
        Assert.Throws<InvalidOperationException>(() =>
            ExecutionStateApplier.Replay("orders", "order-42", TestRun.RunId, run.History.Where(e => e.EventId != 3)));
    }
}
