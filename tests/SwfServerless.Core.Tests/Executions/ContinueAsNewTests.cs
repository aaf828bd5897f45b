using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>ContinueAsNewWorkflowExecution: the closing event, the new run, and every failure cause.</summary>
public class ContinueAsNewTests
{
    [Fact]
    public void ContinueAsNew_ClosesTheRun_AndStartsTheNextOne_WithTheTypesDefaults()
    {
        var run = TestRun.Start(TestRun.Request(r => r with { TagList = ["old"], TaskList = "custom", ChildPolicy = ChildPolicy.Abandon }));
        run.Turn(D.ContinueAsNew(a => a.Input = "next input"));

        Assert.Equal("4 DecisionTaskCompleted, 5 WorkflowExecutionContinuedAsNew", run.LastText);
        Assert.True(run.Last.Closed);
        Assert.Equal(CloseStatus.ContinuedAsNew, run.State.CloseStatus);
        Assert.Empty(run.Last.NewIntents);
        var continued = run.Event(5).WorkflowExecutionContinuedAsNewEventAttributes!;
        var next = run.Last.ContinuedAs!;
        Assert.Equal(next.State.RunId, continued.NewExecutionRunId);
        Assert.Equal(RunIds.Derive(TestRun.RunId, 5, run.Now), continued.NewExecutionRunId);
        // The decision's values, else the type's defaults (not the closing run's): tags only from the decision.
        Assert.Equal(("next input", 4L, "3600", "30", "deciders", "5", ChildPolicy.Terminate, "wf", "1", null),
            (continued.Input, continued.DecisionTaskCompletedEventId!.Value, continued.ExecutionStartToCloseTimeout, continued.TaskStartToCloseTimeout,
             continued.TaskList!.Name, continued.TaskPriority, continued.ChildPolicy, continued.WorkflowType!.Name, continued.WorkflowType.Version, continued.TagList));

        var started = TestRun.From(next);
        Assert.Equal("1 WorkflowExecutionStarted, 2 DecisionTaskScheduled", started.Text);
        var attributes = started.Event(1).WorkflowExecutionStartedEventAttributes!;
        Assert.Equal((TestRun.RunId, "next input", "deciders", "order-42", run.Now), (attributes.ContinuedExecutionRunId, attributes.Input,
            attributes.TaskList!.Name, next.State.WorkflowId, started.Event(1).EventTimestamp!.Value));
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "deciders", 5, 2)], next.NewTasks);
        Assert.Contains(next.NewDeadlines, d => d.Kind == DeadlineKind.ExecutionTimeout);
        Assert.True(next.State.IsOpen);
    }

    [Fact]
    public void ContinueAsNew_WithEverySetting_AndAnotherVersion()
    {
        var run = TestRun.Start();
        run.WorkflowTypes[("wf", "2")] = TestTypes.ChildWorkflow("wf", "2");
        run.Turn(D.ContinueAsNew(a =>
        {
            a.WorkflowTypeVersion = "2";
            a.ExecutionStartToCloseTimeout = "90";
            a.TaskStartToCloseTimeout = "NONE";
            a.TaskList = new TaskList { Name = "v2-deciders" };
            a.TaskPriority = "7";
            a.ChildPolicy = ChildPolicy.RequestCancel;
            a.TagList = ["a", "b"];
            a.LambdaRole = "role";
        }));

        var continued = run.Event(5).WorkflowExecutionContinuedAsNewEventAttributes!;
        Assert.Equal(("2", "90", "NONE", "v2-deciders", "7", ChildPolicy.RequestCancel, "role"), (continued.WorkflowType!.Version,
            continued.ExecutionStartToCloseTimeout, continued.TaskStartToCloseTimeout, continued.TaskList!.Name, continued.TaskPriority,
            continued.ChildPolicy, continued.LambdaRole));
        Assert.Equal(["a", "b"], continued.TagList!);
        var next = run.Last.ContinuedAs!.State;
        Assert.Equal(("2", "v2-deciders", ChildPolicy.RequestCancel), (next.WorkflowType.Version, next.TaskList, next.ChildPolicy));
        Assert.Equal(["a", "b"], next.TagList!);
    }

    [Fact]
    public void AChild_ThatContinuesAsNew_StaysItsParentsChild_AndReportsOnlyTheLastClose()
    {
        var parent = new WorkflowExecution { WorkflowId = "p", RunId = "p-run" };
        var run = TestRun.Start(TestRun.Request(r => r with { ParentWorkflowExecution = parent, ParentInitiatedEventId = 7 }));
        run.Turn(D.ContinueAsNew());
        Assert.Empty(run.Last.NewIntents); // no report to the parent: the chain goes on

        var next = TestRun.From(run.Last.ContinuedAs!);
        Assert.Equal(("p-run", 7L, TestRun.RunId), (next.State.ParentWorkflowExecution!.RunId, next.State.ParentInitiatedEventId, next.State.ContinuedExecutionRunId));
        next.Turn(D.Complete());
        Assert.Equal([new IntentToCarryOut(IntentKind.RunClosed, 5)], next.Last.NewIntents);
    }

    [Fact]
    public void ContinueAsNew_WithUnhandledEvents_FailsWith_UNHANDLED_DECISION()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Run(m => m.Signal("late", null));
        run.Decide(D.ContinueAsNew());

        Assert.Equal("5 DecisionTaskCompleted, 6 ContinueAsNewWorkflowExecutionFailed(UNHANDLED_DECISION), 7 DecisionTaskScheduled", run.LastText);
        Assert.Null(run.Last.ContinuedAs);
        Assert.True(run.State.IsOpen);
    }

    [Theory]
    [InlineData("9", ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist)]
    [InlineData("deprecated", ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDeprecated)]
    [InlineData("no-timeout", ContinueAsNewWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined)]
    [InlineData("no-task-timeout", ContinueAsNewWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined)]
    [InlineData("no-list", ContinueAsNewWorkflowExecutionFailedCause.DefaultTaskListUndefined)]
    [InlineData("no-policy", ContinueAsNewWorkflowExecutionFailedCause.DefaultChildPolicyUndefined)]
    public void ContinueAsNew_FailureCauses(string version, string cause)
    {
        var run = TestRun.Start();
        WorkflowTypeConfiguration Without(Action<WorkflowTypeConfiguration> clear)
        {
            var defaults = TestTypes.WorkflowDefaults();
            clear(defaults);
            return defaults;
        }
        run.WorkflowTypes[("wf", "deprecated")] = TestTypes.ChildWorkflow("wf", "deprecated", TestTypes.WorkflowDefaults(), deprecated: true);
        run.WorkflowTypes[("wf", "no-timeout")] = TestTypes.ChildWorkflow("wf", "no-timeout", Without(d => d.DefaultExecutionStartToCloseTimeout = null));
        run.WorkflowTypes[("wf", "no-task-timeout")] = TestTypes.ChildWorkflow("wf", "no-task-timeout", Without(d => d.DefaultTaskStartToCloseTimeout = null));
        run.WorkflowTypes[("wf", "no-list")] = TestTypes.ChildWorkflow("wf", "no-list", Without(d => d.DefaultTaskList = null));
        run.WorkflowTypes[("wf", "no-policy")] = TestTypes.ChildWorkflow("wf", "no-policy", Without(d => d.DefaultChildPolicy = null));

        run.Turn(D.ContinueAsNew(a => a.WorkflowTypeVersion = version));

        Assert.Equal($"4 DecisionTaskCompleted, 5 ContinueAsNewWorkflowExecutionFailed({cause}), 6 DecisionTaskScheduled", run.LastText);
        Assert.Equal(4L, run.Event(5).ContinueAsNewWorkflowExecutionFailedEventAttributes!.DecisionTaskCompletedEventId);
        Assert.Null(run.Last.ContinuedAs);
    }

    [Fact]
    public void MalformedSettings_RejectTheWholeCall()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Fails(m => m.CompleteDecisionTask(3, [D.ContinueAsNew(a => a.ChildPolicy = "KILL")], null, run.ActivityTypes, workflowTypes: run.WorkflowTypes), "ValidationException");
        run.Fails(m => m.CompleteDecisionTask(3, [D.ContinueAsNew(a => a.ExecutionStartToCloseTimeout = "NONE")], null, run.ActivityTypes, workflowTypes: run.WorkflowTypes), "ValidationException");
        run.Fails(m => m.CompleteDecisionTask(3, [D.StartChild("c", configure: a => a.TaskPriority = "high")], null, run.ActivityTypes, workflowTypes: run.WorkflowTypes), "ValidationException");
        run.Fails(m => m.CompleteDecisionTask(3, [D.StartChild("c", configure: a => a.TagList = ["1", "2", "3", "4", "5", "6"])], null, run.ActivityTypes, workflowTypes: run.WorkflowTypes), "ValidationException");
    }

    [Fact]
    public void WorkflowTypesReferenced_ListsChildrenAndTheContinuedType()
    {
        var current = new WorkflowType { Name = "wf", Version = "1" };
        Assert.Equal(new HashSet<(string, string)> { ("child", "1"), ("other", "3"), ("wf", "1") },
            ExecutionMachine.WorkflowTypesReferenced([D.StartChild("a"), D.StartChild("b", "other", "3"), D.StartChild("c"), D.ContinueAsNew()], current));
        Assert.Equal(new HashSet<(string, string)> { ("wf", "2") },
            ExecutionMachine.WorkflowTypesReferenced([D.RecordMarker("m"), D.ContinueAsNew(a => a.WorkflowTypeVersion = "2")], current));
        Assert.Empty(ExecutionMachine.WorkflowTypesReferenced(null, current));
    }

    [Fact]
    public void DerivedRunIds_AreVersion7_TimeOrdered_AndDeterministic()
    {
        var at = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var id = RunIds.Derive("run-1", 5, at);
        Assert.Equal(id, RunIds.Derive("run-1", 5, at));
        Assert.NotEqual(id, RunIds.Derive("run-1", 6, at));
        Assert.Matches("^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$", id);
        Assert.True(string.CompareOrdinal(id, RunIds.Derive("run-1", 5, at.AddMilliseconds(1))) < 0);
        Assert.Equal(7, Guid.ParseExact(id, "N").Version);
    }
}
