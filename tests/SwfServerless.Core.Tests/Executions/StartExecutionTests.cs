using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

public class StartExecutionTests
{
    [Fact]
    public void Start_FillsTheConfigurationFromTheTypeDefaults()
    {
        var run = TestRun.Start(TestRun.Request(r => r with { TagList = ["a", "b"] }));

        Assert.Equal("1 WorkflowExecutionStarted, 2 DecisionTaskScheduled", run.Text);
        var started = run.Event(1).WorkflowExecutionStartedEventAttributes!;
        Assert.Equal("order input", started.Input);
        Assert.Equal("3600", started.ExecutionStartToCloseTimeout);
        Assert.Equal("30", started.TaskStartToCloseTimeout);
        Assert.Equal(ChildPolicy.Terminate, started.ChildPolicy);
        Assert.Equal("deciders", started.TaskList!.Name);
        Assert.Equal("5", started.TaskPriority);
        Assert.Equal("arn:aws:iam::123456789012:role/lambda", started.LambdaRole);
        Assert.Equal(("wf", "1"), (started.WorkflowType!.Name, started.WorkflowType.Version));
        Assert.Equal(["a", "b"], started.TagList!);
        Assert.Null(started.ParentWorkflowExecution);
        Assert.Null(started.ContinuedExecutionRunId);

        var scheduled = run.Event(2).DecisionTaskScheduledEventAttributes!;
        Assert.Equal("deciders", scheduled.TaskList!.Name);
        Assert.Equal("5", scheduled.TaskPriority);
        Assert.Equal("30", scheduled.StartToCloseTimeout);
        Assert.Null(scheduled.ScheduleToStartTimeout);

        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "deciders", 5, 2)], run.Last.NewTasks);
        Assert.Equal([Deadline.Execution(TestRun.T0.AddSeconds(3600))], run.Last.NewDeadlines);
        Assert.False(run.Last.Closed);

        var detail = run.State.Detail();
        Assert.Equal(ExecutionStatus.Open, detail.ExecutionInfo!.ExecutionStatus);
        Assert.Null(detail.ExecutionInfo.CloseStatus);
        Assert.Equal(TestRun.T0, detail.ExecutionInfo.StartTimestamp);
        Assert.Equal(("order-42", TestRun.RunId), (detail.ExecutionInfo.Execution!.WorkflowId, detail.ExecutionInfo.Execution.RunId));
        Assert.Equal(["a", "b"], detail.ExecutionInfo.TagList!);
        Assert.False(detail.ExecutionInfo.CancelRequested);
        Assert.Equal("3600", detail.ExecutionConfiguration!.ExecutionStartToCloseTimeout);
        Assert.Equal("30", detail.ExecutionConfiguration.TaskStartToCloseTimeout);
        Assert.Equal("deciders", detail.ExecutionConfiguration.TaskList!.Name);
        Assert.Equal("5", detail.ExecutionConfiguration.TaskPriority);
        Assert.Equal(ChildPolicy.Terminate, detail.ExecutionConfiguration.ChildPolicy);
        Assert.Equal((0, 1, 0, 0, 0), Counts(run.State));
        Assert.Null(detail.LatestActivityTaskTimestamp);
        Assert.Null(detail.LatestExecutionContext);
    }

    [Fact]
    public void Start_RequestValuesOverrideDefaults_AndParentAndContinuationAreRecorded()
    {
        var parent = new WorkflowExecution { WorkflowId = "parent", RunId = "parent-run" };
        var run = TestRun.Start(TestRun.Request(r => r with
        {
            ExecutionStartToCloseTimeout = "120",
            TaskStartToCloseTimeout = "NONE",
            TaskList = "special",
            TaskPriority = "-3",
            ChildPolicy = ChildPolicy.Abandon,
            LambdaRole = "arn:aws:iam::123456789012:role/other",
            ParentWorkflowExecution = parent,
            ParentInitiatedEventId = 17,
            ContinuedExecutionRunId = "run-0",
        }));

        var started = run.Event(1).WorkflowExecutionStartedEventAttributes!;
        Assert.Equal(("120", "NONE", "special", "-3", ChildPolicy.Abandon), (started.ExecutionStartToCloseTimeout,
            started.TaskStartToCloseTimeout, started.TaskList!.Name, started.TaskPriority, started.ChildPolicy));
        Assert.Equal("arn:aws:iam::123456789012:role/other", started.LambdaRole);
        Assert.Equal("parent-run", started.ParentWorkflowExecution!.RunId);
        Assert.Equal(17, started.ParentInitiatedEventId);
        Assert.Equal("run-0", started.ContinuedExecutionRunId);
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "special", -3, 2)], run.Last.NewTasks);
        Assert.Equal("parent", run.State.Info().Parent!.WorkflowId);

        // A NONE task timeout arms no decision deadline.
        run.StartDecision();
        Assert.Empty(run.Last.NewDeadlines);
    }

    [Theory]
    [InlineData("executionStartToCloseTimeout")]
    [InlineData("taskStartToCloseTimeout")]
    [InlineData("taskList")]
    [InlineData("childPolicy")]
    public void Start_WithoutValueOrDefault_IsDefaultUndefined(string field)
    {
        var defaults = TestTypes.WorkflowDefaults();
        switch (field)
        {
            case "executionStartToCloseTimeout": defaults.DefaultExecutionStartToCloseTimeout = null; break;
            case "taskStartToCloseTimeout": defaults.DefaultTaskStartToCloseTimeout = null; break;
            case "taskList": defaults.DefaultTaskList = null; break;
            case "childPolicy": defaults.DefaultChildPolicy = null; break;
        }
        var type = TestTypes.Workflow(defaults);

        var fault = Assert.Throws<SwfFault>(() => ExecutionMachine.Start(TestRun.Request(), type, TestRun.RunId, TestRun.T0));
        Assert.Equal("DefaultUndefinedFault", fault.Type);
        Assert.StartsWith(field + " is not set", fault.Message);

        // The request's value makes up for the missing default.
        var request = TestRun.Request(r => field switch
        {
            "executionStartToCloseTimeout" => r with { ExecutionStartToCloseTimeout = "10" },
            "taskStartToCloseTimeout" => r with { TaskStartToCloseTimeout = "10" },
            "taskList" => r with { TaskList = "given" },
            _ => r with { ChildPolicy = ChildPolicy.RequestCancel },
        });
        Assert.Equal(2, ExecutionMachine.Start(request, type, TestRun.RunId, TestRun.T0).NewEvents.Count);
    }

    [Fact]
    public void Start_WithNoDefaultsAtAll_NamesTheFirstMissingField()
    {
        var fault = Assert.Throws<SwfFault>(() =>
            ExecutionMachine.Start(TestRun.Request(), TestTypes.Workflow(new WorkflowTypeConfiguration()), TestRun.RunId, TestRun.T0));
        Assert.Equal("DefaultUndefinedFault", fault.Type);
        Assert.Contains("executionStartToCloseTimeout", fault.Message);
    }

    [Fact]
    public void Start_LambdaRoleAndPriorityAreOptional()
    {
        var defaults = TestTypes.WorkflowDefaults();
        defaults.DefaultLambdaRole = null;
        defaults.DefaultTaskPriority = null;
        var run = TestRun.Start(type: TestTypes.Workflow(defaults));

        Assert.Null(run.Event(1).WorkflowExecutionStartedEventAttributes!.LambdaRole);
        Assert.Null(run.Event(1).WorkflowExecutionStartedEventAttributes!.TaskPriority);
        Assert.Equal(0, run.Last.NewTasks.Single().Priority);
    }

    [Theory]
    [InlineData("NONE", null, null, 0)]      // an execution timeout cannot be NONE
    [InlineData("31536001", null, null, 0)]  // more than a year
    [InlineData("1h", null, null, 0)]
    [InlineData(null, "soon", null, 0)]
    [InlineData(null, null, "high", 0)]
    [InlineData(null, null, null, 6)]        // at most 5 tags
    public void Start_WithMalformedValues_IsValidationException(string? executionTimeout, string? taskTimeout, string? priority, int tags)
    {
        var request = TestRun.Request(r => r with
        {
            ExecutionStartToCloseTimeout = executionTimeout,
            TaskStartToCloseTimeout = taskTimeout,
            TaskPriority = priority,
            TagList = tags == 0 ? null : Enumerable.Range(1, tags).Select(i => $"tag{i}").ToList(),
        });
        var fault = Assert.Throws<SwfFault>(() => ExecutionMachine.Start(request, TestTypes.Workflow(), TestRun.RunId, TestRun.T0));
        Assert.Equal("ValidationException", fault.Type);
    }

    [Fact]
    public void Start_WithUnknownChildPolicy_IsValidationException()
    {
        var fault = Assert.Throws<SwfFault>(() => ExecutionMachine.Start(
            TestRun.Request(r => r with { ChildPolicy = "KEEP" }), TestTypes.Workflow(), TestRun.RunId, TestRun.T0));
        Assert.Equal("ValidationException", fault.Type);
    }

    [Fact]
    public void Start_OfADeprecatedType_IsTypeDeprecated()
    {
        var fault = Assert.Throws<SwfFault>(() =>
            ExecutionMachine.Start(TestRun.Request(), TestTypes.Workflow(deprecated: true), TestRun.RunId, TestRun.T0));
        Assert.Equal("TypeDeprecatedFault", fault.Type);
    }

    [Fact]
    public void StartExecution_FromTheApiRequest_CarriesEveryField()
    {
        var input = new StartWorkflowExecutionInput
        {
            Domain = "orders",
            WorkflowId = "order-7",
            WorkflowType = new WorkflowType { Name = "wf", Version = "1" },
            TaskList = new TaskList { Name = "tl" },
            TaskPriority = "1",
            Input = "in",
            ExecutionStartToCloseTimeout = "100",
            TagList = ["t"],
            TaskStartToCloseTimeout = "10",
            ChildPolicy = ChildPolicy.Abandon,
            LambdaRole = "role",
        };
        var request = StartExecution.From(input);

        Assert.Equal(("orders", "order-7", "tl", "1", "in"), (request.Domain, request.WorkflowId, request.TaskList, request.TaskPriority, request.Input));
        Assert.Equal(("100", "10", ChildPolicy.Abandon, "role"), (request.ExecutionStartToCloseTimeout, request.TaskStartToCloseTimeout, request.ChildPolicy, request.LambdaRole));
        Assert.Equal(["t"], request.TagList!);
    }

    internal static (int Activities, int Decisions, int Timers, int Children, int Lambdas) Counts(ExecutionState state)
    {
        var c = state.OpenCounts();
        return (c.OpenActivityTasks!.Value, c.OpenDecisionTasks!.Value, c.OpenTimers!.Value, c.OpenChildWorkflowExecutions!.Value, c.OpenLambdaFunctions!.Value);
    }
}
