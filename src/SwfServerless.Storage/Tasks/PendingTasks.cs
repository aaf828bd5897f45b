using System.Text.Json;
using Azure.Data.Tables;
using SwfServerless.Core.Executions;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Storage.Tasks;

/// <summary>
/// Exact pending task counts (CountPendingActivityTasks / CountPendingDecisionTasks) at no write of their own: every
/// commit rewrites the run's state row anyway, and the row carries one property per task list on which the run has
/// tasks scheduled and not started (named from the task list's key, e.g. <c>Pa0f…</c>, holding how many). A task that
/// starts, is cancelled or times out, or a run that closes, drops out with the commit that says so. A count is one
/// filtered query over the state rows (<c>Pa0f… gt 0</c>), summed.
/// </summary>
/// <remarks>
/// <para>Limits: an entity has at most 252 properties of its own, and the state row uses up to about 25 (its columns
/// and the state's text chunks). A run with pending tasks on more than <see cref="MaxListsPerRow"/> task lists at once
/// writes <see cref="ManyProperty"/> instead, and a count reads those runs' states (rare: one decision scattering tasks
/// over dozens of task lists).</para>
/// <para>Cost: Azure Table Storage indexes only PartitionKey and RowKey, so the query is a server-side scan of the
/// Executions table (history rows included), billed per page of 1,000 results or 5 s of scanning. A count meant for an
/// occasional monitoring or scaling call is fine; a count every second over a table of millions of rows is not. A scan
/// that has not finished after <see cref="MaxPages"/> pages answers with what it has and <c>truncated</c>.</para>
/// LOAD-BEARING: stored rows use these property names.
/// </remarks>
public sealed class PendingTasks(SwfTables tables)
{
    public const int MaxListsPerRow = 64;
    public const string ManyProperty = "PendingMany";
    public const int MaxPages = 100;

    public static string PropertyName(string taskListKey) => "P" + taskListKey.Replace("-", "", StringComparison.Ordinal);

    /// <summary>Writes the run's pending counts onto its state row (nothing for a closed run).</summary>
    public static void Write(TableEntity row, ExecutionState state)
    {
        var counts = Count(state);
        if (counts.Count > MaxListsPerRow)
        {
            row[ManyProperty] = true;
            return;
        }
        foreach (var (key, count) in counts) row[PropertyName(key)] = count;
    }

    /// <summary>Scheduled and not started tasks of an open run, by task list key.</summary>
    public static Dictionary<string, int> Count(ExecutionState state)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!state.IsOpen) return counts;
        var keys = new Dictionary<(TaskKind, string), string>();
        void Add(TaskKind kind, string taskList)
        {
            if (!keys.TryGetValue((kind, taskList), out var key)) keys[(kind, taskList)] = key = TaskQueues.TaskListKey(state.Domain, kind, taskList);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        if (state.DecisionTask is { IsStarted: false } decision) Add(TaskKind.Decision, decision.TaskList);
        foreach (var activity in state.Activities)
        {
            if (!activity.IsStarted) Add(TaskKind.Activity, activity.TaskList);
        }
        return counts;
    }

    /// <summary>Tasks scheduled and not started on the task list, over every run of the domain; truncated when the scan stopped early.</summary>
    public async Task<(int Count, bool Truncated)> CountAsync(string domain, TaskKind kind, string taskList, CancellationToken ct)
    {
        var key = TaskQueues.TaskListKey(domain, kind, taskList);
        var name = PropertyName(key);
        // Property names are not parameters: this one is "P" and hex digits, nothing to escape.
        var filter = $"({name} gt 0) or ({ManyProperty} eq true and " + TableClient.CreateQueryFilter($"Domain eq {domain})");
        var total = 0;
        var pages = 0;
        var many = new List<(string Partition, string RowKey)>();
        await foreach (var page in tables.Executions.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", name, ManyProperty], cancellationToken: ct).AsPages())
        {
            foreach (var row in page.Values)
            {
                if (row.GetBoolean(ManyProperty) == true) many.Add((row.PartitionKey, row.RowKey));
                else total += row.GetInt32(name) ?? 0;
            }
            if (++pages >= MaxPages && page.ContinuationToken is not null) return (total, true);
        }
        foreach (var (partition, rowKey) in many)
        {
            var row = await tables.Executions.GetRowAsync(partition, rowKey, cancellationToken: ct);
            if (row is null || LargeText.Read(row, "S") is not { } text) continue;
            var state = JsonSerializer.Deserialize(text, ExecutionJsonContext.Default.ExecutionState)!;
            total += Count(state).GetValueOrDefault(key);
        }
        return (total, false);
    }
}
