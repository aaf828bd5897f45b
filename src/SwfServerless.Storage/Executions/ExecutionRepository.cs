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
/// <param name="Pending">A large commit's overflow that may not be copied to its event rows yet: the next commit copies it first.</param>
public sealed record LoadedRun(string Partition, ExecutionState State, string ETag, DateTimeOffset? Alarm = null, PendingOverflow? Pending = null)
{
    /// <summary>This instance's copy (<see cref="RunCache"/>), which may be stale: good for a commit's first attempt only.</summary>
    public bool Cached { get; init; }
}

/// <summary>
/// Committed events [<paramref name="From"/>, <paramref name="To"/>] whose rows may still be only staged under
/// <see cref="ExecutionKeys.StagedEventRow"/> with <paramref name="Token"/>: the state row of the commit that won names
/// them until their copy to the event rows is done. LOAD-BEARING: stored on the state row (PendingToken/From/To).
/// </summary>
public sealed record PendingOverflow(string Token, long From, long To);

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

/// <summary>
/// A start was based on the workflowId's current-run row naming a closed run, and that row is gone: the closed run was
/// removed (retention) in between. Nothing was written; read the current run again and start afresh.
/// </summary>
public sealed class CurrentRunRemovedException(string partition)
    : Exception($"The current-run row of partition {partition} was removed while a start relied on it.");

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
/// Commit protocol: the run's state row (guarded by its ETag) carries <c>LastEventId</c>, and only a commit that won
/// writes event rows. A change fitting one entity-group transaction is committed at once. A bigger one stages its
/// overflow events under keys of its own (<see cref="ExecutionKeys.StagedEventRow"/>), then commits the state row, which
/// names them (<see cref="PendingOverflow"/>), with the first events; once it has won it copies the staged rows to their
/// event rows and clears the marker. A loser's staged rows are garbage nobody reads (removed with the run); a crash after
/// the win leaves the marker: readers read the staged rows, and the next commit of the run copies them first.
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
        var pending = ReadPending(row);
        // A row naming staged events is not kept: a commit from the copy would skip copying them first.
        if (pending is null) Cache.PutState(partition, runId, json, row.ETag.ToString(), alarm, state.LastEventId);
        else Cache.ForgetState(partition, runId);
        return new LoadedRun(partition, state, row.ETag.ToString(), alarm, pending);
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
        var commit = NewCommitId();
        var stateRow = StateRow(partition, state, alarm, commit);
        var head = new List<TableTransactionAction>
        {
            previous is null ? new TableTransactionAction(TableTransactionActionType.Add, current) : new TableTransactionAction(TableTransactionActionType.UpdateReplace, current, new ETag(previous.ETag)),
            new TableTransactionAction(TableTransactionActionType.Add, stateRow),
        };
        if (applied is not null) head.Add(new TableTransactionAction(TableTransactionActionType.Add, IntentRow(partition, applied, state.RunId)));
        var rows = EventRows(partition, state.RunId, events, commit);
        Staged? staged;
        try
        {
            (staged, var answers) = await CommitAsync(partition, state.RunId, stateRow, head, events, rows, ct);
            Remember(partition, stateRow, answers, head, staged, state, alarm, events, rows);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Storage may have applied the transaction though this call failed (see NewCommitId).
            if (await IsCommittedAsync(partition, state.RunId, commit, events, ct)) return;
            // The only row of the transaction that must exist is the previous current-run row: its closed run was removed.
            if (previous is not null && e is RequestFailedException { Status: 404 }) throw new CurrentRunRemovedException(partition);
            if (e is not RequestFailedException r || !(r.IsConcurrencyConflict() || r.IsEntityAlreadyExists())) throw;
            if (applied is not null && await GetIntentRunAsync(partition, applied, ct) is not null) throw new IntentAlreadyAppliedException(applied);
            throw SwfFault.WorkflowExecutionAlreadyStarted($"Workflow execution already started: workflowId={state.WorkflowId}");
        }
        await FinishAsync(partition, state.RunId, staged);
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
        // A large commit that won before this run was loaded may not have copied its staged events yet: this commit's
        // state row no longer names them, so they must be in their event rows first.
        if (run.Pending is { } earlier) await RollForwardAsync(run.Partition, state.RunId, earlier, ct);
        var commit = NewCommitId();
        var stateRow = StateRow(run.Partition, state, alarm, commit);
        var head = new List<TableTransactionAction> { new TableTransactionAction(TableTransactionActionType.UpdateReplace, stateRow, new ETag(run.ETag)) };
        List<TableEntity>? newRunRows = null;
        if (continuedAs is not null)
        {
            // The closing run's ETag guards the whole move: while it is open no other run of the workflowId can start,
            // so the current-row write needs no ETag of its own.
            head.Add(new TableTransactionAction(TableTransactionActionType.Add, StateRow(run.Partition, continuedAs.State, continuedAs.Alarm, commit)));
            head.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                new TableEntity(run.Partition, ExecutionKeys.CurrentRow) { ["RunId"] = continuedAs.State.RunId, ["Open"] = true }, ETag.All));
            // The new run's few first events go in the head: only this run's own events are ever staged.
            newRunRows = EventRows(run.Partition, continuedAs.State.RunId, continuedAs.Events, commit);
            head.AddRange(newRunRows.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row)));
        }
        else if (!state.IsOpen && events.Count > 0)
        {
            // Closing (events on a closed state: nothing records events once closed): the workflowId is free for a new
            // run in the same transaction. An alarm-only commit of a closed run must not touch the row: a newer run may own it.
            head.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(run.Partition, ExecutionKeys.CurrentRow) { ["Open"] = false }, ETag.All));
        }
        if (applied is not null) head.Add(new TableTransactionAction(TableTransactionActionType.Add, IntentRow(run.Partition, applied, state.RunId)));
        var rows = EventRows(run.Partition, state.RunId, events, commit);
        Staged? staged;
        try
        {
            (staged, var answers) = await CommitAsync(run.Partition, state.RunId, stateRow, head, events, rows, ct);
            Remember(run.Partition, stateRow, answers, head, staged, state, alarm, events, rows);
            if (continuedAs is not null)
            {
                var newRow = (TableEntity)head[1].Entity;
                Remember(run.Partition, newRow, answers, head, null, continuedAs.State, continuedAs.Alarm, continuedAs.Events, newRunRows!);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Cache.ForgetState(run.Partition, state.RunId);
            // Storage may have applied the transaction though this call failed (see NewCommitId).
            if (await IsCommittedAsync(run.Partition, state.RunId, commit, events, ct)) return true;
            // Changed (412) or, for a copy of this instance, removed since (404): the caller rereads the stored row.
            if (e is RequestFailedException r && (r.IsConcurrencyConflict() || (run.Cached && r.IsNotFound()))) return false;
            if (e is RequestFailedException a && a.IsEntityAlreadyExists() && applied is not null && await GetIntentRunAsync(run.Partition, applied, ct) is not null)
                throw new IntentAlreadyAppliedException(applied);
            throw;
        }
        if (run.Pending is { } rolled) await DeleteStagedAsync(run.Partition, state.RunId, rolled);
        await FinishAsync(run.Partition, state.RunId, staged);
        return true;
    }

    /// <summary>
    /// A fresh id for one commit, written into the state row it commits. A transaction can be applied by storage while
    /// the call fails: its answer lost (a timeout, a 5xx from a front end, a reset connection; the Tables SDK does not
    /// retry transactions) or a retry meeting its own result (412: the ETag moved; 409: its rows exist). The state row
    /// and the event rows carrying this id tell that this commit won (<see cref="IsCommittedAsync"/>), so the change is
    /// not reported as failed, which would make the client retry it and record it twice (a doubled signal), or as a
    /// conflict, which would make the caller redo it on top of itself.
    /// </summary>
    private static string NewCommitId() => UniqueIds.NewGuid().ToString("N");

    /// <summary>
    /// Whether the commit stamped <paramref name="commit"/> is in storage: the state row says so, or, when another commit
    /// landed on top of it before this look, its first event row does (every event row carries its commit's id). An
    /// alarm-only commit has no event to tell by: it counts as not committed, and redoing it is harmless.
    /// </summary>
    private async Task<bool> IsCommittedAsync(string partition, string runId, string commit, IReadOnlyList<HistoryEvent> events, CancellationToken ct)
    {
        var state = await Table.GetRowAsync(partition, ExecutionKeys.StateRow(runId), ["Commit", "LastEventId"], ct);
        if (state is null) return false;
        if (state.GetString("Commit") == commit) return true;
        if (events.Count == 0 || (state.GetInt64("LastEventId") ?? 0) < events[0].EventId) return false;
        var first = await Table.GetRowAsync(partition, ExecutionKeys.EventRow(runId, events[0].EventId!.Value), ["Commit"], ct);
        return first?.GetString("Commit") == commit;
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
        return row is not null ? ReadEvent(row) : (await ReadHistoryAsync(partition, runId, eventId, eventId, ct)).SingleOrDefault();
    }

    /// <summary>Committed events with ids in [from, to], ascending.</summary>
    /// <remarks>
    /// A missing event row is one a large commit has not copied yet (see <see cref="PendingOverflow"/>): the state row
    /// names its staged rows. Staged rows are deleted only after the marker is cleared, which is after the copy, so one
    /// more read of the event rows finds whatever the staged rows no longer hold.
    /// </remarks>
    public async Task<List<HistoryEvent>> ReadHistoryAsync(string partition, string runId, long from, long to, CancellationToken ct)
    {
        if (to < from) return [];
        // Committed events never change: the ones this instance committed need no read.
        if (Cache.Events(partition, runId, from, to) is { } known) return known;
        var found = await ReadEventRowsAsync(partition, ExecutionKeys.EventRow(runId, from), ExecutionKeys.EventRow(runId, to), ct);
        if (found.Count == to - from + 1) return [.. found.Values];
        var marker = await Table.GetRowAsync(partition, ExecutionKeys.StateRow(runId), ["PendingToken", "PendingFrom", "PendingTo"], ct);
        if (marker is not null && ReadPending(marker) is { } pending && pending.From <= to && pending.To >= from)
        {
            var staged = await ReadEventRowsAsync(partition, ExecutionKeys.StagedEventRow(runId, pending.Token, Math.Max(from, pending.From)),
                ExecutionKeys.StagedEventRow(runId, pending.Token, Math.Min(to, pending.To)), ct);
            foreach (var (id, e) in staged) found.TryAdd(id, e);
            if (found.Count == to - from + 1) return [.. found.Values];
        }
        foreach (var (id, e) in await ReadEventRowsAsync(partition, ExecutionKeys.EventRow(runId, from), ExecutionKeys.EventRow(runId, to), ct))
            found.TryAdd(id, e);
        return [.. found.Values];
    }

    private async Task<SortedDictionary<long, HistoryEvent>> ReadEventRowsAsync(string partition, string firstKey, string lastKey, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {firstKey} and RowKey le {lastKey}");
        var result = new SortedDictionary<long, HistoryEvent>();
        await foreach (var row in Table.QueryRowsAsync(filter, cancellationToken: ct))
        {
            var e = ReadEvent(row);
            result[e.EventId!.Value] = e;
        }
        return result;
    }

    /// <summary>
    /// What a successful commit leaves this instance: the committed state row under the ETag the transaction returned
    /// (none returned, or staged events the next commit must copy first: not kept, the next commit reads), and the
    /// events it made visible, as the JSON their <paramref name="rows"/> hold (serialized once, for the commit).
    /// </summary>
    private void Remember(string partition, TableEntity stateRow, IReadOnlyList<Response> answers, List<TableTransactionAction> head, Staged? staged,
        ExecutionState state, DateTimeOffset? alarm, IReadOnlyList<HistoryEvent> events, List<TableEntity> rows)
    {
        var index = head.FindIndex(a => ReferenceEquals(a.Entity, stateRow));
        if (staged is null && index >= 0 && index < answers.Count && answers[index].Headers.ETag is { } etag)
            Cache.PutState(partition, state.RunId, LargeText.Read(stateRow, "S")!, etag.ToString(), alarm, state.LastEventId);
        else
            Cache.ForgetState(partition, state.RunId);
        Cache.AddEvents(partition, state.RunId, events.Select((e, i) => (e.EventId!.Value, LargeText.Read(rows[i], "E")!)).ToList());
    }

    /// <summary>A large commit's staged overflow: its marker, its event rows (final keys) and the state row's ETag after the win.</summary>
    private sealed record Staged(PendingOverflow Pending, List<TableEntity> Rows, ETag? StateETag);

    /// <summary>
    /// Commits <paramref name="head"/> (the state row and what changes with it) with as many of the run's new events as
    /// fit its transaction. The rest is staged first, under keys of this attempt, and the state row names it: nothing a
    /// reader sees is written before the head wins, so a loser (412/409 on the head) changed nothing visible.
    /// </summary>
    /// <returns>The staged overflow, for <see cref="FinishAsync"/> (null when everything fit the head), and the head's answers.</returns>
    private async Task<(Staged? Staged, IReadOnlyList<Response> Answers)> CommitAsync(string partition, string runId, TableEntity stateRow, List<TableTransactionAction> head,
        IReadOnlyList<HistoryEvent> events, List<TableEntity> rows, CancellationToken ct)
    {
        var chars = head.Sum(a => ApproximateChars((TableEntity)a.Entity)) + 400; // 400: the marker the state row may gain
        var fit = 0;
        for (; fit < rows.Count && head.Count < MaxActions && chars + ApproximateChars(rows[fit]) <= MaxBatchChars; fit++)
        {
            head.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, rows[fit]));
            chars += ApproximateChars(rows[fit]);
        }
        PendingOverflow? pending = null;
        if (fit < rows.Count)
        {
            pending = new PendingOverflow(UniqueIds.NewGuid().ToString("N"), events[fit].EventId!.Value, events[^1].EventId!.Value);
            var staged = rows[fit..].Select((row, i) => Rekeyed(row, ExecutionKeys.StagedEventRow(runId, pending.Token, events[fit + i].EventId!.Value)));
            await UpsertAllAsync(staged, ct);
            stateRow["PendingToken"] = pending.Token;
            stateRow["PendingFrom"] = pending.From;
            stateRow["PendingTo"] = pending.To;
        }
        var answers = await Table.TransactAsync(head, ct);
        if (pending is null) return (null, answers);
        var stateAnswer = answers.ElementAtOrDefault(head.FindIndex(a => ReferenceEquals(a.Entity, stateRow)));
        return (new Staged(pending, rows[fit..], stateAnswer?.Headers.ETag), answers);
    }

    /// <summary>
    /// After a large commit won: copies its staged events to their event rows, clears the marker (if nobody committed
    /// since: whoever did has copied them first) and deletes the staged rows. Never throws: the commit is done, and
    /// whatever is left undone here (a failure, a crash) is what the next commit's <see cref="RollForwardAsync"/> and
    /// the readers handle.
    /// </summary>
    private async Task FinishAsync(string partition, string runId, Staged? staged)
    {
        if (staged is null) return;
        try
        {
            await UpsertAllAsync(staged.Rows, CancellationToken.None);
            if (staged.StateETag is not { } etag) return;
            await Table.UpdateRowAsync(new TableEntity(partition, ExecutionKeys.StateRow(runId)) { ["PendingToken"] = "" }, etag);
        }
        catch (Exception)
        {
            return; // the marker stays: readers read the staged rows, the next commit copies them
        }
        await DeleteStagedAsync(partition, runId, staged.Pending);
    }

    /// <summary>Copies staged events a loaded state row names to their event rows (idempotent: the same events, committed).</summary>
    private async Task RollForwardAsync(string partition, string runId, PendingOverflow pending, CancellationToken ct)
    {
        var prefix = ExecutionKeys.StagedEventRowPrefix(runId, pending.Token);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {prefix} and RowKey lt {prefix + "~"}");
        var rows = new List<TableEntity>();
        await foreach (var row in Table.QueryRowsAsync(filter, cancellationToken: ct))
            rows.Add(Rekeyed(row, ExecutionKeys.EventRow(runId, long.Parse(row.RowKey.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture))));
        await UpsertAllAsync(rows, ct);
    }

    /// <summary>Writes the rows (all of one partition) in as few transactions as the limits allow.</summary>
    private async Task UpsertAllAsync(IEnumerable<TableEntity> rows, CancellationToken ct)
    {
        foreach (var batch in Batches(rows))
            await Table.TransactAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)).ToList(), ct);
    }

    /// <summary>Deletes staged rows no state row names any more; best effort: what stays is garbage removed with the run.</summary>
    private async Task DeleteStagedAsync(string partition, string runId, PendingOverflow pending)
    {
        try
        {
            for (var from = pending.From; from <= pending.To; from += MaxActions)
            {
                var deletes = Enumerable.Range(0, (int)Math.Min(MaxActions, pending.To - from + 1))
                    .Select(i => new TableTransactionAction(TableTransactionActionType.Delete,
                        new TableEntity(partition, ExecutionKeys.StagedEventRow(runId, pending.Token, from + i)), ETag.All))
                    .ToList();
                await Table.TransactAsync(deletes);
            }
        }
        catch (Exception)
        {
            // 404: another committer deleted them first; anything else: garbage until the run is removed.
        }
    }

    private static IEnumerable<List<TableEntity>> Batches(IEnumerable<TableEntity> rows)
    {
        var batch = new List<TableEntity>();
        var chars = 0;
        foreach (var row in rows)
        {
            var rowChars = ApproximateChars(row);
            if (batch.Count > 0 && (batch.Count >= MaxActions || chars + rowChars > MaxBatchChars))
            {
                yield return batch;
                (batch, chars) = ([], 0);
            }
            batch.Add(row);
            chars += rowChars;
        }
        if (batch.Count > 0) yield return batch;
    }

    /// <summary>The same row's data under another key.</summary>
    private static TableEntity Rekeyed(TableEntity row, string rowKey)
    {
        var copy = new TableEntity(row.PartitionKey, rowKey);
        foreach (var (name, value) in row)
        {
            if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")) copy[name] = value;
        }
        return copy;
    }

    private static PendingOverflow? ReadPending(TableEntity stateRow) =>
        stateRow.GetString("PendingToken") is { Length: > 0 } token
            ? new PendingOverflow(token, stateRow.GetInt64("PendingFrom") ?? 0, stateRow.GetInt64("PendingTo") ?? 0)
            : null;

    private static TableEntity IntentRow(string partition, IntentMarker intent, string runId) =>
        new(partition, ExecutionKeys.IntentRow(intent.SourceRunId, intent.EventId, intent.Kind)) { ["RunId"] = runId };

    private static int ApproximateChars(TableEntity row) =>
        row.Sum(p => p.Value is string s ? s.Length + p.Key.Length + 16 : p.Key.Length + 32) + 200;

    private static TableEntity StateRow(string partition, ExecutionState state, DateTimeOffset? alarm, string commit)
    {
        var row = new TableEntity(partition, ExecutionKeys.StateRow(state.RunId))
        {
            ["Domain"] = state.Domain,
            ["WorkflowId"] = state.WorkflowId,
            ["LastEventId"] = state.LastEventId,
            ["Open"] = state.IsOpen,
            ["Commit"] = commit,
        };
        if (alarm is { } due) row["AlarmTicks"] = due.UtcTicks; // ticks: compared for equality, so no rounding by the service
        PendingTasks.Write(row, state); // what CountPending* sums: no write of its own
        LargeText.Write(row, "S", JsonSerializer.Serialize(state, ExecutionJsonContext.Default.ExecutionState));
        return row;
    }

    private static List<TableEntity> EventRows(string partition, string runId, IReadOnlyList<HistoryEvent> events, string commit) =>
        events.Select(e => EventRow(partition, runId, e, commit)).ToList();

    /// <param name="commit">The id of the commit that records the event (see <see cref="IsCommittedAsync"/>).</param>
    private static TableEntity EventRow(string partition, string runId, HistoryEvent e, string commit)
    {
        var row = new TableEntity(partition, ExecutionKeys.EventRow(runId, e.EventId!.Value)) { ["Type"] = e.EventType, ["Commit"] = commit };
        LargeText.Write(row, "E", JsonSerializer.Serialize(e, SwfJsonContext.Default.HistoryEvent));
        return row;
    }

    private static HistoryEvent ReadEvent(TableEntity row) =>
        JsonSerializer.Deserialize(LargeText.Read(row, "E")!, SwfJsonContext.Default.HistoryEvent)!;
}
