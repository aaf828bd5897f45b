using Azure;
using Azure.Data.Tables;
using SwfServerless.Core.Model;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Visibility;

/// <summary>What List/Count*WorkflowExecutions filter on, besides the time range.</summary>
public sealed record VisibilityFilter(string? WorkflowId = null, string? TypeName = null, string? TypeVersion = null, string? Tag = null, string? CloseStatus = null);

/// <summary>
/// Index rows for List/Count Open/Closed WorkflowExecutions, one partition per domain:
/// <c>o|…</c> open runs by start time, <c>c|…</c> closed runs by start time, <c>x|…</c> closed runs by close time.
/// Times are inverted in the key so a forward scan returns newest first (SWF's default order).
/// The index is written after the run's commit (SWF calls visibility eventually consistent); rows are
/// idempotent copies of the run's state, so rewriting them converges.
/// LOAD-BEARING: key formats are stored.
/// </summary>
public sealed class VisibilityRepository(SwfTables tables)
{
    private const int MaxTags = 5;
    private TableClient Table => tables.Visibility;

    public async Task RecordOpenAsync(string domain, WorkflowExecutionInfo info, CancellationToken ct) =>
        await Table.UpsertRowAsync(ToRow(domain, "o", info.StartTimestamp!.Value, info), TableUpdateMode.Replace, ct);

    /// <summary>Moves the run from the open index to the closed ones; safe to repeat.</summary>
    public async Task RecordClosedAsync(string domain, WorkflowExecutionInfo info, CancellationToken ct)
    {
        var partition = KeyEncoding.EscapeKey(domain);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpsertReplace, ToRow(domain, "c", info.StartTimestamp!.Value, info)),
            new(TableTransactionActionType.UpsertReplace, ToRow(domain, "x", info.CloseTimestamp!.Value, info)),
        };
        // The open row is almost always there, so it is deleted without looking first (one read less per close).
        var open = Key("o", info.StartTimestamp!.Value, info.Execution!.RunId!);
        actions.Add(new(TableTransactionActionType.Delete, new TableEntity(partition, open), ETag.All));
        try
        {
            await Table.TransactAsync(actions, ct);
        }
        catch (RequestFailedException e) when (e.IsNotFound())
        {
            // There is no open row (a racing writer moved it, or it was never written): record the closed rows alone.
            await Table.TransactAsync(actions.Take(2).ToList(), ct);
        }
    }

    /// <summary>Removes every index row of the run (retention); safe to repeat, and rows that were never written are fine.</summary>
    public async Task RemoveAsync(string domain, WorkflowExecutionInfo info, CancellationToken ct)
    {
        var partition = KeyEncoding.EscapeKey(domain);
        var runId = info.Execution!.RunId!;
        var keys = new List<string> { Key("o", info.StartTimestamp!.Value, runId), Key("c", info.StartTimestamp!.Value, runId) };
        if (info.CloseTimestamp is { } closed) keys.Add(Key("x", closed, runId));
        await Task.WhenAll(keys.Select(k => Table.DeleteRowAsync(partition, k, cancellationToken: ct)));
    }

    /// <summary>
    /// One page of executions, newest first unless <paramref name="reverseOrder"/>.
    /// <paramref name="index"/>: "o" open by start, "c" closed by start, "x" closed by close time.
    /// </summary>
    public async Task<(List<WorkflowExecutionInfo> Page, string? LastKey)> ListAsync(
        string domain, string index, DateTimeOffset oldest, DateTimeOffset? latest, VisibilityFilter filter,
        int pageSize, string? afterKey, bool reverseOrder, CancellationToken ct)
    {
        var query = Query(domain, index, oldest, latest, filter);
        var result = new List<(string Key, WorkflowExecutionInfo Info)>();
        if (!reverseOrder)
        {
            if (afterKey is not null) query += " and " + TableClient.CreateQueryFilter($"RowKey gt {afterKey}");
            await foreach (var row in Table.QueryRowsAsync(query, Math.Min(pageSize + 1, 1000), cancellationToken: ct))
            {
                result.Add((row.RowKey, FromRow(row)));
                if (result.Count > pageSize) break;
            }
        }
        else
        {
            // Oldest first. The keys run newest first and tables scan only forward, so the page is the range's last rows:
            // a keys-only scan keeps the last pageSize + 1 keys (bounded memory), then only the page's rows are read.
            if (afterKey is not null) query += " and " + TableClient.CreateQueryFilter($"RowKey lt {afterKey}");
            var keys = new Queue<string>(pageSize + 1);
            await foreach (var row in Table.QueryRowsAsync(query, 1000, select: [], cancellationToken: ct))
            {
                if (keys.Count > pageSize) keys.Dequeue();
                keys.Enqueue(row.RowKey);
            }
            if (keys.Count > 0)
            {
                // Rows added to the range since the scan may come too: keep the last pageSize + 1 again.
                var rows = new Queue<(string Key, WorkflowExecutionInfo Info)>(pageSize + 1);
                await foreach (var row in Table.QueryRowsAsync(query + " and " + TableClient.CreateQueryFilter($"RowKey ge {keys.Peek()}"),
                                   Math.Min(pageSize + 1, 1000), cancellationToken: ct))
                {
                    if (rows.Count > pageSize) rows.Dequeue();
                    rows.Enqueue((row.RowKey, FromRow(row)));
                }
                result.AddRange(rows.Reverse());
            }
        }
        if (result.Count <= pageSize) return (result.Select(r => r.Info).ToList(), null);
        var page = result.Take(pageSize).ToList();
        return (page.Select(r => r.Info).ToList(), page[^1].Key);
    }

    /// <summary>The matching rows, counted up to <paramref name="limit"/>: past it the scan stops and the count is truncated.</summary>
    public async Task<(int Count, bool Truncated)> CountAsync(string domain, string index, DateTimeOffset oldest, DateTimeOffset? latest, VisibilityFilter filter,
        int limit, CancellationToken ct)
    {
        var count = 0;
        await foreach (var _ in Table.QueryRowsAsync(Query(domain, index, oldest, latest, filter), Math.Min(limit + 1, 1000), select: [], cancellationToken: ct))
        {
            if (count == limit) return (count, true);
            count++;
        }
        return (count, false);
    }

    private static string Query(string domain, string index, DateTimeOffset oldest, DateTimeOffset? latest, VisibilityFilter filter)
    {
        var from = latest is null ? index + "|" : Key(index, latest.Value, "");
        var to = Key(index, oldest, "~");
        var query = TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.EscapeKey(domain)} and RowKey ge {from} and RowKey le {to}");
        if (filter.WorkflowId is not null) query += " and " + TableClient.CreateQueryFilter($"WorkflowId eq {filter.WorkflowId}");
        if (filter.TypeName is not null) query += " and " + TableClient.CreateQueryFilter($"TypeName eq {filter.TypeName}");
        if (filter.TypeVersion is not null) query += " and " + TableClient.CreateQueryFilter($"TypeVersion eq {filter.TypeVersion}");
        if (filter.CloseStatus is not null) query += " and " + TableClient.CreateQueryFilter($"CloseStatus eq {filter.CloseStatus}");
        if (filter.Tag is not null)
            query += " and (" + string.Join(" or ", Enumerable.Range(0, MaxTags).Select(i => TableClient.CreateQueryFilter($"Tag{i} eq {filter.Tag}"))) + ")";
        return query;
    }

    private static string Key(string index, DateTimeOffset time, string runId) =>
        $"{index}|{DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks:D19}|{runId}";

    private static TableEntity ToRow(string domain, string index, DateTimeOffset time, WorkflowExecutionInfo info)
    {
        var row = new TableEntity(KeyEncoding.EscapeKey(domain), Key(index, time, info.Execution!.RunId!))
        {
            ["WorkflowId"] = info.Execution.WorkflowId,
            ["RunId"] = info.Execution.RunId,
            ["TypeName"] = info.WorkflowType!.Name,
            ["TypeVersion"] = info.WorkflowType.Version,
            ["StartTimestamp"] = info.StartTimestamp,
            ["CloseTimestamp"] = info.CloseTimestamp,
            ["ExecutionStatus"] = info.ExecutionStatus,
            ["CloseStatus"] = info.CloseStatus,
            ["CancelRequested"] = info.CancelRequested == true,
            ["ParentWorkflowId"] = info.Parent?.WorkflowId,
            ["ParentRunId"] = info.Parent?.RunId,
        };
        var tags = info.TagList ?? [];
        for (var i = 0; i < tags.Count && i < MaxTags; i++) row[$"Tag{i}"] = tags[i];
        return row;
    }

    private static WorkflowExecutionInfo FromRow(TableEntity row)
    {
        var tags = Enumerable.Range(0, MaxTags).Select(i => row.GetString($"Tag{i}")).OfType<string>().ToList();
        return new WorkflowExecutionInfo
        {
            Execution = new WorkflowExecution { WorkflowId = row.GetString("WorkflowId"), RunId = row.GetString("RunId") },
            WorkflowType = new WorkflowType { Name = row.GetString("TypeName"), Version = row.GetString("TypeVersion") },
            StartTimestamp = row.GetDateTimeOffset("StartTimestamp"),
            CloseTimestamp = row.GetDateTimeOffset("CloseTimestamp"),
            ExecutionStatus = row.GetString("ExecutionStatus"),
            CloseStatus = row.GetString("CloseStatus"),
            CancelRequested = row.GetBoolean("CancelRequested") ?? false,
            Parent = row.GetString("ParentRunId") is { } parentRun ? new WorkflowExecution { WorkflowId = row.GetString("ParentWorkflowId"), RunId = parentRun } : null,
            TagList = tags.Count == 0 ? null : tags,
        };
    }
}
