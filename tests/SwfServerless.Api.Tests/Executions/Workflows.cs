using System.Text.Json;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>A domain with a workflow type and activity types, and short-hands for the decider and worker calls.</summary>
public sealed class Workflows(TestApp app, string domain = "wf")
{
    public TestApp App => app;
    public string Domain => domain;
    public static readonly object WorkflowType = new { name = "flow", version = "1" };

    public async Task RegisterAsync(string executionTimeout = "600", string taskTimeout = "30", string retentionDays = "1")
    {
        await app.OkAsync("RegisterDomain", new { name = domain, workflowExecutionRetentionPeriodInDays = retentionDays });
        await app.OkAsync("RegisterWorkflowType", new
        {
            domain, name = "flow", version = "1", defaultTaskList = new { name = "deciders" }, defaultChildPolicy = "TERMINATE",
            defaultExecutionStartToCloseTimeout = executionTimeout, defaultTaskStartToCloseTimeout = taskTimeout,
        });
        await app.OkAsync("RegisterActivityType", new
        {
            domain, name = "work", version = "1", defaultTaskList = new { name = "workers" }, defaultTaskStartToCloseTimeout = "60",
            defaultTaskHeartbeatTimeout = "NONE", defaultTaskScheduleToStartTimeout = "60", defaultTaskScheduleToCloseTimeout = "120",
        });
    }

    public async Task<string> StartAsync(string workflowId, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["domain"] = domain, ["workflowId"] = workflowId, ["workflowType"] = WorkflowType };
        if (extra is not null)
            foreach (var p in JsonSerializer.SerializeToElement(extra, TestJson.Options).EnumerateObject()) body[p.Name] = p.Value;
        return (await app.OkAsync("StartWorkflowExecution", body)).GetProperty("runId").GetString()!;
    }

    public async Task<JsonElement> PollDecisionAsync(string taskList = "deciders", string identity = "decider") =>
        await app.OkAsync("PollForDecisionTask", new { domain, taskList = new { name = taskList }, identity });

    public async Task<JsonElement> PollActivityAsync(string taskList = "workers", string identity = "worker") =>
        await app.OkAsync("PollForActivityTask", new { domain, taskList = new { name = taskList }, identity });

    public Task<JsonElement> DecideAsync(JsonElement task, params object[] decisions) =>
        app.OkAsync("RespondDecisionTaskCompleted", new { taskToken = task.GetProperty("taskToken").GetString(), decisions });

    public static object Schedule(string activityId, string? input = null, string? taskPriority = null, string? taskList = null) => new
    {
        decisionType = "ScheduleActivityTask",
        scheduleActivityTaskDecisionAttributes = new
        {
            activityId, activityType = new { name = "work", version = "1" }, input, taskPriority,
            taskList = taskList is null ? null : new { name = taskList },
        },
    };

    public static object Complete(string? result = null) =>
        new { decisionType = "CompleteWorkflowExecution", completeWorkflowExecutionDecisionAttributes = new { result } };

    public static object StartChild(string workflowId, string taskList = "kids", string? input = null, string? control = null, string? childPolicy = null) => new
    {
        decisionType = "StartChildWorkflowExecution",
        startChildWorkflowExecutionDecisionAttributes = new { workflowId, workflowType = WorkflowType, taskList = new { name = taskList }, input, control, childPolicy },
    };

    public static object Signal(string workflowId, string signalName, string? runId = null, string? input = null, string? control = null) => new
    {
        decisionType = "SignalExternalWorkflowExecution",
        signalExternalWorkflowExecutionDecisionAttributes = new { workflowId, runId, signalName, input, control },
    };

    public static object RequestCancel(string workflowId, string? runId = null, string? control = null) => new
    {
        decisionType = "RequestCancelExternalWorkflowExecution",
        requestCancelExternalWorkflowExecutionDecisionAttributes = new { workflowId, runId, control },
    };

    /// <summary>Without a task list the new run's decision tasks go to the type's default task list (as the model says), not this run's.</summary>
    public static object ContinueAsNew(string? input = null, string? taskList = null) => new
    {
        decisionType = "ContinueAsNewWorkflowExecution",
        continueAsNewWorkflowExecutionDecisionAttributes = new { input, taskList = taskList is null ? null : new { name = taskList } },
    };

    /// <summary>Polls the run's history until <paramref name="done"/> holds (cross-execution work lands after the call that caused it).</summary>
    public async Task<List<JsonElement>> WaitForHistoryAsync(string workflowId, string runId, Func<List<JsonElement>, bool> done, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var events = await HistoryAsync(workflowId, runId);
            if (done(events)) return events;
            Assert.True(DateTime.UtcNow < deadline, $"History of {workflowId}/{runId} never got there: {Types(events)}");
            await Task.Delay(50);
        }
    }

    public static int Count(IEnumerable<JsonElement> events, string eventType) => events.Count(e => e.GetProperty("eventType").GetString() == eventType);

    public static JsonElement Attributes(JsonElement e) =>
        e.GetProperty(char.ToLowerInvariant(e.GetProperty("eventType").GetString()![0]) + e.GetProperty("eventType").GetString()![1..] + "EventAttributes");

    public static JsonElement Last(IEnumerable<JsonElement> events, string eventType) => events.Last(e => e.GetProperty("eventType").GetString() == eventType);

    public async Task<List<JsonElement>> HistoryAsync(string workflowId, string runId)
    {
        var events = new List<JsonElement>();
        string? token = null;
        do
        {
            var page = await app.OkAsync("GetWorkflowExecutionHistory", new { domain, execution = new { workflowId, runId }, nextPageToken = token });
            events.AddRange(page.GetProperty("events").EnumerateArray());
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        return events;
    }

    public static string Types(IEnumerable<JsonElement> events) => string.Join(", ", events.Select(e => e.GetProperty("eventType").GetString()));

    public static string Token(JsonElement task) => task.GetProperty("taskToken").GetString()!;

    /// <summary>An empty poll, as Amazon SWF answers one: no taskToken member at all (not an empty string).</summary>
    public static bool IsEmpty(JsonElement task) => !task.TryGetProperty("taskToken", out _);
}
