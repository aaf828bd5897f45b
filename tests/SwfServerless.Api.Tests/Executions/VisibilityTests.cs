using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

[Collection("api")]
public sealed class VisibilityTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestApp app = null!;
    private Workflows wf = null!;
    private static readonly object Always = new { oldestDate = 0 };

    public async Task InitializeAsync()
    {
        app = await TestApp.StartAsync(azurite, new Dictionary<string, string?> { ["Swf:LongPollSeconds"] = "1" });
        wf = new Workflows(app);
        await wf.RegisterAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("executionInfos").EnumerateArray().Select(i => i.GetProperty("execution").GetProperty("workflowId").GetString()!).ToList();

    [Fact]
    public async Task Open_and_closed_lists_filter_sort_and_page()
    {
        foreach (var id in new[] { "v1", "v2", "v3", "v4" })
        {
            await wf.StartAsync(id, new { tagList = new[] { id == "v2" ? "special" : "plain" } });
            await Task.Delay(5); // distinct start times
        }
        await app.OkAsync("TerminateWorkflowExecution", new { domain = wf.Domain, workflowId = "v3" });
        await app.OkAsync("RequestCancelWorkflowExecution", new { domain = wf.Domain, workflowId = "v4" });

        var open = await app.OkAsync("ListOpenWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always });
        Assert.Equal(["v4", "v2", "v1"], Ids(open));
        Assert.True(open.GetProperty("executionInfos")[0].GetProperty("cancelRequested").GetBoolean());
        Assert.Equal(["v1", "v2", "v4"], Ids(await app.OkAsync("ListOpenWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always, reverseOrder = true })));
        Assert.Equal(["v2"], Ids(await app.OkAsync("ListOpenWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always, tagFilter = new { tag = "special" } })));
        Assert.Equal(["v1"], Ids(await app.OkAsync("ListOpenWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always, executionFilter = new { workflowId = "v1" } })));
        Assert.Equal(3, Ids(await app.OkAsync("ListOpenWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always, typeFilter = new { name = "flow" } })).Count);
        Assert.Empty(Ids(await app.OkAsync("ListOpenWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = new { oldestDate = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() } })));

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await app.OkAsync("ListOpenWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always, maximumPageSize = 2, nextPageToken = token });
            seen.AddRange(Ids(page));
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        Assert.Equal(["v4", "v2", "v1"], seen);

        var closed = await app.OkAsync("ListClosedWorkflowExecutions", new { domain = wf.Domain, closeTimeFilter = Always });
        Assert.Equal(["v3"], Ids(closed));
        Assert.Equal("TERMINATED", closed.GetProperty("executionInfos")[0].GetProperty("closeStatus").GetString());
        Assert.Equal(["v3"], Ids(await app.OkAsync("ListClosedWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always, closeStatusFilter = new { status = "TERMINATED" } })));
        Assert.Empty(Ids(await app.OkAsync("ListClosedWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always, closeStatusFilter = new { status = "COMPLETED" } })));

        Assert.Equal(3, (await app.OkAsync("CountOpenWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always })).GetProperty("count").GetInt32());
        Assert.Equal(1, (await app.OkAsync("CountClosedWorkflowExecutions", new { domain = wf.Domain, closeTimeFilter = Always })).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Mutually_exclusive_filters_are_ValidationExceptions()
    {
        Assert.Contains("mutually exclusive", await app.FaultAsync("ListOpenWorkflowExecutions",
            new { domain = wf.Domain, startTimeFilter = Always, tagFilter = new { tag = "a" }, executionFilter = new { workflowId = "b" } }, "ValidationException"));
        await app.FaultAsync("ListClosedWorkflowExecutions", new { domain = wf.Domain, startTimeFilter = Always, closeTimeFilter = Always }, "ValidationException");
        await app.FaultAsync("ListClosedWorkflowExecutions", new { domain = wf.Domain }, "ValidationException");
        await app.FaultAsync("CountClosedWorkflowExecutions", new { domain = wf.Domain, closeTimeFilter = Always, typeFilter = new { name = "flow" }, closeStatusFilter = new { status = "FAILED" } }, "ValidationException");
        await app.FaultAsync("ListOpenWorkflowExecutions", new { domain = wf.Domain }, "ValidationException");
    }
}
