using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Functions.Hosting;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Functions;

/// <summary>
/// The custom-handler contract, over real HTTP against the real app started as the Functions host starts it
/// (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set): timer and queue invocations reach the registered work with the right
/// payload and get the documented answer; proxied SWF calls still work and are verified against the public host.
/// The triggered work here is a test double that records its calls; the routing, parsing and answers are production code.
/// </summary>
[Collection("api")]
public sealed class TriggerContractTests(AzuriteFixture azurite)
{
    private const string KeyId = "AKIDFUNCTIONSHOST";
    private const string Secret = "functions-host-secret";
    private const string PublicHost = "swf-test.azurewebsites.net";

    private sealed class RecordingWork(string name, Func<string?, Task>? behavior = null) : ITriggeredWork
    {
        public ConcurrentQueue<string?> Payloads { get; } = new();
        public string FunctionName => name;

        public async Task RunAsync(string? payload, CancellationToken ct)
        {
            Payloads.Enqueue(payload);
            if (behavior is not null) await behavior(payload);
        }
    }

    private async Task<TestApp> StartHostedAsync(params ITriggeredWork[] works) =>
        await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            [FunctionsHost.PortSetting] = "set by TestApp",
            ["Swf:AccessKeys:0:AccessKeyId"] = KeyId,
            ["Swf:AccessKeys:0:SecretAccessKey"] = Secret,
        }, services => { foreach (var w in works) services.AddSingleton(w); });

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(TestApp app, HttpRequestMessage request)
    {
        using var response = await app.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The documented response payload: Outputs (object), Logs (array of strings), ReturnValue.</summary>
    private static void AssertInvocationResponseShape(JsonElement body)
    {
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.All(body.GetProperty("Logs").EnumerateArray(), l => Assert.Equal(JsonValueKind.String, l.ValueKind));
        Assert.True(body.TryGetProperty("ReturnValue", out _));
        Assert.False(body.TryGetProperty("__type", out _), "an invocation answer must not be an SWF fault");
    }

    [Fact]
    public async Task A_timer_invocation_runs_the_work_once_without_payload_and_answers_the_documented_shape()
    {
        var sweep = new RecordingWork(FunctionsHost.SweepFunction);
        await using var app = await StartHostedAsync(sweep);

        var (status, body) = await SendAsync(app,
            FunctionsHostSimulator.Invocation(FunctionsHost.SweepFunction, FunctionsHostSimulator.TimerPayload(DateTimeOffset.UtcNow)));

        Assert.Equal(HttpStatusCode.OK, status);
        AssertInvocationResponseShape(body);
        Assert.Equal([null], sweep.Payloads);
    }

    [Theory]
    [InlineData("intent-123")]
    [InlineData("""{"kind":"SignalExternal","domain":"d1","workflowId":"w \"quoted\" ü"}""")]
    public async Task A_queue_invocation_passes_the_message_text_as_the_host_encodes_it(string message)
    {
        var intents = new RecordingWork(FunctionsHost.IntentsFunction);
        await using var app = await StartHostedAsync(intents);

        var (status, body) = await SendAsync(app, FunctionsHostSimulator.Invocation(FunctionsHost.IntentsFunction,
            FunctionsHostSimulator.QueuePayload(FunctionsHostSimulator.HostEncodedString(message))));

        Assert.Equal(HttpStatusCode.OK, status);
        AssertInvocationResponseShape(body);
        Assert.Equal([message], intents.Payloads);
    }

    [Fact]
    public async Task A_queue_message_in_the_documented_single_encoding_arrives_unchanged()
    {
        var intents = new RecordingWork(FunctionsHost.IntentsFunction);
        await using var app = await StartHostedAsync(intents);
        const string message = "{ message: \"Message sent\" }"; // the documentation's own example

        var (status, _) = await SendAsync(app, FunctionsHostSimulator.Invocation(FunctionsHost.IntentsFunction,
            FunctionsHostSimulator.QueuePayload(FunctionsHostSimulator.DocumentedString(message))));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([message], intents.Payloads);
    }

    [Fact]
    public async Task Failed_work_answers_500_so_the_host_retries_and_says_why_in_the_logs()
    {
        var intents = new RecordingWork(FunctionsHost.IntentsFunction, _ => throw new InvalidOperationException("storage said no"));
        await using var app = await StartHostedAsync(intents);

        var (status, body) = await SendAsync(app, FunctionsHostSimulator.Invocation(FunctionsHost.IntentsFunction,
            FunctionsHostSimulator.QueuePayload(FunctionsHostSimulator.HostEncodedString("intent-9"), dequeueCount: 3)));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        AssertInvocationResponseShape(body);
        Assert.Contains("storage said no", body.GetProperty("Logs")[0].GetString());
    }

    [Fact]
    public async Task A_malformed_invocation_payload_is_a_4xx_and_the_work_does_not_run()
    {
        var sweep = new RecordingWork(FunctionsHost.SweepFunction);
        await using var app = await StartHostedAsync(sweep);

        var (status, body) = await SendAsync(app, FunctionsHostSimulator.Invocation(FunctionsHost.SweepFunction, "[1,2]"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertInvocationResponseShape(body);
        Assert.Empty(sweep.Payloads);
    }

    [Fact]
    public async Task A_proxied_swf_call_is_verified_against_the_public_host_the_client_signed()
    {
        await using var app = await StartHostedAsync(new RecordingWork(FunctionsHost.SweepFunction));
        var handler = new Uri(app.Url);

        var signed = TestSigner.SignedSwfCall("ListDomains", """{"registrationStatus":"REGISTERED"}""", PublicHost, KeyId, Secret, DateTimeOffset.UtcNow);
        var (status, body) = await SendAsync(app, FunctionsHostSimulator.Proxied(signed, handler, PublicHost));
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("domainInfos").ValueKind);

        // Signed for another host: the proxy's X-Forwarded-Host does not match what was signed.
        var elsewhere = TestSigner.SignedSwfCall("ListDomains", """{"registrationStatus":"REGISTERED"}""", "other.example.com", KeyId, Secret, DateTimeOffset.UtcNow);
        var (rejected, fault) = await SendAsync(app, FunctionsHostSimulator.Proxied(elsewhere, handler, PublicHost));
        Assert.Equal(HttpStatusCode.BadRequest, rejected);
        Assert.EndsWith("#InvalidSignatureException", fault.GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Configured_public_host_names_pin_what_a_signature_may_be_bound_to()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            [FunctionsHost.PortSetting] = "set by TestApp",
            ["Swf:AccessKeys:0:AccessKeyId"] = KeyId,
            ["Swf:AccessKeys:0:SecretAccessKey"] = Secret,
            ["Swf:PublicHostNames"] = $"{PublicHost}, swf.example.com",
        });
        var handler = new Uri(app.Url);
        HttpRequestMessage Call(string signedFor, string forwarded) => FunctionsHostSimulator.Proxied(
            TestSigner.SignedSwfCall("ListDomains", """{"registrationStatus":"REGISTERED"}""", signedFor, KeyId, Secret, DateTimeOffset.UtcNow),
            handler, forwarded);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, Call("swf.example.com", "swf.example.com"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, Call(PublicHost, PublicHost))).Status);
        // A forwarded name outside the list falls back to the first configured name, which this client did not sign.
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(app, Call("evil.example.net", "evil.example.net"))).Status);
    }

    [Fact]
    public async Task An_outside_request_to_a_function_path_never_runs_the_work()
    {
        var sweep = new RecordingWork(FunctionsHost.SweepFunction);
        await using var app = await StartHostedAsync(sweep);

        // Through the host's proxy (X-Forwarded-For present): not the host invoking Sweep, so the SWF endpoint answers.
        var outside = FunctionsHostSimulator.Proxied(
            FunctionsHostSimulator.Invocation(FunctionsHost.SweepFunction, FunctionsHostSimulator.TimerPayload(DateTimeOffset.UtcNow)),
            new Uri(app.Url), PublicHost);
        var (status, body) = await SendAsync(app, outside);
        Assert.InRange((int)status, 400, 499);
        Assert.NotNull(body.GetProperty("__type").GetString());

        // An SWF call on that path (X-Amz-Target present) is an SWF call.
        var swf = TestSigner.SignedSwfCall("ListDomains", """{"registrationStatus":"REGISTERED"}""", PublicHost, KeyId, Secret, DateTimeOffset.UtcNow);
        swf.RequestUri = new Uri("/" + FunctionsHost.SweepFunction, UriKind.Relative);
        var (swfStatus, _) = await SendAsync(app, FunctionsHostSimulator.Proxied(swf, new Uri(app.Url), PublicHost));
        Assert.NotEqual(HttpStatusCode.OK, swfStatus); // signed for "/", sent to "/Sweep": the signature covers the path

        Assert.Empty(sweep.Payloads);
    }

    [Fact]
    public async Task Standalone_maps_no_trigger_endpoint()
    {
        var sweep = new RecordingWork(FunctionsHost.SweepFunction);
        await using var app = await TestApp.StartAsync(azurite, configureServices: s => s.AddSingleton<ITriggeredWork>(sweep));

        var (status, body) = await SendAsync(app,
            FunctionsHostSimulator.Invocation(FunctionsHost.SweepFunction, FunctionsHostSimulator.TimerPayload(DateTimeOffset.UtcNow)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.EndsWith("#UnknownOperationException", body.GetProperty("__type").GetString());
        Assert.Empty(sweep.Payloads);
    }

    [Fact]
    public void Payload_unwrapping_removes_exactly_the_hosts_extra_layer()
    {
        Assert.Equal("abc", TriggerEndpoint.UnwrapHostEncoding("\"abc\""));
        Assert.Equal("abc", TriggerEndpoint.UnwrapHostEncoding("abc"));
        Assert.Equal("{\"a\":1}", TriggerEndpoint.UnwrapHostEncoding("\"{\\\"a\\\":1}\""));
        Assert.Equal("\"unterminated", TriggerEndpoint.UnwrapHostEncoding("\"unterminated"));
        Assert.Equal("\"", TriggerEndpoint.UnwrapHostEncoding("\""));
    }
}
