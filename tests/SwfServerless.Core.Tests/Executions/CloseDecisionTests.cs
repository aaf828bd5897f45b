using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

public class CloseDecisionTests
{
    [Theory]
    [InlineData(DecisionType.CompleteWorkflowExecution, "CompleteWorkflowExecutionFailed", "WorkflowExecutionCompleted", CloseStatus.Completed)]
    [InlineData(DecisionType.FailWorkflowExecution, "FailWorkflowExecutionFailed", "WorkflowExecutionFailed", CloseStatus.Failed)]
    [InlineData(DecisionType.CancelWorkflowExecution, "CancelWorkflowExecutionFailed", "WorkflowExecutionCanceled", CloseStatus.Canceled)]
    public void ClosingDecision_AfterASignalArrivedMidDecision_FailsWithUnhandledDecision_ThenSucceeds(
        string closing, string failedEvent, string closedEvent, string closeStatus)
    {
        var run = TestRun.Start();
        run.StartDecision();                                   // 3
        run.Run(m => m.Signal("late", "data"));                // 4
        Assert.Equal("4 WorkflowExecutionSignaled", run.LastText);

        run.Decide(D.Closing(closing));
        Assert.Equal($"5 DecisionTaskCompleted, 6 {failedEvent}(UNHANDLED_DECISION), 7 DecisionTaskScheduled", run.LastText);
        Assert.False(run.Last.Closed);
        Assert.True(run.State.IsOpen);

        // The follow-up decision task sees the signal and may close now.
        Assert.Equal(3, run.StartDecision().PreviousStartedEventId);  // 8
        run.Decide(D.Closing(closing));
        Assert.Equal($"9 DecisionTaskCompleted, 10 {closedEvent}", run.LastText);
        Assert.True(run.Last.Closed);
        Assert.Empty(run.Last.NewTasks);
        Assert.Equal(closeStatus, run.State.CloseStatus);
        Assert.Equal(ExecutionStatus.Closed, run.State.ExecutionStatus);
        Assert.Equal(run.Now, run.State.CloseTimestamp);
    }

    [Fact]
    public void FailedEvents_CarryCauseAndCompletedEventId()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Run(m => m.Signal("late", null));
        run.Decide(D.Fail("r", "d"));

        var failed = run.Event(6).FailWorkflowExecutionFailedEventAttributes!;
        Assert.Equal((FailWorkflowExecutionFailedCause.UnhandledDecision, 5L), (failed.Cause, failed.DecisionTaskCompletedEventId!.Value));
    }

    [Fact]
    public void ClosedEvents_CarryTheDecisionsValues()
    {
        var failRun = TestRun.Start();
        failRun.Turn(D.Fail("reason", "details"));
        var failed = failRun.Event(5).WorkflowExecutionFailedEventAttributes!;
        Assert.Equal(("reason", "details", 4L), (failed.Reason, failed.Details, failed.DecisionTaskCompletedEventId!.Value));

        var cancelRun = TestRun.Start();
        cancelRun.Turn(D.Cancel("details"));
        var canceled = cancelRun.Event(5).WorkflowExecutionCanceledEventAttributes!;
        Assert.Equal(("details", 4L), (canceled.Details, canceled.DecisionTaskCompletedEventId!.Value));
    }

    [Fact]
    public void EventsOfTheSameCompletion_DoNotMakeTheCloseUnhandled()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1", "unknown"), D.CancelTimer("none"), D.Complete("done"));

        Assert.Equal(
            "4 DecisionTaskCompleted, 5 ScheduleActivityTaskFailed(ACTIVITY_TYPE_DOES_NOT_EXIST), 6 CancelTimerFailed(TIMER_ID_UNKNOWN), " +
            "7 WorkflowExecutionCompleted",
            run.LastText);
        Assert.True(run.Last.Closed);
        Assert.Null(run.State.DecisionTask);
    }

    [Fact]
    public void EventsWhileTheTaskWasOnlyScheduled_AreSeenByIt_AndDoNotBlockTheClose()
    {
        var run = TestRun.Start();
        run.Run(m => m.Signal("early", null));         // 3, while decision task 2 is scheduled
        run.Turn(D.Complete());

        Assert.Equal("1 WorkflowExecutionStarted, 2 DecisionTaskScheduled, 3 WorkflowExecutionSignaled, 4 DecisionTaskStarted, " +
            "5 DecisionTaskCompleted, 6 WorkflowExecutionCompleted", run.Text);
    }

    [Fact]
    public void UnhandledActivityAndTimerEvents_AlsoBlockTheClose()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"), D.StartTimer("t1", "5"));  // 5, 6
        run.StartActivity("a1");                                      // 7
        run.Run(m => m.CompleteActivityTask(5, 7, null));             // 8, 9
        run.StartDecision();                                          // 10
        run.Advance(5);
        run.Run(m => m.FireTimer("t1", 6));                           // 11
        run.Decide(D.Complete());

        Assert.Equal("12 DecisionTaskCompleted, 13 CompleteWorkflowExecutionFailed(UNHANDLED_DECISION), 14 DecisionTaskScheduled", run.LastText);
    }

    [Fact]
    public void CloseWithOpenWork_EndsIt_AndLateAnswersAreUnknown()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"), D.ScheduleActivity("a2"), D.StartTimer("t1", "100"));  // 5, 6, 7
        run.StartActivity("a1");                                                                   // 8
        run.Run(m => m.Signal("s", null));                                                         // 9, 10
        run.Turn(D.Complete());                                                                    // 11, 12, 13

        Assert.Equal((0, 0, 0, 0, 0), StartExecutionTests.Counts(run.State));
        run.Fails(m => m.CompleteActivityTask(5, 8, null), "UnknownResourceFault");
        run.Fails(m => m.RecordHeartbeat(5, 8), "UnknownResourceFault");
        Assert.Null(run.Run(m => m.StartActivityTask(6, "w")));
        run.Advance(100);
        Assert.False(run.Run(m => m.FireTimer("t1", 7)));
        Assert.False(run.Run(m => m.TimeOutActivity(6, ActivityTaskTimeoutType.ScheduleToClose, null)));
    }

    [Fact]
    public void ClosedRun_RejectsEveryChange()
    {
        var run = TestRun.Start();
        run.Turn(D.Complete());

        run.Fails(m => m.Signal("s", null), "UnknownResourceFault");
        run.Fails(m => m.RequestCancel(), "UnknownResourceFault");
        run.Fails(m => m.Terminate(null, null, null, WorkflowExecutionTerminatedCause.OperatorInitiated), "UnknownResourceFault");
        run.Fails(m => m.CompleteDecisionTask(3, [], null, run.ActivityTypes), "UnknownResourceFault");
        Assert.Null(run.Run(m => m.StartDecisionTask(2, null)));
        Assert.False(run.Run(m => m.TimeOutDecisionTask(2, 3)));
        run.Advance(3600);
        Assert.False(run.Run(m => m.TimeOutExecution()));

        // Describe still works.
        Assert.Equal(CloseStatus.Completed, run.State.Detail().ExecutionInfo!.CloseStatus);
    }

    [Fact]
    public void CrossExecutionDecisions_DeniedByPolicy_FailAsNotPermitted_WithoutInitiating()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Run(m => m.CompleteDecisionTask(3,
            [D.StartChild("child-1", control: "c1"), D.Signal("other", "hi", runId: "other-run", control: "c2"), D.RequestCancelExternal("other", control: "c3"),
             new Decision { DecisionType = DecisionType.ScheduleLambdaFunction, ScheduleLambdaFunctionDecisionAttributes = new ScheduleLambdaFunctionDecisionAttributes { Id = "l1", Name = "fn" } },
             D.ContinueAsNew()],
            null, run.ActivityTypes, isPermitted: _ => false, workflowTypes: run.WorkflowTypes));

        Assert.Equal(
            "4 DecisionTaskCompleted, 5 StartChildWorkflowExecutionFailed(OPERATION_NOT_PERMITTED), " +
            "6 SignalExternalWorkflowExecutionFailed(OPERATION_NOT_PERMITTED), 7 RequestCancelExternalWorkflowExecutionFailed(OPERATION_NOT_PERMITTED), " +
            "8 ScheduleLambdaFunctionFailed(LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION), 9 ContinueAsNewWorkflowExecutionFailed(OPERATION_NOT_PERMITTED), " +
            "10 DecisionTaskScheduled",
            run.LastText);

        var child = run.Event(5).StartChildWorkflowExecutionFailedEventAttributes!;
        Assert.Equal(("child", "1", "child-1", 0L, 4L, "c1"), (child.WorkflowType!.Name, child.WorkflowType.Version, child.WorkflowId,
            child.InitiatedEventId!.Value, child.DecisionTaskCompletedEventId!.Value, child.Control));
        var signal = run.Event(6).SignalExternalWorkflowExecutionFailedEventAttributes!;
        Assert.Equal(("other", "other-run", 0L, 4L, "c2"), (signal.WorkflowId, signal.RunId, signal.InitiatedEventId!.Value, signal.DecisionTaskCompletedEventId!.Value, signal.Control));
        var cancel = run.Event(7).RequestCancelExternalWorkflowExecutionFailedEventAttributes!;
        Assert.Equal(("other", null, 0L, 4L, "c3"), (cancel.WorkflowId, cancel.RunId, cancel.InitiatedEventId!.Value, cancel.DecisionTaskCompletedEventId!.Value, cancel.Control));
        Assert.Equal(4L, run.Event(9).ContinueAsNewWorkflowExecutionFailedEventAttributes!.DecisionTaskCompletedEventId);
        Assert.True(run.State.IsOpen);
        Assert.Empty(run.Last.NewIntents);
        Assert.Null(run.Last.ContinuedAs);
    }
}
