using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>
/// The run's deadlines recomputed from its state (what one reminder per run relies on) and firing everything due
/// at once, in due order (what a check after downtime does).
/// </summary>
public class DeadlineTests
{
    private static Dictionary<long, LastHeartbeat> Beats(params (long Scheduled, long Started, string? Details, DateTimeOffset At)[] beats) =>
        beats.ToDictionary(b => b.Scheduled, b => new LastHeartbeat(b.Started, b.Details, b.At));

    [Fact]
    public void All_ListsEveryDeadlineOfTheState_InDueOrder()
    {
        var run = TestRun.Start();                                   // execution: T0+3600
        run.Turn(D.ScheduleActivity("a1"), D.StartTimer("t1", "45")); // 5 scheduled at T0: S2S 60, S2C 600; 6 timer at 45
        run.Advance(10);
        run.StartActivity("a1");                                     // 7 at T0+10: S2C 300 -> 310, HB 20 -> 30

        var t0 = TestRun.T0;
        Assert.Equal(
            [
                Deadline.Activity(t0.AddSeconds(30), 5, ActivityTaskTimeoutType.Heartbeat),
                Deadline.Timer(t0.AddSeconds(45), "t1", 6),
                Deadline.Activity(t0.AddSeconds(310), 5, ActivityTaskTimeoutType.StartToClose),
                Deadline.Activity(t0.AddSeconds(600), 5, ActivityTaskTimeoutType.ScheduleToClose),
                Deadline.Execution(t0.AddSeconds(3600)),
            ],
            ExecutionDeadlines.All(run.State));
        Assert.Equal(t0.AddSeconds(30), ExecutionDeadlines.Next(run.State));

        // A heartbeat of this attempt moves the HEARTBEAT clock; one of another attempt does not.
        Assert.Equal(t0.AddSeconds(45), ExecutionDeadlines.Next(run.State, Beats((5, 7, "x", t0.AddSeconds(29)))));
        Assert.Equal(t0.AddSeconds(30), ExecutionDeadlines.Next(run.State, Beats((5, 99, "x", t0.AddSeconds(29)))));
    }

    [Fact]
    public void None_MeansNoDeadline()
    {
        var defaults = TestTypes.ActivityDefaults();
        defaults.DefaultTaskScheduleToStartTimeout = "NONE";
        defaults.DefaultTaskScheduleToCloseTimeout = "NONE";
        defaults.DefaultTaskStartToCloseTimeout = "NONE";
        defaults.DefaultTaskHeartbeatTimeout = "NONE";
        var run = TestRun.Start();
        run.ActivityTypes[("forever", "1")] = TestTypes.Activity("forever", defaults);
        run.Turn(D.ScheduleActivity("a1", "forever"));
        Assert.Empty(run.Last.NewDeadlines);
        run.StartActivity("a1");
        Assert.Empty(run.Last.NewDeadlines);

        Assert.Equal([Deadline.Execution(TestRun.T0.AddSeconds(3600))], ExecutionDeadlines.All(run.State));
        run.Advance(3599);
        Assert.False(ExecutionDeadlines.NeedsHeartbeats(run.State, run.Now));
        Assert.Equal(0, run.Run(m => m.FireDueDeadlines(null)));
    }

    [Fact]
    public void AClosedRun_HasNoDeadlines()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"), D.StartTimer("t1", "45"), D.Complete());
        Assert.Equal("4 DecisionTaskCompleted, 5 ActivityTaskScheduled, 6 TimerStarted, 7 WorkflowExecutionCompleted", run.LastText);
        Assert.Empty(ExecutionDeadlines.All(run.State));
        Assert.Null(ExecutionDeadlines.Next(run.State));
        run.Advance(10_000);
        Assert.Equal(0, run.Run(m => m.FireDueDeadlines(null)));
    }

    [Fact]
    public void AfterDowntime_EverythingOverdueFires_InDueOrder_Once()
    {
        var run = TestRun.Start();
        run.Turn(D.StartTimer("late", "20"), D.StartTimer("early", "10"), D.ScheduleActivity("a1")); // S2S at 60
        run.Advance(100);

        Assert.Equal(3, run.Run(m => m.FireDueDeadlines(null)));
        Assert.Equal("8 TimerFired, 9 DecisionTaskScheduled, 10 TimerFired, 11 ActivityTaskTimedOut(SCHEDULE_TO_START)", run.LastText);
        Assert.Equal("early", run.Event(8).TimerFiredEventAttributes!.TimerId);
        Assert.Equal("late", run.Event(10).TimerFiredEventAttributes!.TimerId);
        Assert.Equal(0, run.Run(m => m.FireDueDeadlines(null)));     // a second check finds nothing left
        Assert.Equal(TestRun.T0.AddSeconds(3600), ExecutionDeadlines.Next(run.State));
    }

    [Fact]
    public void TheExecutionTimeout_EndsTheRun_AndLaterDeadlinesDoNotFire()
    {
        var run = TestRun.Start(TestRun.Request(r => r with { ExecutionStartToCloseTimeout = "50" }));
        run.Turn(D.StartTimer("t1", "10"), D.StartTimer("t2", "60"));
        run.Advance(70);

        Assert.Equal(2, run.Run(m => m.FireDueDeadlines(null)));
        Assert.Equal("7 TimerFired, 8 DecisionTaskScheduled, 9 WorkflowExecutionTimedOut(START_TO_CLOSE)", run.LastText);
        Assert.True(run.Last.Closed);
    }

    [Fact]
    public void ARenewedHeartbeat_KeepsTheActivityAlive_AndTheTimeoutCarriesTheLastDetails()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"));                          // 5
        run.StartActivity("a1");                                     // 6 at T0: HB due T0+20 by the state alone
        run.Advance(25);

        Assert.True(ExecutionDeadlines.NeedsHeartbeats(run.State, run.Now));
        Assert.Throws<ArgumentNullException>(() => new ExecutionMachine(run.State, run.Now).FireDueDeadlines(null));
        var beats = Beats((5, 6, "halfway", TestRun.T0.AddSeconds(15)));
        Assert.Equal(0, run.Run(m => m.FireDueDeadlines(beats)));
        Assert.Equal(TestRun.T0.AddSeconds(35), ExecutionDeadlines.Next(run.State, beats));

        run.Advance(10);
        Assert.Equal(1, run.Run(m => m.FireDueDeadlines(beats)));
        Assert.Equal("7 ActivityTaskTimedOut(HEARTBEAT), 8 DecisionTaskScheduled", run.LastText);
        var timedOut = run.Event(7).ActivityTaskTimedOutEventAttributes!;
        Assert.Equal((5L, 6L, "halfway"), (timedOut.ScheduledEventId!.Value, timedOut.StartedEventId!.Value, timedOut.Details));
    }

    [Fact]
    public void StartToClose_BoundsTheTask_HoweverManyHeartbeats()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"));
        run.StartActivity("a1");                                     // START_TO_CLOSE at T0+300
        run.Advance(300);
        var beats = Beats((5, 6, "still going", run.Now.AddSeconds(-1)));

        Assert.Equal(1, run.Run(m => m.FireDueDeadlines(beats)));
        Assert.Equal("7 ActivityTaskTimedOut(START_TO_CLOSE), 8 DecisionTaskScheduled", run.LastText);
        Assert.Equal("still going", run.Event(7).ActivityTaskTimedOutEventAttributes!.Details);
        run.Fails(m => m.RecordHeartbeat(5, 6), "UnknownResourceFault");
        run.Fails(m => m.CompleteActivityTask(5, 6, "late"), "UnknownResourceFault");
    }

    [Fact]
    public void Fire_OfAStaleDeadline_RecordsNothing()
    {
        var run = TestRun.Start();
        run.Turn(D.StartTimer("t1", "10"));
        var deadline = Assert.Single(run.Last.NewDeadlines);
        run.Advance(10);
        Assert.True(run.Run(m => m.Fire(deadline)));
        Assert.False(run.Run(m => m.Fire(deadline)));
        Assert.Empty(run.Last.NewEvents);
    }
}
