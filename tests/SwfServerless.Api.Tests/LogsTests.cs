using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>
/// What workflows carry (inputs, results, details, signal payloads, contexts, markers) and the access secret never reach
/// the logs, at any level: a workflow full of recognisable values runs with every log category at Trace, and no log line
/// (its text or any of its structured values) holds one.
/// </summary>
[Collection("api")]
public sealed class LogsTests(AzuriteFixture azurite)
{
    private const string Secret = "SECRET-0f5c2e-access-key-secret";

    [Fact]
    public async Task Payloads_and_the_access_secret_appear_in_no_log_line()
    {
        var logs = new LogCapture(LogLevel.Trace);
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Swf:LongPollSeconds"] = "2",
            ["Swf:AccessKeys:0:AccessKeyId"] = "AKIDLOGS", ["Swf:AccessKeys:0:SecretAccessKey"] = Secret,
        }, services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            // Every category at Trace for the capture alone (a rule for one provider overrides the app's filters for it).
            services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(LogCapture).FullName, null, LogLevel.Trace, null)));
        });
        app.SigningKey = ("AKIDLOGS", Secret);
        var wf = new Workflows(app);
        await wf.RegisterAsync();
        string Mark(string what) => $"{what}-PAYLOAD-7e41";

        var runId = (await wf.StartAsync("logged", new { input = Mark("start-input") })).RunId;
        await app.OkAsync("RespondDecisionTaskCompleted", new
        {
            taskToken = Workflows.Token(await wf.PollDecisionAsync()), executionContext = Mark("context"),
            decisions = new object[]
            {
                new { decisionType = "ScheduleActivityTask", scheduleActivityTaskDecisionAttributes = new { activityId = "ok", activityType = new { name = "work", version = "1" }, input = Mark("activity-input"), control = Mark("activity-control") } },
                new { decisionType = "ScheduleActivityTask", scheduleActivityTaskDecisionAttributes = new { activityId = "bad", activityType = new { name = "work", version = "1" }, input = Mark("failing-input") } },
                new { decisionType = "RecordMarker", recordMarkerDecisionAttributes = new { markerName = "m", details = Mark("marker-details") } },
                new { decisionType = "StartTimer", startTimerDecisionAttributes = new { timerId = "t", startToFireTimeout = "600", control = Mark("timer-control") } },
                Workflows.StartChild("logged-kid", input: Mark("child-input"), control: Mark("child-control")),
                Workflows.Signal("logged", "self", input: Mark("external-signal-input"), control: Mark("signal-control")),
            },
        });
        await app.OkAsync("SignalWorkflowExecution", new { domain = wf.Domain, workflowId = "logged", signalName = "s", input = Mark("signal-input") });

        for (var i = 0; i < 2; i++)
        {
            var task = await wf.PollActivityAsync();
            var token = Workflows.Token(task);
            await app.OkAsync("RecordActivityTaskHeartbeat", new { taskToken = token, details = Mark("heartbeat-details") });
            if (task.GetProperty("activityId").GetString() == "ok")
                await app.OkAsync("RespondActivityTaskCompleted", new { taskToken = token, result = Mark("activity-result") });
            else
                await app.OkAsync("RespondActivityTaskFailed", new { taskToken = token, reason = Mark("failure-reason"), details = Mark("failure-details") });
        }
        var kid = await wf.PollDecisionAsync("kids");
        await wf.DecideAsync(kid, Workflows.Complete(Mark("child-result")));
        await wf.WaitForHistoryAsync("logged", runId, h => Workflows.Count(h, "ChildWorkflowExecutionCompleted") == 1
            && Workflows.Count(h, "ExternalWorkflowExecutionSignaled") == 1 && Workflows.Count(h, "ActivityTaskFailed") == 1);
        await app.OkAsync("DescribeWorkflowExecution", new { domain = wf.Domain, execution = new { workflowId = "logged", runId } });
        await wf.DecideAsync(await wf.PollDecisionAsync(), Workflows.Complete(Mark("result")));

        // Refused calls log too: none of them with what they carried.
        await app.FaultAsync("StartWorkflowExecution", new { domain = wf.Domain, workflowId = "too-big", workflowType = Workflows.WorkflowType,
            input = Mark("oversized-input") + new string('x', 40_000) }, "ValidationException");
        await app.FaultAsync("SignalWorkflowExecution", new { domain = wf.Domain, workflowId = "nobody", signalName = "s", input = Mark("lost-signal") },
            "UnknownResourceFault");
        await app.FaultAsync("TerminateWorkflowExecution", new { domain = wf.Domain, workflowId = "logged", reason = Mark("terminate-reason"), details = Mark("terminate-details") },
            "UnknownResourceFault");
        await Task.Delay(200); // the last calls' log lines

        var entries = logs.Entries.ToList();
        Assert.Contains(entries, e => e.Category == "SwfServerless.Calls"); // the capture sees the app's logs
        Assert.True(entries.Count > 100, $"only {entries.Count} log lines at Trace");
        var leaks = entries.Where(e => e.ToString().Contains("PAYLOAD-7e41", StringComparison.Ordinal) || e.ToString().Contains(Secret, StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines carry a payload or the secret:\n" + string.Join("\n", leaks.Take(10)));
    }
}
