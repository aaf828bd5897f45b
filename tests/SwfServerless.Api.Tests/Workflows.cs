using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Storage.Executions;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>An execution as the API names it.</summary>
public sealed record Execution(string WorkflowId, string RunId)
{
    public object Json => new { workflowId = WorkflowId, runId = RunId };
}

/// <summary>
/// A domain with the workflow type "flow" and the activity type "work", and the decider's and worker's calls over real
/// HTTP. Waits are on history or on the API (<see cref="WaitForHistoryAsync(Execution, Func{List{JsonElement}, bool}, string?, double)"/>,
/// <see cref="Eventually"/>), never fixed sleeps.
/// </summary>
public sealed class Workflows(TestApp app, string domain = "wf")
{
    public const string Deciders = "deciders";
    public const string Workers = "workers";
    public static readonly object WorkflowType = new { name = "flow", version = "1" };

    public TestApp App => app;
    public string Domain => domain;

    /// <summary>The same domain through another app instance (one with the same storage prefix).</summary>
    public Workflows On(TestApp other) => new(other, domain);

    /// <summary>Registers the domain, the workflow type "flow" (decisions on "deciders") and the activity type "work" (on "workers").</summary>
    public async Task RegisterAsync(string executionTimeout = "600", string taskTimeout = "30", string retentionDays = "1")
    {
        await app.OkAsync("RegisterDomain", new { name = domain, workflowExecutionRetentionPeriodInDays = retentionDays });
        await app.OkAsync("RegisterWorkflowType", new
        {
            domain, name = "flow", version = "1", defaultTaskList = new { name = Deciders }, defaultChildPolicy = "TERMINATE",
            defaultExecutionStartToCloseTimeout = executionTimeout, defaultTaskStartToCloseTimeout = taskTimeout,
        });
        await RegisterActivityAsync("work", scheduleToStart: "60", scheduleToClose: "120", startToClose: "60");
    }

    /// <summary>Another activity type on "workers", with its default timeouts.</summary>
    public Task RegisterActivityAsync(string name, string scheduleToStart = "30", string scheduleToClose = "60", string startToClose = "30", string heartbeat = "NONE") =>
        app.OkAsync("RegisterActivityType", new
        {
            domain, name, version = "1", defaultTaskList = new { name = Workers },
            defaultTaskScheduleToStartTimeout = scheduleToStart, defaultTaskScheduleToCloseTimeout = scheduleToClose,
            defaultTaskStartToCloseTimeout = startToClose, defaultTaskHeartbeatTimeout = heartbeat,
        });

    /// <summary>Starts a run of "flow" (a fresh workflowId unless given); <paramref name="extra"/> adds or overrides request members.</summary>
    public async Task<Execution> StartAsync(string? workflowId = null, object? extra = null, string? executionTimeout = null, string? taskTimeout = null)
    {
        workflowId ??= TestNames.Unique("wf");
        var body = new Dictionary<string, object?>
        {
            ["domain"] = domain, ["workflowId"] = workflowId, ["workflowType"] = WorkflowType,
            ["executionStartToCloseTimeout"] = executionTimeout, ["taskStartToCloseTimeout"] = taskTimeout,
        };
        if (extra is not null)
            foreach (var p in JsonSerializer.SerializeToElement(extra, TestJson.Options).EnumerateObject()) body[p.Name] = p.Value;
        var started = await app.OkAsync("StartWorkflowExecution", body.Where(p => p.Value is not null).ToDictionary());
        return new Execution(workflowId, started.GetProperty("runId").GetString()!);
    }

    /// <summary>Polls for a decision task and fails unless one comes within the poll time.</summary>
    public async Task<JsonElement> PollDecisionAsync(string taskList = Deciders, string identity = "decider")
    {
        var task = await PollDecisionOrEmptyAsync(taskList, identity);
        Assert.False(IsEmpty(task), $"a decision task on {taskList} was expected");
        return task;
    }

    /// <summary>Polls for a decision task, which must be one of <paramref name="run"/>.</summary>
    public async Task<JsonElement> PollDecisionAsync(Execution run, string taskList = Deciders)
    {
        var task = await PollDecisionAsync(taskList);
        Assert.Equal(run.RunId, task.GetProperty("workflowExecution").GetProperty("runId").GetString());
        return task;
    }

    /// <summary>The poll's answer as it is: empty (<see cref="IsEmpty"/>) when no task came within the poll time.</summary>
    public Task<JsonElement> PollDecisionOrEmptyAsync(string taskList = Deciders, string identity = "decider") =>
        app.OkAsync("PollForDecisionTask", new { domain, taskList = new { name = taskList }, identity });

    /// <summary>Polls for an activity task and fails unless one comes within the poll time.</summary>
    public async Task<JsonElement> PollActivityAsync(string taskList = Workers, string identity = "worker")
    {
        var task = await PollActivityOrEmptyAsync(taskList, identity);
        Assert.False(IsEmpty(task), $"an activity task on {taskList} was expected");
        return task;
    }

    /// <summary>The poll's answer as it is: empty (<see cref="IsEmpty"/>) when no task came within the poll time.</summary>
    public Task<JsonElement> PollActivityOrEmptyAsync(string taskList = Workers, string identity = "worker") =>
        app.OkAsync("PollForActivityTask", new { domain, taskList = new { name = taskList }, identity });

    /// <summary>Answers a decision task.</summary>
    public Task<JsonElement> DecideAsync(JsonElement task, params object[] decisions) =>
        app.OkAsync("RespondDecisionTaskCompleted", new { taskToken = Token(task), decisions });

    /// <summary>Takes the next decision task, which must be <paramref name="run"/>'s, and answers it.</summary>
    public async Task DecideAsync(Execution run, params object[] decisions) =>
        await DecideAsync(await PollDecisionAsync(run), decisions);

    public Task<SwfResponse> HeartbeatAsync(JsonElement task, string? details) =>
        app.CallAsync("RecordActivityTaskHeartbeat", new { taskToken = Token(task), details });

    public Task SignalAsync(Execution run, string name = "wake") =>
        app.OkAsync("SignalWorkflowExecution", new { domain, workflowId = run.WorkflowId, runId = run.RunId, signalName = name });

    public Task<JsonElement> DescribeAsync(Execution run) =>
        app.OkAsync("DescribeWorkflowExecution", new { domain, execution = run.Json });

    public Task<JsonElement> DescribeAsync(string workflowId, string runId) => DescribeAsync(new Execution(workflowId, runId));

    /// <summary>Whether the API no longer knows the run (UnknownResourceFault): retention removed it.</summary>
    public async Task<bool> IsRemovedAsync(Execution run) =>
        (await app.CallAsync("DescribeWorkflowExecution", new { domain, execution = run.Json })).FaultType?.EndsWith("#UnknownResourceFault") == true;

    /// <summary>The run as stored, with its alarm: the earliest deadline it waits for.</summary>
    public Task<LoadedRun?> LoadAsync(Execution run) =>
        app.Services.GetRequiredService<ExecutionRepository>().LoadAsync(ExecutionKeys.Partition(domain, run.WorkflowId), run.RunId, CancellationToken.None);

    /// <summary>The run's whole history, every page.</summary>
    public async Task<List<JsonElement>> HistoryAsync(Execution run)
    {
        var events = new List<JsonElement>();
        string? token = null;
        do
        {
            var page = await app.OkAsync("GetWorkflowExecutionHistory", new { domain, execution = run.Json, nextPageToken = token });
            events.AddRange(page.GetProperty("events").EnumerateArray());
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        return events;
    }

    public Task<List<JsonElement>> HistoryAsync(string workflowId, string runId) => HistoryAsync(new Execution(workflowId, runId));

    /// <summary>Reads the run's history until <paramref name="done"/> holds (work that lands after the call that caused it, deadlines).</summary>
    public Task<List<JsonElement>> WaitForHistoryAsync(Execution run, Func<List<JsonElement>, bool> done, string? what = null, double seconds = 20) =>
        Eventually.ValueAsync(() => HistoryAsync(run), done,
            events => $"{what ?? "the awaited events"} in the history of {run.WorkflowId}/{run.RunId}, which is: {Types(events)}", seconds);

    public Task<List<JsonElement>> WaitForHistoryAsync(string workflowId, string runId, Func<List<JsonElement>, bool> done, string? what = null, double seconds = 20) =>
        WaitForHistoryAsync(new Execution(workflowId, runId), done, what, seconds);

    /// <summary>Reads the run's history until it holds an event of that type.</summary>
    public Task<List<JsonElement>> WaitForEventAsync(Execution run, string eventType) =>
        WaitForHistoryAsync(run, events => Count(events, eventType) > 0, $"a {eventType} event");

    /// <summary>The runIds an execution listing (<c>ListOpenWorkflowExecutions</c>, <c>ListClosedWorkflowExecutions</c>) shows, started within the last hour.</summary>
    public async Task<List<string>> ListAsync(string operation, object? closeStatusFilter = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["domain"] = domain,
            ["startTimeFilter"] = new { oldestDate = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds() },
        };
        if (closeStatusFilter is not null) body["closeStatusFilter"] = closeStatusFilter;
        var page = await app.OkAsync(operation, body);
        return page.GetProperty("executionInfos").EnumerateArray().Select(i => i.GetProperty("execution").GetProperty("runId").GetString()!).ToList();
    }

    /// <summary>How many runs, open or closed, the workflowId has had.</summary>
    public async Task<int> CountRunsAsync(string workflowId)
    {
        var filter = new { domain, startTimeFilter = new { oldestDate = 0 }, executionFilter = new { workflowId } };
        return (await app.OkAsync("CountOpenWorkflowExecutions", filter)).GetProperty("count").GetInt32()
            + (await app.OkAsync("CountClosedWorkflowExecutions", filter)).GetProperty("count").GetInt32();
    }

    /// <summary>Waits until the workflowId has a run (started by another execution's intent), and returns its runId.</summary>
    public async Task<string> WaitForRunAsync(string workflowId)
    {
        string? runId = null;
        await Eventually.TrueAsync(async () =>
        {
            var filter = new { domain, startTimeFilter = new { oldestDate = 0 }, executionFilter = new { workflowId } };
            foreach (var operation in new[] { "ListOpenWorkflowExecutions", "ListClosedWorkflowExecutions" })
            {
                var infos = (await app.OkAsync(operation, filter)).GetProperty("executionInfos");
                if (infos.GetArrayLength() > 0) runId = infos[0].GetProperty("execution").GetProperty("runId").GetString();
            }
            return runId is not null;
        }, $"{workflowId} is started");
        return runId!;
    }

    public static string Token(JsonElement task) => task.GetProperty("taskToken").GetString()!;

    /// <summary>An empty poll, as Amazon SWF answers one: no taskToken member at all (not an empty string).</summary>
    public static bool IsEmpty(JsonElement task) => !task.TryGetProperty("taskToken", out _);

    public static string Type(JsonElement e) => e.GetProperty("eventType").GetString()!;

    public static string Types(IEnumerable<JsonElement> events) => string.Join(", ", events.Select(Type));

    public static int Count(IEnumerable<JsonElement> events, string eventType) => events.Count(e => Type(e) == eventType);

    public static JsonElement Last(IEnumerable<JsonElement> events, string eventType) => events.Last(e => Type(e) == eventType);

    /// <summary>The event's <c>…EventAttributes</c> member.</summary>
    public static JsonElement Attributes(JsonElement e) => e.GetProperty(char.ToLowerInvariant(Type(e)[0]) + Type(e)[1..] + "EventAttributes");

    /// <summary>The runId of the child the last ChildWorkflowExecutionStarted event names.</summary>
    public static string ChildRunId(IEnumerable<JsonElement> events) =>
        Attributes(Last(events, "ChildWorkflowExecutionStarted")).GetProperty("workflowExecution").GetProperty("runId").GetString()!;

    public static void IsFault(SwfResponse response, string fault)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.EndsWith("#" + fault, response.FaultType);
    }

    public static object Schedule(string activityId, string type = "work", string? input = null, string? taskPriority = null, string? taskList = null) => new
    {
        decisionType = "ScheduleActivityTask",
        scheduleActivityTaskDecisionAttributes = new
        {
            activityId, activityType = new { name = type, version = "1" }, input, taskPriority,
            taskList = taskList is null ? null : new { name = taskList },
        },
    };

    public static object StartTimer(string id, string seconds) => new
    {
        decisionType = "StartTimer",
        startTimerDecisionAttributes = new { timerId = id, startToFireTimeout = seconds },
    };

    public static object CancelTimer(string id) => new { decisionType = "CancelTimer", cancelTimerDecisionAttributes = new { timerId = id } };

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
}
