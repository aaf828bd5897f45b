using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

public class ExternalCommandTests
{
    [Fact]
    public void A_command_on_an_instance_whose_clock_is_behind_is_stamped_no_earlier_than_the_last_event()
    {
        // Instances' clocks differ a little: a history's times must still never go back.
        var run = TestRun.Start();
        run.Advance(5);
        run.Run(m => m.Signal("ahead", null));              // 3, stamped T0+5 s
        run.Advance(-2);
        run.Run(m => m.Signal("behind", null));             // 4, on a clock 2 s behind
        Assert.Equal(TestRun.T0.AddSeconds(5), run.Event(4).EventTimestamp);
        Assert.Equal(TestRun.T0.AddSeconds(5), run.State.LastEventTimestamp);

        run.Advance(3);
        run.Run(m => m.Signal("later", null));              // 5: the clock has caught up
        Assert.Equal(TestRun.T0.AddSeconds(6), run.Event(5).EventTimestamp);
        var times = run.History.Select(e => e.EventTimestamp!.Value).ToList();
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public void Signals_WhileTheDecisionTaskIsScheduled_AddNoSecondTask()
    {
        var run = TestRun.Start();
        run.Run(m => m.Signal("s1", "in1"));
        run.Run(m => m.Signal("s2", null));

        Assert.Equal("1 WorkflowExecutionStarted, 2 DecisionTaskScheduled, 3 WorkflowExecutionSignaled, 4 WorkflowExecutionSignaled", run.Text);
        Assert.Empty(run.Last.NewTasks);
        var signaled = run.Event(3).WorkflowExecutionSignaledEventAttributes!;
        Assert.Equal(("s1", "in1"), (signaled.SignalName, signaled.Input));
        Assert.Null(signaled.ExternalWorkflowExecution);
    }

    [Fact]
    public void Signals_WhileTheDecisionTaskIsStarted_ScheduleOneTaskWhenItCompletes()
    {
        var run = TestRun.Start();
        run.StartDecision();                           // 3
        run.Run(m => m.Signal("s1", null));            // 4
        run.Run(m => m.Signal("s2", null));            // 5
        Assert.Null(run.State.DecisionTask!.ScheduleToStartTimeout);
        Assert.Equal(3, run.State.DecisionTask.StartedEventId);

        run.Decide(D.RecordMarker("m"));
        Assert.Equal("6 DecisionTaskCompleted, 7 MarkerRecorded, 8 DecisionTaskScheduled", run.LastText);
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "deciders", 5, 8)], run.Last.NewTasks);
    }

    [Fact]
    public void ASignal_WithNoDecisionTaskOpen_SchedulesOneAtOnce()
    {
        var run = TestRun.Start();
        run.Turn();
        var sender = new WorkflowExecution { WorkflowId = "sender", RunId = "sender-run" };
        run.Run(m => m.Signal("s", "x", sender, 12));

        Assert.Equal("5 WorkflowExecutionSignaled, 6 DecisionTaskScheduled", run.LastText);
        var signaled = run.Event(5).WorkflowExecutionSignaledEventAttributes!;
        Assert.Equal(("sender-run", 12L), (signaled.ExternalWorkflowExecution!.RunId, signaled.ExternalInitiatedEventId!.Value));
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "deciders", 5, 6)], run.Last.NewTasks);
    }

    [Fact]
    public void RequestCancel_RecordsTheRequestAndTriggersADecision()
    {
        var run = TestRun.Start();
        run.Turn();
        run.Run(m => m.RequestCancel());

        Assert.Equal("5 WorkflowExecutionCancelRequested, 6 DecisionTaskScheduled", run.LastText);
        Assert.True(run.State.Info().CancelRequested);
        var requested = run.Event(5).WorkflowExecutionCancelRequestedEventAttributes!;
        Assert.Null(requested.Cause);
        Assert.Null(requested.ExternalWorkflowExecution);

        // A repeated request is recorded too; the scheduled task covers both.
        var parent = new WorkflowExecution { WorkflowId = "p", RunId = "p-run" };
        run.Run(m => m.RequestCancel(parent, 33, WorkflowExecutionCancelRequestedCause.ChildPolicyApplied));
        Assert.Equal("7 WorkflowExecutionCancelRequested", run.LastText);
        requested = run.Event(7).WorkflowExecutionCancelRequestedEventAttributes!;
        Assert.Equal((WorkflowExecutionCancelRequestedCause.ChildPolicyApplied, "p-run", 33L),
            (requested.Cause, requested.ExternalWorkflowExecution!.RunId, requested.ExternalInitiatedEventId!.Value));

        run.Turn(D.Cancel("as asked"));
        Assert.Equal("9 DecisionTaskCompleted, 10 WorkflowExecutionCanceled", run.LastText);
        Assert.Equal(CloseStatus.Canceled, run.State.CloseStatus);
        Assert.True(run.State.Info().CancelRequested);
    }

    [Fact]
    public void Terminate_ClosesAtOnce_AndEverythingOpenEnds()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"), D.ScheduleActivity("a2"), D.StartTimer("t1", "10"));  // 5, 6, 7
        run.StartActivity("a1");                                                                   // 8
        run.Run(m => m.Signal("s", null));                                                         // 9, 10
        run.StartDecision();                                                                       // 11
        Assert.Equal((2, 1, 1, 0, 0), StartExecutionTests.Counts(run.State));

        run.Run(m => m.Terminate("stop", "now", null, WorkflowExecutionTerminatedCause.OperatorInitiated));
        Assert.Equal("12 WorkflowExecutionTerminated", run.LastText);
        Assert.True(run.Last.Closed);
        var terminated = run.Event(12).WorkflowExecutionTerminatedEventAttributes!;
        Assert.Equal(("stop", "now", ChildPolicy.Terminate, WorkflowExecutionTerminatedCause.OperatorInitiated),
            (terminated.Reason, terminated.Details, terminated.ChildPolicy, terminated.Cause));
        Assert.Equal((CloseStatus.Terminated, run.Now), (run.State.CloseStatus, run.State.CloseTimestamp));
        Assert.Equal((0, 0, 0, 0, 0), StartExecutionTests.Counts(run.State));

        run.Fails(m => m.CompleteDecisionTask(11, [D.Complete()], null, run.ActivityTypes), "UnknownResourceFault");
        run.Fails(m => m.CompleteActivityTask(5, 8, null), "UnknownResourceFault");
        Assert.Null(run.Run(m => m.StartActivityTask(6, "w")));
        run.Advance(600);
        Assert.False(run.Run(m => m.TimeOutDecisionTask(10, 11)));
        Assert.False(run.Run(m => m.FireTimer("t1", 7)));
        Assert.False(run.Run(m => m.TimeOutActivity(5, ActivityTaskTimeoutType.StartToClose, null)));
    }

    [Fact]
    public void Terminate_WithAChildPolicy_OverridesTheExecutions()
    {
        var run = TestRun.Start();
        run.Run(m => m.Terminate(null, null, ChildPolicy.Abandon, null));

        var terminated = run.Event(3).WorkflowExecutionTerminatedEventAttributes!;
        Assert.Equal((ChildPolicy.Abandon, null), (terminated.ChildPolicy, terminated.Cause));
    }

    [Fact]
    public void Terminate_WithAnUnknownChildPolicy_IsValidationException()
    {
        var run = TestRun.Start();
        run.Fails(m => m.Terminate(null, null, "KILL", null), "ValidationException");
    }
}
