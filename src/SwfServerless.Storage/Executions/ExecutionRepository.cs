using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Storage.Executions;

/// <summary>A run's state as read, with the ETag that guards the next commit.</summary>
/// <param name="Alarm">When the run's one alarm reminder is due (see the engine): kept on the state row, outside the
/// state, because it is bookkeeping of this storage and not part of SWF's history.</param>
public sealed record LoadedRun(string Partition, ExecutionState State, string ETag, DateTimeOffset? Alarm = null)
{
    /// <summary>This instance's copy (<see cref="RunCache"/>), which may be stale: good for a commit's first attempt only.</summary>
    public bool Cached { get; init; }
}

/// <summary>The workflowId's latest run: whether it is still open decides whether a new one may start.</summary>
public sealed record CurrentRun(string RunId, bool Open, string ETag);

/// <summary>
/// An intent (another run's event, and what kind of change it asks for) that a commit to this partition carries out.
/// The commit adds its row (<see cref="ExecutionKeys.IntentRow"/>), so applying the same intent twice is impossible:
/// the second commit finds the row and writes nothing (<see cref="IntentAlreadyAppliedException"/>).
/// </summary>
public sealed record IntentMarker(string SourceRunId, long EventId, string Kind)
{
    /// <summary>Kinds. LOAD-BEARING: stored in row keys.</summary>
    public const string Child = "child", Signal = "signal", Cancel = "cancel", Policy = "policy";
}

/// <summary>The commit carries out an intent an earlier commit already carried out: nothing was written.</summary>
public sealed class IntentAlreadyAppliedException(IntentMarker marker)
    : Exception($"Intent {marker.Kind} of event {marker.EventId} of run {marker.SourceRunId} was already applied.")
{
    public IntentMarker Marker { get; } = marker;
}

/// <summary>A run started by the same commit that closes another run of the workflowId (ContinueAsNew), with its first alarm.</summary>
public sealed record NewRunRows(ExecutionState State, IReadOnlyList<HistoryEvent> Events, DateTimeOffset? Alarm = null);

/// <summary>
/// Runs, their history and the workflowId's current-run row, all in one partition per workflowId.
/// Commit protocol: the run's state row (guarded by its ETag) carries <c>LastEventId</c>; history rows past it
/// are invisible. A change fitting one entity-group transaction is committed at once; a bigger one writes its
/// history rows first (still invisible) and then commits the state row with the rest. A crash between the two
/// leaves only invisible rows, which the next commit overwrites.
/// </summary>
public sealed class ExecutionRepository(SwfTables tables)
{
    /// <summary>This instance's copies of the runs it used lately (see <see cref="RunCache"/>).</summary>
    public RunCache Cache { get; } = new();

    private const int MaxActions = 100;
    private const int MaxBatchChars = 1_500_000; // ~3 MiB of UTF-16 JSON: under the 4 MiB transaction limit with room for envelopes
    private TableClient Table => tables.Executions;

    public async Task<CurrentRun?> GetCurrentAsync(string partition, CancellationToken ct)
    {
        var row = await Table.GetRowAsync(partition, ExecutionKeys.CurrentRow, cancellationToken: ct);
        return row is null ? null : new CurrentRun(row.GetString("RunId")!, row.GetBoolean("Open") == true, row.ETag.ToString());
    }

    public async Task<LoadedRun?> LoadAsync(string partition, string runId, CancellationToken ct)
    {
        var row = await Table.GetRowAsync(partition, ExecutionKeys.StateRow(runId), cancellationToken: ct);
        if (row is null) return null;
        var json = LargeText.Read(row, "S")!;
        var state = JsonSerializer.Deserialize(json, ExecutionJsonContext.Default.ExecutionState)!;
        var alarm = row.GetInt64("AlarmTicks") is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : (DateTimeOffset?)null;
        Cache.PutState(partition, runId, json, row.ETag.ToString(), alarm, state.LastEventId);
        return new LoadedRun(partition, state, row.ETag.ToString(), alarm);
    }

    /// <summary>
    /// This instance's copy of the run if it has one (<see cref="LoadedRun.Cached"/>), else the stored row. Only for the
    /// first attempt of a commit: a stale copy fails the commit's ETag, and whatever is decided without a commit must be
    /// decided again on <see cref="LoadAsync"/>.
    /// </summary>
    public async Task<LoadedRun?> LoadCachedAsync(string partition, string runId, CancellationToken ct) =>
        Cache.State(partition, runId) ?? await LoadAsync(partition, runId, ct);

    /// <summary>The named run, or without a runId the workflowId's latest run.</summary>
    public async Task<LoadedRun?> FindAsync(string domain, string workflowId, string? runId, CancellationToken ct)
    {
        var partition = ExecutionKeys.Partition(domain, workflowId);
        runId ??= (await GetCurrentAsync(partition, ct))?.RunId;
        return runId is null ? null : await LoadAsync(partition, runId, ct);
    }

    /// <summary>
    /// Commits a new run and makes it the workflowId's current run. Throws WorkflowExecutionAlreadyStartedFault
    /// when another run is open, including one that a racing caller started first.
    /// </summary>
    /// <param name="alarm">The run's first alarm (see <see cref="LoadedRun.Alarm"/>).</param>
    /// <param name="applied">The intent this start carries out (a parent's StartChildWorkflowExecution): recorded with
    /// the run; <see cref="IntentAlreadyAppliedException"/> when an earlier delivery already started it.</param>
    public async Task CommitNewRunAsync(string partition, CurrentRun? previous, ExecutionState state, IReadOnlyList<HistoryEvent> events, DateTimeOffset? alarm,
        CancellationToken ct, IntentMarker? applied = null)
    {
        var current = new TableEntity(partition, ExecutionKeys.CurrentRow) { ["RunId"] = state.RunId, ["Open"] = true };
        var head = new List<TableTransactionAction>
        {
            previous is null ? new TableTransactionAction(TableTransactionActionType.Add, current) : new TableTransactionAction(TableTransactionActionType.UpdateReplace, current, new ETag(previous.ETag)),
            new TableTransactionAction(TableTransactionActionType.Add, StateRow(partition, state, alarm)),
        };
        if (applied is not null) head.Add(new TableTransactionAction(TableTransactionActionType.Add, IntentRow(partition, applied, state.RunId)));
        var eventRows = EventRows(partition, state.RunId, events);
        try
        {
            var done = await CommitAsync(head, eventRows, ct);
            Remember(partition, head[1], done, 1, state, alarm, events, eventRows);
        }
        catch (RequestFailedException e) when (e.IsConcurrencyConflict() || e.IsEntityAlreadyExists())
        {
            if (applied is not null && await GetIntentRunAsync(partition, applied, ct) is not null) throw new IntentAlreadyAppliedException(applied);
            throw SwfFault.WorkflowExecutionAlreadyStarted($"Workflow execution already started: workflowId={state.WorkflowId}");
        }
    }

    /// <summary>Commits a change to an existing run; false when the run changed since it was loaded (reload and redo).</summary>
    public Task<bool> TryCommitAsync(LoadedRun run, ExecutionState state, IReadOnlyList<HistoryEvent> events, DateTimeOffset? alarm, CancellationToken ct) =>
        TryCommitAsync(run, state, events, alarm, null, null, ct);

    /// <summary>
    /// Commits a change to an existing run (no events: only its alarm moves); false when the run changed since it was
    /// loaded (reload and redo). A run that closes frees its workflowId in the same transaction (the current-run row
    /// says closed); a run that continues as new closes and makes <paramref name="continuedAs"/> the current run in the
    /// same transaction.
    /// </summary>
    /// <param name="alarm">The run's alarm after this commit (see <see cref="LoadedRun.Alarm"/>).</param>
    /// <param name="applied">The intent this change carries out: recorded with it; <see cref="IntentAlreadyAppliedException"/>
    /// (nothing written) when an earlier commit already carried it out.</param>
    public async Task<bool> TryCommitAsync(LoadedRun run, ExecutionState state, IReadOnlyList<HistoryEvent> events, DateTimeOffset? alarm,
        NewRunRows? continuedAs, IntentMarker? applied, CancellationToken ct)
    {
        var head = new List<TableTransactionAction> { new TableTransactionAction(TableTransactionActionType.UpdateReplace, StateRow(run.Partition, state, alarm), new ETag(run.ETag)) };
        var eventRows = EventRows(run.Partition, state.RunId, events);
        if (continuedAs is not null)
        {
            // The closing run's ETag guards the whole move: while it is open no other run of the workflowId can start,
            // so the current-row write needs no ETag of its own.
            head.Add(new TableTransactionAction(TableTransactionActionType.Add, StateRow(run.Partition, continuedAs.State, continuedAs.Alarm)));
            head.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                new TableEntity(run.Partition, ExecutionKeys.CurrentRow) { ["RunId"] = continuedAs.State.RunId, ["Open"] = true }, ETag.All));
            eventRows.AddRange(EventRows(run.Partition, continuedAs.State.RunId, continuedAs.Events));
        }
        else if (!state.IsOpen && events.Count > 0)
        {
            // Closing (events on a closed state: nothing records events once closed): the workflowId is free for a new
            // run in the same transaction. An alarm-only commit of a closed run must not touch the row: a newer run may own it.
            head.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(run.Partition, ExecutionKeys.CurrentRow) { ["Open"] = false }, ETag.All));
        }
        if (applied is not null) head.Add(new TableTransactionAction(TableTransactionActionType.Add, IntentRow(run.Partition, applied, state.RunId)));
        try
        {
            var done = await CommitAsync(head, eventRows, ct);
            Remember(run.Partition, head[0], done, 0, state, alarm, events, eventRows);
            if (continuedAs is not null) Remember(run.Partition, head[1], done, 1, continuedAs.State, continuedAs.Alarm, continuedAs.Events, eventRows[events.Count..]);
            return true;
        }
        catch (RequestFailedException e) when (e.IsConcurrencyConflict() || (run.Cached && e.IsNotFound()))
        {
            // Changed (412) or, for a copy of this instance, removed since (404): the caller rereads the stored row.
            Cache.ForgetState(run.Partition, state.RunId);
            return false;
        }
        catch (RequestFailedException e) when (e.IsEntityAlreadyExists() && applied is not null)
        {
            if (await GetIntentRunAsync(run.Partition, applied, ct) is not null) throw new IntentAlreadyAppliedException(applied);
            throw;
        }
    }

    /// <summary>The run an intent was applied to in this partition, or null if it was not applied here.</summary>
    public async Task<string?> GetIntentRunAsync(string partition, IntentMarker intent, CancellationToken ct)
    {
        var row = await Table.GetRowAsync(partition, ExecutionKeys.IntentRow(intent.SourceRunId, intent.EventId, intent.Kind), ["RunId"], ct);
        return row?.GetString("RunId");
    }

    /// <summary>
    /// Keeps an activity's latest heartbeat in its own row, apart from the run's state row, so that heartbeats of
    /// many parallel activities never contend on the run's ETag.
    /// </summary>
    public Task RecordHeartbeatAsync(string partition, string runId, long scheduledEventId, long startedEventId, string? details, DateTimeOffset at, CancellationToken ct) =>
        Table.UpsertRowAsync(new TableEntity(partition, ExecutionKeys.HeartbeatRow(runId, scheduledEventId))
        {
            ["StartedEventId"] = startedEventId,
            ["Details"] = details ?? "",
            ["At"] = at,
        }, TableUpdateMode.Replace, ct);

    /// <summary>The run's last heartbeats by scheduledEventId: one query, however many activities heartbeat.</summary>
    public async Task<Dictionary<long, LastHeartbeat>> ReadHeartbeatsAsync(string partition, string runId, CancellationToken ct)
    {
        var prefix = ExecutionKeys.HeartbeatRowPrefix(runId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {prefix} and RowKey lt {prefix + "~"}");
        var result = new Dictionary<long, LastHeartbeat>();
        await foreach (var row in Table.QueryRowsAsync(filter, cancellationToken: ct))
        {
            var scheduledEventId = long.Parse(row.RowKey.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
            var details = row.GetString("Details");
            result[scheduledEventId] = new LastHeartbeat(row.GetInt64("StartedEventId") ?? 0, string.IsNullOrEmpty(details) ? null : details,
                row.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue);
        }
        return result;
    }

    /// <summary>Records that the intent of <paramref name="eventId"/> of this closed run was carried out (see <see cref="ExecutionKeys.IntentDoneRow"/>).</summary>
    public Task MarkIntentDoneAsync(string partition, string runId, long eventId, CancellationToken ct) =>
        Table.UpsertRowAsync(new TableEntity(partition, ExecutionKeys.IntentDoneRow(runId, eventId)), TableUpdateMode.Replace, ct);

    /// <summary>The events of the run whose intents were marked done.</summary>
    public async Task<HashSet<long>> ReadIntentsDoneAsync(string partition, string runId, CancellationToken ct)
    {
        var prefix = ExecutionKeys.IntentDoneRowPrefix(runId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {prefix} and RowKey lt {prefix + "~"}");
        var result = new HashSet<long>();
        await foreach (var row in Table.QueryRowsAsync(filter, select: [], cancellationToken: ct))
            result.Add(long.Parse(row.RowKey.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture));
        return result;
    }

    /// <summary>
    /// Removes a closed run: the current-run row if it still names it (a newer run may have taken it: then its ETag
    /// changed and it stays), its history, heartbeat and intent-done rows, the intent rows naming it, and the state
    /// row LAST, so that a crash part-way leaves the state row and whoever retries finds the run and finishes.
    /// Idempotent. Nothing of another run is touched, except the one intent row a chain of ContinueAsNew shares.
    /// </summary>
    /// <remarks>
    /// A child's start is recorded by an intent row naming the run it created, the first of its chain: while the
    /// chain continues (this run continued as new) that row stays, because the parent may still need to learn which
    /// run it started; the chain's last run takes it along.
    /// </remarks>
    public async Task RemoveRunAsync(string partition, ExecutionState closed, CancellationToken ct)
    {
        if (closed.IsOpen) throw new InvalidOperationException($"Run {closed.RunId} is open: only closed runs are removed.");
        var runId = closed.RunId;
        Cache.Remove(partition, runId);
        var current = await GetCurrentAsync(partition, ct);
        if (current is { Open: false } && current.RunId == runId)
        {
            try { await Table.DeleteRowAsync(partition, ExecutionKeys.CurrentRow, new ETag(current.ETag), ct); }
            catch (RequestFailedException e) when (e.IsConcurrencyConflict()) { } // a new run started meanwhile: the row is its now
        }

        string? chainStart = closed is { ParentWorkflowExecution.RunId: { } parentRunId, ParentInitiatedEventId: { } initiated }
            ? ExecutionKeys.IntentRow(parentRunId, initiated, IntentMarker.Child)
            : null;
        var chainContinues = closed.CloseStatus == CloseStatus.ContinuedAsNew;
        var keys = new List<string>();
        var runRows = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {ExecutionKeys.RunRowPrefix(runId)} and RowKey lt {ExecutionKeys.RunRowPrefix(runId) + "~"}");
        await foreach (var row in Table.QueryRowsAsync(runRows, select: [], cancellationToken: ct)) keys.Add(row.RowKey);
        var intentRows = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey gt {ExecutionKeys.IntentRowPrefix} and RowKey lt {ExecutionKeys.IntentRowPrefix + "~"} and RunId eq {runId}");
        await foreach (var row in Table.QueryRowsAsync(intentRows, select: [], cancellationToken: ct))
        {
            if (!(chainContinues && row.RowKey == chainStart)) keys.Add(row.RowKey);
        }
        foreach (var chunk in keys.Chunk(MaxActions))
        {
            var deletes = chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All)).ToList();
            try { await Table.TransactAsync(deletes, ct); }
            catch (RequestFailedException e) when (e.IsNotFound())
            {
                // Another remover got some of them first: delete the rest one by one.
                foreach (var k in chunk) await Table.DeleteRowAsync(partition, k, cancellationToken: ct);
            }
        }
        // The chain's last run: its start's row names the chain's first run (removed earlier, or this one).
        if (chainStart is not null && !chainContinues) await Table.DeleteRowAsync(partition, chainStart, cancellationToken: ct);
        await Table.DeleteRowAsync(partition, ExecutionKeys.StateRow(runId), cancellationToken: ct);
    }

    public async Task<HistoryEvent?> GetEventAsync(string partition, string runId, long eventId, CancellationToken ct)
    {
        var row = await Table.GetRowAsync(partition, ExecutionKeys.EventRow(runId, eventId), cancellationToken: ct);
        return row is null ? null : ReadEvent(row);
    }

    /// <summary>Committed events with ids in [from, to], ascending.</summary>
    public async Task<List<HistoryEvent>> ReadHistoryAsync(string partition, string runId, long from, long to, CancellationToken ct)
    {
        var result = new List<HistoryEvent>();
        if (to < from) return result;
        // Committed events never change: the ones this instance committed need no read.
        if (Cache.Events(partition, runId, from, to) is { } known) return known;
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {ExecutionKeys.EventRow(runId, from)} and RowKey le {ExecutionKeys.EventRow(runId, to)}");
        await foreach (var row in Table.QueryRowsAsync(filter, cancellationToken: ct)) result.Add(ReadEvent(row));
        return result;
    }

    /// <summary>
    /// What a successful commit leaves this instance: the committed state row under the ETag the transaction returned
    /// (none returned: not kept, the next commit reads), and the events it made visible.
    /// </summary>
    private void Remember(string partition, TableTransactionAction stateRow, IReadOnlyList<Response> done, int index, ExecutionState state,
        DateTimeOffset? alarm, IReadOnlyList<HistoryEvent> events, List<TableTransactionAction> eventRows)
    {
        if (index < done.Count && done[index].Headers.ETag is { } etag)
            Cache.PutState(partition, state.RunId, LargeText.Read((TableEntity)stateRow.Entity, "S")!, etag.ToString(), alarm, state.LastEventId);
        else
            Cache.ForgetState(partition, state.RunId);
        Cache.AddEvents(partition, state.RunId, events.Select((e, i) => (e.EventId!.Value, LargeText.Read((TableEntity)eventRows[i].Entity, "E")!)).ToList());
    }

    /// <summary>The commit protocol; returns the answers of the last transaction, the one with the state row.</summary>
    private async Task<IReadOnlyList<Response>> CommitAsync(List<TableTransactionAction> head, List<TableTransactionAction> eventRows, CancellationToken ct)
    {
        var batches = new List<List<TableTransactionAction>>();
        var rest = new List<TableTransactionAction>(head);
        var restChars = head.Sum(ApproximateChars);
        foreach (var row in eventRows)
        {
            var chars = ApproximateChars(row);
            if (rest.Count < MaxActions && restChars + chars <= MaxBatchChars) { rest.Add(row); restChars += chars; continue; }
            // Too big for one transaction: the overflow is written ahead, invisible until the head commits.
            if (batches.Count == 0 || batches[^1].Count >= MaxActions || batches[^1].Sum(ApproximateChars) + chars > MaxBatchChars)
                batches.Add([]);
            batches[^1].Add(row);
        }
        foreach (var batch in batches) await Table.TransactAsync(batch, ct);
        return await Table.TransactAsync(rest, ct);
    }

    private static List<TableTransactionAction> EventRows(string partition, string runId, IReadOnlyList<HistoryEvent> events) =>
        events.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, EventRow(partition, runId, e))).ToList();

    private static TableEntity IntentRow(string partition, IntentMarker intent, string runId) =>
        new(partition, ExecutionKeys.IntentRow(intent.SourceRunId, intent.EventId, intent.Kind)) { ["RunId"] = runId };

    private static int ApproximateChars(TableTransactionAction action) =>
        ((TableEntity)action.Entity).Sum(p => p.Value is string s ? s.Length + p.Key.Length + 16 : p.Key.Length + 32) + 200;

    private static TableEntity StateRow(string partition, ExecutionState state, DateTimeOffset? alarm)
    {
        var row = new TableEntity(partition, ExecutionKeys.StateRow(state.RunId))
        {
            ["Domain"] = state.Domain,
            ["WorkflowId"] = state.WorkflowId,
            ["LastEventId"] = state.LastEventId,
            ["Open"] = state.IsOpen,
        };
        if (alarm is { } due) row["AlarmTicks"] = due.UtcTicks; // ticks: compared for equality, so no rounding by the service
        PendingTasks.Write(row, state); // what CountPending* sums: no write of its own
        LargeText.Write(row, "S", JsonSerializer.Serialize(state, ExecutionJsonContext.Default.ExecutionState));
        return row;
    }

    private static TableEntity EventRow(string partition, string runId, HistoryEvent e)
    {
        var row = new TableEntity(partition, ExecutionKeys.EventRow(runId, e.EventId!.Value)) { ["Type"] = e.EventType };
        LargeText.Write(row, "E", JsonSerializer.Serialize(e, SwfJsonContext.Default.HistoryEvent));
        return row;
    }

    private static HistoryEvent ReadEvent(TableEntity row) =>
        JsonSerializer.Deserialize(LargeText.Read(row, "E")!, SwfJsonContext.Default.HistoryEvent)!;
}
