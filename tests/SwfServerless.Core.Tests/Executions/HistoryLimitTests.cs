using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>
/// SWF's history limit: a change that would pass it terminates the run instead (WorkflowExecutionTerminated, cause
/// EVENT_LIMIT_EXCEEDED, the run's child policy), and the change itself is not recorded.
/// </summary>
public sealed class HistoryLimitTests
{
    private static readonly WorkflowExecution Parent = new() { WorkflowId = "parent", RunId = "parent-run" };

    private static Decision[] Markers(int count) => Enumerable.Range(0, count).Select(i => D.RecordMarker("m" + i)).ToArray();

    [Fact]
    public void At_SWFs_25000_events_the_change_that_would_pass_the_limit_terminates_the_run_instead()
    {
        // Driven without TestRun's replay after every command (quadratic at this size); one replay at the end checks it all.
        var now = TestRun.T0;
        var first = ExecutionMachine.Start(TestRun.Request(), TestTypes.Workflow(), TestRun.RunId, now);
        var history = new List<HistoryEvent>(first.NewEvents);
        var state = first.State;
        ExecutionMachine Run(Action<ExecutionMachine> command)
        {
            var machine = new ExecutionMachine(state, now);
            command(machine);
            history.AddRange(machine.NewEvents);
            return machine;
        }
        void Turn(int markers)
        {
            Run(m => m.StartDecisionTask(state.DecisionTask!.ScheduledEventId, "decider"));
            Run(m => m.CompleteDecisionTask(state.DecisionTask!.StartedEventId, Markers(markers), null, new Dictionary<(string, string), Core.Types.RegisteredType?>()));
        }

        // Each cycle: a signal schedules a decision task (2 events), the turn records started, completed and the markers.
        while (state.LastEventId + 2 + 2 + 1000 < ExecutionLimits.SwfMaxHistoryEvents - 10)
        {
            Run(m => m.Signal("go", null));
            Turn(1000);
        }
        Run(m => m.Signal("go", null));
        Turn((int)(ExecutionLimits.SwfMaxHistoryEvents - 1 - state.LastEventId - 2));
        Assert.Equal(ExecutionLimits.SwfMaxHistoryEvents - 1, state.LastEventId);
        Assert.True(state.IsOpen);

        // The last id is kept for the termination: a signal (2 events) would pass the limit, so the run ends instead.
        var last = Run(m => m.Signal("one more", "x"));
        Assert.True(last.HistoryLimitReached);
        Assert.True(last.Closed);
        var terminated = Assert.Single(last.NewEvents);
        Assert.Equal((ExecutionLimits.SwfMaxHistoryEvents, EventType.WorkflowExecutionTerminated), (terminated.EventId!.Value, terminated.EventType));
        Assert.Equal((WorkflowExecutionTerminatedCause.EventLimitExceeded, ChildPolicy.Terminate),
            (terminated.WorkflowExecutionTerminatedEventAttributes!.Cause, terminated.WorkflowExecutionTerminatedEventAttributes.ChildPolicy));
        Assert.Empty(last.NewTasks);
        Assert.Equal((CloseStatus.Terminated, ExecutionLimits.SwfMaxHistoryEvents), (state.CloseStatus, history.Count));

        var replayed = ExecutionStateApplier.Replay(state.Domain, state.WorkflowId, state.RunId, history);
        Assert.Equal(ExecutionJsonContext.Serialize(state), ExecutionJsonContext.Serialize(replayed));
        Assert.True(ExecutionJsonContext.Serialize(state).Length < ExecutionLimits.DefaultMaxStateChars);
    }

    [Fact]
    public void A_decision_completion_that_would_pass_the_limit_records_nothing_of_itself()
    {
        var run = TestRun.Start(limits: new ExecutionLimits { MaxHistoryEvents = 20 });
        run.Turn(D.ScheduleActivity("a1"), D.StartTimer("t1", "60"));
        Assert.Equal(6, run.State.LastEventId);
        run.Run(m => m.Signal("go", null));
        run.StartDecision();
        Assert.Equal(9, run.State.LastEventId);

        // 1 completed + 11 markers + 1 activity = 13 events after 9: past 19, the most an open run may hold.
        var before = ExecutionJsonContext.Serialize(run.State);
        run.Decide([.. Markers(11), D.ScheduleActivity("a2")]);
        Assert.Equal("10 WorkflowExecutionTerminated", run.LastText);
        Assert.True(run.Last.HistoryLimitReached);
        Assert.Empty(run.Last.NewTasks);
        Assert.Empty(run.Last.NewDeadlines);
        Assert.NotEqual(before, ExecutionJsonContext.Serialize(run.State));
        Assert.Null(run.State.FindActivityById("a2"));
        Assert.Equal(0, run.State.LatestExecutionContextEventId);

        // One marker fewer would have fitted: 9 + 1 + 9 = 19 (a copy of the same run, decided once more).
        var fits = TestRun.Start(limits: new ExecutionLimits { MaxHistoryEvents = 20 });
        fits.Turn(D.ScheduleActivity("a1"), D.StartTimer("t1", "60"));
        fits.Run(m => m.Signal("go", null));
        fits.StartDecision();
        fits.Decide(Markers(9));
        Assert.False(fits.Last.HistoryLimitReached);
        Assert.Equal((19L, true), (fits.State.LastEventId, fits.State.IsOpen));
        // Now any change passes the limit, a timer firing too.
        fits.Advance(61);
        Assert.False(fits.Run(m => m.FireTimer("t1", 6)));
        Assert.Equal("20 WorkflowExecutionTerminated", fits.LastText);
    }

    [Fact]
    public void A_claim_at_the_limit_terminates_the_run_and_starts_no_task()
    {
        var run = TestRun.Start(limits: new ExecutionLimits { MaxHistoryEvents = 5 });
        run.Turn(); // 3 started, 4 completed: 4 events, the most an open run may hold at 5
        run.Run(m => m.Signal("go", null));
        Assert.Equal("5 WorkflowExecutionTerminated", run.LastText); // the signal and its decision task would be 5 and 6

        var claim = TestRun.Start(limits: new ExecutionLimits { MaxHistoryEvents = 3 });
        Assert.Null(claim.Run(m => m.StartDecisionTask(2, "decider")));
        Assert.Equal("3 WorkflowExecutionTerminated", claim.LastText);
        Assert.False(claim.State.IsOpen);
    }

    [Fact]
    public void The_termination_applies_the_child_policy_and_tells_the_parent()
    {
        var initiated = new StartChildWorkflowExecutionInitiatedEventAttributes
        {
            WorkflowId = "order-42", WorkflowType = new WorkflowType { Name = "wf", Version = "1" }, TaskList = new TaskList { Name = "deciders" },
            ExecutionStartToCloseTimeout = "3600", TaskStartToCloseTimeout = "30", ChildPolicy = ChildPolicy.RequestCancel,
        };
        var limits = new ExecutionLimits { MaxHistoryEvents = 12 };
        var run = TestRun.From(ExecutionMachine.StartResolved(ExecutionMachine.ChildStart("orders", Parent, 7, initiated), TestRun.RunId, TestRun.T0, limits));
        run.Limits = limits;
        run.Turn(D.StartChild("grandchild"));
        Assert.True(run.Run(m => m.RecordChildStarted(5, "grandchild-run")));
        Assert.Equal(7, run.State.LastEventId); // 6 ChildWorkflowExecutionStarted, 7 DecisionTaskScheduled
        run.StartDecision();
        run.Decide(Markers(2)); // 8 started, 9 completed, 10-11 markers: 11, the most
        Assert.True(run.State.IsOpen);

        Assert.False(run.Run(m => m.RecordChildClosed(5, "grandchild-run", new WorkflowExecution { WorkflowId = "grandchild", RunId = "grandchild-run" },
            new HistoryEvent { EventType = EventType.WorkflowExecutionCompleted, WorkflowExecutionCompletedEventAttributes = new() })));
        Assert.Equal("12 WorkflowExecutionTerminated", run.LastText);
        Assert.Equal(ChildPolicy.RequestCancel, run.State.CloseChildPolicy);
        // One intent does both: report the close to the parent, and apply REQUEST_CANCEL to the started grandchild.
        Assert.Equal([new IntentToCarryOut(IntentKind.RunClosed, 12)], run.Last.NewIntents);
        Assert.True(run.State.NeedsRunClosedIntent());
        Assert.True(run.State.FindChild(5)!.IsStarted);
    }

    [Fact]
    public void A_sweep_that_fires_many_deadlines_at_the_limit_is_undone_as_a_whole()
    {
        var run = TestRun.Start(limits: new ExecutionLimits { MaxHistoryEvents = 13 });
        run.Turn(D.StartTimer("t1", "10"), D.StartTimer("t2", "10"), D.StartTimer("t3", "10"), D.StartTimer("t4", "10"));
        Assert.Equal(8, run.State.LastEventId);
        run.Advance(11);
        // Four TimerFired and a decision task would be events 9-13, past 12, the most an open run may hold at 13.
        Assert.Equal(0, run.Run(m => m.FireDueDeadlines(null)));
        Assert.Equal("9 WorkflowExecutionTerminated", run.LastText);
    }

    [Fact]
    public void Closing_decisions_may_take_the_last_event_id()
    {
        var run = TestRun.Start(limits: new ExecutionLimits { MaxHistoryEvents = 5 });
        run.Turn(D.Complete("done")); // 3 started, 4 completed, 5 WorkflowExecutionCompleted
        Assert.Equal((5L, CloseStatus.Completed), (run.State.LastEventId, run.State.CloseStatus));
        Assert.False(run.Last.HistoryLimitReached);
    }

    [Fact]
    public void Far_from_the_limit_a_command_runs_as_before()
    {
        // The guard copies the state only near the limit; far from it a command runs as before.
        var run = TestRun.Start();
        run.Turn(Markers(500));
        Assert.Equal(504, run.State.LastEventId);
        Assert.False(run.Last.HistoryLimitReached);
    }
}
