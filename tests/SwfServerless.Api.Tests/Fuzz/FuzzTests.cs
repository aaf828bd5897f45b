using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SwfServerless.Testing;
using Xunit.Abstractions;

namespace SwfServerless.Api.Tests.Fuzz;

/// <summary>
/// Hostile input, proven: at least 10,000 signed requests from <see cref="FuzzGenerator"/> (every operation of the model,
/// valid, mutated and raw) against the standalone server, in parallel. None may get a 5xx, none may log an unhandled
/// exception, and a reference workflow beside them, in a domain no generated request names (the fuzzing key may do
/// anything, so a request that reached it would be a leak: a token, a page token or an index row crossing over), must
/// be exactly as it was: its history, its state as DescribeWorkflowExecution shows it, and its visibility rows. The
/// generator's requests are the same for a seed; how they interleave on the server is not. Seeded: set SWF_FUZZ_SEED (and
/// SWF_FUZZ_REQUESTS) to repeat or widen a run; a failure prints the seed and every failing request.
/// </summary>
[Collection("api")]
public sealed class FuzzTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string FuzzKey = "AKIDFUZZ", FuzzSecret = "fuzz-secret";
    // Deprecations and deletions are signed with a key that may not touch fz0, where the fuzzing's runs live and decide.
    private const string RegistrationKey = "AKIDFUZZREG", RegistrationSecret = "fuzz-registration-secret";
    private const string RefKey = "AKIDREFERENCE", RefSecret = "reference-secret";
    private const string RefDomain = "reference-domain";
    private const int MaxRequestBytes = 256 * 1024;

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_no_5xx_log_no_unhandled_exception_and_leave_a_reference_run_as_it_was()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SWF_FUZZ_SEED"), out var s) ? s : 20_130_125;
        var count = int.TryParse(Environment.GetEnvironmentVariable("SWF_FUZZ_REQUESTS"), out var n) ? Math.Max(n, 1) : 10_000;
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Swf:AccessKeys:0:AccessKeyId"] = RefKey, ["Swf:AccessKeys:0:SecretAccessKey"] = RefSecret,
            ["Swf:AccessKeys:1:AccessKeyId"] = FuzzKey, ["Swf:AccessKeys:1:SecretAccessKey"] = FuzzSecret,
            ["Swf:AccessKeys:2:AccessKeyId"] = RegistrationKey, ["Swf:AccessKeys:2:SecretAccessKey"] = RegistrationSecret,
            ["Swf:AccessKeys:2:Domains:0"] = "fz1", ["Swf:AccessKeys:2:Domains:1"] = "fz-*",
            ["Swf:MaxRequestBytes"] = MaxRequestBytes.ToString(),
            ["Swf:LongPollSeconds"] = "0",
            // Throttling has its own tests; here every request should reach as deep as it can.
            ["Swf:Throttling:Enabled"] = "false",
        }, services => services.AddSingleton<ILoggerProvider>(logs));

        app.SigningKey = (RefKey, RefSecret);
        await SetUpReferenceAsync(app);
        var before = await ReferenceSnapshotAsync(app);

        app.SigningKey = (FuzzKey, FuzzSecret);
        var (decisionTokens, activityTokens) = await SetUpFuzzDomainsAsync(app);

        var requests = new FuzzGenerator(seed, MaxRequestBytes).Generate(count);
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var answered = new ConcurrentDictionary<string, int>();
        var validRefused = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = new Uri(app.Url), Timeout = TimeSpan.FromSeconds(60) };
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (request, ct) =>
        {
            try
            {
                var (status, text) = await SendAsync(http, request, decisionTokens, activityTokens, ct);
                // Tokens the fuzzing's own polls got go into the pools: later requests answer real tasks, deep in the machine.
                if (status == 200 && request.Operation is "PollForDecisionTask" or "PollForActivityTask" && TokenOf(text) is { } token)
                {
                    var pool = request.Operation == "PollForDecisionTask" ? decisionTokens : activityTokens;
                    lock (pool) pool.Add(token);
                }
                statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
                if (status == 200) answered.AddOrUpdate(request.Operation, 1, (_, c) => c + 1);
                else if (request.Kind == "valid")
                    validRefused.AddOrUpdate($"{request.Operation} {(text.Length > 120 ? text[..120] : text)}", 1, (_, c) => c + 1);
                var shown = text.Length > 500 ? text[..500] : text;
                if (status >= 500) failures.Enqueue($"HTTP {status} {shown}\n{request.Describe()}");
                else if (status == 400 && !text.Contains("\"__type\"", StringComparison.Ordinal)) failures.Enqueue($"400 without __type: {shown}\n{request.Describe()}");
            }
            catch (Exception e)
            {
                failures.Enqueue($"{e.GetType().Name}: {e.Message}\n{request.Describe()}");
            }
        });
        output.WriteLine($"seed {seed}: {count} requests in {clock.Elapsed.TotalSeconds:F1} s; statuses " +
            string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")) + "\nanswered 200 by operation: " +
            string.Join(", ", answered.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")) + "\nvalid requests refused, most often:\n" +
            string.Join("\n", validRefused.OrderByDescending(p => p.Value).Take(15).Select(p => $"{p.Value} {p.Key}")));

        Assert.True(failures.IsEmpty, $"Fuzz seed {seed} (SWF_FUZZ_SEED={seed} repeats it): {failures.Count} failures\n" + string.Join("\n\n", failures.Take(20)));
        var bad = logs.Entries.Where(e => e.Level >= LogLevel.Error || e.Text.Contains("unhandled", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(bad.Count == 0, $"Fuzz seed {seed}: {bad.Count} error log lines\n" + string.Join("\n", bad.Take(20).Select(e => e.ToString())));

        app.SigningKey = (RefKey, RefSecret);
        var after = await ReferenceSnapshotAsync(app);
        Assert.Equal(before, after);
    }

    // ---- the reference workflow ----

    private static async Task SetUpReferenceAsync(TestApp app)
    {
        await app.OkAsync("RegisterDomain", new { name = RefDomain, workflowExecutionRetentionPeriodInDays = "1", tags = new[] { new { key = "ref", value = "yes" } } });
        await app.OkAsync("RegisterWorkflowType", new
        {
            domain = RefDomain, name = "rw", version = "1", defaultTaskList = new { name = "refdeciders" }, defaultChildPolicy = "TERMINATE",
            defaultExecutionStartToCloseTimeout = "3600", defaultTaskStartToCloseTimeout = "600",
        });
        await app.OkAsync("RegisterActivityType", new
        {
            domain = RefDomain, name = "ra", version = "1", defaultTaskList = new { name = "refworkers" }, defaultTaskStartToCloseTimeout = "NONE",
            defaultTaskHeartbeatTimeout = "NONE", defaultTaskScheduleToStartTimeout = "NONE", defaultTaskScheduleToCloseTimeout = "NONE",
        });
        var type = new { name = "rw", version = "1" };

        await app.OkAsync("StartWorkflowExecution", new { domain = RefDomain, workflowId = "ref-open", workflowType = type, input = "ref-input", tagList = new[] { "ref" } });
        var task = await PollAsync(app, "PollForDecisionTask", RefDomain, "refdeciders");
        await app.OkAsync("RespondDecisionTaskCompleted", new
        {
            taskToken = task.GetProperty("taskToken").GetString(), executionContext = "ref-context",
            decisions = new object[]
            {
                new { decisionType = "ScheduleActivityTask", scheduleActivityTaskDecisionAttributes = new { activityId = "act1", activityType = new { name = "ra", version = "1" }, input = "act-input" } },
                new { decisionType = "RecordMarker", recordMarkerDecisionAttributes = new { markerName = "m", details = "marker" } },
            },
        });
        await app.OkAsync("SignalWorkflowExecution", new { domain = RefDomain, workflowId = "ref-open", signalName = "sig", input = "sig-input" });

        await app.OkAsync("StartWorkflowExecution", new { domain = RefDomain, workflowId = "ref-closed", workflowType = type });
        task = await PollAsync(app, "PollForDecisionTask", RefDomain, "refdeciders");
        await app.OkAsync("RespondDecisionTaskCompleted", new
        {
            taskToken = task.GetProperty("taskToken").GetString(),
            decisions = new object[] { new { decisionType = "CompleteWorkflowExecution", completeWorkflowExecutionDecisionAttributes = new { result = "ref-result" } } },
        });
    }

    /// <summary>Everything the fuzzing must not change, as the API shows it: histories, descriptions, visibility, pending counts.</summary>
    private static async Task<string> ReferenceSnapshotAsync(TestApp app)
    {
        var text = new StringBuilder();
        async Task Add(string operation, object body) =>
            text.Append(operation).Append(' ').Append((await app.OkAsync(operation, body)).GetRawText()).Append('\n');
        var everything = new { oldestDate = 0 };
        await Add("ListOpenWorkflowExecutions", new { domain = RefDomain, startTimeFilter = everything });
        await Add("ListClosedWorkflowExecutions", new { domain = RefDomain, startTimeFilter = everything });
        await Add("CountPendingDecisionTasks", new { domain = RefDomain, taskList = new { name = "refdeciders" } });
        await Add("CountPendingActivityTasks", new { domain = RefDomain, taskList = new { name = "refworkers" } });
        await Add("DescribeDomain", new { name = RefDomain });
        await Add("ListTagsForResource", new { resourceArn = $"arn:aws:swf:us-east-1:123456789012:/domain/{RefDomain}" });
        await Add("ListWorkflowTypes", new { domain = RefDomain, registrationStatus = "REGISTERED" });
        await Add("ListActivityTypes", new { domain = RefDomain, registrationStatus = "REGISTERED" });
        var runs = (await app.OkAsync("ListOpenWorkflowExecutions", new { domain = RefDomain, startTimeFilter = everything })).GetProperty("executionInfos").EnumerateArray()
            .Concat((await app.OkAsync("ListClosedWorkflowExecutions", new { domain = RefDomain, startTimeFilter = everything })).GetProperty("executionInfos").EnumerateArray())
            .Select(i => i.GetProperty("execution")).ToList();
        Assert.Equal(2, runs.Count);
        foreach (var execution in runs)
        {
            var id = new { workflowId = execution.GetProperty("workflowId").GetString(), runId = execution.GetProperty("runId").GetString() };
            await Add("DescribeWorkflowExecution", new { domain = RefDomain, execution = id });
            await Add("GetWorkflowExecutionHistory", new { domain = RefDomain, execution = id, maximumPageSize = 1000 });
        }
        return text.ToString();
    }

    // ---- the fuzz domains: types, and real task tokens for the generator's token marks ----

    private static async Task<(List<string> Decision, List<string> Activity)> SetUpFuzzDomainsAsync(TestApp app)
    {
        foreach (var domain in FuzzGenerator.Domains)
        {
            await app.OkAsync("RegisterDomain", new { name = domain, workflowExecutionRetentionPeriodInDays = "0" });
            await app.OkAsync("RegisterWorkflowType", new
            {
                domain, name = "fw", version = "1", defaultTaskList = new { name = "deciders" }, defaultChildPolicy = "TERMINATE",
                defaultExecutionStartToCloseTimeout = "3600", defaultTaskStartToCloseTimeout = "600",
            });
            await app.OkAsync("RegisterActivityType", new
            {
                domain, name = "fa", version = "1", defaultTaskList = new { name = "workers" }, defaultTaskStartToCloseTimeout = "600",
                defaultTaskHeartbeatTimeout = "NONE", defaultTaskScheduleToStartTimeout = "600", defaultTaskScheduleToCloseTimeout = "1200",
            });
        }
        var decision = new List<string>();
        for (var i = 0; i < 24; i++)
            await app.OkAsync("StartWorkflowExecution", new { domain = "fz0", workflowId = $"pre-{i}", workflowType = new { name = "fw", version = "1" } });
        while (decision.Count < 24) decision.Add((await PollAsync(app, "PollForDecisionTask", "fz0", "deciders")).GetProperty("taskToken").GetString()!);

        var activity = new List<string>();
        foreach (var token in decision.Take(8))
        {
            await app.OkAsync("RespondDecisionTaskCompleted", new
            {
                taskToken = token,
                decisions = new object[] { new { decisionType = "ScheduleActivityTask", scheduleActivityTaskDecisionAttributes = new { activityId = "a0", activityType = new { name = "fa", version = "1" } } } },
            });
        }
        while (activity.Count < 8) activity.Add((await PollAsync(app, "PollForActivityTask", "fz0", "workers")).GetProperty("taskToken").GetString()!);
        return (decision.Skip(8).ToList(), activity);
    }

    private static async Task<JsonElement> PollAsync(TestApp app, string operation, string domain, string taskList)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var task = await app.OkAsync(operation, new { domain, taskList = new { name = taskList }, identity = "setup" });
            if (task.TryGetProperty("taskToken", out _)) return task;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"No task on {domain}/{taskList}");
            await Task.Delay(100);
        }
    }

    private static string? TokenOf(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("taskToken", out var token) ? token.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // ---- sending, signed ----

    private static readonly Regex TokenMark = new(@"\\u0001(decision|activity)-token:(\d+)", RegexOptions.CultureInvariant);

    private static async Task<(int Status, string Text)> SendAsync(HttpClient http, FuzzRequest fuzz, List<string> decisionTokens, List<string> activityTokens,
        CancellationToken ct)
    {
        var body = fuzz.Body;
        if (body.Length < 64 * 1024 && body.AsSpan().IndexOf("\\u0001"u8) >= 0)
        {
            body = Encoding.UTF8.GetBytes(TokenMark.Replace(Encoding.UTF8.GetString(body), m =>
            {
                var pool = m.Groups[1].Value == "decision" ? decisionTokens : activityTokens;
                lock (pool) return pool[int.Parse(m.Groups[2].Value) % pool.Count];
            }));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, fuzz.Path) { Content = new ByteArrayContent(body) };
        if (fuzz.ContentType is { } contentType) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (fuzz.Target is { } target) request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        var operation = fuzz.Target?.Split('.').Last() ?? "";
        var (key, secret) = operation.StartsWith("Deprecate", StringComparison.Ordinal) || operation.StartsWith("Undeprecate", StringComparison.Ordinal)
            || operation.StartsWith("Delete", StringComparison.Ordinal) ? (RegistrationKey, RegistrationSecret) : (FuzzKey, FuzzSecret);
        Sign(request, new Uri(http.BaseAddress!, fuzz.Path), body, fuzz.Target, key, secret);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return ((int)response.StatusCode, text);
    }

    /// <summary>SigV4 as the AWS SDKs sign, with or without an X-Amz-Target header (TestSigner always signs one).</summary>
    private static void Sign(HttpRequestMessage request, Uri uri, byte[] body, string? target, string accessKeyId, string secret)
    {
        var now = DateTimeOffset.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'");
        var day = now.ToString("yyyyMMdd");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        var headers = new List<(string Name, string Value)> { ("host", uri.Authority), ("x-amz-date", amzDate) };
        if (target is not null) headers.Add(("x-amz-target", Regex.Replace(target.Trim(), " +", " ")));
        var signedHeaders = string.Join(";", headers.Select(h => h.Name));
        var canonicalHeaders = string.Concat(headers.Select(h => $"{h.Name}:{h.Value}\n"));
        var query = uri.Query.TrimStart('?');
        var canonical = $"POST\n{uri.AbsolutePath}\n{query}\n{canonicalHeaders}\n{signedHeaders}\n{Convert.ToHexStringLower(SHA256.HashData(body))}";
        var scope = $"{day}/us-east-1/swf/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), day), "us-east-1"), "swf"), "aws4_request");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={Convert.ToHexStringLower(Hmac(key, toSign))}");
    }
}
