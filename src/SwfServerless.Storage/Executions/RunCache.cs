using System.Text.Json;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Storage.Executions;

/// <summary>
/// This instance's last known committed version of the runs it used lately: the state row (its JSON, ETag and alarm),
/// and a window of the run's latest committed events. Filled by every load and every successful commit here; bounded
/// by characters held (least recently used out first).
/// </summary>
/// <remarks>
/// <para><b>The state is a guess, never an answer.</b> Another instance may have changed the run since: a cached state
/// serves only as the first attempt of a commit, whose ETag rejects it if stale (412: forget it, reread, decide again).
/// An outcome decided without a commit (no events, a fault) must be decided again on the stored row.</para>
/// <para><b>The events are facts.</b> Committed events are never rewritten (DESIGN.md), so a window of them, filled only
/// by commits that succeeded, answers history reads it covers exactly.</para>
/// </remarks>
public sealed class RunCache(long maxChars = RunCache.DefaultMaxChars, int maxStateChars = RunCache.DefaultMaxStateChars,
    int maxEventChars = RunCache.DefaultMaxEventChars, int maxRuns = RunCache.DefaultMaxRuns)
{
    /// <summary>Runs held at most, however small.</summary>
    public const int DefaultMaxRuns = 20_000;

    /// <summary>All entries together: about 32 MiB of UTF-16.</summary>
    public const long DefaultMaxChars = 16_000_000;

    /// <summary>A state bigger than this is not kept (a run with hundreds of open activities): it is read each time.</summary>
    public const int DefaultMaxStateChars = 64_000;

    /// <summary>A run's event window: its oldest events leave first.</summary>
    public const int DefaultMaxEventChars = 128_000;

    private sealed class Entry(string key)
    {
        public readonly string Key = key;
        public string? StateJson;
        public string ETag = "";
        public DateTimeOffset? Alarm;
        public long LastEventId;
        /// <summary>Consecutive committed events, ascending by id.</summary>
        public readonly List<(long Id, string Json)> Events = [];
        public long EventChars;
        public long Chars => (StateJson?.Length ?? 0) + EventChars;
    }

    private readonly object gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> recent = new(); // most recently used first
    private long chars;

    /// <summary>Characters held now (for tests of the bound).</summary>
    public long Chars { get { lock (gate) return chars; } }

    /// <summary>Runs held now.</summary>
    public int Count { get { lock (gate) return entries.Count; } }

    private static string Key(string partition, string runId) => partition + "\n" + runId;

    /// <summary>The run as last known here, marked <see cref="LoadedRun.Cached"/>; null when not held.</summary>
    public LoadedRun? State(string partition, string runId)
    {
        string json, etag;
        DateTimeOffset? alarm;
        lock (gate)
        {
            if (!entries.TryGetValue(Key(partition, runId), out var node) || node.Value.StateJson is null) return null;
            Touch(node);
            (json, etag, alarm) = (node.Value.StateJson, node.Value.ETag, node.Value.Alarm);
        }
        // A fresh object each time: machines change the state they are given.
        var state = JsonSerializer.Deserialize(json, ExecutionJsonContext.Default.ExecutionState)!;
        return new LoadedRun(partition, state, etag, alarm) { Cached = true };
    }

    /// <summary>A state row read or committed here; an older one (fewer events) than held is ignored.</summary>
    public void PutState(string partition, string runId, string json, string etag, DateTimeOffset? alarm, long lastEventId)
    {
        lock (gate)
        {
            var node = Get(partition, runId, create: json.Length <= maxStateChars);
            if (node is null) return;
            if (json.Length > maxStateChars)
            {
                ClearState(node);
                return;
            }
            var entry = node.Value;
            if (entry.StateJson is null || lastEventId >= entry.LastEventId)
            {
                chars += json.Length - (entry.StateJson?.Length ?? 0);
                (entry.StateJson, entry.ETag, entry.Alarm, entry.LastEventId) = (json, etag, alarm, lastEventId);
            }
            Trim();
        }
    }

    /// <summary>The held state proved stale (or the run is gone): the next attempt reads the stored row.</summary>
    public void ForgetState(string partition, string runId)
    {
        lock (gate)
        {
            if (entries.TryGetValue(Key(partition, runId), out var node)) ClearState(node);
        }
    }

    /// <summary>The run is being removed: nothing of it stays here.</summary>
    public void Remove(string partition, string runId)
    {
        lock (gate)
        {
            if (!entries.Remove(Key(partition, runId), out var node)) return;
            recent.Remove(node);
            chars -= node.Value.Chars;
        }
    }

    /// <summary>Under the gate: drops the entry's state, and the entry itself if it holds nothing else.</summary>
    private void ClearState(LinkedListNode<Entry> node)
    {
        chars -= node.Value.StateJson?.Length ?? 0;
        node.Value.StateJson = null;
        if (node.Value.Events.Count > 0) return;
        recent.Remove(node);
        entries.Remove(node.Value.Key);
    }

    /// <summary>Events a commit here made visible (ids consecutive): appended to the run's window, or starting a new one after a gap.</summary>
    public void AddEvents(string partition, string runId, IReadOnlyList<(long Id, string Json)> events)
    {
        if (events.Count == 0) return;
        lock (gate)
        {
            var node = Get(partition, runId, create: true)!;
            var entry = node.Value;
            if (entry.Events.Count > 0 && entry.Events[^1].Id + 1 != events[0].Id)
            {
                // Someone else committed in between (or this is older news): the window restarts here.
                chars -= entry.EventChars;
                entry.EventChars = 0;
                entry.Events.Clear();
            }
            foreach (var e in events)
            {
                entry.Events.Add(e);
                entry.EventChars += e.Json.Length;
                chars += e.Json.Length;
            }
            var drop = 0;
            while (drop < entry.Events.Count && entry.EventChars > maxEventChars)
            {
                entry.EventChars -= entry.Events[drop].Json.Length;
                chars -= entry.Events[drop].Json.Length;
                drop++;
            }
            entry.Events.RemoveRange(0, drop);
            Trim();
        }
    }

    /// <summary>The committed events with ids in [from, to] when the window holds them all; else null (read them).</summary>
    public List<HistoryEvent>? Events(string partition, string runId, long from, long to)
    {
        var json = new List<string>();
        lock (gate)
        {
            if (!entries.TryGetValue(Key(partition, runId), out var node)) return null;
            var events = node.Value.Events;
            if (events.Count == 0 || from < events[0].Id || to > events[^1].Id) return null;
            Touch(node);
            for (var id = from; id <= to; id++) json.Add(events[(int)(id - events[0].Id)].Json);
        }
        return json.Select(j => JsonSerializer.Deserialize(j, SwfJsonContext.Default.HistoryEvent)!).ToList();
    }

    private LinkedListNode<Entry>? Get(string partition, string runId, bool create)
    {
        var key = Key(partition, runId);
        if (entries.TryGetValue(key, out var node))
        {
            Touch(node);
            return node;
        }
        if (!create) return null;
        node = recent.AddFirst(new Entry(key));
        entries[key] = node;
        return node;
    }

    private void Touch(LinkedListNode<Entry> node)
    {
        if (node == recent.First) return;
        recent.Remove(node);
        recent.AddFirst(node);
    }

    /// <summary>Under the gate: least recently used runs leave until the whole fits (the newest always stays: it fits alone).</summary>
    private void Trim()
    {
        while ((chars > maxChars || entries.Count > maxRuns) && recent.Last is { } last && last != recent.First)
        {
            recent.RemoveLast();
            entries.Remove(last.Value.Key);
            chars -= last.Value.Chars;
        }
    }
}
