using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SwfServerless.Testing;

namespace SwfServerless.Reliability.Tests;

/// <summary>A modelled SWF fault the service answered (HTTP 400 with <c>__type</c>).</summary>
public sealed class SwfFaultException(string type, string message) : Exception($"{type}: {message}")
{
    /// <summary>The short name, e.g. <c>UnknownResourceFault</c>.</summary>
    public string Type { get; } = type[(type.LastIndexOf('#') + 1)..];
}

/// <summary>
/// Signed SWF calls (AWS JSON 1.0, SigV4 by <see cref="TestSigner"/>) to a set of app instances, as a client behind a load
/// balancer sees them: a call that gets no answer (the instance died or is restarting), a 5xx or a throttle is retried on
/// the next instance after a short pause, until the test's deadline. Modelled faults are thrown as <see cref="SwfFaultException"/>.
/// </summary>
public sealed class SwfHttp(IReadOnlyList<string> endpoints, string accessKeyId, string secret, CancellationToken deadline) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(90), // long polls last up to Swf:LongPollSeconds
    };

    private long retries;

    /// <summary>Calls answered by a retry (no answer, 5xx, throttled) on some instance.</summary>
    public long Retries => Interlocked.Read(ref retries);

    public int Instances => endpoints.Count;

    /// <summary>Calls <paramref name="operation"/> first on instance <paramref name="instance"/> (modulo the count), then on the others.</summary>
    /// <param name="onAttempt">Called before every attempt (a signal's sender counts the signals that may have landed).</param>
    /// <param name="ct">Ends this call early (a poller being stopped); the client's deadline ends every call.</param>
    public async Task<JsonElement> CallAsync(string operation, JsonObject body, int instance = 0, Action? onAttempt = null, CancellationToken ct = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline, ct);
        var token = linked.Token;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        for (var attempt = 0; ; attempt++)
        {
            token.ThrowIfCancellationRequested();
            var endpoint = endpoints[(instance + attempt) % endpoints.Count];
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint + "/") { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/x-amz-json-1.0");
            request.Headers.TryAddWithoutValidation("X-Amz-Target", "SimpleWorkflowService." + operation);
            TestSigner.Sign(request, bytes, accessKeyId, secret);
            onAttempt?.Invoke();
            try
            {
                using var response = await http.SendAsync(request, token);
                var text = await response.Content.ReadAsStringAsync(token);
                var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
                if (response.StatusCode == HttpStatusCode.OK) return json;
                var type = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("__type", out var t) ? t.GetString() ?? "" : "";
                if ((int)response.StatusCode < 500 && !type.EndsWith("ThrottlingException", StringComparison.Ordinal))
                    throw new SwfFaultException(type, json.ValueKind == JsonValueKind.Object && json.TryGetProperty("message", out var m) ? m.GetString() ?? "" : text);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !token.IsCancellationRequested)
            {
                // No answer: the instance died, is restarting, or lost the connection. Whatever the call did stands or not.
            }
            Interlocked.Increment(ref retries);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * (attempt + 1))), token);
        }
    }

    /// <summary>A whole history, page after page.</summary>
    public async Task<List<JsonElement>> HistoryAsync(string domain, string workflowId, string runId)
    {
        var events = new List<JsonElement>();
        string? next = null;
        do
        {
            var body = new JsonObject { ["domain"] = domain, ["execution"] = new JsonObject { ["workflowId"] = workflowId, ["runId"] = runId } };
            if (next is not null) body["nextPageToken"] = next;
            var page = await CallAsync("GetWorkflowExecutionHistory", body);
            events.AddRange(page.GetProperty("events").EnumerateArray());
            next = page.TryGetProperty("nextPageToken", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }
        while (!string.IsNullOrEmpty(next));
        return events;
    }

    /// <summary>Every run of a workflowId the visibility index lists, open or closed, as (runId, closeStatus or null).</summary>
    public async Task<List<(string RunId, string? CloseStatus)>> RunsAsync(string domain, string workflowId)
    {
        var runs = new List<(string, string?)>();
        foreach (var op in new[] { "ListOpenWorkflowExecutions", "ListClosedWorkflowExecutions" })
        {
            string? next = null;
            do
            {
                var body = new JsonObject
                {
                    ["domain"] = domain, ["startTimeFilter"] = new JsonObject { ["oldestDate"] = 0 },
                    ["executionFilter"] = new JsonObject { ["workflowId"] = workflowId },
                };
                if (next is not null) body["nextPageToken"] = next;
                var page = await CallAsync(op, body);
                foreach (var info in page.GetProperty("executionInfos").EnumerateArray())
                    runs.Add((info.GetProperty("execution").GetProperty("runId").GetString()!,
                        info.TryGetProperty("closeStatus", out var s) ? s.GetString() : null));
                next = page.TryGetProperty("nextPageToken", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            }
            while (!string.IsNullOrEmpty(next));
        }
        return runs;
    }

    public void Dispose() => http.Dispose();
}
