using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Validation;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.WebConsole;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Service.Protocol;

/// <summary>
/// The AWS JSON 1.0 endpoint: <c>POST /</c>, <c>X-Amz-Target: SimpleWorkflowService.&lt;Operation&gt;</c>, a JSON body.
/// Every answer carries <c>x-amzn-RequestId</c>; every failure is a 400 with
/// an AWS <c>__type</c>, never a 5xx for anything the caller sent.
/// </summary>
public static partial class SwfEndpoint
{
    private const string TargetPrefix = "SimpleWorkflowService.";
    private const string JsonContentType = "application/x-amz-json-1.0";

    /// <summary>The standalone server's routes. The Functions app's <c>Swf</c> function calls <see cref="HandleAsync"/> itself.</summary>
    public static void MapSwfEndpoint(this IEndpointRouteBuilder app)
    {
        // Every SDK posts to "/"; any other path is answered the same way, as the Functions catch-all route does.
        app.MapPost("/", HandleAsync);
        app.MapPost("/{**path}", HandleAsync);
        app.MapGet("/healthz", (HttpContext http) => http.Response.WriteAsync("ok"));
        // The web console: static files only; it calls the SWF API above like any other client.
        app.MapMethods(ConsoleAssets.BasePath, ["GET", "HEAD"], ConsoleAssets.Embedded.ServeAsync);
        app.MapMethods(ConsoleAssets.BasePath + "/{**path}", ["GET", "HEAD"], ConsoleAssets.Embedded.ServeAsync);
    }

    /// <summary>One SWF call: reads the request from <paramref name="http"/> and writes the whole answer to it.</summary>
    public static async Task HandleAsync(HttpContext http)
    {
        var requestId = UniqueIds.NewGuid().ToString();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        var started = Stopwatch.GetTimestamp();
        var log = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("SwfServerless.Calls");
        // For the log line only, until the target is checked: even a rejected call is logged under its operation.
        string operation = http.Request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } t ? t.Replace(TargetPrefix, "") : "?", domain = "-";
        try
        {
            var options = http.RequestServices.GetRequiredService<IOptions<SwfOptions>>().Value;
            var body = await ReadBodyAsync(http.Request, options.MaxRequestBytes, http.RequestAborted);
            // Authenticate first, as AWS does: unauthenticated callers learn nothing about the protocol.
            var policy = http.RequestServices.GetRequiredService<IRequestAuthenticator>().Authenticate(http.Request, body);
            operation = ReadOperation(http.Request);

            var registry = http.RequestServices.GetRequiredService<OperationRegistry>();
            if (!registry.Contains(operation))
                throw SwfFault.UnknownOperation($"Operation {operation} is not supported by this service.");
            http.RequestServices.GetRequiredService<Throttle>().Take(http.Request, operation);

            using var document = ParseJson(body);
            var validation = ModelValidator.Validate(operation, document.RootElement);
            if (validation.SerializationError is not null) throw SwfFault.Serialization(validation.SerializationError);
            if (!validation.IsValid) throw SwfFault.Validation(validation.Message!);

            domain = DomainOf(operation, document.RootElement, options) ?? "-";
            var (taskList, typeName) = Auth.AccessPolicy.ConditionValues(operation, document.RootElement);
            if (policy is not null && !policy.Allows(operation, domain == "-" ? null : domain, taskList, typeName))
                throw SwfFault.OperationNotPermitted($"User is not authorized to perform: swf:{operation}" +
                    (domain == "-" ? "" : $" on domain {domain}"));

            var call = new SwfCall(requestId, operation, policy);
            var answer = await registry.InvokeAsync(operation, document.RootElement, http.RequestServices, call, http.RequestAborted);
            await WriteAsync(http.Response, 200, answer);
            LogCall(log, operation, domain, "ok", Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId);
        }
        catch (SwfFault fault)
        {
            await WriteAsync(http.Response, fault.StatusCode, ErrorBody(fault.WireType, fault.Message));
            LogCall(log, operation, domain, fault.Type, Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId);
        }
        catch (Exception e) when (http.RequestAborted.IsCancellationRequested
                                  && e is OperationCanceledException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // The caller went away (a poller cancelled, a connection reset mid-body): its doing, not a failure here.
            LogCall(log, operation, domain, "client-disconnected", Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            // The body could not be read (truncated, wrong length): the caller's request is malformed.
            await WriteAsync(http.Response, 400, ErrorBody("com.amazon.coral.service#SerializationException", $"The request body could not be read: {e.Message}"));
            LogCall(log, operation, domain, "SerializationException", Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId);
        }
        catch (Exception e) when (StorageFailure.IsStorageFailure(e))
        {
            var (status, type, message) = StorageFailureAnswer(e, requestId);
            LogStorageFailure(log, operation, StorageFailure.IsTransient(e), status, requestId, e);
            await WriteAsync(http.Response, status, ErrorBody(type, message));
        }
        catch (Exception e)
        {
            LogBug(log, operation, requestId, e);
            await WriteAsync(http.Response, 500, ErrorBody("com.amazon.coral.service#InternalFailure",
                $"The request processing has failed because of an unknown error. Request id: {requestId}"));
        }
    }

    /// <summary>
    /// A storage call that failed after the SDK's retries. Transient (an outage, throttling, no answer): a retryable 503, as
    /// AWS answers when it is throttled or down. Too large for storage (what the request asked to store decides it):
    /// LimitExceededFault, a 400 naming the limit, which no SDK retries. Any other refusal (a missing permission or table,
    /// a bug) is the service's fault, not the request's: InternalFailure, a 500 naming what storage said. AWS SDKs retry
    /// a 500 a few times (3 attempts in standard mode), a bounded cost, and a 400 would tell the caller its request is
    /// wrong when it is not, and would stay wrong to its retry logic after the operator fixes the deployment.
    /// </summary>
    private static (int Status, string Type, string Message) StorageFailureAnswer(Exception e, string requestId)
    {
        if (StorageFailure.IsTransient(e))
            return (503, "com.amazon.coral.availability#ServiceUnavailableException", "The service is temporarily unable to reach its storage; retry the request.");
        if (StorageFailure.IsSizeLimit(e))
        {
            var limit = SwfFault.LimitExceeded("");
            return (limit.StatusCode, limit.WireType, $"The request would store more than storage accepts: {StorageFailure.Describe(e)}");
        }
        return (500, "com.amazon.coral.service#InternalFailure",
            $"The service's storage refused the request ({StorageFailure.Describe(e)}); retrying will not help until the service is fixed. Request id: {requestId}");
    }

    private static string ReadOperation(HttpRequest request)
    {
        var contentType = request.ContentType ?? "";
        if (!(contentType.StartsWith(JsonContentType, StringComparison.OrdinalIgnoreCase)
              || contentType.StartsWith("application/x-amz-json-1.1", StringComparison.OrdinalIgnoreCase)
              || contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)))
            throw SwfFault.UnknownOperation(
                $"Unsupported Content-Type '{contentType}': the SWF JSON protocol uses {JsonContentType}.");

        var target = request.Headers["X-Amz-Target"].ToString();
        if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal) || target.Length == TargetPrefix.Length)
            throw SwfFault.UnknownOperation(target.Length == 0
                ? "Missing X-Amz-Target header: expected SimpleWorkflowService.<Operation>."
                : $"Unknown X-Amz-Target '{target}': expected SimpleWorkflowService.<Operation>.");
        return target[TargetPrefix.Length..];
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength is { } length)
        {
            // The usual case (every SDK sends Content-Length): read into an array of exactly that size, no copies.
            if (length > limit) throw TooLarge(limit);
            var body = new byte[length];
            try { await request.Body.ReadExactlyAsync(body, ct); }
            catch (EndOfStreamException) { throw new Microsoft.AspNetCore.Http.BadHttpRequestException("Unexpected end of request content."); }
            return body;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) throw TooLarge(limit);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static SwfFault TooLarge(int limit) =>
        SwfFault.Validation($"The request body exceeds the maximum size of {limit} bytes.");

    private static JsonDocument ParseJson(byte[] body)
    {
        if (body.Length == 0) return JsonDocument.Parse("{}");
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw SwfFault.Serialization("The request body must be a JSON object.");
            }
            return document;
        }
        catch (JsonException e)
        {
            throw SwfFault.Serialization($"The request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The domain a call acts on, for access policies and logs.</summary>
    private static string? DomainOf(string operation, JsonElement body, SwfOptions options)
    {
        string? Member(string name) =>
            body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return operation switch
        {
            "RegisterDomain" or "DescribeDomain" or "DeprecateDomain" or "UndeprecateDomain" => Member("name"),
            "TagResource" or "UntagResource" or "ListTagsForResource" =>
                Member("resourceArn") is { } arn ? Core.Domains.Domain.NameFromArn(arn, options.Region, options.AccountId) : null,
            _ => Member("domain"),
        };
    }

    private static byte[] ErrorBody(string type, string message)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", type);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static async Task WriteAsync(HttpResponse response, int status, byte[] body)
    {
        if (response.HasStarted) return;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Operation} domain={Domain} outcome={Outcome} ms={DurationMs:F1} id={RequestId}")]
    private static partial void LogCall(ILogger log, string operation, string domain, string outcome, double durationMs, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} failed on storage (transient={Transient}), answered {Status} id={RequestId}")]
    private static partial void LogStorageFailure(ILogger log, string operation, bool transient, int status, string requestId, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Operation} failed with an unexpected error id={RequestId}")]
    private static partial void LogBug(ILogger log, string operation, string requestId, Exception e);
}
