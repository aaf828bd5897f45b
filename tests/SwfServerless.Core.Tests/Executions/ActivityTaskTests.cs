using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

public class ActivityTaskTests
{
    private static TestRun WithActivity(bool started)
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"));   // 4 DecisionTaskCompleted, 5 ActivityTaskScheduled
        if (started) run.StartActivity("a1"); // 6 ActivityTaskStarted
        return run;
    }

    [Fact]
    public void RequestCancel_BeforeStart_CancelsAtOnce()
    {
        var run = WithActivity(started: false);
        run.Run(m => m.Signal("go", null));   // 6, and 7 DecisionTaskScheduled
        run.Turn(D.RequestCancelActivity("a1"));

        Assert.Equal("9 DecisionTaskCompleted, 10 ActivityTaskCancelRequested, 11 ActivityTaskCanceled, 12 DecisionTaskScheduled", run.LastText);
        var requested = run.Event(10).ActivityTaskCancelRequestedEventAttributes!;
        Assert.Equal(("a1", 9L), (requested.ActivityId, requested.DecisionTaskCompletedEventId!.Value));
        var canceled = run.Event(11).ActivityTaskCanceledEventAttributes!;
        Assert.Equal((5L, 0L, 10L), (canceled.ScheduledEventId!.Value, canceled.StartedEventId!.Value, canceled.LatestCancelRequestedEventId!.Value));
        Assert.Empty(run.State.Activities);

        // Its queue message is stale now.
        Assert.Null(run.Run(m => m.StartActivityTask(5, "worker")));
        Assert.Empty(run.Last.NewEvents);
    }

    [Fact]
    public void RequestCancel_AfterStart_IsReportedByHeartbeats_AndTheWorkerCancels()
    {
        var run = WithActivity(started: true);
        Assert.False(run.Run(m => m.RecordHeartbeat(5, 6)).CancelRequested);
        Assert.Empty(run.Last.NewEvents);

        run.Run(m => m.Signal("go", null));   // 7, 8
        run.Turn(D.RequestCancelActivity("a1"));
        Assert.Equal("10 DecisionTaskCompleted, 11 ActivityTaskCancelRequested", run.LastText);
        Assert.Null(run.State.DecisionTask);
        Assert.True(run.Activity("a1").CancelRequested);

        Assert.True(run.Run(m => m.RecordHeartbeat(5, 6)).CancelRequested);
        Assert.Empty(run.Last.NewEvents);
        Assert.Empty(run.Last.NewDeadlines);

        // Asking twice records the request twice; the cancellation names the latest.
        run.Run(m => m.Signal("nudge", null)); // 12, 13
        run.Turn(D.RequestCancelActivity("a1"));
        Assert.Equal("15 DecisionTaskCompleted, 16 ActivityTaskCancelRequested", run.LastText);

        run.Run(m => m.CancelActivityTask(5, 6, "cleaned up"));
        Assert.Equal("17 ActivityTaskCanceled, 18 DecisionTaskScheduled", run.LastText);
        var canceled = run.Event(17).ActivityTaskCanceledEventAttributes!;
        Assert.Equal(("cleaned up", 5L, 6L, 16L), (canceled.Details, canceled.ScheduledEventId!.Value, canceled.StartedEventId!.Value, canceled.LatestCancelRequestedEventId!.Value));
    }

    [Fact]
    public void RespondCanceled_WithoutARequest_IsAccepted()
    {
        var run = WithActivity(started: true);
        run.Run(m => m.CancelActivityTask(5, 6, null));

        Assert.Equal("7 ActivityTaskCanceled, 8 DecisionTaskScheduled", run.LastText);
        Assert.Null(run.Event(7).ActivityTaskCanceledEventAttributes!.LatestCancelRequestedEventId);
    }

    [Fact]
    public void RequestCancel_OfAnUnknownActivity_Fails()
    {
        var run = WithActivity(started: false);
        run.Run(m => m.Signal("go", null));   // 6, 7
        run.Turn(D.RequestCancelActivity("a2"));

        Assert.Equal("9 DecisionTaskCompleted, 10 RequestCancelActivityTaskFailed(ACTIVITY_ID_UNKNOWN), 11 DecisionTaskScheduled", run.LastText);
        var failed = run.Event(10).RequestCancelActivityTaskFailedEventAttributes!;
        Assert.Equal(("a2", 9L), (failed.ActivityId, failed.DecisionTaskCompletedEventId!.Value));
    }

    [Fact]
    public void Failure_IsRecordedWithReasonAndDetails()
    {
        var run = WithActivity(started: true);
        run.Run(m => m.FailActivityTask(5, 6, "boom", "stack"));

        Assert.Equal("7 ActivityTaskFailed, 8 DecisionTaskScheduled", run.LastText);
        var failed = run.Event(7).ActivityTaskFailedEventAttributes!;
        Assert.Equal(("boom", "stack", 5L, 6L), (failed.Reason, failed.Details, failed.ScheduledEventId!.Value, failed.StartedEventId!.Value));
    }

    [Fact]
    public void StaleOrDuplicateTokens_AreUnknownResource()
    {
        var run = WithActivity(started: false);
        // Not started yet: no token can name it.
        run.Fails(m => m.CompleteActivityTask(5, 0, null), "UnknownResourceFault");
        run.Fails(m => m.RecordHeartbeat(5, 0), "UnknownResourceFault");

        run.StartActivity("a1");
        Assert.Null(run.Run(m => m.StartActivityTask(5, "second-worker")));
        run.Fails(m => m.CompleteActivityTask(5, 7, null), "UnknownResourceFault");   // wrong started event
        run.Fails(m => m.CompleteActivityTask(4, 6, null), "UnknownResourceFault");   // wrong scheduled event
        run.Fails(m => m.FailActivityTask(99, 6, null, null), "UnknownResourceFault");

        run.Run(m => m.CompleteActivityTask(5, 6, "once"));
        run.Fails(m => m.CompleteActivityTask(5, 6, "twice"), "UnknownResourceFault");
        run.Fails(m => m.FailActivityTask(5, 6, null, null), "UnknownResourceFault");
        run.Fails(m => m.CancelActivityTask(5, 6, null), "UnknownResourceFault");
        run.Fails(m => m.RecordHeartbeat(5, 6), "UnknownResourceFault");
        Assert.Equal("7 ActivityTaskCompleted, 8 DecisionTaskScheduled", HistoryText.Format(run.History.Skip(6)));
    }

    [Fact]
    public void AnswersAfterATimeout_AreUnknownResource()
    {
        var run = WithActivity(started: true);
        run.Advance(20);
        Assert.True(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.Heartbeat, null)));

        run.Fails(m => m.RecordHeartbeat(5, 6), "UnknownResourceFault");
        run.Fails(m => m.CompleteActivityTask(5, 6, null), "UnknownResourceFault");
    }

    [Fact]
    public void ActivityEvents_WhileTheDecisionTaskIsStarted_WaitForItsCompletion()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"), D.ScheduleActivity("a2"));
        run.StartActivity("a1");          // 7
        run.StartActivity("a2");          // 8
        run.Run(m => m.CompleteActivityTask(5, 7, null));
        Assert.Equal("9 ActivityTaskCompleted, 10 DecisionTaskScheduled", run.LastText);

        run.StartDecision();              // 11
        run.Run(m => m.FailActivityTask(6, 8, null, null));
        Assert.Equal("12 ActivityTaskFailed", run.LastText);
        Assert.Empty(run.Last.NewTasks);

        run.Decide();
        Assert.Equal("13 DecisionTaskCompleted, 14 DecisionTaskScheduled", run.LastText);
        Assert.Equal(11, run.StartDecision().PreviousStartedEventId);
    }
}
