using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>ScheduleLambdaFunction and what the invocation reports back: started, completed, failed, timed out.</summary>
public class LambdaFunctionTests
{
    private static Decision Lambda(string id, string name = "fn", string? input = "in", string? timeout = null) => new()
    {
        DecisionType = DecisionType.ScheduleLambdaFunction,
        ScheduleLambdaFunctionDecisionAttributes = new ScheduleLambdaFunctionDecisionAttributes
        {
            Id = id, Name = name, Input = input, Control = "ctl", StartToCloseTimeout = timeout,
        },
    };

    [Fact]
    public void Schedule_RecordsScheduled_WithTheDefaultTimeout_AndAnIntent()
    {
        var run = TestRun.Start();
        run.Turn(Lambda("l1"));

        Assert.Equal("4 DecisionTaskCompleted, 5 LambdaFunctionScheduled", run.LastText);
        var scheduled = run.Event(5).LambdaFunctionScheduledEventAttributes!;
        Assert.Equal(("l1", "fn", "in", "ctl", "900", 4L), (scheduled.Id, scheduled.Name, scheduled.Input, scheduled.Control,
            scheduled.StartToCloseTimeout, scheduled.DecisionTaskCompletedEventId!.Value));
        Assert.Equal([new IntentToCarryOut(IntentKind.LambdaFunction, 5)], run.Last.NewIntents);
        Assert.Empty(run.Last.NewTasks);
        Assert.Equal(1, StartExecutionTests.Counts(run.State).Lambdas);
        Assert.Empty(ExecutionDeadlines.All(run.State).Where(d => d.Kind == DeadlineKind.LambdaFunctionTimeout));
    }

    [Fact]
    public void Started_ThenCompleted_RecordsOnce_WithADecisionTask()
    {
        var run = TestRun.Start();
        run.Turn(Lambda("l1", timeout: "30"));
        Assert.True(run.Run(m => m.RecordLambdaStarted(5)));
        Assert.Equal("6 LambdaFunctionStarted", run.LastText);
        Assert.Equal([Deadline.LambdaFunction(TestRun.T0.AddSeconds(30), 5, 6)], run.Last.NewDeadlines);
        Assert.False(run.Run(m => m.RecordLambdaStarted(5)));

        Assert.False(run.Run(m => m.RecordLambdaCompleted(5, 99, "r"))); // another start's report
        Assert.True(run.Run(m => m.RecordLambdaCompleted(5, 6, "r")));
        Assert.Equal("7 LambdaFunctionCompleted, 8 DecisionTaskScheduled", run.LastText);
        Assert.Equal(("r", 5L, 6L), (run.Event(7).LambdaFunctionCompletedEventAttributes!.Result,
            run.Event(7).LambdaFunctionCompletedEventAttributes!.ScheduledEventId!.Value, run.Event(7).LambdaFunctionCompletedEventAttributes!.StartedEventId!.Value));
        Assert.False(run.Run(m => m.RecordLambdaCompleted(5, 6, "r")));
        Assert.False(run.Run(m => m.RecordLambdaFailed(5, 6, "x", null)));
        Assert.Equal(0, StartExecutionTests.Counts(run.State).Lambdas);
    }

    [Fact]
    public void Failed_AndStartFailed_RecordWithADecisionTask()
    {
        var run = TestRun.Start();
        run.Turn(Lambda("l1"), Lambda("l2"));
        run.Run(m => m.RecordLambdaStarted(5));
        Assert.True(run.Run(m => m.RecordLambdaFailed(5, 7, "HTTP 500", "body")));
        Assert.Equal("8 LambdaFunctionFailed, 9 DecisionTaskScheduled", run.LastText);
        Assert.True(run.Run(m => m.RecordStartLambdaFailed(6, StartLambdaFunctionFailedCause.AssumeRoleFailed, "not configured")));
        Assert.Equal("10 StartLambdaFunctionFailed(ASSUME_ROLE_FAILED)", run.LastText); // a decision task is already scheduled
        Assert.Equal(("not configured", 6L), (run.Event(10).StartLambdaFunctionFailedEventAttributes!.Message,
            run.Event(10).StartLambdaFunctionFailedEventAttributes!.ScheduledEventId!.Value));
        Assert.Equal(0, StartExecutionTests.Counts(run.State).Lambdas);
    }

    [Fact]
    public void StartToClose_FiresThroughTheDeadlines_OnlyWhenDue()
    {
        var run = TestRun.Start();
        run.Turn(Lambda("l1", timeout: "10"));
        run.Run(m => m.RecordLambdaStarted(5));
        Assert.Equal(TestRun.T0.AddSeconds(10), ExecutionDeadlines.Next(run.State));
        run.Advance(9);
        Assert.Equal(0, run.Run(m => m.FireDueDeadlines(null)));
        run.Advance(1);
        Assert.Equal(1, run.Run(m => m.FireDueDeadlines(null)));
        Assert.Equal("7 LambdaFunctionTimedOut(START_TO_CLOSE), 8 DecisionTaskScheduled", run.LastText);
        Assert.Equal(LambdaFunctionTimeoutType.StartToClose, run.Event(7).LambdaFunctionTimedOutEventAttributes!.TimeoutType);
        Assert.False(run.Run(m => m.RecordLambdaCompleted(5, 6, "late")));
    }

    [Fact]
    public void Schedule_Fails_OnADuplicateId_WithoutALambdaRole_AndBeyondTheQuota()
    {
        var run = TestRun.Start();
        run.Turn(Lambda("l1"), Lambda("l1"));
        Assert.Equal("4 DecisionTaskCompleted, 5 LambdaFunctionScheduled, 6 ScheduleLambdaFunctionFailed(ID_ALREADY_IN_USE), 7 DecisionTaskScheduled", run.LastText);

        var full = TestRun.Start();
        full.Turn([.. Enumerable.Range(0, ExecutionMachine.MaxOpenLambdaFunctions + 1).Select(i => Lambda($"l{i}"))]);
        Assert.Equal(ExecutionMachine.MaxOpenLambdaFunctions, full.State.Lambdas.Count);
        Assert.Equal(ScheduleLambdaFunctionFailedCause.OpenLambdaFunctionsLimitExceeded,
            full.Last.NewEvents.Single(e => e.EventType == EventType.ScheduleLambdaFunctionFailed).ScheduleLambdaFunctionFailedEventAttributes!.Cause);

        var defaults = TestTypes.WorkflowDefaults();
        defaults.DefaultLambdaRole = null;
        var noRole = TestRun.Start(type: TestTypes.Workflow(defaults));
        noRole.Turn(Lambda("l1"));
        Assert.Equal("4 DecisionTaskCompleted, 5 ScheduleLambdaFunctionFailed(LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION), 6 DecisionTaskScheduled", noRole.LastText);
        Assert.Empty(noRole.Last.NewIntents);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("901")]
    [InlineData("NONE")]
    public void Schedule_RejectsATimeoutOutside1To900(string timeout)
    {
        var fault = Assert.Throws<SwfFault>(() => DecisionListValidator.Validate([Lambda("l1", timeout: timeout)]));
        Assert.Equal("ValidationException", fault.Type);
    }

    [Fact]
    public void TheCloseDropsOpenLambdaTasks_AndReportsAfterItRecordNothing()
    {
        var run = TestRun.Start();
        run.Turn(Lambda("l1"));
        run.Run(m => m.RecordLambdaStarted(5));
        run.Run(m => m.Signal("go", null));
        run.Turn(D.Complete());
        Assert.Equal(0, StartExecutionTests.Counts(run.State).Lambdas);
        Assert.False(run.Run(m => m.RecordLambdaCompleted(5, 6, "r")));
    }

    [Fact]
    public void A_Lambda_report_that_would_pass_the_history_limit_terminates_the_run_instead()
    {
        // 1 started, 2-4 the first decision task, 5 scheduled, 6 started: an open run of limit 7 is full.
        var run = TestRun.Start(limits: new ExecutionLimits { MaxHistoryEvents = 7 });
        run.Turn(Lambda("l1", timeout: "30"));
        Assert.True(run.Run(m => m.RecordLambdaStarted(5)));

        Assert.True(run.Run(m => m.RecordLambdaCompleted(5, 6, "r")));
        Assert.True(run.Last.HistoryLimitReached);
        Assert.Equal("7 WorkflowExecutionTerminated", run.LastText);
        Assert.Equal(WorkflowExecutionTerminatedCause.EventLimitExceeded, run.Event(7).WorkflowExecutionTerminatedEventAttributes!.Cause);
    }
}
