using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

public class TimeoutTests
{
    /// <summary>Activity a1 scheduled at T0+0 as event 5 with timeouts 60 / 600 / 300 / 20 (start / close / start-to-close / heartbeat).</summary>
    private static TestRun WithActivity()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"));
        return run;
    }

    [Fact]
    public void ScheduleToStart_FiresOnlyWhileUnstarted()
    {
        var run = WithActivity();
        run.Advance(59);
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.ScheduleToStart, null)));
        run.Advance(1);
        Assert.True(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.ScheduleToStart, "ignored")));

        Assert.Equal("6 ActivityTaskTimedOut(SCHEDULE_TO_START), 7 DecisionTaskScheduled", run.LastText);
        var timedOut = run.Event(6).ActivityTaskTimedOutEventAttributes!;
        Assert.Equal((5L, 0L, null), (timedOut.ScheduledEventId!.Value, timedOut.StartedEventId!.Value, timedOut.Details));
        Assert.Empty(run.State.Activities);
        Assert.Null(run.Run(m => m.StartActivityTask(5, "late worker")));
    }

    [Fact]
    public void ScheduleToStart_IsStaleOnceStarted()
    {
        var run = WithActivity();
        run.Advance(30);
        run.StartActivity("a1");
        run.Advance(30);
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.ScheduleToStart, null)));
        Assert.Null(run.Activity("a1").TimeoutDue(ActivityTaskTimeoutType.ScheduleToStart));
    }

    [Fact]
    public void StartToClose_FiresOnlyOnceStarted_WithTheLastHeartbeatDetails()
    {
        var run = WithActivity();
        run.Advance(1);
        Assert.Null(run.Activity("a1").TimeoutDue(ActivityTaskTimeoutType.StartToClose));
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.StartToClose, null)));

        run.StartActivity("a1");                 // 6, at T0+1
        run.Advance(299);
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.StartToClose, "50%", run.Now)));
        run.Advance(1);
        Assert.True(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.StartToClose, "50%", run.Now)));

        Assert.Equal("7 ActivityTaskTimedOut(START_TO_CLOSE), 8 DecisionTaskScheduled", run.LastText);
        var timedOut = run.Event(7).ActivityTaskTimedOutEventAttributes!;
        Assert.Equal((5L, 6L, "50%"), (timedOut.ScheduledEventId!.Value, timedOut.StartedEventId!.Value, timedOut.Details));
    }

    [Fact]
    public void Heartbeat_RunsFromTheLastHeartbeat()
    {
        var run = WithActivity();
        run.StartActivity("a1");                 // 6, at T0
        var started = run.Now;
        Assert.Equal(started.AddSeconds(20), run.Activity("a1").TimeoutDue(ActivityTaskTimeoutType.Heartbeat));

        run.Advance(15);
        var beat = run.Now;
        run.Run(m => m.RecordHeartbeat(5, 6));
        Assert.Empty(run.Last.NewDeadlines);     // the caller re-arms from the heartbeat
        Assert.Equal(beat.AddSeconds(20), run.Activity("a1").TimeoutDue(ActivityTaskTimeoutType.Heartbeat, beat));

        run.Advance(5);                          // the deadline armed at start is due, but a heartbeat came since
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.Heartbeat, "step 3", beat)));
        run.Advance(15);
        Assert.True(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.Heartbeat, "step 3", beat)));

        Assert.Equal("7 ActivityTaskTimedOut(HEARTBEAT), 8 DecisionTaskScheduled", run.LastText);
        Assert.Equal("step 3", run.Event(7).ActivityTaskTimedOutEventAttributes!.Details);
    }

    [Fact]
    public void Heartbeat_IsStaleBeforeStart()
    {
        var run = WithActivity();
        run.Advance(30);
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.Heartbeat, null)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScheduleToClose_FiresWhetherOrNotStarted(bool started)
    {
        var defaults = TestTypes.ActivityDefaults();
        defaults.DefaultTaskScheduleToStartTimeout = "NONE";
        defaults.DefaultTaskStartToCloseTimeout = "NONE";
        defaults.DefaultTaskHeartbeatTimeout = "NONE";
        var run = TestRun.Start();
        run.ActivityTypes[("long", "1")] = TestTypes.Activity("long", defaults);
        run.Turn(D.ScheduleActivity("a1", "long"));
        Assert.Equal([Deadline.Activity(run.Now.AddSeconds(600), 5, ActivityTaskTimeoutType.ScheduleToClose)], run.Last.NewDeadlines);
        if (started)
        {
            run.StartActivity("a1");
            Assert.Empty(run.Last.NewDeadlines);
        }

        run.Advance(600);
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.ScheduleToStart, null)));
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.StartToClose, null)));
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.Heartbeat, null)));
        Assert.True(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.ScheduleToClose, "d")));

        var timedOut = run.Last.NewEvents[0].ActivityTaskTimedOutEventAttributes!;
        Assert.Equal((ActivityTaskTimeoutType.ScheduleToClose, started ? 6L : 0L, started ? "d" : null),
            (timedOut.TimeoutType, timedOut.StartedEventId!.Value, timedOut.Details));
        Assert.Equal(EventType.DecisionTaskScheduled, run.Last.NewEvents[1].EventType);
    }

    [Fact]
    public void ActivityTimeouts_AfterCompletion_AreStale()
    {
        var run = WithActivity();
        run.StartActivity("a1");
        run.Run(m => m.CompleteActivityTask(5, 6, null));
        run.Advance(1000);
        foreach (var type in ActivityTaskTimeoutType.All)
        {
            Assert.False(run.Run(m => m.TimeOutActivity(5, type, null)));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExecutionMachine(run.State, run.Now).TimeOutActivity(5, "SOON", null));
    }

    [Fact]
    public void DecisionStartToClose_TimesOutAndSchedulesANewTask()
    {
        var run = TestRun.Start();
        run.Advance(1);
        run.StartDecision();                                        // 3, at T0+1
        Assert.Equal([Deadline.DecisionTask(run.Now.AddSeconds(30), 2, 3, DecisionTaskTimeoutType.StartToClose)], run.Last.NewDeadlines);

        run.Advance(29);
        Assert.False(run.Run(m => m.TimeOutDecisionTask(2, 3)));
        run.Advance(1);
        Assert.False(run.Run(m => m.TimeOutDecisionTask(2, 0)));   // it is started: no SCHEDULE_TO_START
        Assert.True(run.Run(m => m.TimeOutDecisionTask(2, 3)));

        Assert.Equal("4 DecisionTaskTimedOut(START_TO_CLOSE), 5 DecisionTaskScheduled", run.LastText);
        var timedOut = run.Event(4).DecisionTaskTimedOutEventAttributes!;
        Assert.Equal((2L, 3L), (timedOut.ScheduledEventId!.Value, timedOut.StartedEventId!.Value));
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "deciders", 5, 5)], run.Last.NewTasks);

        // The timed-out decider's answer is refused; the timed-out task does not count as processed.
        run.Fails(m => m.CompleteDecisionTask(3, [D.Complete()], null, run.ActivityTypes), "UnknownResourceFault");
        Assert.Equal(0, run.StartDecision().PreviousStartedEventId);
        Assert.False(run.Run(m => m.TimeOutDecisionTask(2, 3)));
    }

    [Fact]
    public void DecisionTimeout_AfterCompletion_IsStale()
    {
        var run = TestRun.Start();
        run.Turn();
        run.Advance(30);
        Assert.False(run.Run(m => m.TimeOutDecisionTask(2, 3)));
        Assert.Empty(run.Last.NewEvents);
    }

    [Fact]
    public void EventsDuringATimedOutDecision_AreCoveredByTheReplacementTask()
    {
        var run = TestRun.Start();
        run.StartDecision();                                        // 3
        run.Run(m => m.Signal("s", null));                          // 4
        run.Advance(30);
        run.Run(m => m.TimeOutDecisionTask(2, 3));                  // 5, 6
        run.Turn(D.Complete());
        Assert.Equal("8 DecisionTaskCompleted, 9 WorkflowExecutionCompleted", run.LastText);
    }

    [Fact]
    public void Execution_TimesOutAtItsStartToCloseTimeout()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"), D.StartTimer("t", "10000"));
        run.Advance(3599);
        Assert.False(run.Run(m => m.TimeOutExecution()));
        run.Advance(1);
        Assert.True(run.Run(m => m.TimeOutExecution()));

        Assert.Equal("7 WorkflowExecutionTimedOut(START_TO_CLOSE)", run.LastText);
        Assert.True(run.Last.Closed);
        Assert.Equal(ChildPolicy.Terminate, run.Event(7).WorkflowExecutionTimedOutEventAttributes!.ChildPolicy);
        Assert.Equal((CloseStatus.TimedOut, run.Now), (run.State.CloseStatus, run.State.CloseTimestamp));
        Assert.Equal((0, 0, 0, 0, 0), StartExecutionTests.Counts(run.State));
        Assert.False(run.Run(m => m.TimeOutExecution()));
    }
}
