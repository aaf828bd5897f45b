using System.Diagnostics;
using System.Net;
using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Time;

/// <summary>One Azurite for the time suite; it runs beside the "api" collection.</summary>
[CollectionDefinition("time")]
public sealed class TimeCollection : ICollectionFixture<AzuriteFixture>;

/// <summary>An execution as the API names it.</summary>
public sealed record Execution(string WorkflowId, string RunId)
{
    public object Json => new { workflowId = WorkflowId, runId = RunId };
}

/// <summary>
/// A domain with a workflow type and a decider/worker vocabulary over real HTTP, for tests about time: short
/// timeouts, and waiting on history instead of sleeping for fixed times.
/// </summary>
public sealed class Workflows(TestApp app, string domain)
{
    public const string Deciders = "deciders";
    public const string Workers = "workers";

    public TestApp App => app;
    public string Domain => domain;

    /// <summary>Settings that keep time tests short: polls give up after 2 s, sweeps every second, index repair after 1 s.</summary>
    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Swf:LongPollSeconds"] = "2",
            ["Swf:SweepIntervalSeconds"] = "1",
            ["Swf:VisibilityRepairSeconds"] = "1",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>()) settings[k] = v;
        return settings;
    }

    /// <summary>Registers a domain and the workflow type "wf" (execution timeout 60 s, decision task timeout 10 s).</summary>
    public static async Task<Workflows> SetUpAsync(TestApp app, string retentionDays = "1")
    {
        var domain = TestNames.Unique("time");
        await app.OkAsync("RegisterDomain", new { name = domain, workflowExecutionRetentionPeriodInDays = retentionDays });
        await app.OkAsync("RegisterWorkflowType", new
        {
            domain, name = "wf", version = "1", defaultTaskList = new { name = Deciders }, defaultChildPolicy = "TERMINATE",
            defaultExecutionStartToCloseTimeout = "60", defaultTaskStartToCloseTimeout = "10",
        });
        return new Workflows(app, domain);
    }

    /// <summary>The same domain through another app instance.</summary>
    public Workflows On(TestApp other) => new(other, domain);

    public Task RegisterActivityAsync(string name, string scheduleToStart = "30", string scheduleToClose = "60", string startToClose = "30", string heartbeat = "NONE") =>
        app.OkAsync("RegisterActivityType", new
        {
            domain, name, version = "1", defaultTaskList = new { name = Workers },
            defaultTaskScheduleToStartTimeout = scheduleToStart, defaultTaskScheduleToCloseTimeout = scheduleToClose,
            defaultTaskStartToCloseTimeout = startToClose, defaultTaskHeartbeatTimeout = heartbeat,
        });

    public async Task<Execution> StartAsync(string? executionTimeout = null, string? taskTimeout = null, string? workflowId = null)
    {
        workflowId ??= TestNames.Unique("wf");
        var started = await app.OkAsync("StartWorkflowExecution", new
        {
            domain, workflowId, workflowType = new { name = "wf", version = "1" },
            executionStartToCloseTimeout = executionTimeout, taskStartToCloseTimeout = taskTimeout,
        });
        return new Execution(workflowId, started.GetProperty("runId").GetString()!);
    }

    /// <summary>Polls for a decision task of <paramref name="execution"/>; fails if none comes within the poll time.</summary>
    public async Task<JsonElement> PollDecisionAsync(Execution? execution = null)
    {
        var task = await app.OkAsync("PollForDecisionTask", new { domain, taskList = new { name = Deciders }, identity = "decider" });
        Assert.True(task.TryGetProperty("taskToken", out _), "a decision task was expected");
        if (execution is not null) Assert.Equal(execution.RunId, task.GetProperty("workflowExecution").GetProperty("runId").GetString());
        return task;
    }

    public Task RespondDecisionAsync(JsonElement task, params object[] decisions) =>
        app.OkAsync("RespondDecisionTaskCompleted", new { taskToken = Token(task), decisions });

    /// <summary>Takes the first decision task of a new execution and answers it.</summary>
    public async Task DecideAsync(Execution execution, params object[] decisions) =>
        await RespondDecisionAsync(await PollDecisionAsync(execution), decisions);

    public async Task<JsonElement> PollActivityAsync()
    {
        var task = await app.OkAsync("PollForActivityTask", new { domain, taskList = new { name = Workers }, identity = "worker" });
        Assert.True(task.TryGetProperty("taskToken", out _), "an activity task was expected");
        return task;
    }

    public Task<SwfResponse> HeartbeatAsync(JsonElement task, string? details) =>
        app.CallAsync("RecordActivityTaskHeartbeat", new { taskToken = Token(task), details });

    public Task SignalAsync(Execution execution, string name = "wake") =>
        app.OkAsync("SignalWorkflowExecution", new { domain, workflowId = execution.WorkflowId, runId = execution.RunId, signalName = name });

    public Task<SwfResponse> DescribeAsync(Execution execution) =>
        app.CallAsync("DescribeWorkflowExecution", new { domain, execution = execution.Json });

    public async Task<List<JsonElement>> HistoryAsync(Execution execution)
    {
        var events = new List<JsonElement>();
        string? token = null;
        do
        {
            var page = await app.OkAsync("GetWorkflowExecutionHistory", new { domain, execution = execution.Json, nextPageToken = token });
            events.AddRange(page.GetProperty("events").EnumerateArray());
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        return events;
    }

    /// <summary>Reads the history until it holds an event of that type (at most <paramref name="seconds"/>).</summary>
    public Task<List<JsonElement>> WaitForEventAsync(Execution execution, string eventType, double seconds = 15) =>
        WaitForAsync(execution, events => events.Any(e => Type(e) == eventType), $"a {eventType} event", seconds);

    public async Task<List<JsonElement>> WaitForAsync(Execution execution, Func<List<JsonElement>, bool> done, string what, double seconds = 15)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var events = await HistoryAsync(execution);
            if (done(events)) return events;
            Assert.True(clock.Elapsed.TotalSeconds < seconds, $"No {what} within {seconds} s; history: {Types(events)}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until a condition on the API holds (index, removal), at most <paramref name="seconds"/>.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what, double seconds = 15) =>
        Eventually.TrueAsync(condition, what, seconds);

    public async Task<List<string>> ListAsync(string operation, object? filter = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["domain"] = domain,
            ["startTimeFilter"] = new { oldestDate = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds() },
        };
        if (filter is not null) body["closeStatusFilter"] = filter;
        var page = await app.OkAsync(operation, body);
        return page.GetProperty("executionInfos").EnumerateArray().Select(i => i.GetProperty("execution").GetProperty("runId").GetString()!).ToList();
    }

    public static string Token(JsonElement task) => task.GetProperty("taskToken").GetString()!;
    public static string Type(JsonElement e) => e.GetProperty("eventType").GetString()!;
    public static string Types(IEnumerable<JsonElement> events) => string.Join(", ", events.Select(Type));
    public static JsonElement Attributes(JsonElement e) =>
        e.EnumerateObject().First(p => p.Name.EndsWith("EventAttributes", StringComparison.Ordinal)).Value;

    public static object ScheduleActivity(string id, string type, string? input = null) => new
    {
        decisionType = "ScheduleActivityTask",
        scheduleActivityTaskDecisionAttributes = new { activityId = id, activityType = new { name = type, version = "1" }, input },
    };

    public static object StartTimer(string id, string seconds) => new
    {
        decisionType = "StartTimer",
        startTimerDecisionAttributes = new { timerId = id, startToFireTimeout = seconds },
    };

    public static object CancelTimer(string id) => new { decisionType = "CancelTimer", cancelTimerDecisionAttributes = new { timerId = id } };

    public static object Complete(string? result = null) => new
    {
        decisionType = "CompleteWorkflowExecution",
        completeWorkflowExecutionDecisionAttributes = new { result },
    };

    public static void IsFault(SwfResponse response, string fault)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.EndsWith("#" + fault, response.FaultType);
    }
}
