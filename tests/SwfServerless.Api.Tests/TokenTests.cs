using System.Text;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>
/// Task tokens and page tokens in hostile hands: altered, forged, replayed into another domain or run, or used by a key
/// whose policy does not cover the task's domain, they are refused with the right fault, and nothing changes.
/// </summary>
[Collection("api")]
public sealed class TokenTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly (string, string) Admin = ("AKIDADMIN", "admin-secret"), Worker = ("AKIDWORKER", "worker-secret"), Other = ("AKIDOTHER", "other-secret");
    private TestApp app = null!;
    private Workflows wf = null!, other = null!;

    public async Task InitializeAsync()
    {
        app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Swf:LongPollSeconds"] = "2",
            ["Swf:AccessKeys:0:AccessKeyId"] = "AKIDADMIN", ["Swf:AccessKeys:0:SecretAccessKey"] = "admin-secret",
            ["Swf:AccessKeys:1:AccessKeyId"] = "AKIDWORKER", ["Swf:AccessKeys:1:SecretAccessKey"] = "worker-secret",
            ["Swf:AccessKeys:1:Domains:0"] = "wf",
            ["Swf:AccessKeys:2:AccessKeyId"] = "AKIDOTHER", ["Swf:AccessKeys:2:SecretAccessKey"] = "other-secret",
            ["Swf:AccessKeys:2:Domains:0"] = "other",
        });
        app.SigningKey = Admin;
        wf = new Workflows(app, "wf");
        other = new Workflows(app, "other");
        await wf.RegisterAsync();
        await other.RegisterAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>A run of wf with an activity task started: its run id and the activity's token.</summary>
    private async Task<(string RunId, string ActivityToken)> ActivityAsync(string workflowId)
    {
        app.SigningKey = Admin;
        var runId = (await wf.StartAsync(workflowId)).RunId;
        await wf.DecideAsync(await wf.PollDecisionAsync(), Workflows.Schedule("a1"));
        return (runId, Workflows.Token(await wf.PollActivityAsync()));
    }

    private static string Altered(string token, int at)
    {
        var chars = token.ToCharArray();
        at %= chars.Length;
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    [Fact]
    public async Task Altered_forged_and_wrong_kind_task_tokens_are_unknown_resources_and_change_nothing()
    {
        var (runId, token) = await ActivityAsync("altered");
        var before = (await wf.HistoryAsync("altered", runId)).Count;
        var forged = new[]
        {
            Altered(token, 0), Altered(token, token.Length / 2), Altered(token, token.Length - 1), token[..^4], token + "AAAA",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"partition\":\"x\",\"runId\":\"y\",\"scheduledEventId\":5}")), "x",
        };
        foreach (var bad in forged)
        {
            await app.FaultAsync("RespondActivityTaskCompleted", new { taskToken = bad, result = "r" }, "UnknownResourceFault");
            await app.FaultAsync("RecordActivityTaskHeartbeat", new { taskToken = bad }, "UnknownResourceFault");
        }
        // An activity token where a decision token belongs, and the other way round.
        await app.FaultAsync("RespondDecisionTaskCompleted", new { taskToken = token }, "UnknownResourceFault");
        var decisionRun = (await wf.StartAsync("kinds")).RunId;
        var decision = Workflows.Token(await wf.PollDecisionAsync());
        await app.FaultAsync("RespondActivityTaskCompleted", new { taskToken = decision }, "UnknownResourceFault");
        await app.OkAsync("RespondDecisionTaskCompleted", new { taskToken = decision });

        Assert.Equal(before, (await wf.HistoryAsync("altered", runId)).Count);
        await app.OkAsync("RespondActivityTaskCompleted", new { taskToken = token, result = "r" }); // the real one still works
        Assert.NotEmpty(decisionRun);
    }

    [Fact]
    public async Task A_token_is_refused_to_a_key_whose_policy_does_not_cover_its_domain_and_served_to_one_whose_does()
    {
        var (runId, token) = await ActivityAsync("policy");

        app.SigningKey = Other;
        await app.FaultAsync("RecordActivityTaskHeartbeat", new { taskToken = token }, "OperationNotPermittedFault");
        await app.FaultAsync("RespondActivityTaskFailed", new { taskToken = token, reason = "no" }, "OperationNotPermittedFault");
        // Naming a domain the key may use does not help: the task's own domain decides.
        await app.FaultAsync("RespondActivityTaskCompleted", new Dictionary<string, object> { ["taskToken"] = token, ["domain"] = "other" },
            "OperationNotPermittedFault", "SerializationException", "ValidationException");

        app.SigningKey = Worker;
        Assert.False((await app.OkAsync("RecordActivityTaskHeartbeat", new { taskToken = token, details = "d" })).GetProperty("cancelRequested").GetBoolean());
        await app.OkAsync("RespondActivityTaskCompleted", new { taskToken = token, result = "done" });

        app.SigningKey = Admin;
        var events = await wf.HistoryAsync("policy", runId);
        Assert.Equal(1, Workflows.Count(events, "ActivityTaskCompleted"));
        Assert.Equal(0, Workflows.Count(events, "ActivityTaskFailed"));

        // A decision token likewise.
        await wf.StartAsync("policy-decider");
        var task = await wf.PollDecisionAsync();
        app.SigningKey = Other;
        await app.FaultAsync("RespondDecisionTaskCompleted", new { taskToken = Workflows.Token(task) }, "OperationNotPermittedFault");
        app.SigningKey = Worker;
        await app.OkAsync("RespondDecisionTaskCompleted", new { taskToken = Workflows.Token(task), decisions = new[] { Workflows.Complete("ok") } });
    }

    [Fact]
    public async Task A_token_of_a_finished_task_is_an_unknown_resource()
    {
        var (_, token) = await ActivityAsync("finished");
        await app.OkAsync("RespondActivityTaskCompleted", new { taskToken = token, result = "once" });
        await app.FaultAsync("RespondActivityTaskCompleted", new { taskToken = token, result = "twice" }, "UnknownResourceFault");
        await app.FaultAsync("RespondActivityTaskFailed", new { taskToken = token }, "UnknownResourceFault");
        await app.FaultAsync("RespondActivityTaskCanceled", new { taskToken = token }, "UnknownResourceFault");
        await app.FaultAsync("RecordActivityTaskHeartbeat", new { taskToken = token }, "UnknownResourceFault");

        var decision = await wf.PollDecisionAsync();
        await wf.DecideAsync(decision, Workflows.Complete());
        await app.FaultAsync("RespondDecisionTaskCompleted", new { taskToken = Workflows.Token(decision) }, "UnknownResourceFault");
    }

    [Fact]
    public async Task Page_tokens_replayed_into_another_run_domain_or_query_or_altered_are_refused()
    {
        app.SigningKey = Admin;
        var runId = (await wf.StartAsync("paged")).RunId;
        var otherRun = (await other.StartAsync("paged")).RunId;
        var page = await app.OkAsync("GetWorkflowExecutionHistory", new { domain = "wf", execution = new { workflowId = "paged", runId }, maximumPageSize = 1 });
        var historyToken = page.GetProperty("nextPageToken").GetString()!;
        await app.OkAsync("GetWorkflowExecutionHistory", new { domain = "wf", execution = new { workflowId = "paged", runId }, maximumPageSize = 1, nextPageToken = historyToken });

        // Into another domain's run, another order, or altered in what binds it to its query.
        await app.FaultAsync("GetWorkflowExecutionHistory",
            new { domain = "other", execution = new { workflowId = "paged", runId = otherRun }, maximumPageSize = 1, nextPageToken = historyToken }, "ValidationException");
        await app.FaultAsync("GetWorkflowExecutionHistory",
            new { domain = "wf", execution = new { workflowId = "paged", runId }, reverseOrder = true, nextPageToken = historyToken }, "ValidationException");
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(historyToken));
        var altered = Convert.ToBase64String(Encoding.UTF8.GetBytes(Altered(decoded, 0)));
        await app.FaultAsync("GetWorkflowExecutionHistory",
            new { domain = "wf", execution = new { workflowId = "paged", runId }, nextPageToken = altered }, "ValidationException");
        await app.FaultAsync("GetWorkflowExecutionHistory",
            new { domain = "wf", execution = new { workflowId = "paged", runId }, nextPageToken = "not base64 ~" }, "ValidationException");

        // A listing's token in another domain's listing.
        await app.OkAsync("RegisterActivityType", new { domain = "wf", name = "extra", version = "1" });
        var types = await app.OkAsync("ListActivityTypes", new { domain = "wf", registrationStatus = "REGISTERED", maximumPageSize = 1 });
        await app.FaultAsync("ListActivityTypes",
            new { domain = "other", registrationStatus = "REGISTERED", maximumPageSize = 1, nextPageToken = types.GetProperty("nextPageToken").GetString() }, "ValidationException");

        // A decision task's page token, which carries its task token, polled for in another domain: by a key of that domain too.
        var task = await app.OkAsync("PollForDecisionTask", new { domain = "wf", taskList = new { name = "deciders" }, maximumPageSize = 1 });
        Assert.Equal(runId, task.GetProperty("workflowExecution").GetProperty("runId").GetString());
        var pollToken = task.GetProperty("nextPageToken").GetString()!;
        await app.FaultAsync("PollForDecisionTask", new { domain = "other", taskList = new { name = "deciders" }, nextPageToken = pollToken }, "ValidationException");
        app.SigningKey = Other;
        await app.FaultAsync("PollForDecisionTask", new { domain = "other", taskList = new { name = "deciders" }, nextPageToken = pollToken }, "ValidationException");
        await app.FaultAsync("PollForDecisionTask", new { domain = "wf", taskList = new { name = "deciders" }, nextPageToken = pollToken }, "OperationNotPermittedFault");
        app.SigningKey = Admin;
        var next = await app.OkAsync("PollForDecisionTask", new { domain = "wf", taskList = new { name = "deciders" }, nextPageToken = pollToken });
        Assert.Equal(2, next.GetProperty("events")[0].GetProperty("eventId").GetInt64());
    }
}

internal static class FaultExtensions
{
    /// <summary>Fails unless the call fails with one of the fault types.</summary>
    public static async Task FaultAsync(this TestApp app, string operation, object body, params string[] faultTypes)
    {
        var response = await app.CallAsync(operation, body);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(faultTypes, t => response.FaultType?.EndsWith("#" + t, StringComparison.Ordinal) == true);
    }
}
