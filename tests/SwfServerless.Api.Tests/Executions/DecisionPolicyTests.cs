using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>Access policies reach inside RespondDecisionTaskCompleted: a denied decision becomes its *Failed event.</summary>
[Collection("api")]
public sealed class DecisionPolicyTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync() => app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
    {
        ["Swf:LongPollSeconds"] = "2",
        ["Swf:AccessKeys:0:AccessKeyId"] = "AKIDADMIN",
        ["Swf:AccessKeys:0:SecretAccessKey"] = "admin-secret",
        ["Swf:AccessKeys:1:AccessKeyId"] = "AKIDDECIDER",
        ["Swf:AccessKeys:1:SecretAccessKey"] = "decider-secret",
        ["Swf:AccessKeys:1:Actions:0"] = "PollForDecisionTask",
        ["Swf:AccessKeys:1:Actions:1"] = "RespondDecisionTaskCompleted",
        ["Swf:AccessKeys:1:Actions:2"] = "StartTimer",
    });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_decision_the_key_may_not_make_is_recorded_as_failed_with_OPERATION_NOT_PERMITTED()
    {
        app.SigningKey = ("AKIDADMIN", "admin-secret");
        var wf = new Workflows(app);
        await wf.RegisterAsync();
        var runId = await wf.StartAsync("guarded");

        app.SigningKey = ("AKIDDECIDER", "decider-secret");
        await app.FaultAsync("SignalWorkflowExecution", new { domain = wf.Domain, workflowId = "guarded", signalName = "s" }, "OperationNotPermittedFault");
        var task = await wf.PollDecisionAsync();
        await wf.DecideAsync(task, Workflows.Schedule("a"),
            new { decisionType = "StartTimer", startTimerDecisionAttributes = new { timerId = "t", startToFireTimeout = "600" } });

        app.SigningKey = ("AKIDADMIN", "admin-secret");
        var events = await wf.HistoryAsync("guarded", runId);
        Assert.EndsWith("DecisionTaskCompleted, ScheduleActivityTaskFailed, TimerStarted, DecisionTaskScheduled", Workflows.Types(events));
        var failed = events.Single(e => e.GetProperty("eventType").GetString() == "ScheduleActivityTaskFailed").GetProperty("scheduleActivityTaskFailedEventAttributes");
        Assert.Equal("OPERATION_NOT_PERMITTED", failed.GetProperty("cause").GetString());
        Assert.Equal("a", failed.GetProperty("activityId").GetString());

        app.SigningKey = null;
        var unsigned = await app.CallAsync("ListDomains", new { registrationStatus = "REGISTERED" });
        Assert.Equal("com.amazon.coral.service#MissingAuthenticationTokenException", unsigned.FaultType);
    }
}
