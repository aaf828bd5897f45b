using System.Text.Json;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Storage.Tests;

/// <summary>The instance's copies of runs (<see cref="RunCache"/>): what it keeps, what it answers, and that it stays bounded.</summary>
public sealed class RunCacheTests
{
    private static string StateJson(string runId, long lastEventId, int padding = 0) =>
        JsonSerializer.Serialize(new ExecutionState { RunId = runId, LastEventId = lastEventId, Domain = new string('d', padding) },
            ExecutionJsonContext.Default.ExecutionState);

    private static List<(long, string)> Events(long from, long to) =>
        Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => ((long)i, JsonSerializer.Serialize(
            new HistoryEvent { EventId = i, EventType = EventType.MarkerRecorded, EventTimestamp = DateTimeOffset.UnixEpoch }, SwfJsonContext.Default.HistoryEvent))).ToList();

    [Fact]
    public void A_copy_is_a_fresh_object_each_time_and_an_older_state_does_not_replace_a_newer_one()
    {
        var cache = new RunCache();
        cache.PutState("p", "r", StateJson("r", 7), "e7", null, 7);
        cache.PutState("p", "r", StateJson("r", 5), "e5", null, 5); // a load that started before the commit

        var first = cache.State("p", "r")!;
        Assert.True(first.Cached);
        Assert.Equal(("e7", 7L), (first.ETag, first.State.LastEventId));
        first.State.LastEventId = 99; // machines change what they are given
        Assert.Equal(7, cache.State("p", "r")!.State.LastEventId);

        cache.ForgetState("p", "r");
        Assert.Null(cache.State("p", "r"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Events_are_answered_only_when_the_window_covers_them_and_a_gap_restarts_it()
    {
        var cache = new RunCache();
        cache.AddEvents("p", "r", Events(1, 3));
        cache.AddEvents("p", "r", Events(4, 5));
        Assert.Equal([2L, 3, 4, 5], cache.Events("p", "r", 2, 5)!.Select(e => e.EventId!.Value));
        Assert.Null(cache.Events("p", "r", 4, 6));

        cache.AddEvents("p", "r", Events(8, 9)); // 6 and 7 were committed elsewhere
        Assert.Null(cache.Events("p", "r", 1, 9));
        Assert.Equal([8L, 9], cache.Events("p", "r", 8, 9)!.Select(e => e.EventId!.Value));
    }

    [Fact]
    public void The_cache_stays_within_its_budget_dropping_the_least_recently_used_runs()
    {
        var cache = new RunCache(maxChars: 20_000, maxStateChars: 2_000, maxEventChars: 1_000, maxRuns: 50);
        for (var i = 0; i < 500; i++)
        {
            cache.PutState("p", $"r{i}", StateJson($"r{i}", 3, padding: 500), "e", null, 3);
            cache.AddEvents("p", $"r{i}", Events(1, 40));
            cache.State("p", "r0"); // used all along: stays
            Assert.InRange(cache.Chars, 0, 20_000);
            Assert.InRange(cache.Count, 0, 50);
        }
        Assert.NotNull(cache.State("p", "r0"));
        Assert.Null(cache.State("p", "r1"));
        Assert.Null(cache.Events("p", "r499", 1, 40)); // the window keeps only the newest events within its budget
        Assert.NotNull(cache.Events("p", "r499", 40, 40));

        cache.PutState("p", "big", StateJson("big", 1, padding: 5_000), "e", null, 1); // too big to keep
        Assert.Null(cache.State("p", "big"));
    }
}
