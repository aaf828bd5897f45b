using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

public class TimerTests
{
    [Fact]
    public void StartTimer_ArmsItsDeadline_AndFiresWhenDue()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Advance(2);
        run.Decide(D.StartTimer("t1", "60", "ctl"));

        Assert.Equal("4 DecisionTaskCompleted, 5 TimerStarted", run.LastText);
        var started = run.Event(5).TimerStartedEventAttributes!;
        Assert.Equal(("t1", "ctl", "60", 4L), (started.TimerId, started.Control, started.StartToFireTimeout, started.DecisionTaskCompletedEventId!.Value));
        Assert.Equal([Deadline.Timer(run.Now.AddSeconds(60), "t1", 5)], run.Last.NewDeadlines);
        Assert.Equal((0, 0, 1, 0, 0), StartExecutionTests.Counts(run.State));

        run.Advance(59);
        Assert.False(run.Run(m => m.FireTimer("t1", 5)));
        Assert.Empty(run.Last.NewEvents);
        run.Advance(1);
        Assert.True(run.Run(m => m.FireTimer("t1", 5)));
        Assert.Equal("6 TimerFired, 7 DecisionTaskScheduled", run.LastText);
        Assert.Equal(("t1", 5L), (run.Event(6).TimerFiredEventAttributes!.TimerId, run.Event(6).TimerFiredEventAttributes!.StartedEventId!.Value));
        Assert.Empty(run.State.Timers);

        // The same deadline delivered twice is a no-op.
        Assert.False(run.Run(m => m.FireTimer("t1", 5)));
    }

    [Fact]
    public void StartTimer_WithAnOpenTimersId_FailsWithTimerIdAlreadyInUse()
    {
        var run = TestRun.Start();
        run.Turn(D.StartTimer("t1", "10"), D.StartTimer("t1", "20"));

        Assert.Equal("4 DecisionTaskCompleted, 5 TimerStarted, 6 StartTimerFailed(TIMER_ID_ALREADY_IN_USE), 7 DecisionTaskScheduled", run.LastText);
        var failed = run.Event(6).StartTimerFailedEventAttributes!;
        Assert.Equal(("t1", 4L), (failed.TimerId, failed.DecisionTaskCompletedEventId!.Value));
        Assert.Equal("10", run.State.FindTimer("t1")!.StartToFireTimeout);
    }

    [Fact]
    public void CancelTimer_CancelsIt_AndItsDeadlineGoesStale()
    {
        var run = TestRun.Start();
        run.Turn(D.StartTimer("t1", "10"));
        run.Run(m => m.Signal("s", null));             // 6, 7
        run.Turn(D.CancelTimer("t1"));

        Assert.Equal("9 DecisionTaskCompleted, 10 TimerCanceled", run.LastText);
        var canceled = run.Event(10).TimerCanceledEventAttributes!;
        Assert.Equal(("t1", 5L, 9L), (canceled.TimerId, canceled.StartedEventId!.Value, canceled.DecisionTaskCompletedEventId!.Value));
        Assert.Null(run.State.DecisionTask);

        run.Advance(10);
        Assert.False(run.Run(m => m.FireTimer("t1", 5)));
        Assert.Empty(run.Last.NewEvents);
    }

    [Fact]
    public void ATimerRestartedUnderTheSameId_IgnoresTheOldDeadline()
    {
        var run = TestRun.Start();
        run.Turn(D.StartTimer("t1", "10"));             // 5 TimerStarted
        run.Run(m => m.Signal("s", null));             // 6, 7
        run.Turn(D.CancelTimer("t1"), D.StartTimer("t1", "30"));
        Assert.Equal("9 DecisionTaskCompleted, 10 TimerCanceled, 11 TimerStarted", run.LastText);

        run.Advance(10);
        Assert.False(run.Run(m => m.FireTimer("t1", 5)));
        Assert.False(run.Run(m => m.FireTimer("t1", 11)));
        run.Advance(20);
        Assert.True(run.Run(m => m.FireTimer("t1", 11)));
        Assert.Equal("12 TimerFired, 13 DecisionTaskScheduled", run.LastText);
    }

    [Fact]
    public void CancelTimer_OfAnUnknownTimer_FailsWithTimerIdUnknown()
    {
        var run = TestRun.Start();
        run.Turn(D.CancelTimer("nope"));

        Assert.Equal("4 DecisionTaskCompleted, 5 CancelTimerFailed(TIMER_ID_UNKNOWN), 6 DecisionTaskScheduled", run.LastText);
        var failed = run.Event(5).CancelTimerFailedEventAttributes!;
        Assert.Equal(("nope", 4L), (failed.TimerId, failed.DecisionTaskCompletedEventId!.Value));
    }

    [Fact]
    public void BeyondTheQuota_FailsWithOpenTimersLimitExceeded()
    {
        var run = TestRun.Start();
        run.Turn(Enumerable.Range(1, ExecutionMachine.MaxOpenTimers + 1).Select(i => D.StartTimer($"t{i}", "60")).ToArray());

        Assert.Equal(ExecutionMachine.MaxOpenTimers, run.State.Timers.Count);
        Assert.Equal(ExecutionMachine.MaxOpenTimers, run.Last.NewDeadlines.Count);
        Assert.Equal("1005 StartTimerFailed(OPEN_TIMERS_LIMIT_EXCEEDED), 1006 DecisionTaskScheduled",
            HistoryText.Format(run.Last.NewEvents.TakeLast(2)));
    }

    [Fact]
    public void ATimerOfZeroSeconds_FiresAtOnce()
    {
        var run = TestRun.Start();
        run.Turn(D.StartTimer("now", "0"));
        Assert.Equal([Deadline.Timer(run.Now, "now", 5)], run.Last.NewDeadlines);
        Assert.True(run.Run(m => m.FireTimer("now", 5)));
    }
}
