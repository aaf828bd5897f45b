using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Core.Executions;
using SwfServerless.Storage;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Tasks;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

[Collection("api")]
public sealed class ExecutionRulesTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    protected override Dictionary<string, string?> Settings() => new() { ["Swf:LongPollSeconds"] = "1" };

    [Fact]
    public async Task Start_fills_type_defaults_and_WorkflowExecutionStarted_carries_every_attribute()
    {
        var run = await Wf.StartAsync("attrs", new { input = "in", tagList = new[] { "a", "b" }, taskPriority = "7", lambdaRole = "arn:aws:iam::1:role/x" });

        var started = (await Wf.HistoryAsync(run))[0];
        Assert.Equal("WorkflowExecutionStarted", started.GetProperty("eventType").GetString());
        Assert.Equal(1, started.GetProperty("eventId").GetInt64());
        var a = started.GetProperty("workflowExecutionStartedEventAttributes");
        Assert.Equal("in", a.GetProperty("input").GetString());
        Assert.Equal("600", a.GetProperty("executionStartToCloseTimeout").GetString());
        Assert.Equal("30", a.GetProperty("taskStartToCloseTimeout").GetString());
        Assert.Equal("TERMINATE", a.GetProperty("childPolicy").GetString());
        Assert.Equal("deciders", a.GetProperty("taskList").GetProperty("name").GetString());
        Assert.Equal("7", a.GetProperty("taskPriority").GetString());
        Assert.Equal("flow", a.GetProperty("workflowType").GetProperty("name").GetString());
        Assert.Equal(["a", "b"], a.GetProperty("tagList").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("arn:aws:iam::1:role/x", a.GetProperty("lambdaRole").GetString());
    }

    [Fact]
    public async Task Start_without_a_default_or_a_value_is_DefaultUndefinedFault()
    {
        await App.OkAsync("RegisterWorkflowType", new { domain = Wf.Domain, name = "bare", version = "1" });
        var message = await App.FaultAsync("StartWorkflowExecution",
            new { domain = Wf.Domain, workflowId = "bare", workflowType = new { name = "bare", version = "1" } }, "DefaultUndefinedFault");
        Assert.Contains("Timeout", message, StringComparison.OrdinalIgnoreCase);
        await App.OkAsync("StartWorkflowExecution", new
        {
            domain = Wf.Domain, workflowId = "bare", workflowType = new { name = "bare", version = "1" }, taskList = new { name = "t" },
            executionStartToCloseTimeout = "60", taskStartToCloseTimeout = "10", childPolicy = "ABANDON",
        });
    }

    [Fact]
    public async Task One_open_run_per_workflowId_and_a_new_run_after_it_closed()
    {
        var first = await Wf.StartAsync("once");
        await App.FaultAsync("StartWorkflowExecution", new { domain = Wf.Domain, workflowId = "once", workflowType = Workflows.WorkflowType }, "WorkflowExecutionAlreadyStartedFault");
        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "once", reason = "test" });
        var second = await Wf.StartAsync("once");
        Assert.NotEqual(first.RunId, second.RunId);
        var detail = await App.OkAsync("DescribeWorkflowExecution", new { domain = Wf.Domain, execution = first.Json });
        Assert.Equal("TERMINATED", detail.GetProperty("executionInfo").GetProperty("closeStatus").GetString());
    }

    [Fact]
    public async Task Parallel_starts_of_one_workflowId_exactly_one_wins()
    {
        var calls = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            App.CallAsync("StartWorkflowExecution", new { domain = Wf.Domain, workflowId = "race", workflowType = Workflows.WorkflowType })));
        Assert.Single(calls, c => c.Status == System.Net.HttpStatusCode.OK);
        Assert.All(calls.Where(c => c.Status != System.Net.HttpStatusCode.OK),
            c => Assert.Equal("com.amazonaws.swf.base.model#WorkflowExecutionAlreadyStartedFault", c.FaultType));
    }

    [Fact]
    public async Task Starts_that_lost_the_race_leave_no_task_message_or_reminder_behind()
    {
        var calls = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => App.CallAsync("StartWorkflowExecution",
            new { domain = Wf.Domain, workflowId = "race-clean", workflowType = Workflows.WorkflowType, taskList = new { name = "race-clean" } })));
        var winner = Assert.Single(calls, c => c.Status == System.Net.HttpStatusCode.OK).Json.GetProperty("runId").GetString();

        // Only the winner's decision task is queued (a loser's would be received, found runless and put back for minutes)...
        var queues = App.Services.GetRequiredService<TaskQueues>();
        var queued = await queues.ReceiveAsync(Wf.Domain, TaskKind.Decision, "race-clean", 32, TimeSpan.FromSeconds(1), default);
        Assert.Equal(winner, Assert.Single(queued).Message.RunId);
        // ...and only the winner has reminders (a loser's would be looked at again and again before being dropped).
        var partition = ExecutionKeys.Partition(Wf.Domain, "race-clean");
        var reminders = App.Services.GetRequiredService<SwfTables>().Reminders.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Partition eq {partition}"));
        await foreach (var reminder in reminders) Assert.Equal(winner, reminder.GetString("RunId"));
    }

    [Fact]
    public async Task Deprecated_types_domains_and_too_many_tags_are_refused()
    {
        await App.OkAsync("RegisterWorkflowType", new { domain = Wf.Domain, name = "old", version = "1", defaultTaskList = new { name = "t" },
            defaultExecutionStartToCloseTimeout = "60", defaultTaskStartToCloseTimeout = "10", defaultChildPolicy = "ABANDON" });
        await App.OkAsync("DeprecateWorkflowType", new { domain = Wf.Domain, workflowType = new { name = "old", version = "1" } });
        await App.FaultAsync("StartWorkflowExecution", new { domain = Wf.Domain, workflowId = "x", workflowType = new { name = "old", version = "1" } }, "TypeDeprecatedFault");
        await App.FaultAsync("StartWorkflowExecution", new { domain = Wf.Domain, workflowId = "x", workflowType = new { name = "nope", version = "1" } }, "UnknownResourceFault");
        var tags = await App.FaultAsync("StartWorkflowExecution", new { domain = Wf.Domain, workflowId = "x", workflowType = Workflows.WorkflowType,
            tagList = new[] { "1", "2", "3", "4", "5", "6" } }, "ValidationException");
        Assert.Contains("tagList", tags);

        await App.OkAsync("RegisterDomain", new { name = "retired", workflowExecutionRetentionPeriodInDays = "1" });
        await App.OkAsync("RegisterWorkflowType", new { domain = "retired", name = "w", version = "1" });
        await App.OkAsync("DeprecateDomain", new { name = "retired" });
        await App.FaultAsync("StartWorkflowExecution", new { domain = "retired", workflowId = "x", workflowType = new { name = "w", version = "1" } }, "DomainDeprecatedFault");
    }

    [Fact]
    public async Task Polls_and_pending_counts_of_an_unknown_domain_are_UnknownResourceFault_every_time()
    {
        for (var i = 0; i < 2; i++) // the second time too: only known domains are remembered
        {
            await App.FaultAsync("PollForDecisionTask", new { domain = "no-such-domain", taskList = new { name = "t" } }, "UnknownResourceFault");
            await App.FaultAsync("PollForActivityTask", new { domain = "no-such-domain", taskList = new { name = "t" } }, "UnknownResourceFault");
            await App.FaultAsync("CountPendingActivityTasks", new { domain = "no-such-domain", taskList = new { name = "t" } }, "UnknownResourceFault");
        }
    }

    [Fact]
    public async Task An_empty_poll_has_no_task_token_after_the_poll_time()
    {
        Assert.True(Workflows.IsEmpty(await Wf.PollDecisionOrEmptyAsync("nobody-here")));
        Assert.True(Workflows.IsEmpty(await Wf.PollActivityOrEmptyAsync("nobody-here")));
    }

    [Fact]
    public async Task Forged_reused_and_foreign_task_tokens_are_UnknownResourceFault()
    {
        await Wf.StartAsync("tokens");
        var decision = await Wf.PollDecisionAsync();
        var token = Workflows.Token(decision);
        var forged = token[..^4] + (token[^4] == 'A' ? "B" : "A") + token[^3..];
        Assert.Contains("task token", await App.FaultAsync("RespondDecisionTaskCompleted", new { taskToken = forged }, "UnknownResourceFault"));
        Assert.Contains("task token", await App.FaultAsync("RespondActivityTaskCompleted", new { taskToken = token }, "UnknownResourceFault"));
        await App.FaultAsync("RespondDecisionTaskCompleted", new { taskToken = "not-a-token" }, "UnknownResourceFault");

        await Wf.DecideAsync(decision, Workflows.Schedule("a1"));
        await App.FaultAsync("RespondDecisionTaskCompleted", new { taskToken = token }, "UnknownResourceFault");

        var activity = await Wf.PollActivityAsync();
        await App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Workflows.Token(activity), result = "r" });
        await App.FaultAsync("RespondActivityTaskCompleted", new { taskToken = Workflows.Token(activity), result = "again" }, "UnknownResourceFault");
        await App.FaultAsync("RecordActivityTaskHeartbeat", new { taskToken = Workflows.Token(activity) }, "UnknownResourceFault");
    }

    [Fact]
    public async Task Tasks_are_handed_out_by_priority_then_in_schedule_order()
    {
        await Wf.StartAsync("priorities");
        var decision = await Wf.PollDecisionAsync();
        await Wf.DecideAsync(decision,
            Workflows.Schedule("low-1", taskPriority: "-5", taskList: "prio"),
            Workflows.Schedule("mid-1", taskList: "prio"),
            Workflows.Schedule("high", taskPriority: "10", taskList: "prio"),
            Workflows.Schedule("mid-2", taskList: "prio"),
            Workflows.Schedule("low-2", taskPriority: "-5", taskList: "prio"));

        var order = new List<string>();
        for (var i = 0; i < 5; i++) order.Add((await Wf.PollActivityAsync("prio")).GetProperty("activityId").GetString()!);
        Assert.Equal(["high", "mid-1", "mid-2", "low-1", "low-2"], order);
    }

    [Fact]
    public async Task History_pages_in_both_orders_in_GetWorkflowExecutionHistory_and_in_the_decision_poll()
    {
        var run = await Wf.StartAsync("paged");
        for (var i = 0; i < 6; i++) await App.OkAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = "paged", signalName = $"s{i}" });

        var pages = new List<List<long>>();
        string? token = null;
        do
        {
            var page = await App.OkAsync("GetWorkflowExecutionHistory", new { domain = Wf.Domain, execution = run.Json, maximumPageSize = 3, reverseOrder = true, nextPageToken = token });
            pages.Add(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventId").GetInt64()).ToList());
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        Assert.Equal([[8, 7, 6], [5, 4, 3], [2, 1]], pages);

        var task = await App.OkAsync("PollForDecisionTask", new { domain = Wf.Domain, taskList = new { name = "deciders" }, maximumPageSize = 4 });
        var seen = task.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventId").GetInt64()).ToList();
        var next = task.GetProperty("nextPageToken").GetString();
        while (next is not null)
        {
            var page = await App.OkAsync("PollForDecisionTask", new { domain = Wf.Domain, taskList = new { name = "deciders" }, maximumPageSize = 4, nextPageToken = next });
            Assert.Equal(Workflows.Token(task), Workflows.Token(page));
            seen.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventId").GetInt64()));
            next = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        }
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), seen);
        Assert.Equal(9, task.GetProperty("startedEventId").GetInt64());
    }

    [Fact]
    public async Task Signal_cancel_and_terminate_find_the_open_run_and_refuse_closed_ones()
    {
        var run = await Wf.StartAsync("ops");
        await App.OkAsync("RequestCancelWorkflowExecution", new { domain = Wf.Domain, workflowId = "ops" });
        var detail = await Wf.DescribeAsync(run);
        Assert.True(detail.GetProperty("executionInfo").GetProperty("cancelRequested").GetBoolean());

        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "ops", runId = run.RunId, reason = "why", details = "d", childPolicy = "ABANDON" });
        var events = await Wf.HistoryAsync(run);
        var terminated = events[^1].GetProperty("workflowExecutionTerminatedEventAttributes");
        Assert.Equal("why", terminated.GetProperty("reason").GetString());
        Assert.Equal("d", terminated.GetProperty("details").GetString());
        Assert.Equal("ABANDON", terminated.GetProperty("childPolicy").GetString());
        Assert.Equal("OPERATOR_INITIATED", terminated.GetProperty("cause").GetString());

        await App.FaultAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = "ops", signalName = "s" }, "UnknownResourceFault");
        await App.FaultAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = "ops", runId = run.RunId, signalName = "s" }, "UnknownResourceFault");
        await App.FaultAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "ops" }, "UnknownResourceFault");
        await App.FaultAsync("RequestCancelWorkflowExecution", new { domain = Wf.Domain, workflowId = "never" }, "UnknownResourceFault");
    }

    [Fact]
    public async Task Describe_shows_configuration_open_counts_and_the_latest_context()
    {
        var run = await Wf.StartAsync("describe", new { tagList = new[] { "t1" } });
        var decision = await Wf.PollDecisionAsync();
        await App.OkAsync("RespondDecisionTaskCompleted", new { taskToken = Workflows.Token(decision), executionContext = "ctx-1",
            decisions = new[] { Workflows.Schedule("a"), Workflows.Schedule("b"),
                new { decisionType = "StartTimer", startTimerDecisionAttributes = new { timerId = "t", startToFireTimeout = "300" } } } });
        await Wf.PollActivityAsync();

        var detail = await Wf.DescribeAsync(run);
        Assert.Equal("OPEN", detail.GetProperty("executionInfo").GetProperty("executionStatus").GetString());
        Assert.Equal("ctx-1", detail.GetProperty("latestExecutionContext").GetString());
        Assert.True(detail.TryGetProperty("latestActivityTaskTimestamp", out _));
        var counts = detail.GetProperty("openCounts");
        Assert.Equal(2, counts.GetProperty("openActivityTasks").GetInt32());
        Assert.Equal(0, counts.GetProperty("openDecisionTasks").GetInt32());
        Assert.Equal(1, counts.GetProperty("openTimers").GetInt32());
        Assert.Equal("600", detail.GetProperty("executionConfiguration").GetProperty("executionStartToCloseTimeout").GetString());
        Assert.Equal("deciders", detail.GetProperty("executionConfiguration").GetProperty("taskList").GetProperty("name").GetString());

        var pending = await App.OkAsync("CountPendingActivityTasks", new { domain = Wf.Domain, taskList = new { name = "workers" } });
        Assert.Equal(1, pending.GetProperty("count").GetInt32());
    }
}
