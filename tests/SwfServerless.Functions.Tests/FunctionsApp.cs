using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SwfServerless.Testing;

namespace SwfServerless.Functions.Tests;

/// <summary>
/// The Functions app as <c>Program.cs</c> composes it (<see cref="SwfFunctionsApp.AddSwfFunctions"/>), against the
/// suite's Azurite, with the functions invoked directly as the worker would: the Functions host itself cannot run here.
/// Only the service's own hosted services are started (storage initialisation, in-process timers, the local intent
/// receiver), not the worker's channel to a host.
/// </summary>
public sealed class FunctionsApp : IAsyncDisposable
{
    private readonly IHost host;
    private readonly List<IHostedService> started;

    private FunctionsApp(IHost host, List<IHostedService> started)
    {
        this.host = host;
        this.started = started;
    }

    public IServiceProvider Services => host.Services;
    public SwfFunctions Functions => host.Services.GetRequiredService<SwfFunctions>();

    public static async Task<FunctionsApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        var all = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Swf:StoragePrefix"] = TestNames.Unique("f"),
            ["Swf:LongPollSeconds"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
            // What the host passes a worker it starts; needed to construct the worker's services, never connected to here.
            ["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:9",
            ["Functions:Worker:WorkerId"] = "tests",
            ["Functions:Worker:RequestId"] = "tests",
            ["Functions:Worker:GrpcMaxMessageLength"] = "2147483647",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        builder.Configuration.AddInMemoryCollection(all);
        builder.AddSwfFunctions();
        configureServices?.Invoke(builder.Services);
        var host = builder.Build();
        var ours = host.Services.GetServices<IHostedService>()
            .Where(s => s.GetType().Assembly.GetName().Name!.StartsWith("SwfServerless.", StringComparison.Ordinal)).ToList();
        foreach (var service in ours) await service.StartAsync(CancellationToken.None);
        return new FunctionsApp(host, ours);
    }

    /// <summary>An SWF call through the <c>Swf</c> function: a real <see cref="HttpContext"/>, the result executed as the worker does.</summary>
    public async Task<SwfAnswer> CallAsync(string operation, object body, Action<HttpRequest>? prepare = null)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        var http = NewContext("POST", "/");
        http.Request.ContentType = "application/x-amz-json-1.0";
        http.Request.Headers["X-Amz-Target"] = "SimpleWorkflowService." + operation;
        http.Request.Body = new MemoryStream(bytes);
        http.Request.ContentLength = bytes.Length;
        prepare?.Invoke(http.Request);
        return await InvokeAsync(http);
    }

    public async Task<SwfAnswer> GetAsync(string path) => await InvokeAsync(NewContext("GET", path));

    public async Task<JsonElement> OkAsync(string operation, object body)
    {
        var answer = await CallAsync(operation, body);
        Assert.True(answer.Status == 200, $"{operation} failed: {answer.Status} {answer.Text}");
        return answer.Json;
    }

    private HttpContext NewContext(string method, string path)
    {
        var http = new DefaultHttpContext { RequestServices = host.Services };
        http.Request.Method = method;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("127.0.0.1", 7071); // what the worker sees behind the host's proxy
        http.Request.Path = path;
        http.Response.Body = new MemoryStream();
        return http;
    }

    private async Task<SwfAnswer> InvokeAsync(HttpContext http)
    {
        var result = Functions.Swf(http.Request);
        await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));
        http.Response.Body.Position = 0;
        var text = await new StreamReader(http.Response.Body, Encoding.UTF8).ReadToEndAsync();
        JsonElement json = default;
        if (http.Response.ContentType?.Contains("json") == true && text.Length > 0) json = JsonDocument.Parse(text).RootElement.Clone();
        return new SwfAnswer(http.Response.StatusCode, text, json, http.Response.Headers["x-amzn-RequestId"].ToString(), http.Response.ContentType, http.Response.Headers);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = started.Count - 1; i >= 0; i--) await started[i].StopAsync(CancellationToken.None);
        host.Dispose();
    }
}

public sealed record SwfAnswer(int Status, string Text, JsonElement Json, string RequestId, string? ContentType, IHeaderDictionary? Headers = null)
{
    public string? FaultType => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("__type", out var t) ? t.GetString() : null;
}

/// <summary>The invocation context the worker gives a function; the queue trigger's binding data carries the dequeue count.</summary>
internal sealed class QueueInvocation(IServiceProvider services, long dequeueCount) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId => SwfFunctions.IntentsFunction;
    public override TraceContext TraceContext => null!;
    public override BindingContext BindingContext { get; } = new Binding(dequeueCount);
    public override RetryContext RetryContext => null!;
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override FunctionDefinition FunctionDefinition => null!;
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => null!;

    private sealed class Binding(long dequeueCount) : BindingContext
    {
        // As the host sends queue trigger metadata: values arrive as JSON text.
        public override IReadOnlyDictionary<string, object?> BindingData { get; } =
            new Dictionary<string, object?> { ["DequeueCount"] = dequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }
}

/// <summary>One Azurite for the whole Functions suite.</summary>
[CollectionDefinition("functions")]
public sealed class FunctionsCollection : ICollectionFixture<AzuriteFixture>;
