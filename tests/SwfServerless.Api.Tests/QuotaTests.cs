using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>SWF's quotas (<c>Swf__Quotas__*</c>), each reached with a small configured limit over real HTTP.</summary>
[Collection("api")]
public sealed class QuotaTests(AzuriteFixture azurite)
{
    private Task<TestApp> StartAsync(params (string Key, string Value)[] settings) =>
        TestApp.StartAsync(azurite, settings.ToDictionary(s => s.Key, s => (string?)s.Value));

    [Fact]
    public async Task Registered_and_deprecated_domains_count_against_the_domain_quota()
    {
        await using var app = await StartAsync(("Swf:Quotas:Domains", "3"));
        foreach (var name in new[] { "d1", "d2", "d3" })
            await app.OkAsync("RegisterDomain", new { name, workflowExecutionRetentionPeriodInDays = "1" });
        await app.OkAsync("DeprecateDomain", new { name = "d1" });

        var message = await app.FaultAsync("RegisterDomain", new { name = "d4", workflowExecutionRetentionPeriodInDays = "1" }, "LimitExceededFault");
        Assert.Contains("3", message);
        // A name that is taken is still told so at the limit.
        await app.FaultAsync("RegisterDomain", new { name = "d1", workflowExecutionRetentionPeriodInDays = "1" }, "DomainAlreadyExistsFault");
    }

    [Fact]
    public async Task Workflow_and_activity_types_each_have_their_quota_per_domain()
    {
        await using var app = await StartAsync(("Swf:Quotas:WorkflowTypes", "2"), ("Swf:Quotas:ActivityTypes", "1"));
        foreach (var domain in new[] { "one", "two" })
            await app.OkAsync("RegisterDomain", new { name = domain, workflowExecutionRetentionPeriodInDays = "1" });
        await app.OkAsync("RegisterWorkflowType", new { domain = "one", name = "w", version = "1" });
        await app.OkAsync("RegisterWorkflowType", new { domain = "one", name = "w", version = "2" });
        await app.OkAsync("DeprecateWorkflowType", new { domain = "one", workflowType = new { name = "w", version = "1" } });
        await app.OkAsync("RegisterActivityType", new { domain = "one", name = "a", version = "1" });

        await app.FaultAsync("RegisterWorkflowType", new { domain = "one", name = "w", version = "3" }, "LimitExceededFault");
        await app.FaultAsync("RegisterActivityType", new { domain = "one", name = "a", version = "2" }, "LimitExceededFault");
        await app.FaultAsync("RegisterActivityType", new { domain = "one", name = "a", version = "1" }, "TypeAlreadyExistsFault");
        // Per domain: another domain has its own.
        await app.OkAsync("RegisterWorkflowType", new { domain = "two", name = "w", version = "3" });
        await app.OkAsync("RegisterActivityType", new { domain = "two", name = "a", version = "2" });
    }

    [Fact]
    public async Task Open_executions_past_the_quota_fail_to_start_and_a_child_start_fails_with_OPEN_WORKFLOWS_LIMIT_EXCEEDED()
    {
        await using var app = await StartAsync(("Swf:Quotas:OpenExecutions", "2"), ("Swf:LongPollSeconds", "2"));
        var wf = new Workflows(app);
        await wf.RegisterAsync();
        var parentRun = (await wf.StartAsync("parent")).RunId;
        var otherRun = (await wf.StartAsync("other")).RunId;
        await app.FaultAsync("StartWorkflowExecution", new { domain = wf.Domain, workflowId = "third", workflowType = Workflows.WorkflowType },
            "LimitExceededFault");

        // The parent's child would be a third open execution.
        await wf.DecideAsync(await wf.PollDecisionAsync(), Workflows.StartChild("kid", control: "c1"));
        var events = await wf.WaitForHistoryAsync("parent", parentRun, h => Workflows.Count(h, "StartChildWorkflowExecutionFailed") == 1);
        var failed = Workflows.Attributes(Workflows.Last(events, "StartChildWorkflowExecutionFailed"));
        Assert.Equal(("OPEN_WORKFLOWS_LIMIT_EXCEEDED", "kid", "c1"), (failed.GetProperty("cause").GetString(),
            failed.GetProperty("workflowId").GetString(), failed.GetProperty("control").GetString()));
        Assert.Equal(Workflows.Last(events, "StartChildWorkflowExecutionInitiated").GetProperty("eventId").GetInt64(),
            failed.GetProperty("initiatedEventId").GetInt64());

        // Closing one makes room again (the count is taken afresh near the limit).
        await app.OkAsync("TerminateWorkflowExecution", new { domain = wf.Domain, workflowId = "other", runId = otherRun });
        await wf.StartAsync("third");
    }

    [Fact]
    public async Task A_run_that_would_pass_the_history_limit_is_terminated_its_children_get_its_child_policy_and_its_parent_hears()
    {
        const int limit = 20;
        await using var app = await StartAsync(("Swf:Quotas:HistoryEvents", limit.ToString()), ("Swf:LongPollSeconds", "2"));
        var wf = new Workflows(app);
        await wf.RegisterAsync();
        var parentRun = (await wf.StartAsync("parent")).RunId;
        await wf.DecideAsync(await wf.PollDecisionAsync(), Workflows.StartChild("kid"));
        var kidTask = await wf.PollDecisionAsync("kids");
        var kidRun = kidTask.GetProperty("workflowExecution").GetProperty("runId").GetString()!;
        await wf.DecideAsync(kidTask, Workflows.StartChild("grandkid", taskList: "grandkids"));
        var kidEvents = await wf.WaitForHistoryAsync("kid", kidRun, h => Workflows.Count(h, "ChildWorkflowExecutionStarted") == 1);
        var grandkidRun = Workflows.Attributes(Workflows.Last(kidEvents, "ChildWorkflowExecutionStarted"))
            .GetProperty("workflowExecution").GetProperty("runId").GetString()!;

        // Signals add to the kid's history until the next one would pass the limit: that one terminates it instead.
        for (var i = 0; i < limit; i++)
        {
            var response = await app.CallAsync("SignalWorkflowExecution", new { domain = wf.Domain, workflowId = "kid", runId = kidRun, signalName = "s" + i });
            if (response.Status != System.Net.HttpStatusCode.OK) break;
        }
        kidEvents = await wf.HistoryAsync("kid", kidRun);
        Assert.True(kidEvents.Count <= limit, $"{kidEvents.Count} events");
        var terminated = kidEvents[^1];
        Assert.Equal("WorkflowExecutionTerminated", terminated.GetProperty("eventType").GetString());
        Assert.Equal(("EVENT_LIMIT_EXCEEDED", "TERMINATE"), (Workflows.Attributes(terminated).GetProperty("cause").GetString(),
            Workflows.Attributes(terminated).GetProperty("childPolicy").GetString()));
        Assert.Equal("TERMINATED", (await DescribeAsync(wf, "kid", kidRun)).GetProperty("executionInfo").GetProperty("closeStatus").GetString());

        // The parent hears of it; the grandchild gets the kid's child policy.
        await wf.WaitForHistoryAsync("parent", parentRun, h => Workflows.Count(h, "ChildWorkflowExecutionTerminated") == 1);
        var grandkid = await wf.WaitForHistoryAsync("grandkid", grandkidRun, h => Workflows.Count(h, "WorkflowExecutionTerminated") == 1);
        Assert.Equal("CHILD_POLICY_APPLIED", Workflows.Attributes(grandkid[^1]).GetProperty("cause").GetString());
    }

    private static async Task<JsonElement> DescribeAsync(Workflows wf, string workflowId, string runId) =>
        await wf.App.OkAsync("DescribeWorkflowExecution", new { domain = wf.Domain, execution = new { workflowId, runId } });
}
