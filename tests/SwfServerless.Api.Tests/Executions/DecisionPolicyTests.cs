using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>Access policies reach inside RespondDecisionTaskCompleted: a denied decision becomes its *Failed event.</summary>
[Collection("api")]
public sealed class DecisionPolicyTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private static readonly (string, string) Admin = ("AKIDADMIN", "admin-secret");

    protected override Dictionary<string, string?> Settings() => new()
    {
        ["Swf:LongPollSeconds"] = "2",
        ["Swf:AccessKeys:0:AccessKeyId"] = "AKIDADMIN",
        ["Swf:AccessKeys:0:SecretAccessKey"] = "admin-secret",
        ["Swf:AccessKeys:1:AccessKeyId"] = "AKIDDECIDER",
        ["Swf:AccessKeys:1:SecretAccessKey"] = "decider-secret",
        ["Swf:AccessKeys:1:Actions:0"] = "PollForDecisionTask",
        ["Swf:AccessKeys:1:Actions:1"] = "RespondDecisionTaskCompleted",
        ["Swf:AccessKeys:1:Actions:2"] = "StartTimer",
        ["Swf:AccessKeys:2:AccessKeyId"] = "AKIDKIDS",
        ["Swf:AccessKeys:2:SecretAccessKey"] = "kids-secret",
        ["Swf:AccessKeys:2:Actions:0"] = "PollForDecisionTask",
        ["Swf:AccessKeys:2:Actions:1"] = "RespondDecisionTaskCompleted",
        ["Swf:AccessKeys:2:Actions:2"] = "StartChildWorkflowExecution",
        ["Swf:AccessKeys:2:TaskLists:0"] = "deciders",
        ["Swf:AccessKeys:2:TaskLists:1"] = "kids",
    };

    /// <summary>Registered by the administrator, whose key each test starts with.</summary>
    protected override Task SetUpAsync()
    {
        App.SigningKey = Admin;
        return base.SetUpAsync();
    }

    [Fact]
    public async Task A_decision_the_key_may_not_make_is_recorded_as_failed_with_OPERATION_NOT_PERMITTED()
    {
        var run = await Wf.StartAsync("guarded");

        App.SigningKey = ("AKIDDECIDER", "decider-secret");
        await App.FaultAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = "guarded", signalName = "s" }, "OperationNotPermittedFault");
        var task = await Wf.PollDecisionAsync();
        await Wf.DecideAsync(task, Workflows.Schedule("a"),
            new { decisionType = "StartTimer", startTimerDecisionAttributes = new { timerId = "t", startToFireTimeout = "600" } });

        App.SigningKey = Admin;
        var events = await Wf.HistoryAsync(run);
        Assert.EndsWith("DecisionTaskCompleted, ScheduleActivityTaskFailed, TimerStarted, DecisionTaskScheduled", Workflows.Types(events));
        var failed = events.Single(e => e.GetProperty("eventType").GetString() == "ScheduleActivityTaskFailed").GetProperty("scheduleActivityTaskFailedEventAttributes");
        Assert.Equal("OPERATION_NOT_PERMITTED", failed.GetProperty("cause").GetString());
        Assert.Equal("a", failed.GetProperty("activityId").GetString());

        App.SigningKey = null;
        var unsigned = await App.CallAsync("ListDomains", new { registrationStatus = "REGISTERED" });
        Assert.Equal("com.amazon.coral.service#MissingAuthenticationTokenException", unsigned.FaultType);
    }

    [Fact]
    public async Task A_child_start_is_checked_against_the_task_list_it_gets_the_decisions_or_else_the_child_types_default()
    {
        await App.OkAsync("RegisterWorkflowType", new
        {
            domain = Wf.Domain, name = "elsewhere", version = "1", defaultTaskList = new { name = "forbidden" }, defaultChildPolicy = "TERMINATE",
            defaultExecutionStartToCloseTimeout = "600", defaultTaskStartToCloseTimeout = "30",
        });
        var run = await Wf.StartAsync("parent");

        App.SigningKey = ("AKIDKIDS", "kids-secret");
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), new
        {
            decisionType = "StartChildWorkflowExecution", // no task list: the type's default, "deciders", which the key may use
            startChildWorkflowExecutionDecisionAttributes = new { workflowId = "allowed", workflowType = Workflows.WorkflowType },
        }, new
        {
            decisionType = "StartChildWorkflowExecution",
            // no task list: the type's default, "forbidden"
            startChildWorkflowExecutionDecisionAttributes = new { workflowId = "denied", workflowType = new { name = "elsewhere", version = "1" } },
        });

        App.SigningKey = Admin;
        var events = await Wf.HistoryAsync(run);
        Assert.Contains("DecisionTaskCompleted, StartChildWorkflowExecutionInitiated, StartChildWorkflowExecutionFailed", Workflows.Types(events));
        var failed = Workflows.Attributes(Workflows.Last(events, "StartChildWorkflowExecutionFailed"));
        Assert.Equal(("denied", "OPERATION_NOT_PERMITTED"), (failed.GetProperty("workflowId").GetString(), failed.GetProperty("cause").GetString()));
    }
}
