using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SwfServerless.Bench.Client;

/// <summary>A modelled SWF fault (HTTP 4xx/5xx with <c>__type</c>).</summary>
public sealed class SwfException(HttpStatusCode status, string type, string message)
    : Exception($"{(int)status} {type}: {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string Type { get; } = type;
}

/// <summary>
/// A hand-written SWF client: AWS JSON 1.0 over <c>POST /</c> with <c>X-Amz-Target</c>, exactly what the SDKs send
/// (unsigned: the bench's apps run without access keys). Counts the calls it makes, by operation, so the bench
/// knows how many Functions executions a workload costs (every SWF call is one).
/// </summary>
public sealed class SwfClient : IDisposable
{
    private static readonly MediaTypeHeaderValue ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.0");
    private readonly HttpClient http;
    private readonly ConcurrentDictionary<string, Counter> calls = new(StringComparer.Ordinal);

    public SwfClient(string endpoint, int maxConnections = 512)
    {
        Endpoint = endpoint.TrimEnd('/');
        http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = new Uri(Endpoint + "/"),
            Timeout = Timeout.InfiniteTimeSpan, // long polls last up to 60 s; callers cancel
        };
    }

    public string Endpoint { get; }

    /// <summary>Calls made so far, by operation (empty poll answers counted under <c>Op:empty</c> too).</summary>
    public IReadOnlyDictionary<string, long> Calls => calls.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value));

    public long TotalCalls => calls.Where(p => !p.Key.Contains(':')).Sum(p => Interlocked.Read(ref p.Value.Value));

    public async Task<JsonElement> CallAsync(string operation, JsonObject body, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString())),
        };
        request.Content.Headers.ContentType = ContentType;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "SimpleWorkflowService." + operation);
        Count(operation);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var json = bytes.Length == 0 ? default : JsonDocument.Parse(bytes).RootElement.Clone();
        if (!response.IsSuccessStatusCode)
        {
            var type = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("__type", out var t) ? t.GetString() ?? "" : "";
            var message = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("message", out var m) ? m.GetString() ?? "" : Encoding.UTF8.GetString(bytes);
            throw new SwfException(response.StatusCode, type, message);
        }
        return json;
    }

    private void Count(string key) => Interlocked.Increment(ref calls.GetOrAdd(key, static _ => new Counter()).Value);

    // ---- the calls the workloads use ----

    public async Task RegisterDomainAsync(string domain, CancellationToken ct = default) =>
        await CallAsync("RegisterDomain", new JsonObject { ["name"] = domain, ["workflowExecutionRetentionPeriodInDays"] = "1" }, ct);

    public async Task RegisterWorkflowTypeAsync(string domain, string name, string taskList, CancellationToken ct = default) =>
        await CallAsync("RegisterWorkflowType", new JsonObject
        {
            ["domain"] = domain, ["name"] = name, ["version"] = "1",
            ["defaultTaskList"] = new JsonObject { ["name"] = taskList },
            ["defaultExecutionStartToCloseTimeout"] = "3600", ["defaultTaskStartToCloseTimeout"] = "300",
            ["defaultChildPolicy"] = "TERMINATE",
        }, ct);

    public async Task RegisterActivityTypeAsync(string domain, string name, string taskList, CancellationToken ct = default) =>
        await CallAsync("RegisterActivityType", new JsonObject
        {
            ["domain"] = domain, ["name"] = name, ["version"] = "1",
            ["defaultTaskList"] = new JsonObject { ["name"] = taskList },
            ["defaultTaskStartToCloseTimeout"] = "300", ["defaultTaskHeartbeatTimeout"] = "NONE",
            ["defaultTaskScheduleToStartTimeout"] = "3600", ["defaultTaskScheduleToCloseTimeout"] = "3600",
        }, ct);

    public async Task<string> StartAsync(string domain, string workflowId, string type, string? input = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["domain"] = domain, ["workflowId"] = workflowId, ["workflowType"] = new JsonObject { ["name"] = type, ["version"] = "1" } };
        if (input is not null) body["input"] = input;
        var answer = await CallAsync("StartWorkflowExecution", body, ct);
        return answer.GetProperty("runId").GetString()!;
    }

    /// <summary>Long-polls for a decision task and pages in its whole history, as deciders do. Null when the poll came back empty.</summary>
    public async Task<DecisionTask?> PollDecisionAsync(string domain, string taskList, CancellationToken ct = default)
    {
        var body = new JsonObject { ["domain"] = domain, ["taskList"] = new JsonObject { ["name"] = taskList }, ["identity"] = "bench-decider" };
        var page = await CallAsync("PollForDecisionTask", body, ct);
        var firstPage = page;
        var token = page.TryGetProperty("taskToken", out var t) ? t.GetString() : null;
        if (string.IsNullOrEmpty(token)) { Count("PollForDecisionTask:empty"); return null; }
        var answeredAt = Clock.Now;
        var events = new List<JsonElement>();
        while (true)
        {
            foreach (var e in page.GetProperty("events").EnumerateArray()) events.Add(e);
            if (!page.TryGetProperty("nextPageToken", out var next) || next.ValueKind != JsonValueKind.String || next.GetString() is not { Length: > 0 } nextToken) break;
            var more = new JsonObject { ["domain"] = domain, ["taskList"] = new JsonObject { ["name"] = taskList }, ["nextPageToken"] = nextToken };
            Count("PollForDecisionTask:page");
            page = await CallAsync("PollForDecisionTask", more, ct);
        }
        return new DecisionTask(token, answeredAt, firstPage.GetProperty("workflowExecution").GetProperty("workflowId").GetString()!,
            firstPage.GetProperty("previousStartedEventId").GetInt64(), events);
    }

    public async Task<ActivityTask?> PollActivityAsync(string domain, string taskList, CancellationToken ct = default)
    {
        var body = new JsonObject { ["domain"] = domain, ["taskList"] = new JsonObject { ["name"] = taskList }, ["identity"] = "bench-worker" };
        var answer = await CallAsync("PollForActivityTask", body, ct);
        var token = answer.TryGetProperty("taskToken", out var t) ? t.GetString() : null;
        if (string.IsNullOrEmpty(token)) { Count("PollForActivityTask:empty"); return null; }
        return new ActivityTask(token, Clock.Now, answer.GetProperty("activityId").GetString()!,
            answer.TryGetProperty("input", out var i) ? i.GetString() : null);
    }

    public async Task RespondDecisionAsync(string taskToken, JsonArray decisions, CancellationToken ct = default) =>
        await CallAsync("RespondDecisionTaskCompleted", new JsonObject { ["taskToken"] = taskToken, ["decisions"] = decisions }, ct);

    public async Task RespondActivityCompletedAsync(string taskToken, string? result, CancellationToken ct = default)
    {
        var body = new JsonObject { ["taskToken"] = taskToken };
        if (result is not null) body["result"] = result;
        await CallAsync("RespondActivityTaskCompleted", body, ct);
    }

    public async Task SignalAsync(string domain, string workflowId, string signal, CancellationToken ct = default) =>
        await CallAsync("SignalWorkflowExecution", new JsonObject { ["domain"] = domain, ["workflowId"] = workflowId, ["signalName"] = signal }, ct);

    public async Task TerminateAsync(string domain, string workflowId, CancellationToken ct = default) =>
        await CallAsync("TerminateWorkflowExecution", new JsonObject { ["domain"] = domain, ["workflowId"] = workflowId, ["reason"] = "bench cleanup" }, ct);

    public void Dispose() => http.Dispose();

    private sealed class Counter { public long Value; }
}

public sealed record DecisionTask(string TaskToken, long AnsweredAt, string WorkflowId, long PreviousStartedEventId, List<JsonElement> Events)
{
    public int Count(string eventType) => Events.Count(e => e.GetProperty("eventType").GetString() == eventType);

    public IEnumerable<JsonElement> OfType(string eventType) => Events.Where(e => e.GetProperty("eventType").GetString() == eventType);

    /// <summary>Events new to this decision task (after the previous one's started event).</summary>
    public IEnumerable<JsonElement> New => Events.Where(e => e.GetProperty("eventId").GetInt64() > PreviousStartedEventId);
}

public sealed record ActivityTask(string TaskToken, long AnsweredAt, string ActivityId, string? Input);

/// <summary>Decisions as JSON, the way SDKs serialize them.</summary>
public static class Decisions
{
    public static JsonObject ScheduleActivity(string activityId, string type, string? input = null)
    {
        var a = new JsonObject { ["activityId"] = activityId, ["activityType"] = new JsonObject { ["name"] = type, ["version"] = "1" } };
        if (input is not null) a["input"] = input;
        return new JsonObject { ["decisionType"] = "ScheduleActivityTask", ["scheduleActivityTaskDecisionAttributes"] = a };
    }

    public static JsonObject StartTimer(string timerId, int seconds) => new()
    {
        ["decisionType"] = "StartTimer",
        ["startTimerDecisionAttributes"] = new JsonObject { ["timerId"] = timerId, ["startToFireTimeout"] = seconds.ToString() },
    };

    public static JsonObject Complete(string? result = null) => new()
    {
        ["decisionType"] = "CompleteWorkflowExecution",
        ["completeWorkflowExecutionDecisionAttributes"] = result is null ? new JsonObject() : new JsonObject { ["result"] = result },
    };
}
