using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>SignalExternalWorkflowExecution and RequestCancelExternalWorkflowExecution in the sender, and their reports.</summary>
public class ExternalDecisionTests
{
    private static readonly WorkflowExecution Target = new() { WorkflowId = "other", RunId = "other-run" };

    [Fact]
    public void SignalExternal_RecordsInitiated_AndAnIntent()
    {
        var run = TestRun.Start();
        run.Turn(D.Signal("other", "hi", input: "payload", control: "ctl"), D.Signal("third", "yo", runId: "r3"));

        Assert.Equal("4 DecisionTaskCompleted, 5 SignalExternalWorkflowExecutionInitiated, 6 SignalExternalWorkflowExecutionInitiated", run.LastText);
        var initiated = run.Event(5).SignalExternalWorkflowExecutionInitiatedEventAttributes!;
        Assert.Equal(("other", null, "hi", "payload", "ctl", 4L), (initiated.WorkflowId, initiated.RunId, initiated.SignalName, initiated.Input,
            initiated.Control, initiated.DecisionTaskCompletedEventId!.Value));
        Assert.Equal("r3", run.Event(6).SignalExternalWorkflowExecutionInitiatedEventAttributes!.RunId);
        Assert.Equal([new IntentToCarryOut(IntentKind.SignalExternal, 5), new IntentToCarryOut(IntentKind.SignalExternal, 6)], run.Last.NewIntents);
        Assert.Equal(2, run.State.PendingSignals.Count);
        Assert.Empty(run.Last.NewTasks);
    }

    [Fact]
    public void ExternalSignaled_IsRecordedOnce_WithADecisionTask()
    {
        var run = TestRun.Start();
        run.Turn(D.Signal("other", "hi"));
        Assert.True(run.Run(m => m.RecordExternalSignaled(5, Target)));

        Assert.Equal("6 ExternalWorkflowExecutionSignaled, 7 DecisionTaskScheduled", run.LastText);
        var signaled = run.Event(6).ExternalWorkflowExecutionSignaledEventAttributes!;
        Assert.Equal(("other", "other-run", 5L), (signaled.WorkflowExecution!.WorkflowId, signaled.WorkflowExecution.RunId, signaled.InitiatedEventId!.Value));
        Assert.Empty(run.State.PendingSignals);

        Assert.False(run.Run(m => m.RecordExternalSignaled(5, Target)));
        Assert.False(run.Run(m => m.RecordSignalExternalFailed(5, SignalExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, null)));
        Assert.Empty(run.Last.NewEvents);
    }

    [Fact]
    public void SignalExternalFailed_UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION_CarriesTheDecisionsFields()
    {
        var run = TestRun.Start();
        run.Turn(D.Signal("gone", "hi", runId: "gone-run", control: "ctl"));
        run.Run(m => m.Signal("poke", null));  // 6, 7
        run.StartDecision();                   // 8: the report arrives while a decision task is started
        Assert.True(run.Run(m => m.RecordSignalExternalFailed(5, SignalExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, "ctl")));

        Assert.Equal("9 SignalExternalWorkflowExecutionFailed(UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION)", run.LastText);
        var failed = run.Event(9).SignalExternalWorkflowExecutionFailedEventAttributes!;
        Assert.Equal(("gone", "gone-run", 5L, 4L, "ctl"), (failed.WorkflowId, failed.RunId, failed.InitiatedEventId!.Value,
            failed.DecisionTaskCompletedEventId!.Value, failed.Control));
        // It needs a decision: the started task's completion schedules the next one.
        run.Decide();
        Assert.Equal("10 DecisionTaskCompleted, 11 DecisionTaskScheduled", run.LastText);
    }

    [Fact]
    public void RequestCancelExternal_RecordsInitiated_AndItsReports()
    {
        var run = TestRun.Start();
        run.Turn(D.RequestCancelExternal("other", control: "c1"), D.RequestCancelExternal("gone", "gone-run", "c2"));

        Assert.Equal("4 DecisionTaskCompleted, 5 RequestCancelExternalWorkflowExecutionInitiated, 6 RequestCancelExternalWorkflowExecutionInitiated", run.LastText);
        var initiated = run.Event(5).RequestCancelExternalWorkflowExecutionInitiatedEventAttributes!;
        Assert.Equal(("other", null, "c1", 4L), (initiated.WorkflowId, initiated.RunId, initiated.Control, initiated.DecisionTaskCompletedEventId!.Value));
        Assert.Equal([new IntentToCarryOut(IntentKind.RequestCancelExternal, 5), new IntentToCarryOut(IntentKind.RequestCancelExternal, 6)], run.Last.NewIntents);

        Assert.True(run.Run(m => m.RecordExternalCancelRequested(5, Target)));
        Assert.Equal("7 ExternalWorkflowExecutionCancelRequested, 8 DecisionTaskScheduled", run.LastText);
        var requested = run.Event(7).ExternalWorkflowExecutionCancelRequestedEventAttributes!;
        Assert.Equal(("other-run", 5L), (requested.WorkflowExecution!.RunId, requested.InitiatedEventId!.Value));

        Assert.True(run.Run(m => m.RecordRequestCancelExternalFailed(6, RequestCancelExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, "c2")));
        Assert.Equal("9 RequestCancelExternalWorkflowExecutionFailed(UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION)", run.LastText);
        var failed = run.Event(9).RequestCancelExternalWorkflowExecutionFailedEventAttributes!;
        Assert.Equal(("gone", "gone-run", 6L, 4L, "c2"), (failed.WorkflowId, failed.RunId, failed.InitiatedEventId!.Value,
            failed.DecisionTaskCompletedEventId!.Value, failed.Control));

        Assert.Empty(run.State.PendingCancelRequests);
        Assert.False(run.Run(m => m.RecordExternalCancelRequested(5, Target)));
        Assert.False(run.Run(m => m.RecordRequestCancelExternalFailed(6, RequestCancelExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, null)));
    }

    [Fact]
    public void TheTarget_RecordsWhoSignalledOrAskedToCancel()
    {
        var target = TestRun.Start();
        var sender = new WorkflowExecution { WorkflowId = "sender", RunId = "sender-run" };
        target.Run(m => m.Signal("hi", "payload", sender, 5));
        target.Run(m => m.RequestCancel(sender, 6));

        Assert.Equal("3 WorkflowExecutionSignaled, 4 WorkflowExecutionCancelRequested", target.Text[(target.Text.IndexOf("3 ", StringComparison.Ordinal))..]);
        var signaled = target.Event(3).WorkflowExecutionSignaledEventAttributes!;
        Assert.Equal(("hi", "payload", "sender-run", 5L), (signaled.SignalName, signaled.Input, signaled.ExternalWorkflowExecution!.RunId, signaled.ExternalInitiatedEventId!.Value));
        var requested = target.Event(4).WorkflowExecutionCancelRequestedEventAttributes!;
        Assert.Equal(("sender", 6L, null), (requested.ExternalWorkflowExecution!.WorkflowId, requested.ExternalInitiatedEventId!.Value, requested.Cause));
    }

    [Fact]
    public void AClosedSender_KeepsItsPendingIntents_ButRecordsNoReports()
    {
        var run = TestRun.Start();
        run.Turn(D.Signal("other", "hi"), D.RequestCancelExternal("other"), D.Complete());

        Assert.True(run.Last.Closed);
        Assert.Equal(2, run.Last.NewIntents.Count); // the close itself needs no intent: no parent, no children
        Assert.Single(run.State.PendingSignals);    // what the intents read after the close
        Assert.Single(run.State.PendingCancelRequests);
        Assert.False(run.Run(m => m.RecordExternalSignaled(5, Target)));
        Assert.False(run.Run(m => m.RecordExternalCancelRequested(6, Target)));
    }
}
