using System.Text.Json;
using Azure.Data.Tables;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Domains;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Time;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Checker;

/// <summary>
/// Walks every execution of a store and reports each broken promise (<see cref="Violation"/>). Read-only: it queries
/// and point-reads tables, nothing else. On a live store rows move under the walk, so a partition (one workflowId) that
/// shows a violation is read and judged again, and only what persists is reported; work that crosses executions gets
/// <see cref="CheckOptions.Settle"/> to land.
/// </summary>
/// <remarks>
/// Memory: one partition's rows at a time, plus a few dozen bytes per run (the index rows are matched to runs at the end).
/// </remarks>
public sealed class ConsistencyChecker(SwfTables tables, TimeProvider? clock = null)
{
    public async Task<CheckReport> CheckAsync(CheckOptions? options, IProgress<CheckProgress>? progress, CancellationToken ct)
    {
        options ??= new CheckOptions();
        var walk = new Walk(tables, options, options.Now ?? (clock ?? TimeProvider.System).GetUtcNow(), progress);
        await walk.RunAsync(ct);
        return walk.Report;
    }

    /// <summary>What the walk remembers of a run for the cross-partition rules at the end.</summary>
    private sealed record RunFacts(string Partition, string Domain, string WorkflowId, bool Open, bool AwaitingRemoval);

    /// <summary>A child's first run (the one its parent's ChildWorkflowExecutionStarted names).</summary>
    private sealed record ChildRun(string Execution, string RunId, string ParentRunId, long InitiatedEventId, DateTimeOffset Started);

    /// <summary>What judging one partition found; merged into the report once it is final (see <see cref="Walk.CheckPartitionAsync"/>).</summary>
    private sealed class PartitionResult
    {
        public List<Violation> Violations { get; } = [];
        /// <summary>Index disagreements: violations unless the run's visibility repair is still pending.</summary>
        public List<(string RunId, Violation Violation)> IndexViolations { get; } = [];
        public List<UnrecognisedRow> Unrecognised { get; } = [];
        public Dictionary<string, RunFacts> Runs { get; } = [];
        public List<ChildClaim> Claims { get; } = [];
        public List<ChildRun> Children { get; } = [];
        public long Open, Closed, AwaitingRemoval, Events, Invisible;
    }

    private sealed class Walk(SwfTables tables, CheckOptions options, DateTimeOffset now, IProgress<CheckProgress>? progress)
    {
        private readonly VisibilityRepository visibility = new(tables);
        private readonly DomainRepository domains = new(tables);
        private readonly Dictionary<string, int> retentionDays = new(StringComparer.Ordinal);
        private readonly Dictionary<string, RunFacts> runs = new(StringComparer.Ordinal);
        private readonly List<ChildClaim> claims = [];
        private readonly List<ChildRun> children = [];
        private readonly List<(string RunId, Violation Violation)> indexViolations = [];

        public CheckReport Report { get; } = new();

        public async Task RunAsync(CancellationToken ct)
        {
            var partition = new List<TableEntity>();
            await foreach (var row in tables.Executions.QueryRowsAsync(cancellationToken: ct))
            {
                Report.Rows++;
                if (partition.Count > 0 && partition[0].PartitionKey != row.PartitionKey)
                {
                    await CheckPartitionAsync(partition, ct);
                    partition = [];
                }
                partition.Add(row);
            }
            if (partition.Count > 0) await CheckPartitionAsync(partition, ct);

            var repairsPending = await VisibilityRepairsPendingAsync(ct);
            foreach (var (runId, violation) in indexViolations)
                if (!repairsPending.Contains(runId)) Report.Violations.Add(violation);
            await CheckIndexRowsAsync(repairsPending, ct);
            CheckChildren();
            progress?.Report(new CheckProgress(Report.Executions, Report.Events, Report.Rows));
        }

        /// <summary>
        /// Judges one workflowId's rows. A violation may be a write in flight on a live store (a commit between two of the
        /// walk's reads): the partition is read again and judged afresh, and that second judgement is the one kept.
        /// </summary>
        private async Task CheckPartitionAsync(List<TableEntity> rows, CancellationToken ct)
        {
            var result = await JudgePartitionAsync(rows, ct);
            if (result.Violations.Count > 0 || result.IndexViolations.Count > 0)
            {
                var partition = rows[0].PartitionKey;
                var again = new List<TableEntity>();
                await foreach (var row in tables.Executions.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: ct))
                    again.Add(row);
                result = await JudgePartitionAsync(again, ct);
            }
            Report.Executions += result.Runs.Count;
            Report.Open += result.Open;
            Report.Closed += result.Closed;
            Report.AwaitingRemoval += result.AwaitingRemoval;
            Report.Events += result.Events;
            Report.InvisibleEventRows += result.Invisible;
            Report.Violations.AddRange(result.Violations);
            Report.Unrecognised.AddRange(result.Unrecognised);
            indexViolations.AddRange(result.IndexViolations);
            foreach (var (runId, facts) in result.Runs) runs[runId] = facts;
            claims.AddRange(result.Claims);
            children.AddRange(result.Children);
            progress?.Report(new CheckProgress(Report.Executions, Report.Events, Report.Rows));
        }

        private async Task<PartitionResult> JudgePartitionAsync(List<TableEntity> rows, CancellationToken ct)
        {
            var result = new PartitionResult();
            var partition = rows[0].PartitionKey;
            TableEntity? current = null;
            var states = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            var events = new Dictionary<string, List<(long Id, TableEntity Row)>>(StringComparer.Ordinal);
            var runRows = new Dictionary<string, int>(StringComparer.Ordinal); // rows under r|{runId}| other than events
            var intents = new List<(ExecutionRowKey Key, TableEntity Row)>();
            foreach (var row in rows)
            {
                var key = ExecutionRowKey.Parse(row.RowKey);
                switch (key.Kind)
                {
                    case RowKind.Current: current = row; break;
                    case RowKind.State: states[key.RunId!] = row; break;
                    case RowKind.Event:
                        if (!events.TryGetValue(key.RunId!, out var list)) events[key.RunId!] = list = [];
                        list.Add((key.Number, row));
                        break;
                    case RowKind.Heartbeat or RowKind.IntentDone: runRows[key.RunId!] = runRows.GetValueOrDefault(key.RunId!) + 1; break;
                    case RowKind.Intent: intents.Add((key, row)); break;
                    default: result.Unrecognised.Add(new UnrecognisedRow("Executions", partition, row.RowKey)); break;
                }
            }

            var loaded = new Dictionary<string, (ExecutionState State, TableEntity Row)>(StringComparer.Ordinal);
            foreach (var (runId, row) in states)
            {
                try { loaded[runId] = (JsonSerializer.Deserialize(LargeText.Read(row, "S")!, ExecutionJsonContext.Default.ExecutionState)!, row); }
                catch (Exception e) when (e is JsonException or ArgumentNullException)
                {
                    result.Violations.Add(new Violation($"{partition}/{runId}", "state.unreadable", e.Message));
                }
            }

            // Rows of a run whose state row is gone: a removal deletes the state row last, so these are debris.
            foreach (var runId in events.Keys.Concat(runRows.Keys).Distinct().Where(r => !states.ContainsKey(r)))
                result.Violations.Add(new Violation($"{partition}/{runId}", "orphan.run-rows",
                    $"{events.GetValueOrDefault(runId)?.Count ?? 0} event rows and {runRows.GetValueOrDefault(runId)} other rows under r|{runId}| without a state row"));
            foreach (var (key, row) in intents)
            {
                var target = row.GetString("RunId");
                if (target is not null && states.ContainsKey(target)) continue;
                // A child's start row names its chain's first run, and stays while a later run of the chain carries the parent on.
                var chainGoesOn = row.RowKey.EndsWith("|" + IntentMarker.Child, StringComparison.Ordinal)
                    && loaded.Values.Any(r => r.State.ParentWorkflowExecution?.RunId == key.RunId && r.State.ParentInitiatedEventId == key.Number);
                if (!chainGoesOn)
                    result.Violations.Add(new Violation($"{partition}/{row.RowKey}", "orphan.intent", $"the intent row names run {target}, which has no state row"));
            }

            CheckCurrentRow(partition, current, loaded, result);
            foreach (var (runId, (state, row)) in loaded)
                await CheckRunAsync(partition, state, row, events.GetValueOrDefault(runId) ?? [], result, ct);

            // One initiation, one child: two first runs for it in this workflowId mean the start was carried out twice.
            foreach (var twice in result.Children.GroupBy(c => (c.ParentRunId, c.InitiatedEventId)).Where(g => g.Count() > 1))
                result.Violations.Add(new Violation(twice.First().Execution, "child.started-twice",
                    $"initiation {twice.Key.InitiatedEventId} of run {twice.Key.ParentRunId} started runs {string.Join(", ", twice.Select(c => c.RunId))}"));
            return result;
        }

        /// <summary>One open run at most per workflowId, and the current-run row names it (or the latest run, closed).</summary>
        private static void CheckCurrentRow(string partition, TableEntity? current, Dictionary<string, (ExecutionState State, TableEntity Row)> loaded, PartitionResult result)
        {
            var open = loaded.Values.Where(r => r.State.IsOpen).Select(r => r.State).ToList();
            if (open.Count > 1)
                result.Violations.Add(new Violation(Name(open[0]), "current.two-open", $"open runs of one workflowId: {string.Join(", ", open.Select(s => s.RunId))}"));
            if (current is null)
            {
                if (open.Count > 0) result.Violations.Add(new Violation(Name(open[0]), "current.missing", "an open run and no current-run row"));
                return;
            }
            var runId = current.GetString("RunId");
            if (runId is null || !loaded.TryGetValue(runId, out var named))
            {
                result.Violations.Add(new Violation($"{partition}/{ExecutionKeys.CurrentRow}", "current.missing-run", $"the current-run row names run {runId}, which has no state row"));
                return;
            }
            if ((current.GetBoolean("Open") == true) != named.State.IsOpen)
                result.Violations.Add(new Violation(Name(named.State), "current.open-mismatch", $"the current-run row says open={current.GetBoolean("Open")}, the run is {named.State.ExecutionStatus}"));
            if (open.Count > 0 && open.All(s => s.RunId != runId))
                result.Violations.Add(new Violation(Name(open[0]), "current.not-current", $"the run is open but the current-run row names {runId}"));
        }

        private async Task CheckRunAsync(string partition, ExecutionState state, TableEntity row, List<(long Id, TableEntity Row)> eventRows, PartitionResult result, CancellationToken ct)
        {
            var name = Name(state);
            void Violation(string rule, string detail) => result.Violations.Add(new Violation(name, rule, detail));

            // A closed run past its retention may be part-way through removal (index rows, history, then state row): not judged.
            var awaitingRemoval = !state.IsOpen && now >= state.CloseTimestamp!.Value + TimeSpan.FromDays(await RetentionDaysAsync(state.Domain, ct));
            result.Runs[state.RunId] = new RunFacts(partition, state.Domain, state.WorkflowId, state.IsOpen, awaitingRemoval);
            if (awaitingRemoval) { result.AwaitingRemoval++; return; }
            if (state.IsOpen) result.Open++; else result.Closed++;

            // History: ids 1..LastEventId, each once, each row holding the event its key names. Rows past LastEventId are invisible.
            var committed = eventRows.Where(e => e.Id <= state.LastEventId).OrderBy(e => e.Id).ToList();
            result.Invisible += eventRows.Count - committed.Count;
            result.Events += committed.Count;
            if (committed.Count != state.LastEventId)
                Violation("history.gap", $"LastEventId is {state.LastEventId} but events {Missing(committed.Select(e => e.Id), state.LastEventId)} are missing");
            var history = new List<StoredEvent>(committed.Count);
            foreach (var (id, eventRow) in committed)
            {
                StoredEvent e;
                try { e = StoredEvent.Parse(LargeText.Read(eventRow, "E")!); }
                catch (Exception x) when (x is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentNullException)
                {
                    Violation("history.unreadable", $"event row {id}: {x.Message}");
                    continue;
                }
                if (e.Id != id) Violation("history.event-id", $"row of event {id} holds event {e.Id}");
                history.Add(e);
            }
            HistoryRules.Check(name, state, history, Violation, result.Claims);

            // An open run always has an alarm (its execution timeout at the latest) with a reminder row the sweep will find.
            if (state.IsOpen && !await AlarmPendingAsync(partition, state.RunId, row, ct))
            {
                if (state.ExecutionTimeoutDue is { } due && due <= now)
                    Violation("execution.stuck", $"open past its execution timeout ({due:O}) and no alarm will close it");
                else
                    Violation("execution.no-alarm", "open, and no alarm reminder: its deadlines would never fire");
            }

            if (state.ParentWorkflowExecution is { RunId: { } parentRunId } && state.ContinuedExecutionRunId is null && state.ParentInitiatedEventId is { } initiated)
                result.Children.Add(new ChildRun(name, state.RunId, parentRunId, initiated, state.StartTimestamp));

            await CheckIndexAsync(state, result, ct);
        }

        /// <summary>The run's alarm (on its state row) has its reminder row.</summary>
        private async Task<bool> AlarmPendingAsync(string partition, string runId, TableEntity row, CancellationToken ct)
        {
            if (row.GetInt64("AlarmTicks") is not { } ticks) return false;
            var reminder = Reminder.Alarm(new DateTimeOffset(ticks, TimeSpan.Zero), partition, runId);
            Report.Rows++;
            return await tables.Reminders.GetRowAsync(reminder.PartitionKey, reminder.RowKey, ["RunId"], ct) is not null;
        }

        /// <summary>The index rows the run should have (open: by start; closed: by start and by close) exist and say what its state says.</summary>
        private async Task CheckIndexAsync(ExecutionState state, PartitionResult result, CancellationToken ct)
        {
            var expected = state.Info();
            var indexes = state.IsOpen ? new[] { ("o", state.StartTimestamp) } : [("c", state.StartTimestamp), ("x", state.CloseTimestamp!.Value)];
            foreach (var (index, at) in indexes)
            {
                var (page, _) = await visibility.ListAsync(state.Domain, index, at, at, new VisibilityFilter(WorkflowId: state.WorkflowId), 100, null, false, ct);
                Report.Rows += page.Count;
                var row = page.FirstOrDefault(i => i.Execution?.RunId == state.RunId);
                var problem = row is null ? "missing" : Differences(expected, row);
                if (problem.Length > 0)
                    result.IndexViolations.Add((state.RunId, new Violation(Name(state), "visibility.mismatch", $"index '{index}' row: {problem}")));
            }
        }

        private static string Differences(WorkflowExecutionInfo want, WorkflowExecutionInfo got)
        {
            var diffs = new List<string>();
            void Compare(string field, object? a, object? b) { if (!Equals(a, b)) diffs.Add($"{field} {b ?? "null"} (state: {a ?? "null"})"); }
            Compare("workflowId", want.Execution!.WorkflowId, got.Execution?.WorkflowId);
            Compare("type", $"{want.WorkflowType!.Name}/{want.WorkflowType.Version}", $"{got.WorkflowType?.Name}/{got.WorkflowType?.Version}");
            Compare("start", Ms(want.StartTimestamp), Ms(got.StartTimestamp));
            Compare("close", Ms(want.CloseTimestamp), Ms(got.CloseTimestamp));
            Compare("status", want.ExecutionStatus, got.ExecutionStatus);
            Compare("closeStatus", want.CloseStatus, got.CloseStatus);
            Compare("cancelRequested", want.CancelRequested == true, got.CancelRequested == true);
            Compare("parent", want.Parent?.RunId, got.Parent?.RunId);
            Compare("tags", string.Join(",", (want.TagList ?? []).Take(5)), string.Join(",", got.TagList ?? []));
            return string.Join("; ", diffs);
        }

        // Table storage keeps times to the tick, but compare as the API shows them.
        private static long? Ms(DateTimeOffset? t) => t?.ToUnixTimeMilliseconds();

        /// <summary>
        /// Every index row belongs to a run whose state it fits (open rows to open runs, closed rows to closed ones), once
        /// per index. A row that does not is checked against a fresh read of its run before it is reported.
        /// </summary>
        private async Task CheckIndexRowsAsync(HashSet<string> repairsPending, CancellationToken ct)
        {
            var domainNames = await DomainNamesAsync(ct);
            var seen = new HashSet<(string, string)>();
            await foreach (var row in tables.Visibility.QueryRowsAsync(select: ["RunId", "WorkflowId"], cancellationToken: ct))
            {
                Report.Rows++;
                var index = row.RowKey.Length > 1 && row.RowKey[1] == '|' ? row.RowKey[..1] : "";
                var runId = row.GetString("RunId");
                if (index is not ("o" or "c" or "x") || runId is null)
                {
                    Report.Unrecognised.Add(new UnrecognisedRow("Visibility", row.PartitionKey, row.RowKey));
                    continue;
                }
                var where = $"{row.PartitionKey}/{row.RowKey}";
                if (!seen.Add((runId, index)))
                {
                    Report.Violations.Add(new Violation(where, "visibility.duplicate", $"a second '{index}' index row for run {runId}"));
                    continue;
                }
                if (runs.TryGetValue(runId, out var facts) && (facts.AwaitingRemoval || facts.Open == (index == "o"))) continue;
                // Not as the walk saw it: the run may have started or closed since. Read it now.
                var partition = facts?.Partition ?? (domainNames.TryGetValue(row.PartitionKey, out var domain)
                    ? ExecutionKeys.Partition(domain, row.GetString("WorkflowId") ?? "") : null);
                var state = partition is null ? null : await tables.Executions.GetRowAsync(partition, ExecutionKeys.StateRow(runId), ["Open"], ct);
                if (state is null)
                    Report.Violations.Add(new Violation(where, "visibility.orphan", $"index row of run {runId}, which has no state row"));
                else if ((state.GetBoolean("Open") == true) != (index == "o") && !repairsPending.Contains(runId))
                    Report.Violations.Add(new Violation(where, "visibility.stale", $"'{index}' index row of run {runId}, which is {(state.GetBoolean("Open") == true ? "open" : "closed")}"));
            }
        }

        /// <summary>Each child's first run was reported to its (open) parent once, and the parent names that run.</summary>
        private void CheckChildren()
        {
            var told = claims.ToLookup(c => (c.ParentRunId, c.InitiatedEventId));
            var firstRuns = children.ToDictionary(c => c.RunId);
            foreach (var child in children)
            {
                if (!runs.TryGetValue(child.ParentRunId, out var parent) || parent.AwaitingRemoval) continue; // parent removed: nothing to compare
                var claimed = told[(child.ParentRunId, child.InitiatedEventId)].ToList();
                if (claimed.Count > 0 && claimed.All(c => c.ChildRunId != child.RunId))
                    Report.Violations.Add(new Violation(child.Execution, "child.parent-mismatch",
                        $"the parent's ChildWorkflowExecutionStarted for initiation {child.InitiatedEventId} names run {claimed[0].ChildRunId}"));
                else if (claimed.Count == 0 && parent.Open && now - child.Started >= options.Settle)
                    Report.Violations.Add(new Violation(child.Execution, "child.parent-not-told",
                        $"the parent (open) never recorded ChildWorkflowExecutionStarted for initiation {child.InitiatedEventId}"));
            }
            foreach (var claim in claims)
            {
                if (runs.TryGetValue(claim.ChildRunId, out var facts) && !facts.AwaitingRemoval && !firstRuns.ContainsKey(claim.ChildRunId))
                    Report.Violations.Add(new Violation(claim.Parent, "child.parent-mismatch",
                        $"ChildWorkflowExecutionStarted for initiation {claim.InitiatedEventId} names run {claim.ChildRunId}, which is not that initiation's child"));
            }
        }

        /// <summary>Runs with a visibility reminder: their index is being rewritten from their state, so it may lag it.</summary>
        private async Task<HashSet<string>> VisibilityRepairsPendingAsync(CancellationToken ct)
        {
            var result = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var row in tables.Reminders.QueryRowsAsync(select: ["RunId"], cancellationToken: ct))
            {
                Report.Rows++;
                if (ReminderKeys.KindOf(row.RowKey) == ReminderKind.Visibility && row.GetString("RunId") is { } runId) result.Add(runId);
            }
            return result;
        }

        private async Task<Dictionary<string, string>> DomainNamesAsync(CancellationToken ct)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var status in new[] { RegistrationStatus.Registered, RegistrationStatus.Deprecated })
                foreach (var domain in await domains.ListAsync(status, ct))
                    result[KeyEncoding.EscapeKey(domain.Name)] = domain.Name;
            return result;
        }

        private async Task<int> RetentionDaysAsync(string domain, CancellationToken ct)
        {
            if (retentionDays.TryGetValue(domain, out var days)) return days;
            // As the app: a missing domain keeps its runs as long as SWF keeps anything.
            return retentionDays[domain] = (await domains.GetAsync(domain, ct))?.Value.RetentionPeriodInDays ?? Core.Domains.Domain.MaxRetentionDays;
        }

        private static string Name(ExecutionState s) => $"{s.Domain}/{s.WorkflowId}/{s.RunId}";

        /// <summary>The ids in 1..last not in <paramref name="present"/>, as ranges ("4-6, 9").</summary>
        private static string Missing(IEnumerable<long> present, long last)
        {
            var have = present.ToHashSet();
            var ranges = new List<string>();
            for (long id = 1; id <= last; id++)
            {
                if (have.Contains(id)) continue;
                var end = id;
                while (end + 1 <= last && !have.Contains(end + 1)) end++;
                ranges.Add(end == id ? $"{id}" : $"{id}-{end}");
                id = end;
            }
            return string.Join(", ", ranges);
        }
    }
}
