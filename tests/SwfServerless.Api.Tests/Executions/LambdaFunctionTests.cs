using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Service.Executions;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>
/// Lambda tasks against real HTTP functions: a tiny server on a free port of 127.0.0.1 serves <c>/echo</c> (200, the body
/// back), <c>/fail</c> (500, "boom") and <c>/slow</c> (answers only when released), configured as the functions
/// <c>echo</c> (with a key), <c>fail</c> and <c>slow</c>.
/// </summary>
[Collection("api")]
public sealed class LambdaFunctionTests(AzuriteFixture azurite) : WorkflowTest(azurite), IDisposable
{
    private const string Role = "arn:aws:iam::123456789012:role/swf-lambda";
    private readonly FakeFunctions functions = FakeFunctions.Start();
    private readonly IntentFaults crashes = new();

    protected override Dictionary<string, string?> Settings() => new()
    {
        ["Swf:LongPollSeconds"] = "2", ["Swf:IntentVisibilitySeconds"] = "1", ["Swf:PollIntervalMilliseconds"] = "200", ["Swf:IntentPollIntervalMilliseconds"] = "200",
        ["Swf:LambdaFunctions:0:Name"] = "echo", ["Swf:LambdaFunctions:0:Url"] = functions.Url("echo"), ["Swf:LambdaFunctions:0:Key"] = "k-echo",
        ["Swf:LambdaFunctions:1:Name"] = "fail", ["Swf:LambdaFunctions:1:Url"] = functions.Url("fail"),
        ["Swf:LambdaFunctions:2:Name"] = "slow", ["Swf:LambdaFunctions:2:Url"] = functions.Url("slow"),
        ["Swf:LambdaFunctions:3:Name"] = "behind-auth", ["Swf:LambdaFunctions:3:Url"] = functions.Url("echo"),
        ["Swf:LambdaFunctions:3:Audience"] = "api://img-func",
        // The app's user-assigned identity (as infra/ sets it); storage itself still uses the connection string here.
        ["AzureWebJobsStorage:clientId"] = IdentityClientId,
    };

    private const string IdentityClientId = "22222222-3333-4444-5555-666666666666";

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIntentCrashPoints>(crashes);

    public void Dispose() => functions.Dispose();

    private static object Lambda(string id, string name, string? input = null, string? timeout = null) => new
    {
        decisionType = "ScheduleLambdaFunction",
        scheduleLambdaFunctionDecisionAttributes = new { id, name, input, control = "not-sent", startToCloseTimeout = timeout },
    };

    private static JsonElement Only(List<JsonElement> events, string type) => Workflows.Attributes(events.Single(e => Workflows.Type(e) == type));

    [Fact]
    public async Task With_an_audience_the_call_carries_a_managed_identity_token_of_the_apps_identity_for_it()
    {
        const string header = "lambda-identity-header";
        await using var identity = await Functions.ManagedIdentityTests.FakeIdentityEndpoint.StartAsync(header);
        var previous = (Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT"), Environment.GetEnvironmentVariable("IDENTITY_HEADER"));
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", identity.Url + "/msi/token");
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", header);
        try
        {
            var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
            await Wf.DecideAsync(run, Lambda("l1", "behind-auth", input: "x"));
            var events = (await Wf.PollDecisionAsync(run)).GetProperty("events").EnumerateArray().ToList();
            Assert.Equal("echo:x", Only(events, "LambdaFunctionCompleted").GetProperty("result").GetString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", previous.Item1);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", previous.Item2);
        }
        var request = Assert.Single(identity.Requests);
        Assert.Equal(("api://img-func", IdentityClientId), (request.Resource, request.ClientId));
        var call = Assert.Single(functions.Calls);
        Assert.Null(call.Key);
        Assert.True(call.Authorization is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)
            && identity.IssuedTokens.ContainsKey(auth["Bearer ".Length..]), $"Authorization: {call.Authorization}");
    }

    [Fact]
    public async Task A_2xx_answer_is_LambdaFunctionCompleted_with_the_body_and_a_decision_task()
    {
        var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
        await Wf.DecideAsync(run, Lambda("l1", "echo", input: "{\"n\":1}"));

        var task = await Wf.PollDecisionAsync(run);
        var events = task.GetProperty("events").EnumerateArray().ToList();
        Assert.EndsWith("DecisionTaskCompleted, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionCompleted, DecisionTaskScheduled, DecisionTaskStarted",
            Workflows.Types(events));
        var scheduled = Only(events, "LambdaFunctionScheduled");
        Assert.Equal(("l1", "echo", "900", "not-sent"), (scheduled.GetProperty("id").GetString(), scheduled.GetProperty("name").GetString(),
            scheduled.GetProperty("startToCloseTimeout").GetString(), scheduled.GetProperty("control").GetString()));
        var completed = Only(events, "LambdaFunctionCompleted");
        Assert.Equal(("echo:{\"n\":1}", 5L, 6L), (completed.GetProperty("result").GetString(), completed.GetProperty("scheduledEventId").GetInt64(),
            completed.GetProperty("startedEventId").GetInt64()));
        var call = Assert.Single(functions.Calls);
        Assert.Equal(("echo", "{\"n\":1}", "k-echo"), (call.Path, call.Body, call.Key));
        Assert.Equal(0, (await Wf.DescribeAsync(run)).GetProperty("openCounts").GetProperty("openLambdaFunctions").GetInt32());
        await Wf.DecideAsync(task, Workflows.Complete());
    }

    [Fact]
    public async Task A_non_2xx_answer_is_LambdaFunctionFailed_naming_the_status_with_the_body_as_details()
    {
        var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
        await Wf.DecideAsync(run, Lambda("l1", "fail", input: "x"));

        var events = (await Wf.PollDecisionAsync(run)).GetProperty("events").EnumerateArray().ToList();
        var failed = Only(events, "LambdaFunctionFailed");
        Assert.Equal(("HTTP 500 Internal Server Error", "boom"), (failed.GetProperty("reason").GetString(), failed.GetProperty("details").GetString()));
        Assert.Null(functions.Calls.Single().Key);
    }

    [Fact]
    public async Task No_answer_within_startToCloseTimeout_is_LambdaFunctionTimedOut_called_once_and_a_late_answer_records_nothing()
    {
        var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
        await Wf.DecideAsync(run, Lambda("l1", "slow", timeout: "2"));
        await Wf.WaitForEventAsync(run, "LambdaFunctionStarted");
        Assert.Equal(1, (await Wf.DescribeAsync(run)).GetProperty("openCounts").GetProperty("openLambdaFunctions").GetInt32());

        var events = await Wf.WaitForEventAsync(run, "LambdaFunctionTimedOut");
        var timedOut = Only(events, "LambdaFunctionTimedOut");
        Assert.Equal(("START_TO_CLOSE", 5L, 6L), (timedOut.GetProperty("timeoutType").GetString(), timedOut.GetProperty("scheduledEventId").GetInt64(),
            timedOut.GetProperty("startedEventId").GetInt64()));
        functions.ReleaseSlow();
        await IntentsSettledAsync();
        var after = await Wf.HistoryAsync(run);
        Assert.Equal(0, Workflows.Count(after, "LambdaFunctionCompleted") + Workflows.Count(after, "LambdaFunctionFailed"));
        // The call outlasted the intent's visibility timeout (1 s here): its message was kept hidden, so no second call.
        Assert.Single(functions.Calls);
        Assert.Equal(0, (await Wf.DescribeAsync(run)).GetProperty("openCounts").GetProperty("openLambdaFunctions").GetInt32());
    }

    [Fact]
    public async Task A_name_not_configured_is_StartLambdaFunctionFailed_naming_it_and_nothing_is_called()
    {
        var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
        await Wf.DecideAsync(run, Lambda("l1", "nowhere"));

        var events = (await Wf.PollDecisionAsync(run)).GetProperty("events").EnumerateArray().ToList();
        var failed = Only(events, "StartLambdaFunctionFailed");
        Assert.Equal("ASSUME_ROLE_FAILED", failed.GetProperty("cause").GetString());
        Assert.Contains("nowhere", failed.GetProperty("message").GetString());
        Assert.Equal(0, Workflows.Count(events, "LambdaFunctionStarted"));
        Assert.Empty(functions.Calls);
    }

    [Fact]
    public async Task Without_a_lambdaRole_the_decision_fails_and_nothing_is_called()
    {
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, Lambda("l1", "echo"));

        var events = (await Wf.PollDecisionAsync(run)).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION", Only(events, "ScheduleLambdaFunctionFailed").GetProperty("cause").GetString());
        Assert.Equal(0, Workflows.Count(events, "LambdaFunctionScheduled"));
        await IntentsSettledAsync();
        Assert.Empty(functions.Calls);
    }

    [Fact]
    public async Task The_ARN_form_names_the_same_function_and_a_duplicate_id_fails_with_ID_ALREADY_IN_USE()
    {
        var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
        await Wf.DecideAsync(run, Lambda("l1", "arn:aws:lambda:us-east-1:123456789012:function:echo:prod", input: "a"), Lambda("l1", "echo", input: "b"));

        var events = await Wf.WaitForEventAsync(run, "LambdaFunctionCompleted");
        Assert.Equal("ID_ALREADY_IN_USE", Only(events, "ScheduleLambdaFunctionFailed").GetProperty("cause").GetString());
        Assert.Equal("echo:a", Only(events, "LambdaFunctionCompleted").GetProperty("result").GetString());
        Assert.Equal("a", Assert.Single(functions.Calls).Body);
    }

    [Fact]
    public async Task Beyond_50_open_Lambda_tasks_the_decision_fails_with_OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED()
    {
        var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
        await Wf.DecideAsync(run, [.. Enumerable.Range(0, 51).Select(i => Lambda($"l{i}", "echo", input: $"{i}"))]);

        var events = await Wf.WaitForHistoryAsync(run, e => Workflows.Count(e, "LambdaFunctionCompleted") == 50, "50 Lambda tasks completed", seconds: 60);
        Assert.Equal(50, Workflows.Count(events, "LambdaFunctionScheduled"));
        var failed = Only(events, "ScheduleLambdaFunctionFailed");
        Assert.Equal(("OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED", "l50"), (failed.GetProperty("cause").GetString(), failed.GetProperty("id").GetString()));
        Assert.Equal(50, functions.Calls.Count);
    }

    [Fact]
    public async Task A_crash_between_the_call_and_the_record_calls_again_and_records_once()
    {
        crashes.At = CrashPoint.BeforeReport;
        var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
        await Wf.DecideAsync(run, Lambda("l1", "echo", input: "once"));

        var events = await Wf.WaitForEventAsync(run, "LambdaFunctionCompleted");
        await IntentsSettledAsync();
        Assert.Single(crashes.Crashed);
        Assert.Equal(2, functions.Calls.Count(c => c.Path == "echo")); // at least once: the redelivery called again
        var history = await Wf.HistoryAsync(run);
        Assert.Equal((1, 1), (Workflows.Count(history, "LambdaFunctionStarted"), Workflows.Count(history, "LambdaFunctionCompleted")));
    }

    [Fact]
    public async Task A_slow_decider_still_gets_exactly_one_LambdaFunctionCompleted()
    {
        var run = await Wf.StartAsync(extra: new { lambdaRole = Role });
        await Wf.DecideAsync(run, Lambda("l1", "echo", input: "x"), Workflows.StartTimer("t", "1"));
        // The decider takes its time: the result lands while no decision task is open, and the timer fires meanwhile.
        await Wf.WaitForEventAsync(run, "TimerFired");
        await IntentsSettledAsync();
        var task = await Wf.PollDecisionAsync(run);
        var events = task.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(1, Workflows.Count(events, "LambdaFunctionCompleted"));
        await Wf.DecideAsync(task, Workflows.Complete());
    }

    /// <summary>The HTTP functions: an <see cref="HttpListener"/> on a free port of 127.0.0.1.</summary>
    private sealed class FakeFunctions : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly int port;

        public ConcurrentQueue<(string Path, string Body, string? Key, string? Authorization)> Calls { get; } = new();

        private FakeFunctions()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public static FakeFunctions Start() => new();

        public string Url(string path) => $"http://127.0.0.1:{port}/{path}";

        public void ReleaseSlow() => release.TrySetResult();

        private async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => AnswerAsync(context));
            }
        }

        private async Task AnswerAsync(HttpListenerContext context)
        {
            try
            {
                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                var path = context.Request.Url!.AbsolutePath.Trim('/');
                Calls.Enqueue((path, body, context.Request.Headers["x-functions-key"], context.Request.Headers["Authorization"]));
                var (status, answer) = path switch
                {
                    "echo" => (200, "echo:" + body),
                    "fail" => (500, "boom"),
                    "slow" => (await release.Task.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => 200), "slow:" + body),
                    _ => (404, ""),
                };
                context.Response.StatusCode = status;
                var bytes = System.Text.Encoding.UTF8.GetBytes(answer);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception)
            {
                // The service gave up on the call (its timeout): nothing to answer.
            }
        }

        public void Dispose()
        {
            release.TrySetResult();
            listener.Close();
        }
    }
}
