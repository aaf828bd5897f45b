using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SwfServerless.Server;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>
/// The real app on a real Kestrel port, against the suite's Azurite, with its own table prefix so tests that
/// list things see only their own data. Authentication is off unless access keys are given.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication app;
    public HttpClient Http { get; }
    public string Url { get; }

    /// <summary>The app's services: to run triggered work (the sweep) or look at storage directly.</summary>
    public IServiceProvider Services => app.Services;

    private TestApp(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(100) };
    }

    /// <param name="configureServices">Replaces registrations after the app's own (e.g. storage with injected faults, IIntentCrashPoints).</param>
    public static async Task<TestApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var all = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Swf:StoragePrefix"] = TestNames.Unique("t"),
            ["Swf:Region"] = "us-east-1",
            ["Swf:AccountId"] = "123456789012",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var app = SwfServer.Build(["--urls", url], all, configureServices);
        await app.StartAsync();
        return new TestApp(app, url);
    }

    /// <summary>Calls an operation and returns the HTTP status and the parsed JSON answer.</summary>
    public async Task<SwfResponse> CallAsync(string operation, object body) =>
        await SendAsync(operation, JsonSerializer.Serialize(body, TestJson.Options));

    public async Task<SwfResponse> SendAsync(string operation, string body, string contentType = "application/x-amz-json-1.0")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Http.BaseAddress!, "/")) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (operation.Length > 0) request.Headers.TryAddWithoutValidation("X-Amz-Target", "SimpleWorkflowService." + operation);
        if (SigningKey is { } key) TestSigner.Sign(request, bytes, key.Id, key.Secret);
        return await SwfResponse.ReadAsync(await Http.SendAsync(request));
    }

    /// <summary>The key requests are signed with from now on; null sends them unsigned.</summary>
    public (string Id, string Secret)? SigningKey { get; set; }

    /// <summary>Calls an operation that must succeed; fails the test with the fault otherwise.</summary>
    public async Task<JsonElement> OkAsync(string operation, object body)
    {
        var response = await CallAsync(operation, body);
        Assert.True(response.Status == HttpStatusCode.OK, $"{operation} failed: {response.Status} {response.Text}");
        return response.Json;
    }

    /// <summary>Calls an operation that must fail with the given fault type; returns the message.</summary>
    public async Task<string> FaultAsync(string operation, object body, string faultType)
    {
        var response = await CallAsync(operation, body);
        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{operation} should fail with {faultType}: {response.Status} {response.Text}");
        Assert.EndsWith("#" + faultType, response.FaultType);
        return response.Message!;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed record SwfResponse(HttpStatusCode Status, string Text, JsonElement Json, string? RequestId)
{
    public string? FaultType => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("__type", out var t) ? t.GetString() : null;
    public string? Message => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("message", out var m) ? m.GetString() : null;

    public static async Task<SwfResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        var id = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.First() : null;
        return new SwfResponse(response.StatusCode, text, json, id);
    }
}

internal static class TestJson
{
    public static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
