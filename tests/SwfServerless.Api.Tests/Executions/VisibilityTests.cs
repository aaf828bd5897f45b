using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

[Collection("api")]
public sealed class VisibilityTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private static readonly object Always = new { oldestDate = 0 };

    /// <summary>The app's clock: start and close times are what the test makes them.</summary>
    private readonly ManualTime clock = new(DateTimeOffset.UtcNow);

    protected override Dictionary<string, string?> Settings() => new() { ["Swf:LongPollSeconds"] = "1", ["Swf:MaxCountedExecutions"] = "3" };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("executionInfos").EnumerateArray().Select(i => i.GetProperty("execution").GetProperty("workflowId").GetString()!).ToList();

    [Fact]
    public async Task Open_and_closed_lists_filter_sort_and_page()
    {
        foreach (var id in new[] { "v1", "v2", "v3", "v4" })
        {
            await Wf.StartAsync(id, new { tagList = new[] { id == "v2" ? "special" : "plain" } });
            clock.Advance(TimeSpan.FromSeconds(1)); // distinct start times
        }
        await App.OkAsync("TerminateWorkflowExecution", new { domain = Wf.Domain, workflowId = "v3" });
        await App.OkAsync("RequestCancelWorkflowExecution", new { domain = Wf.Domain, workflowId = "v4" });

        var open = await App.OkAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always });
        Assert.Equal(["v4", "v2", "v1"], Ids(open));
        Assert.True(open.GetProperty("executionInfos")[0].GetProperty("cancelRequested").GetBoolean());
        Assert.Equal(["v1", "v2", "v4"], Ids(await App.OkAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always, reverseOrder = true })));
        Assert.Equal(["v2"], Ids(await App.OkAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always, tagFilter = new { tag = "special" } })));
        Assert.Equal(["v1"], Ids(await App.OkAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always, executionFilter = new { workflowId = "v1" } })));
        Assert.Equal(3, Ids(await App.OkAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always, typeFilter = new { name = "flow" } })).Count);
        Assert.Empty(Ids(await App.OkAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = new { oldestDate = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() } })));

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await App.OkAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always, maximumPageSize = 2, nextPageToken = token });
            seen.AddRange(Ids(page));
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        Assert.Equal(["v4", "v2", "v1"], seen);

        var closed = await App.OkAsync("ListClosedWorkflowExecutions", new { domain = Wf.Domain, closeTimeFilter = Always });
        Assert.Equal(["v3"], Ids(closed));
        Assert.Equal("TERMINATED", closed.GetProperty("executionInfos")[0].GetProperty("closeStatus").GetString());
        Assert.Equal(["v3"], Ids(await App.OkAsync("ListClosedWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always, closeStatusFilter = new { status = "TERMINATED" } })));
        Assert.Empty(Ids(await App.OkAsync("ListClosedWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always, closeStatusFilter = new { status = "COMPLETED" } })));

        Assert.Equal(3, (await App.OkAsync("CountOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always })).GetProperty("count").GetInt32());
        Assert.Equal(1, (await App.OkAsync("CountClosedWorkflowExecutions", new { domain = Wf.Domain, closeTimeFilter = Always })).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_count_past_its_limit_answers_the_limit_and_truncated()
    {
        for (var i = 0; i < 5; i++) await Wf.StartAsync();

        var count = await App.OkAsync("CountOpenWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always });

        Assert.Equal(3, count.GetProperty("count").GetInt32());
        Assert.True(count.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Mutually_exclusive_filters_are_ValidationExceptions()
    {
        Assert.Contains("mutually exclusive", await App.FaultAsync("ListOpenWorkflowExecutions",
            new { domain = Wf.Domain, startTimeFilter = Always, tagFilter = new { tag = "a" }, executionFilter = new { workflowId = "b" } }, "ValidationException"));
        await App.FaultAsync("ListClosedWorkflowExecutions", new { domain = Wf.Domain, startTimeFilter = Always, closeTimeFilter = Always }, "ValidationException");
        await App.FaultAsync("ListClosedWorkflowExecutions", new { domain = Wf.Domain }, "ValidationException");
        await App.FaultAsync("CountClosedWorkflowExecutions", new { domain = Wf.Domain, closeTimeFilter = Always, typeFilter = new { name = "flow" }, closeStatusFilter = new { status = "FAILED" } }, "ValidationException");
        await App.FaultAsync("ListOpenWorkflowExecutions", new { domain = Wf.Domain }, "ValidationException");
    }
}
