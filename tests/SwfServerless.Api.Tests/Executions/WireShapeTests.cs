using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>
/// Answers as Amazon SWF puts them on the wire, read from the raw HTTP body (an SDK would hide the difference between
/// a member that is absent, null, empty or zero). Sources of each expectation are in the test or next to the code.
/// </summary>
[Collection("api")]
public sealed class WireShapeTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    protected override Dictionary<string, string?> Settings() => new() { ["Swf:LongPollSeconds"] = "1" };

    /// <summary>The body's members, exactly (any order): none missing, none extra, each with the given JSON value.</summary>
    private static void AssertMembers(string expected, SwfResponse response)
    {
        Assert.True(response.Status == System.Net.HttpStatusCode.OK, $"{response.Status} {response.Text}");
        static SortedDictionary<string, string> Members(string json)
        {
            using var document = JsonDocument.Parse(json);
            return new(document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText()), StringComparer.Ordinal);
        }
        Assert.Equal(Members(expected), Members(response.Text));
    }

    private static JsonElement Parse(SwfResponse response)
    {
        Assert.True(response.Status == System.Net.HttpStatusCode.OK, $"{response.Status} {response.Text}");
        return JsonDocument.Parse(response.Text).RootElement.Clone();
    }

    [Fact]
    public async Task Empty_polls_answer_Amazon_SWFs_bodies_with_no_taskToken_and_no_events()
    {
        // Raw bodies from swf.us-west-2 (amazonka issues #108, #257, #285); moto PR #3680 answers the same.
        var decision = await App.CallAsync("PollForDecisionTask", new
        {
            domain = Wf.Domain, taskList = new { name = "nobody-decides-here" }, identity = "decider", maximumPageSize = 100, reverseOrder = true,
        });
        AssertMembers("""{"previousStartedEventId":0,"startedEventId":0}""", decision);
        Assert.DoesNotContain("taskToken", decision.Text);
        Assert.DoesNotContain("events", decision.Text);

        var activity = await App.CallAsync("PollForActivityTask", new { domain = Wf.Domain, taskList = new { name = "nobody-works-here" }, identity = "worker" });
        AssertMembers("""{"startedEventId":0}""", activity);
        Assert.DoesNotContain("taskToken", activity.Text);
    }

    [Fact]
    public async Task Members_Amazon_SWF_leaves_out_stay_out_and_those_it_always_sends_stay_in()
    {
        // Expectations from raw Amazon SWF bodies: the cassettes botify-labs/simpleflow recorded against
        // swf.us-east-1 (tests/integration/cassettes: DescribeWorkflowExecution, GetWorkflowExecutionHistory), the AWS
        // CLI's examples (awscli/examples/swf: count-*-workflow-executions print "truncated": false; list-activity-types:
        // "When there are no more pages of results to return, nextPageToken will not be returned").
        var execution = (await Wf.StartAsync("plain")).Json; // no input, no tags

        var describe = Parse(await App.CallAsync("DescribeWorkflowExecution", new { domain = Wf.Domain, execution }));
        var info = describe.GetProperty("executionInfo");
        Assert.False(info.TryGetProperty("tagList", out _), "no tagList member for a run started without tags");
        Assert.False(info.TryGetProperty("parent", out _));
        Assert.False(info.TryGetProperty("closeStatus", out _));
        Assert.False(info.TryGetProperty("closeTimestamp", out _));
        Assert.Equal(JsonValueKind.False, info.GetProperty("cancelRequested").ValueKind);
        Assert.False(describe.TryGetProperty("latestActivityTaskTimestamp", out _), "no activity was ever scheduled");
        Assert.False(describe.TryGetProperty("latestExecutionContext", out _), "no decider ever gave one");
        Assert.Equal(0, describe.GetProperty("openCounts").GetProperty("openLambdaFunctions").GetInt32());

        foreach (var count in new[]
        {
            Parse(await App.CallAsync("CountPendingDecisionTasks", new { domain = Wf.Domain, taskList = new { name = "deciders" } })),
            Parse(await App.CallAsync("CountOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = new { oldestDate = 0 } })),
        })
        {
            Assert.Equal(["count", "truncated"], count.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(JsonValueKind.False, count.GetProperty("truncated").ValueKind);
        }

        // The first decision task: previousStartedEventId is sent as 0, the last (only) page has no nextPageToken.
        var task = Parse(await App.CallAsync("PollForDecisionTask", new { domain = Wf.Domain, taskList = new { name = "deciders" }, identity = "decider" }));
        Assert.Equal(0, task.GetProperty("previousStartedEventId").GetInt64());
        Assert.False(task.TryGetProperty("nextPageToken", out _));
        var started = Workflows.Attributes(task.GetProperty("events")[0]);
        Assert.False(started.TryGetProperty("input", out _));
        Assert.False(started.TryGetProperty("tagList", out _));

        var history = Parse(await App.CallAsync("GetWorkflowExecutionHistory", new { domain = Wf.Domain, execution }));
        Assert.False(history.TryGetProperty("nextPageToken", out _));
        Assert.False(Parse(await App.CallAsync("ListDomains", new { registrationStatus = "REGISTERED" })).TryGetProperty("nextPageToken", out _));
        Assert.False(Parse(await App.CallAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = new { oldestDate = 0 } }))
            .TryGetProperty("nextPageToken", out _));
    }

    [Fact]
    public async Task History_carries_the_zero_event_ids_Amazon_SWF_always_sends()
    {
        // Raw swf.us-east-1 histories recorded by botify-labs/simpleflow (tests/integration/cassettes): a run no parent
        // started has "parentInitiatedEventId":0; a signal and a cancel request made through the API have
        // "externalInitiatedEventId":0 (test_cancel_requested.yaml: the cancel request's attributes are exactly that).
        var zeros = await Wf.StartAsync("zeros");
        await App.OkAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = "zeros", signalName = "poke", input = "hi" });
        await App.OkAsync("RequestCancelWorkflowExecution", new { domain = Wf.Domain, workflowId = "zeros" });

        void AssertZeros(List<JsonElement> events, string where)
        {
            Assert.True(events.Count >= 4, $"{where}: {Workflows.Types(events)}");
            var started = Workflows.Attributes(Workflows.Last(events, "WorkflowExecutionStarted"));
            Assert.Equal(0, started.GetProperty("parentInitiatedEventId").GetInt64());
            Assert.False(started.TryGetProperty("parentWorkflowExecution", out _));
            Assert.Equal("""{"externalInitiatedEventId":0,"input":"hi","signalName":"poke"}""",
                Sorted(Workflows.Attributes(Workflows.Last(events, "WorkflowExecutionSignaled"))));
            Assert.Equal("""{"externalInitiatedEventId":0}""", Sorted(Workflows.Attributes(Workflows.Last(events, "WorkflowExecutionCancelRequested"))));
        }

        var history = Parse(await App.CallAsync("GetWorkflowExecutionHistory", new { domain = Wf.Domain, execution = zeros.Json }));
        AssertZeros(history.GetProperty("events").EnumerateArray().ToList(), "GetWorkflowExecutionHistory");

        // The decision task's history, in pages of two: the first page and the ones fetched with its nextPageToken.
        var page = Parse(await App.CallAsync("PollForDecisionTask", new { domain = Wf.Domain, taskList = new { name = "deciders" }, maximumPageSize = 2 }));
        var events = page.GetProperty("events").EnumerateArray().ToList();
        while (page.TryGetProperty("nextPageToken", out var next))
        {
            page = Parse(await App.CallAsync("PollForDecisionTask", new
            {
                domain = Wf.Domain, taskList = new { name = "deciders" }, maximumPageSize = 2, nextPageToken = next.GetString(),
            }));
            events.AddRange(page.GetProperty("events").EnumerateArray());
        }
        AssertZeros(events, "PollForDecisionTask");
    }

    /// <summary>An object's members sorted by name, as compact JSON.</summary>
    private static string Sorted(JsonElement element) =>
        "{" + string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}")) + "}";
}
