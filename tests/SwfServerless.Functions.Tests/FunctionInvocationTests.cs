using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Executions;
using SwfServerless.Storage.Intents;
using SwfServerless.Testing;

namespace SwfServerless.Functions.Tests;

/// <summary>Each function invoked directly, as the worker invokes it, against Azurite.</summary>
[Collection("functions")]
public sealed class FunctionInvocationTests(AzuriteFixture azurite)
{
    private const string Domain = "fn";

    [Fact]
    public async Task Swf_answers_SWF_calls_with_the_AWS_JSON_protocol()
    {
        await using var app = await FunctionsApp.StartAsync(azurite);
        var registered = await app.CallAsync("RegisterDomain", new { name = Domain, workflowExecutionRetentionPeriodInDays = "1" });
        Assert.Equal(200, registered.Status);
        Assert.Equal("application/x-amz-json-1.0", registered.ContentType);
        Assert.True(Guid.TryParse(registered.RequestId, out _), "x-amzn-RequestId");

        var described = await app.OkAsync("DescribeDomain", new { name = Domain });
        Assert.Equal(Domain, described.GetProperty("domainInfo").GetProperty("name").GetString());

        var unknown = await app.CallAsync("NoSuchOperation", new { });
        Assert.Equal(400, unknown.Status);
        Assert.EndsWith("#UnknownOperationException", unknown.FaultType);
        var invalid = await app.CallAsync("DescribeDomain", new { name = "" });
        Assert.Equal(400, invalid.Status);
        Assert.EndsWith("#ValidationException", invalid.FaultType);
    }

    [Fact]
    public async Task Swf_answers_GET_healthz_and_nothing_else_on_GET()
    {
        await using var app = await FunctionsApp.StartAsync(azurite);
        var health = await app.GetAsync("/healthz");
        Assert.Equal(200, health.Status);
        Assert.Equal("ok", health.Text);
        Assert.Equal(404, (await app.GetAsync("/")).Status);
    }

    [Fact]
    public async Task Swf_serves_the_web_console_on_GET_under_console_as_the_standalone_server_does()
    {
        Assert.True(Service.WebConsole.ConsoleAssets.Embedded.Paths.Contains("index.html"),
            "The console is not embedded in this build: run `npm run build:console` before `dotnet build` (scripts/test.sh does).");
        await using var app = await FunctionsApp.StartAsync(azurite);
        var index = await app.GetAsync("/console/");
        Assert.Equal(200, index.Status);
        Assert.Equal("text/html; charset=utf-8", index.ContentType);
        Assert.Equal("no-cache", index.Headers!.CacheControl.ToString());
        Assert.Equal(Service.WebConsole.ConsoleAssets.ContentSecurityPolicy, index.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", index.Headers.XContentTypeOptions.ToString());

        var script = System.Text.RegularExpressions.Regex.Match(index.Text, "src=\"(/console/assets/[^\"]+\\.js)\"").Groups[1].Value;
        Assert.NotEmpty(script);
        var asset = await app.GetAsync(script);
        Assert.Equal(200, asset.Status);
        Assert.Equal("text/javascript; charset=utf-8", asset.ContentType);
        Assert.Equal("public, max-age=31536000, immutable", asset.Headers!.CacheControl.ToString());

        var bare = await app.GetAsync("/console");
        Assert.Equal(301, bare.Status);
        Assert.Equal("/console/", bare.Headers!.Location.ToString());
        Assert.Equal(404, (await app.GetAsync("/console/assets/missing-00000000.js")).Status);
        Assert.Equal(404, (await app.GetAsync("/consoles")).Status);
    }

    [Fact]
    public async Task Signatures_are_verified_against_the_host_the_client_signed_which_the_hosts_proxy_forwards()
    {
        const string keyId = "AKIDFUNCTIONS", secret = "functions-secret";
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Swf:AccessKeys:0:AccessKeyId"] = keyId,
            ["Swf:AccessKeys:0:SecretAccessKey"] = secret,
        });
        var body = new { registrationStatus = "REGISTERED" };
        // The client signs for the app's public name; the worker receives Host 127.0.0.1:7071 and the original in X-Forwarded-Host.
        void Signed(Microsoft.AspNetCore.Http.HttpRequest request, string? forwardedHost)
        {
            using var signed = new HttpRequestMessage(HttpMethod.Post, "https://myapp.azurewebsites.net/");
            signed.Headers.TryAddWithoutValidation("X-Amz-Target", "SimpleWorkflowService.ListDomains");
            TestSigner.Sign(signed, JsonSerializer.SerializeToUtf8Bytes(body), keyId, secret);
            foreach (var name in new[] { "Authorization", "X-Amz-Date" }) request.Headers[name] = signed.Headers.GetValues(name).Single();
            if (forwardedHost is not null) request.Headers["X-Forwarded-Host"] = forwardedHost;
        }

        Assert.Equal(200, (await app.CallAsync("ListDomains", body, r => Signed(r, "myapp.azurewebsites.net"))).Status);
        var unforwarded = await app.CallAsync("ListDomains", body, r => Signed(r, null));
        Assert.Equal(400, unforwarded.Status);
        Assert.Contains("Signature", unforwarded.FaultType);
    }

    [Fact]
    public async Task Sweep_fires_every_due_deadline_in_one_invocation_however_small_the_batch()
    {
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Swf:SweepBatchSize"] = "2",
            ["Swf:InProcessTimers"] = "false",
        }, services => services.AddSingleton<TimeProvider>(clock));
        await RegisterAsync(app);
        var runs = new List<(string WorkflowId, string RunId)>();
        for (var i = 0; i < 5; i++)
        {
            var started = await app.OkAsync("StartWorkflowExecution", new
            {
                domain = Domain, workflowId = $"late-{i}", workflowType = new { name = "flow", version = "1" },
                executionStartToCloseTimeout = "5",
            });
            runs.Add(($"late-{i}", started.GetProperty("runId").GetString()!));
        }

        clock.Advance(TimeSpan.FromSeconds(10));
        var last = clock.GetUtcNow().UtcDateTime;
        await app.Functions.Sweep(new TimerInfo { ScheduleStatus = new ScheduleStatus { Last = last, Next = last.AddMinutes(1) } }, CancellationToken.None);

        foreach (var (workflowId, runId) in runs)
        {
            var info = (await app.OkAsync("DescribeWorkflowExecution", new { domain = Domain, execution = new { workflowId, runId } }))
                .GetProperty("executionInfo");
            Assert.Equal("CLOSED", info.GetProperty("executionStatus").GetString());
            Assert.Equal("TIMED_OUT", info.GetProperty("closeStatus").GetString());
        }
    }

    [Fact]
    public void Sweep_looks_ahead_one_schedule_period()
    {
        var last = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Local);
        Assert.Equal(TimeSpan.FromMinutes(5), SwfFunctions.LookAhead(new TimerInfo { ScheduleStatus = new ScheduleStatus { Last = last, Next = last.AddMinutes(5) } }));
        Assert.Equal(TimeSpan.FromMinutes(1), SwfFunctions.LookAhead(new TimerInfo()));
    }

    [Fact]
    public async Task Intents_carries_out_the_intent_a_queue_message_names()
    {
        var crashes = new CrashingIntents { Crashing = true };
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { ["Swf:IntentVisibilitySeconds"] = "1" },
            services => services.AddSingleton<IIntentCrashPoints>(crashes));
        await RegisterAsync(app);
        var parentRun = await StartParentWithChildAsync(app, "parent-1", "kid-1");
        // This instance's own receiver took the intent and crashed: the message is back in the queue after 1 s.
        await Eventually.TrueAsync(() => Task.FromResult(crashes.Crashed.Count == 1), "the local executor tried the intent");
        crashes.Crashing = false;

        var message = await ReceiveIntentAsync(app);
        await app.Functions.Intents(IntentQueue.Serialize(message.Message), new QueueInvocation(app.Services, 2), CancellationToken.None);
        await app.Services.GetRequiredService<IntentQueue>().DeleteAsync(message, CancellationToken.None); // the host completes it

        var history = await HistoryAsync(app, "parent-1", parentRun);
        Assert.Contains("ChildWorkflowExecutionStarted", history);
    }

    [Fact]
    public async Task Intents_queues_a_failing_intent_again_instead_of_failing_the_message_into_the_poison_queue()
    {
        var crashes = new CrashingIntents { Crashing = true };
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { ["Swf:IntentVisibilitySeconds"] = "1" },
            services => services.AddSingleton<IIntentCrashPoints>(crashes));
        await RegisterAsync(app);
        var parentRun = await StartParentWithChildAsync(app, "parent-2", "kid-2");
        var queue = app.Services.GetRequiredService<IntentQueue>();
        var first = await ReceiveIntentAsync(app);

        // Fails inside the function: the invocation still succeeds (the host will not count it towards the poison queue) ...
        await app.Functions.Intents(IntentQueue.Serialize(first.Message), new QueueInvocation(app.Services, 1), CancellationToken.None);
        await queue.DeleteAsync(first, CancellationToken.None);
        Assert.DoesNotContain("ChildWorkflowExecutionStarted", await HistoryAsync(app, "parent-2", parentRun));

        // ... and a copy of the message comes back later, which carries it out once the cause is gone.
        crashes.Crashing = false;
        var again = await ReceiveIntentAsync(app);
        Assert.Equal(first.Message, again.Message);
        await app.Functions.Intents(IntentQueue.Serialize(again.Message), new QueueInvocation(app.Services, 1), CancellationToken.None);
        await queue.DeleteAsync(again, CancellationToken.None);
        Assert.Contains("ChildWorkflowExecutionStarted", await HistoryAsync(app, "parent-2", parentRun));
    }

    [Fact]
    public async Task Sweep_moves_what_reached_the_poison_queue_back_into_the_intents_queue()
    {
        await using var app = await FunctionsApp.StartAsync(azurite);
        var intents = app.Services.GetRequiredService<IntentQueue>();
        // Written as the Functions host moves a message: same text, base64 as the trigger reads it, into "<queue>-poison".
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var poison = new QueueClient(azurite.ConnectionString, intents.Name + "-poison", options);
        await poison.CreateIfNotExistsAsync();
        var text = IntentQueue.Serialize(new IntentMessage(IntentKind.SignalExternal, "p", "run-of-nobody", 7, DateTimeOffset.UtcNow));
        await poison.SendMessageAsync(text);

        await app.Functions.Sweep(new TimerInfo(), CancellationToken.None);

        Assert.Empty((await poison.PeekMessagesAsync(32)).Value);
        var main = new QueueClient(azurite.ConnectionString, intents.Name, options);
        Assert.Contains(text, (await main.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()));
    }

    private static async Task RegisterAsync(FunctionsApp app)
    {
        await app.OkAsync("RegisterDomain", new { name = Domain, workflowExecutionRetentionPeriodInDays = "1" });
        await app.OkAsync("RegisterWorkflowType", new
        {
            domain = Domain, name = "flow", version = "1", defaultTaskList = new { name = "deciders" }, defaultChildPolicy = "TERMINATE",
            defaultExecutionStartToCloseTimeout = "600", defaultTaskStartToCloseTimeout = "30",
        });
    }

    private static async Task<string> StartParentWithChildAsync(FunctionsApp app, string parent, string child)
    {
        var run = (await app.OkAsync("StartWorkflowExecution", new { domain = Domain, workflowId = parent, workflowType = new { name = "flow", version = "1" } }))
            .GetProperty("runId").GetString()!;
        var task = await app.OkAsync("PollForDecisionTask", new { domain = Domain, taskList = new { name = "deciders" } });
        await app.OkAsync("RespondDecisionTaskCompleted", new
        {
            taskToken = task.GetProperty("taskToken").GetString(),
            decisions = new[]
            {
                new
                {
                    decisionType = "StartChildWorkflowExecution",
                    startChildWorkflowExecutionDecisionAttributes = new { workflowId = child, workflowType = new { name = "flow", version = "1" } },
                },
            },
        });
        return run;
    }

    private static async Task<ReceivedIntent> ReceiveIntentAsync(FunctionsApp app)
    {
        var queue = app.Services.GetRequiredService<IntentQueue>();
        ReceivedIntent? received = null;
        await Eventually.TrueAsync(async () =>
        {
            received = (await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), CancellationToken.None)).SingleOrDefault();
            return received is not null;
        }, "an intent message is visible in the intents queue");
        return received!;
    }

    private static async Task<string> HistoryAsync(FunctionsApp app, string workflowId, string runId) =>
        (await app.OkAsync("GetWorkflowExecutionHistory", new { domain = Domain, execution = new { workflowId, runId } })).GetRawText();

    private sealed class CrashingIntents : IIntentCrashPoints
    {
        public volatile bool Crashing;
        public ConcurrentBag<IntentMessage> Crashed { get; } = [];

        public ValueTask BeforeTargetWriteAsync(IntentMessage intent, CancellationToken ct)
        {
            if (!Crashing) return ValueTask.CompletedTask;
            Crashed.Add(intent);
            throw new InvalidOperationException($"Injected failure of intent {intent.Kind} of run {intent.RunId}");
        }

        public ValueTask BeforeReportAsync(IntentMessage intent, CancellationToken ct) => ValueTask.CompletedTask;
    }
}
