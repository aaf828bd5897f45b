using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>
/// A history longer than a page and than one storage query's answer (1,000 rows), read through both paged operations:
/// ids contiguous across pages in either order, the last page without nextPageToken, and each page read from storage
/// on its own (the bench's "big" part measures the full 25,000).
/// </summary>
[Collection("api")]
public sealed class LongHistoryTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    // No background sweep: the storage request counts below are the page's alone.
    protected override Dictionary<string, string?> Settings() => new() { ["Swf:SweepIntervalSeconds"] = "0" };

    private static object Markers(int count, string tag) => Enumerable.Range(0, count).Select(i => (object)new
    {
        decisionType = "RecordMarker", recordMarkerDecisionAttributes = new { markerName = "m", details = $"{tag}-{i}" },
    }).ToArray();

    /// <summary>A run of about 2,500 events with a decision task scheduled (its last event); returns it and its last event id.</summary>
    private async Task<(Execution Run, long LastEventId)> LongRunAsync()
    {
        var run = await Wf.StartAsync("long");
        foreach (var (count, tag) in new[] { (1000, "a"), (1000, "b"), (480, "c") })
        {
            var task = await Wf.PollDecisionAsync(run);
            await App.OkAsync("RespondDecisionTaskCompleted", new { taskToken = Workflows.Token(task), decisions = Markers(count, tag) });
            await Wf.SignalAsync(run);
        }
        return (run, (await Wf.HistoryAsync(run)).Count);
    }

    private static List<long> Ids(JsonElement page, string member = "events") =>
        page.GetProperty(member).EnumerateArray().Select(e => e.GetProperty("eventId").GetInt64()).ToList();

    private static string? Next(JsonElement page) => page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;

    [Fact]
    public async Task GetWorkflowExecutionHistory_pages_a_long_history_contiguously_in_both_orders()
    {
        var (run, last) = await LongRunAsync();
        Assert.True(last > 2_000, $"{last} events");

        foreach (var (reverse, size) in new[] { (false, 1000), (true, 700) })
        {
            var ids = new List<long>();
            var pages = 0;
            string? token = null;
            do
            {
                var page = await App.OkAsync("GetWorkflowExecutionHistory", new { domain = Wf.Domain, execution = run.Json, maximumPageSize = size, reverseOrder = reverse, nextPageToken = token });
                var pageIds = Ids(page);
                token = Next(page);
                Assert.True(pageIds.Count == size || token is null, $"a page of {pageIds.Count} before the last");
                ids.AddRange(pageIds);
                pages++;
            }
            while (token is not null);
            var expected = Enumerable.Range(1, (int)last).Select(i => (long)i).ToList();
            if (reverse) expected.Reverse();
            Assert.Equal(expected, ids);
            Assert.Equal((int)Math.Ceiling(last / (double)size), pages);
        }
    }

    [Fact]
    public async Task PollForDecisionTask_pages_a_long_history_contiguously_in_both_orders()
    {
        var (run, last) = await LongRunAsync();

        var task = await App.OkAsync("PollForDecisionTask", new { domain = Wf.Domain, taskList = new { name = Workflows.Deciders }, reverseOrder = true });
        var started = task.GetProperty("startedEventId").GetInt64();
        Assert.Equal(last + 1, started);
        var ids = Ids(task);
        Assert.Equal(1000, ids.Count);
        for (var next = Next(task); next is not null;)
        {
            var page = await App.OkAsync("PollForDecisionTask", new { domain = Wf.Domain, taskList = new { name = Workflows.Deciders }, reverseOrder = true, nextPageToken = next });
            Assert.Equal(Workflows.Token(task), Workflows.Token(page));
            ids.AddRange(Ids(page));
            next = Next(page);
        }
        Assert.Equal(Enumerable.Range(1, (int)started).Select(i => (long)i).Reverse(), ids);

        // Forward, on the next decision task of the same run.
        await Wf.DecideAsync(task);
        await Wf.SignalAsync(run);
        var forward = await App.OkAsync("PollForDecisionTask", new { domain = Wf.Domain, taskList = new { name = Workflows.Deciders }, maximumPageSize = 900 });
        var startedAgain = forward.GetProperty("startedEventId").GetInt64();
        ids = Ids(forward);
        for (var next = Next(forward); next is not null;)
        {
            var page = await App.OkAsync("PollForDecisionTask", new { domain = Wf.Domain, taskList = new { name = Workflows.Deciders }, maximumPageSize = 900, nextPageToken = next });
            ids.AddRange(Ids(page));
            next = Next(page);
        }
        Assert.Equal(Enumerable.Range(1, (int)startedAgain).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task A_page_is_read_from_storage_alone_not_with_the_whole_history()
    {
        var (run, _) = await LongRunAsync();
        var first = await App.OkAsync("GetWorkflowExecutionHistory", new { domain = Wf.Domain, execution = run.Json, maximumPageSize = 100 });
        var metrics = App.Services.GetRequiredService<StorageClients>().Metrics;

        var before = metrics.Snapshot();
        var page = await App.OkAsync("GetWorkflowExecutionHistory", new { domain = Wf.Domain, execution = run.Json, maximumPageSize = 100, nextPageToken = Next(first) });
        var used = metrics.Snapshot().Minus(before);

        Assert.Equal(Enumerable.Range(101, 100).Select(i => (long)i), Ids(page));
        // One range query of 100 rows; reading 2,500 rows would take at least three (1,000 rows per storage answer).
        Assert.Equal(1, used.ByOperation.GetValueOrDefault("table.query"));
    }
}
