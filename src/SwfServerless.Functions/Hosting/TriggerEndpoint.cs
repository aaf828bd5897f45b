using System.Diagnostics;
using System.Text.Json;
using SwfServerless.Functions.Protocol;

namespace SwfServerless.Functions.Hosting;

/// <summary>
/// The custom-handler side of the Functions host's non-HTTP triggers. For a timer or queue trigger the host
/// POSTs <c>http://127.0.0.1:{FUNCTIONS_CUSTOMHANDLER_PORT}/{FunctionName}</c> with the invocation payload
/// <c>{"Data": {binding: value}, "Metadata": {...}}</c> and reads back <c>{"Outputs", "Logs", "ReturnValue"}</c>;
/// only a 2xx counts as success (azure-functions-host <c>DefaultHttpWorkerService.ProcessDefaultInvocationRequest</c>
/// calls <c>EnsureSuccessStatusCode</c>), so a failed run answers 500 and the host retries or poison-queues it.
/// </summary>
/// <remarks>
/// Which requests are trigger invocations, so that the SWF endpoint is never shadowed:
/// <list type="number">
/// <item>only when hosted (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set); standalone runs its work itself and maps nothing here;</item>
/// <item><c>POST /{name}</c> where <c>name</c> is the <see cref="ITriggeredWork.FunctionName"/> of registered work;</item>
/// <item>no <c>X-Amz-Target</c> header: every SWF call carries one, no trigger invocation does;</item>
/// <item>no <c>X-Forwarded-For</c> / <c>Forwarded</c> header: HTTP requests from outside reach the handler through
/// the host's proxy (<c>enableProxyingHttpRequest</c>, YARP's <c>HttpTransformer.Default</c>, which "adds
/// X-Forwarded-* headers"), so a caller on the internet who posts to <c>/Sweep</c> is not the host invoking Sweep.</item>
/// </list>
/// Anything else goes to the SWF endpoint, which answers it as the SWF protocol does (an unsigned or untargeted
/// request gets a 4xx).
/// </remarks>
public static partial class TriggerEndpoint
{
    public static void MapTriggerEndpoint(this WebApplication app)
    {
        if (!FunctionsHost.IsHosted(app.Configuration)) return;
        // One segment: literal "/" and the catch-all "/{**path}" of the SWF endpoint keep everything else.
        // A RequestDelegate, not a lambda with bound parameters: no RequestDelegateFactory reflection (trim/AOT-safe).
        app.MapPost("/{function}", HandleAsync);
    }

    private static async Task HandleAsync(HttpContext http)
    {
        var function = http.Request.RouteValues["function"] as string ?? "";
        var work = IsTriggerInvocation(http.Request)
            ? http.RequestServices.GetServices<ITriggeredWork>().LastOrDefault(w => string.Equals(w.FunctionName, function, StringComparison.Ordinal)) // the last registration wins, as DI overrides go
            : null;
        if (work is null)
        {
            await SwfEndpoint.HandleAsync(http);
            return;
        }

        var log = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("SwfServerless.Triggers");
        var invocationId = http.Request.Headers["X-Azure-Functions-InvocationId"].ToString();
        string? payload;
        try
        {
            payload = await ReadPayloadAsync(http.Request, http.RequestAborted);
        }
        catch (JsonException e)
        {
            LogBadPayload(log, work.FunctionName, invocationId, e.Message);
            await WriteAsync(http.Response, 400, $"{work.FunctionName}: the invocation payload is not the custom-handler request shape ({e.Message}).");
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await work.RunAsync(payload, http.RequestAborted);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogRan(log, work.FunctionName, invocationId, ms);
            await WriteAsync(http.Response, 200, $"{work.FunctionName} completed in {ms:F0} ms.");
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The host gave up (function timeout or shutdown); it counts the invocation as failed either way.
            LogAbandoned(log, work.FunctionName, invocationId);
        }
        catch (Exception e)
        {
            LogFailed(log, work.FunctionName, invocationId, e);
            await WriteAsync(http.Response, 500, $"{work.FunctionName} failed: {e.GetType().Name}: {e.Message}");
        }
    }

    internal static bool IsTriggerInvocation(HttpRequest request) =>
        !request.Headers.ContainsKey("X-Amz-Target")
        && !request.Headers.ContainsKey("X-Forwarded-For")
        && !request.Headers.ContainsKey("Forwarded");

    /// <summary>
    /// The queue message text from <c>Data.message</c>; null for a timer (whose <c>Data.timer</c> is the schedule status).
    /// The host JSON-serializes a string input once more before putting it in <c>Data</c>
    /// (<c>ScriptInvocationContextExtensions.GetHttpScriptInvocationContextValue</c>: <c>JObject.FromObject</c> fails for a
    /// string, so it falls back to <c>JsonConvert.SerializeObject</c>), so <c>Data.message</c> arrives as a JSON string whose
    /// content is a JSON string literal; that one extra layer is removed. A message that is not such a literal (the
    /// documentation's example shows the text as is) is passed on unchanged, and so is a JSON object or array.
    /// </summary>
    internal static async Task<string?> ReadPayloadAsync(HttpRequest request, CancellationToken ct)
    {
        using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new JsonException("the body is not a JSON object");
        if (!document.RootElement.TryGetProperty("Data", out var data) || data.ValueKind == JsonValueKind.Null)
            return null;
        if (data.ValueKind != JsonValueKind.Object)
            throw new JsonException("Data is not a JSON object");
        if (!data.TryGetProperty(FunctionsHost.QueueBinding, out var message))
            return null;
        return message.ValueKind switch
        {
            JsonValueKind.String => UnwrapHostEncoding(message.GetString()!),
            JsonValueKind.Null => null,
            _ => message.GetRawText(),
        };
    }

    internal static string UnwrapHostEncoding(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return value;
        try
        {
            using var inner = JsonDocument.Parse(value);
            return inner.RootElement.ValueKind == JsonValueKind.String ? inner.RootElement.GetString()! : value;
        }
        catch (JsonException)
        {
            return value;
        }
    }

    /// <summary>The documented response shape; no outputs (the functions have no output bindings) and no return value.</summary>
    private static async Task WriteAsync(HttpResponse response, int status, string logLine)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Outputs");
            writer.WriteEndObject();
            writer.WriteStartArray("Logs");
            writer.WriteStringValue(logLine);
            writer.WriteEndArray();
            writer.WriteNull("ReturnValue");
            writer.WriteEndObject();
        }
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = stream.Length;
        await response.Body.WriteAsync(stream.GetBuffer().AsMemory(0, (int)stream.Length));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function} ran ms={DurationMs:F1} invocation={InvocationId}")]
    private static partial void LogRan(ILogger log, string function, string invocationId, double durationMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} failed invocation={InvocationId}")]
    private static partial void LogFailed(ILogger log, string function, string invocationId, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} abandoned by the host (timeout or shutdown) invocation={InvocationId}")]
    private static partial void LogAbandoned(ILogger log, string function, string invocationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} got a malformed invocation payload invocation={InvocationId}: {Reason}")]
    private static partial void LogBadPayload(ILogger log, string function, string invocationId, string reason);
}
