using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>StartChildWorkflowExecution in the parent, the child's start, the reports back, and child policies.</summary>
public class ChildWorkflowTests
{
    private static readonly WorkflowExecution Parent = new() { WorkflowId = "order-42", RunId = TestRun.RunId };

    [Fact]
    public void StartChild_RecordsInitiated_WithTheTypesDefaults_AndAnIntent()
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1", input: "in", control: "ctl", configure: a => a.TagList = ["t1", "t2"]));

        Assert.Equal("4 DecisionTaskCompleted, 5 StartChildWorkflowExecutionInitiated", run.LastText);
        var initiated = run.Event(5).StartChildWorkflowExecutionInitiatedEventAttributes!;
        Assert.Equal(("c1", "child", "1", "in", "ctl", 4L), (initiated.WorkflowId, initiated.WorkflowType!.Name, initiated.WorkflowType.Version,
            initiated.Input, initiated.Control, initiated.DecisionTaskCompletedEventId!.Value));
        Assert.Equal(("600", "20", "child-deciders", ChildPolicy.RequestCancel, null), (initiated.ExecutionStartToCloseTimeout,
            initiated.TaskStartToCloseTimeout, initiated.TaskList!.Name, initiated.ChildPolicy, initiated.TaskPriority));
        Assert.Equal(["t1", "t2"], initiated.TagList!);
        Assert.Equal([new IntentToCarryOut(IntentKind.StartChild, 5)], run.Last.NewIntents);
        Assert.Empty(run.Last.NewTasks); // the child's start is not the parent's decision: no decision task until it reports
        Assert.Equal(1, StartExecutionTests.Counts(run.State).Children);
    }

    [Fact]
    public void StartChild_DecisionValues_OverrideTheDefaults()
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1", configure: a =>
        {
            a.ExecutionStartToCloseTimeout = "60";
            a.TaskStartToCloseTimeout = "NONE";
            a.TaskList = new TaskList { Name = "elsewhere" };
            a.TaskPriority = "-3";
            a.ChildPolicy = ChildPolicy.Abandon;
            a.LambdaRole = "role";
        }));
        var initiated = run.Event(5).StartChildWorkflowExecutionInitiatedEventAttributes!;
        Assert.Equal(("60", "NONE", "elsewhere", "-3", ChildPolicy.Abandon, "role"), (initiated.ExecutionStartToCloseTimeout,
            initiated.TaskStartToCloseTimeout, initiated.TaskList!.Name, initiated.TaskPriority, initiated.ChildPolicy, initiated.LambdaRole));
    }

    [Theory]
    [InlineData("missing", StartChildWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist)]
    [InlineData("deprecated", StartChildWorkflowExecutionFailedCause.WorkflowTypeDeprecated)]
    [InlineData("no-timeout", StartChildWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined)]
    [InlineData("no-list", StartChildWorkflowExecutionFailedCause.DefaultTaskListUndefined)]
    [InlineData("no-task-timeout", StartChildWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined)]
    [InlineData("no-policy", StartChildWorkflowExecutionFailedCause.DefaultChildPolicyUndefined)]
    public void StartChild_FailsInTheDecision_WithInitiatedEventIdZero(string type, string cause)
    {
        var run = TestRun.Start();
        WorkflowTypeConfiguration Without(Action<WorkflowTypeConfiguration> clear)
        {
            var defaults = TestTypes.ChildWorkflow().WorkflowDefaults!;
            clear(defaults);
            return defaults;
        }
        run.WorkflowTypes[("deprecated", "1")] = TestTypes.ChildWorkflow("deprecated", deprecated: true);
        run.WorkflowTypes[("no-timeout", "1")] = TestTypes.ChildWorkflow("no-timeout", defaults: Without(d => d.DefaultExecutionStartToCloseTimeout = null));
        run.WorkflowTypes[("no-list", "1")] = TestTypes.ChildWorkflow("no-list", defaults: Without(d => d.DefaultTaskList = null));
        run.WorkflowTypes[("no-task-timeout", "1")] = TestTypes.ChildWorkflow("no-task-timeout", defaults: Without(d => d.DefaultTaskStartToCloseTimeout = null));
        run.WorkflowTypes[("no-policy", "1")] = TestTypes.ChildWorkflow("no-policy", defaults: Without(d => d.DefaultChildPolicy = null));

        run.Turn(D.StartChild("c1", type, control: "ctl"));

        Assert.Equal($"4 DecisionTaskCompleted, 5 StartChildWorkflowExecutionFailed({cause}), 6 DecisionTaskScheduled", run.LastText);
        var failed = run.Event(5).StartChildWorkflowExecutionFailedEventAttributes!;
        Assert.Equal((type, "c1", 0L, 4L, "ctl"), (failed.WorkflowType!.Name, failed.WorkflowId, failed.InitiatedEventId!.Value,
            failed.DecisionTaskCompletedEventId!.Value, failed.Control));
        Assert.Empty(run.Last.NewIntents);
        Assert.Empty(run.State.Children);
    }

    [Fact]
    public void StartChild_BeyondTheOpenChildrenQuota_FailsWith_OPEN_CHILDREN_LIMIT_EXCEEDED()
    {
        var run = TestRun.Start();
        run.Turn(Enumerable.Range(0, ExecutionMachine.MaxOpenChildren).Select(i => D.StartChild($"c{i}")).ToArray());
        Assert.Equal(ExecutionMachine.MaxOpenChildren, run.State.OpenCounts().OpenChildWorkflowExecutions);

        run.Run(m => m.RecordChildStarted(5, "child-run"));
        run.Turn(D.StartChild("one-more"));
        Assert.EndsWith("StartChildWorkflowExecutionFailed(OPEN_CHILDREN_LIMIT_EXCEEDED), 1010 DecisionTaskScheduled", run.LastText);
    }

    [Fact]
    public void ChildStarted_RecordsTheRunAndADecisionTask_Once()
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1"));
        Assert.True(run.Run(m => m.RecordChildStarted(5, "child-run")));

        Assert.Equal("6 ChildWorkflowExecutionStarted, 7 DecisionTaskScheduled", run.LastText);
        var started = run.Event(6).ChildWorkflowExecutionStartedEventAttributes!;
        Assert.Equal(("c1", "child-run", "child", 5L), (started.WorkflowExecution!.WorkflowId, started.WorkflowExecution.RunId,
            started.WorkflowType!.Name, started.InitiatedEventId!.Value));
        Assert.Equal(("child-run", 6L), (run.State.Children[0].RunId, run.State.Children[0].StartedEventId));

        // A redelivered report records nothing; so does one for an intent that is not pending.
        Assert.False(run.Run(m => m.RecordChildStarted(5, "child-run")));
        Assert.False(run.Run(m => m.RecordChildStartFailed(5, null)));
        Assert.False(run.Run(m => m.RecordChildStarted(99, "x")));
        Assert.Empty(run.Last.NewEvents);
    }

    [Fact]
    public void WorkflowAlreadyRunning_IsReportedWithTheInitiatedEvent()
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1", control: "ctl"));
        Assert.True(run.Run(m => m.RecordChildStartFailed(5, "ctl")));

        Assert.Equal("6 StartChildWorkflowExecutionFailed(WORKFLOW_ALREADY_RUNNING), 7 DecisionTaskScheduled", run.LastText);
        var failed = run.Event(6).StartChildWorkflowExecutionFailedEventAttributes!;
        Assert.Equal(("c1", "child", 5L, 4L, "ctl"), (failed.WorkflowId, failed.WorkflowType!.Name, failed.InitiatedEventId!.Value,
            failed.DecisionTaskCompletedEventId!.Value, failed.Control));
        Assert.Empty(run.State.Children);
        Assert.False(run.Run(m => m.RecordChildStarted(5, "late")));
    }

    public static TheoryData<HistoryEvent, string> Closings => new()
    {
        { new HistoryEvent { EventType = EventType.WorkflowExecutionCompleted, WorkflowExecutionCompletedEventAttributes = new() { Result = "r" } }, EventType.ChildWorkflowExecutionCompleted },
        { new HistoryEvent { EventType = EventType.WorkflowExecutionFailed, WorkflowExecutionFailedEventAttributes = new() { Reason = "why", Details = "d" } }, EventType.ChildWorkflowExecutionFailed },
        { new HistoryEvent { EventType = EventType.WorkflowExecutionCanceled, WorkflowExecutionCanceledEventAttributes = new() { Details = "d" } }, EventType.ChildWorkflowExecutionCanceled },
        { new HistoryEvent { EventType = EventType.WorkflowExecutionTimedOut, WorkflowExecutionTimedOutEventAttributes = new() { TimeoutType = WorkflowExecutionTimeoutType.StartToClose, ChildPolicy = ChildPolicy.Terminate } }, EventType.ChildWorkflowExecutionTimedOut },
        { new HistoryEvent { EventType = EventType.WorkflowExecutionTerminated, WorkflowExecutionTerminatedEventAttributes = new() { ChildPolicy = ChildPolicy.Terminate } }, EventType.ChildWorkflowExecutionTerminated },
    };

    [Theory]
    [MemberData(nameof(Closings))]
    public void ChildClosed_IsReportedWithItsOutcome_AndADecisionTask_Once(HistoryEvent closing, string reported)
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1"));
        run.Run(m => m.RecordChildStarted(5, "child-run"));  // 6, 7
        run.Turn();                                           // 8, 9
        var closed = new WorkflowExecution { WorkflowId = "c1", RunId = "child-run" };
        Assert.True(run.Run(m => m.RecordChildClosed(5, "child-run", closed, closing)));

        Assert.Matches($"^10 {reported}(\\(START_TO_CLOSE\\))?, 11 DecisionTaskScheduled$", run.LastText);
        var e = run.Event(10);
        switch (reported)
        {
            case EventType.ChildWorkflowExecutionCompleted:
                var completed = e.ChildWorkflowExecutionCompletedEventAttributes!;
                Assert.Equal(("r", 5L, 6L, "child-run", "child"), (completed.Result, completed.InitiatedEventId!.Value, completed.StartedEventId!.Value,
                    completed.WorkflowExecution!.RunId, completed.WorkflowType!.Name));
                break;
            case EventType.ChildWorkflowExecutionFailed:
                var failed = e.ChildWorkflowExecutionFailedEventAttributes!;
                Assert.Equal(("why", "d", 5L, 6L), (failed.Reason, failed.Details, failed.InitiatedEventId!.Value, failed.StartedEventId!.Value));
                break;
            case EventType.ChildWorkflowExecutionCanceled:
                Assert.Equal("d", e.ChildWorkflowExecutionCanceledEventAttributes!.Details);
                break;
            case EventType.ChildWorkflowExecutionTimedOut:
                Assert.Equal(WorkflowExecutionTimeoutType.StartToClose, e.ChildWorkflowExecutionTimedOutEventAttributes!.TimeoutType);
                break;
            case EventType.ChildWorkflowExecutionTerminated:
                Assert.Equal(6L, e.ChildWorkflowExecutionTerminatedEventAttributes!.StartedEventId);
                break;
        }
        Assert.Empty(run.State.Children);
        Assert.False(run.Run(m => m.RecordChildClosed(5, "child-run", closed, closing)));
    }

    [Fact]
    public void ChildClosed_OvertakingTheStartReport_RecordsTheStartFirst()
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1"));
        var lastRun = new WorkflowExecution { WorkflowId = "c1", RunId = "third-run" };
        var completed = new HistoryEvent { EventType = EventType.WorkflowExecutionCompleted, WorkflowExecutionCompletedEventAttributes = new() { Result = "r" } };
        Assert.True(run.Run(m => m.RecordChildClosed(5, "first-run", lastRun, completed)));

        Assert.Equal("6 ChildWorkflowExecutionStarted, 7 ChildWorkflowExecutionCompleted, 8 DecisionTaskScheduled", run.LastText);
        Assert.Equal("first-run", run.Event(6).ChildWorkflowExecutionStartedEventAttributes!.WorkflowExecution!.RunId);
        var done = run.Event(7).ChildWorkflowExecutionCompletedEventAttributes!;
        Assert.Equal(("third-run", 6L), (done.WorkflowExecution!.RunId, done.StartedEventId!.Value));
        // The start's own report, arriving last, records nothing.
        Assert.False(run.Run(m => m.RecordChildStarted(5, "first-run")));
    }

    [Fact]
    public void TheChild_StartsFromTheInitiatedEvent_WithItsParent_AndReportsItsClose()
    {
        var parent = TestRun.Start();
        parent.Turn(D.StartChild("c1", input: "hello", configure: a => a.TagList = ["t"]));
        var initiated = parent.Event(5).StartChildWorkflowExecutionInitiatedEventAttributes!;

        var child = TestRun.From(ExecutionMachine.StartResolved(ExecutionMachine.ChildStart("orders", Parent, 5, initiated), "child-run", TestRun.T0));
        Assert.Equal("1 WorkflowExecutionStarted, 2 DecisionTaskScheduled", child.Text);
        var started = child.Event(1).WorkflowExecutionStartedEventAttributes!;
        Assert.Equal(("order-42", TestRun.RunId, 5L, "hello", "child-deciders", ChildPolicy.RequestCancel), (started.ParentWorkflowExecution!.WorkflowId,
            started.ParentWorkflowExecution.RunId, started.ParentInitiatedEventId!.Value, started.Input, started.TaskList!.Name, started.ChildPolicy));
        Assert.Equal(["t"], started.TagList!);
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "child-deciders", 0, 2)], child.Last.NewTasks);
        Assert.Equal("order-42", child.State.Info().Parent!.WorkflowId);

        child.Turn(D.Complete("done"));
        Assert.Equal([new IntentToCarryOut(IntentKind.RunClosed, 5)], child.Last.NewIntents);
    }

    [Fact]
    public void ARunWithoutParentOrPolicyWork_ClosesWithoutAnIntent()
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1"));
        run.Run(m => m.RecordChildStarted(5, "child-run"));
        run.Turn(D.Complete());
        Assert.True(run.Last.Closed);
        Assert.Empty(run.Last.NewIntents); // completing applies no child policy: children run on

        var abandoning = TestRun.Start(TestRun.Request(r => r with { ChildPolicy = ChildPolicy.Abandon }));
        abandoning.Turn(D.StartChild("c1"));
        abandoning.Run(m => m.RecordChildStarted(5, "child-run"));
        abandoning.Run(m => m.Terminate(null, null, null, WorkflowExecutionTerminatedCause.OperatorInitiated));
        Assert.Empty(abandoning.Last.NewIntents);
    }

    [Theory]
    [InlineData(ChildPolicy.Terminate)]
    [InlineData(ChildPolicy.RequestCancel)]
    public void TerminatingAParentWithStartedChildren_QueuesItsChildPolicy(string policy)
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1"), D.StartChild("c2"));
        run.Run(m => m.RecordChildStarted(5, "child-run"));
        run.Run(m => m.Terminate("stop", null, policy, WorkflowExecutionTerminatedCause.OperatorInitiated));

        Assert.Equal("9 WorkflowExecutionTerminated", run.LastText);
        Assert.Equal([new IntentToCarryOut(IntentKind.RunClosed, 9)], run.Last.NewIntents);
        Assert.Equal(policy, run.State.CloseChildPolicy);
        // The children stay in the closed run's state for the intents that apply the policy; nothing counts as open.
        Assert.Equal(2, run.State.Children.Count);
        Assert.Equal(0, run.State.OpenCounts().OpenChildWorkflowExecutions);
        Assert.False(run.Run(m => m.RecordChildStarted(6, "late")));
    }

    [Fact]
    public void TimingOutAParent_RecordsItsChildPolicy()
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1"));
        run.Run(m => m.RecordChildStarted(5, "child-run"));
        run.Advance(3600);
        Assert.True(run.Run(m => m.TimeOutExecution()));
        Assert.Equal((ChildPolicy.Terminate, CloseStatus.TimedOut), (run.State.CloseChildPolicy, run.State.CloseStatus));
        Assert.Single(run.Last.NewIntents);
    }

    [Fact]
    public void ParentChildPolicy_TERMINATE_TerminatesTheChild_WithCHILD_POLICY_APPLIED()
    {
        var child = StartedChild();
        Assert.True(child.Run(m => m.ApplyParentChildPolicy(Parent, 5, ChildPolicy.Terminate)));

        Assert.Equal("3 WorkflowExecutionTerminated", child.LastText);
        var terminated = child.Event(3).WorkflowExecutionTerminatedEventAttributes!;
        Assert.Equal((WorkflowExecutionTerminatedCause.ChildPolicyApplied, ChildPolicy.RequestCancel), (terminated.Cause, terminated.ChildPolicy));
        Assert.Equal([new IntentToCarryOut(IntentKind.RunClosed, 3)], child.Last.NewIntents); // reports to the (closed) parent
        Assert.False(child.Run(m => m.ApplyParentChildPolicy(Parent, 5, ChildPolicy.Terminate)));
    }

    [Fact]
    public void ParentChildPolicy_REQUEST_CANCEL_RecordsACancelRequest_WithCHILD_POLICY_APPLIED()
    {
        var child = StartedChild();
        child.Turn();
        Assert.True(child.Run(m => m.ApplyParentChildPolicy(Parent, 5, ChildPolicy.RequestCancel)));

        Assert.Equal("5 WorkflowExecutionCancelRequested, 6 DecisionTaskScheduled", child.LastText);
        var requested = child.Event(5).WorkflowExecutionCancelRequestedEventAttributes!;
        Assert.Equal((WorkflowExecutionCancelRequestedCause.ChildPolicyApplied, TestRun.RunId, null),
            (requested.Cause, requested.ExternalWorkflowExecution!.RunId, requested.ExternalInitiatedEventId));
    }

    [Fact]
    public void ParentChildPolicy_ABANDON_OrOfAnotherParent_DoesNothing()
    {
        var child = StartedChild();
        Assert.False(child.Run(m => m.ApplyParentChildPolicy(Parent, 5, ChildPolicy.Abandon)));
        Assert.False(child.Run(m => m.ApplyParentChildPolicy(new WorkflowExecution { WorkflowId = "order-42", RunId = "other" }, 5, ChildPolicy.Terminate)));
        Assert.False(child.Run(m => m.ApplyParentChildPolicy(Parent, 6, ChildPolicy.Terminate)));
        Assert.True(child.State.IsOpen);
    }

    private static TestRun StartedChild()
    {
        var parent = TestRun.Start();
        parent.Turn(D.StartChild("c1"));
        var initiated = parent.Event(5).StartChildWorkflowExecutionInitiatedEventAttributes!;
        return TestRun.From(ExecutionMachine.StartResolved(ExecutionMachine.ChildStart("orders", Parent, 5, initiated), "child-run", TestRun.T0));
    }

    [Fact]
    public void ExecutionTimeout_FiredByTheAlarm_ClosesWithTheChildPolicy_AndOwesTheIntentsItNeverHeardBackAbout()
    {
        var run = TestRun.Start();
        run.Turn(D.StartChild("c1"), D.StartChild("c2"), D.Signal("other", "ping"));
        run.Run(m => m.RecordChildStarted(5, "run-c1"));  // c2 (6) and the signal (7) are still under way
        Assert.Empty(run.State.IntentsAfterClose());     // an open run owes nothing yet: it hears back

        run.Advance(3600);
        Assert.Equal(1, run.Run(m => m.FireDueDeadlines(null)));

        Assert.Equal("10 WorkflowExecutionTimedOut(START_TO_CLOSE)", run.LastText);
        Assert.Equal(ChildPolicy.Terminate, run.Event(10).WorkflowExecutionTimedOutEventAttributes!.ChildPolicy);
        Assert.Equal([new IntentToCarryOut(IntentKind.RunClosed, 10)], run.Last.NewIntents);
        Assert.Equal(
            [new IntentToCarryOut(IntentKind.RunClosed, 10), new IntentToCarryOut(IntentKind.StartChild, 6), new IntentToCarryOut(IntentKind.SignalExternal, 7)],
            run.State.IntentsAfterClose());
    }

    [Fact]
    public void A_Run_Without_Parent_Or_StartedChildren_Owes_No_RunClosed_Intent()
    {
        var run = TestRun.Start();
        run.Turn(D.Complete());
        Assert.Empty(run.Last.NewIntents);
        Assert.Empty(run.State.IntentsAfterClose());
    }
}

