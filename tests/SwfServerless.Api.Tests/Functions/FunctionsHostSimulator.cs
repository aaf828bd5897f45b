using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using SwfServerless.Functions.Hosting;

namespace SwfServerless.Api.Tests.Functions;

/// <summary>
/// Sends the app what the Azure Functions host sends its custom handler, byte for byte where the sources say so.
/// Sources (quoted at each payload): the custom-handler article (learn.microsoft.com/azure/azure-functions/functions-custom-handlers,
/// ms.date 11/12/2025, "Request payload" / "Response payload") and the host's code, Azure/azure-functions-host
/// <c>src/WebJobs.Script/Workers/Http/DefaultHttpWorkerService.cs</c> (headers, path, success rule) and
/// <c>ScriptInvocationContextExtensions.cs</c> (how <c>Data</c> values are serialized).
/// </summary>
internal static class FunctionsHostSimulator
{
    public const string HostVersion = "4.1041.200.25071";

    /// <summary>
    /// A timer invocation. <c>Data.timer</c> is the host's <c>TimerInfo</c> serialized by <c>JObject.FromObject</c>
    /// (properties <c>Schedule</c>, <c>ScheduleStatus</c>, <c>IsPastDue</c>); <c>Metadata</c> carries the trigger's binding
    /// data and <c>sys</c> as in the documented request payload.
    /// </summary>
    public static string TimerPayload(DateTimeOffset now) => $$"""
        {
          "Data": {
            "timer": {
              "Schedule": { "AdjustForDST": true },
              "ScheduleStatus": { "Last": "{{now.AddMinutes(-1):O}}", "Next": "{{now.AddMinutes(1):O}}", "LastUpdated": "{{now.AddMinutes(-1):O}}" },
              "IsPastDue": false
            }
          },
          "Metadata": {
            "sys": { "MethodName": "{{FunctionsHost.SweepFunction}}", "UtcNow": "{{now:O}}", "RandGuid": "{{Guid.NewGuid()}}" }
          }
        }
        """;

    /// <summary>
    /// A queue invocation, with the documented metadata (DequeueCount, ExpirationTime, Id, InsertionTime,
    /// NextVisibleTime, PopReceipt, sys). <paramref name="dataValue"/> is the JSON put under <c>Data.message</c>.
    /// </summary>
    public static string QueuePayload(string dataValue, int dequeueCount = 1) => $$"""
        {
          "Data": {
            "{{FunctionsHost.QueueBinding}}": {{dataValue}}
          },
          "Metadata": {
            "DequeueCount": {{dequeueCount}},
            "ExpirationTime": "2019-10-16T17:58:31+00:00",
            "Id": "800ae4b3-bdd2-4c08-badd-f08e5a34b865",
            "InsertionTime": "2019-10-09T17:58:31+00:00",
            "NextVisibleTime": "2019-10-09T18:08:32+00:00",
            "PopReceipt": "AgAAAAMAAAAAAAAAAgtnj8x+1QE=",
            "sys": { "MethodName": "{{FunctionsHost.IntentsFunction}}", "UtcNow": "2019-10-09T17:58:32.2205399Z", "RandGuid": "24ad4c06-24ad-4e5b-8294-3da9714877e9" }
          }
        }
        """;

    /// <summary>
    /// The host's encoding of a string input: <c>JsonConvert.SerializeObject(text)</c> (a JSON string literal), then that
    /// string serialized again as the value of <c>Data.message</c>.
    /// </summary>
    public static string HostEncodedString(string text) => Quote(Quote(text));

    /// <summary>The encoding the documentation's example shows: the message text as a JSON string.</summary>
    public static string DocumentedString(string text) => Quote(text);

    private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    /// <summary>
    /// An invocation as <c>ProcessDefaultInvocationRequest</c> sends it: <c>POST http://127.0.0.1:{port}/{FunctionName}</c>,
    /// <c>application/json</c>, plus <c>AddHeaders</c>: <c>X-Azure-Functions-HostVersion</c>, <c>X-Azure-Functions-InvocationId</c>,
    /// <c>User-Agent: Azure-Functions-Host/{version}</c>.
    /// </summary>
    public static HttpRequestMessage Invocation(string functionName, string payload)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + functionName)
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-HostVersion", HostVersion);
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.UserAgent.ParseAdd("Azure-Functions-Host/" + HostVersion);
        return request;
    }

    /// <summary>
    /// An outside HTTP request as the host's proxy (<c>enableProxyingHttpRequest</c>, YARP <c>IHttpForwarder</c> with
    /// <c>HttpTransformer.Default</c>) hands it on: same method, path, query, body and headers, but <c>Host</c> replaced by
    /// the destination (<c>127.0.0.1:{port}</c>), <c>X-Forwarded-For/Proto/Host</c> added, and
    /// <c>X-Azure-Functions-HostVersion</c> / <c>X-Azure-Functions-InvocationId</c> set by <c>AddProxyingHeaders</c>.
    /// </summary>
    public static HttpRequestMessage Proxied(HttpRequestMessage original, Uri handler, string publicHost)
    {
        original.Headers.Host = handler.Authority;
        original.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
        original.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        original.Headers.TryAddWithoutValidation("X-Forwarded-Host", publicHost);
        original.Headers.TryAddWithoutValidation("X-Azure-Functions-HostVersion", HostVersion);
        original.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        return original;
    }
}

/// <summary>
/// A minimal, independent SigV4 signer (the AWS "Create a signed AWS API request" steps) for requests as an
/// AWS SDK sends them to SWF: <c>POST /</c>, signed headers content-type;host;x-amz-date;x-amz-target.
/// </summary>
internal static class TestSigner
{
    public static HttpRequestMessage SignedSwfCall(string operation, string body, string host, string keyId, string secret,
        DateTimeOffset now, string region = "us-east-1")
    {
        const string contentType = "application/x-amz-json-1.0";
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = amzDate[..8];
        var target = "SimpleWorkflowService." + operation;
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        const string signedHeaders = "content-type;host;x-amz-date;x-amz-target";
        var canonical = string.Join('\n', "POST", "/", "",
            $"content-type:{contentType}", $"host:{host}", $"x-amz-date:{amzDate}", $"x-amz-target:{target}", "",
            signedHeaders, Hex(SHA256.HashData(bodyBytes)));
        var scope = $"{day}/{region}/swf/aws4_request";
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in new[] { day, region, "swf", "aws4_request" }) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(bodyBytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={keyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        return request;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
