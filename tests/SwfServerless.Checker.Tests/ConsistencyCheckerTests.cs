using System.Diagnostics;
using Azure.Data.Tables;
using SwfServerless.Api.Tests;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Testing;

namespace SwfServerless.Checker.Tests;

/// <summary>
/// The checker finds nothing wrong in a store of real workflows, and exactly the broken rule in each corruption made by
/// hand (each test puts the store back as it was). swf-check's exit codes, run as a process.
/// </summary>
public sealed class ConsistencyCheckerTests(CheckedStore store) : IClassFixture<CheckedStore>
{
    private TableClient Executions => store.Tables.Executions;

    [Fact]
    public async Task A_store_of_real_workflows_has_no_violation()
    {
        var report = await store.CheckAsync();

        Assert.Empty(report.Violations);
        Assert.Empty(report.Unrecognised);
        Assert.Equal(5, report.Executions); // full, its kid, the chain's two runs, open
        Assert.Equal((1, 4), (report.Open, report.Closed));
        Assert.True(report.Events > 40, report.Summary());
        Assert.Equal(0, report.InvisibleEventRows);
    }

    [Fact]
    public async Task A_deleted_event_row_is_a_history_gap()
    {
        var row = await store.EventRowAsync(store.Full, "TimerFired");
        await Executions.DeleteRowAsync(row.PartitionKey, row.RowKey);
        try
        {
            var violation = Assert.Single((await store.CheckAsync()).Violations);
            Assert.Equal(("history.gap", $"wf/full/{store.Full.RunId}"), (violation.Rule, violation.Execution));
            Assert.Contains($"events {long.Parse(row.RowKey[^10..])} are missing", violation.Detail);
        }
        finally { await Executions.UpsertRowAsync(CheckedStore.Clone(row), TableUpdateMode.Replace); }
    }

    [Fact]
    public async Task A_LastEventId_past_the_rows_is_a_history_gap()
    {
        var state = await store.RowAsync(store.Open, ExecutionKeys.StateRow(store.Open.RunId));
        var last = state.GetInt64("LastEventId")!.Value;
        await Executions.UpsertRowAsync(store.WithLastEventId(state, last + 2), TableUpdateMode.Replace);
        try
        {
            var violation = Assert.Single((await store.CheckAsync()).Violations);
            Assert.Equal(("history.gap", $"wf/open/{store.Open.RunId}"), (violation.Rule, violation.Execution));
            Assert.Contains($"events {last + 1}-{last + 2} are missing", violation.Detail);
        }
        finally { await Executions.UpsertRowAsync(CheckedStore.Clone(state), TableUpdateMode.Replace); }
    }

    [Fact]
    public async Task A_second_ActivityTaskStarted_is_an_activity_started_twice()
    {
        var state = await store.RowAsync(store.Open, ExecutionKeys.StateRow(store.Open.RunId));
        var next = state.GetInt64("LastEventId")!.Value + 1;
        var started = await store.EventRowAsync(store.Open, "ActivityTaskStarted");
        await Executions.AddRowAsync(store.EventCopy(store.Open, started, next));
        await Executions.UpsertRowAsync(store.WithLastEventId(state, next), TableUpdateMode.Replace);
        try
        {
            var violation = Assert.Single((await store.CheckAsync()).Violations);
            Assert.Equal(("activity.started-twice", $"wf/open/{store.Open.RunId}"), (violation.Rule, violation.Execution));
            Assert.EndsWith($"started by events {long.Parse(started.RowKey[^10..])} and {next}", violation.Detail);
        }
        finally
        {
            await Executions.UpsertRowAsync(CheckedStore.Clone(state), TableUpdateMode.Replace);
            await Executions.DeleteRowAsync(store.Partition(store.Open), ExecutionKeys.EventRow(store.Open.RunId, next));
        }
    }

    [Fact]
    public async Task A_second_TimerFired_is_a_timer_closed_twice()
    {
        var state = await store.RowAsync(store.Open, ExecutionKeys.StateRow(store.Open.RunId));
        var next = state.GetInt64("LastEventId")!.Value + 1;
        await Executions.AddRowAsync(store.EventCopy(store.Open, await store.EventRowAsync(store.Open, "TimerFired"), next));
        await Executions.UpsertRowAsync(store.WithLastEventId(state, next), TableUpdateMode.Replace);
        try
        {
            var violation = Assert.Single((await store.CheckAsync()).Violations);
            Assert.Equal(("timer.closed-twice", $"wf/open/{store.Open.RunId}"), (violation.Rule, violation.Execution));
            Assert.EndsWith($"and TimerFired {next}", violation.Detail);
        }
        finally
        {
            await Executions.UpsertRowAsync(CheckedStore.Clone(state), TableUpdateMode.Replace);
            await Executions.DeleteRowAsync(store.Partition(store.Open), ExecutionKeys.EventRow(store.Open.RunId, next));
        }
    }

    [Fact]
    public async Task A_visibility_row_that_disagrees_with_the_state_is_a_visibility_mismatch()
    {
        var row = await VisibilityRowAsync(store.Full, "c");
        var changed = CheckedStore.Clone(row);
        changed["CloseStatus"] = "FAILED";
        await store.Tables.Visibility.UpsertRowAsync(changed, TableUpdateMode.Replace);
        try
        {
            var violation = Assert.Single((await store.CheckAsync()).Violations);
            Assert.Equal(("visibility.mismatch", $"wf/full/{store.Full.RunId}"), (violation.Rule, violation.Execution));
            Assert.Equal("index 'c' row: closeStatus FAILED (state: COMPLETED)", violation.Detail);
        }
        finally { await store.Tables.Visibility.UpsertRowAsync(CheckedStore.Clone(row), TableUpdateMode.Replace); }
    }

    [Fact]
    public async Task Rows_of_no_run_are_orphans_and_an_index_row_of_no_run_too()
    {
        var ghost = ExecutionKeys.NewRunId();
        var historyRow = CheckedStore.Clone(await store.EventRowAsync(store.Full, "WorkflowExecutionStarted"));
        var orphan = new TableEntity(historyRow.PartitionKey, ExecutionKeys.EventRow(ghost, 1)) { ["Type"] = historyRow["Type"], ["E"] = historyRow["E"] };
        var indexRow = CheckedStore.Clone(await VisibilityRowAsync(store.Open, "o"));
        var orphanIndex = new TableEntity(indexRow.PartitionKey, indexRow.RowKey.Replace(store.Open.RunId, ghost));
        foreach (var (name, value) in indexRow) if (name is not ("PartitionKey" or "RowKey")) orphanIndex[name] = value;
        orphanIndex["RunId"] = ghost;
        await Executions.AddRowAsync(orphan);
        await store.Tables.Visibility.AddRowAsync(orphanIndex);
        try
        {
            var violations = (await store.CheckAsync()).Violations.OrderBy(v => v.Rule).ToList();
            Assert.Equal(["orphan.run-rows", "visibility.orphan"], violations.Select(v => v.Rule));
            Assert.Equal($"{orphan.PartitionKey}/{ghost}", violations[0].Execution);
            Assert.Contains(ghost, violations[1].Execution);
        }
        finally
        {
            await Executions.DeleteRowAsync(orphan.PartitionKey, orphan.RowKey);
            await store.Tables.Visibility.DeleteRowAsync(orphanIndex.PartitionKey, orphanIndex.RowKey);
        }
    }

    [Fact]
    public async Task A_row_of_an_unknown_kind_under_a_run_is_unrecognised_not_a_violation()
    {
        var row = new TableEntity(store.Partition(store.Open), $"r|{store.Open.RunId}|zz|0000000001");
        await Executions.AddRowAsync(row);
        try
        {
            var report = await store.CheckAsync();
            Assert.Empty(report.Violations);
            Assert.Equal(row.RowKey, Assert.Single(report.Unrecognised).RowKey);
        }
        finally { await Executions.DeleteRowAsync(row.PartitionKey, row.RowKey); }
    }

    [Fact]
    public async Task The_cli_exits_0_on_a_consistent_store_1_on_a_violation_and_2_on_bad_usage_or_storage()
    {
        var (code, output) = await SwfCheckAsync($"--Swf:StoragePrefix={store.Prefix}");
        Assert.True(code == 0, output);
        Assert.Contains("5 executions (1 open, 4 closed, 0 awaiting removal)", output);
        Assert.Contains("0 violations", output);

        var row = await store.EventRowAsync(store.Full, "TimerFired");
        await Executions.DeleteRowAsync(row.PartitionKey, row.RowKey);
        try
        {
            (code, output) = await SwfCheckAsync($"--Swf:StoragePrefix={store.Prefix}");
            Assert.True(code == 1, output);
            Assert.Contains($"violation history.gap wf/full/{store.Full.RunId}", output);
            Assert.Contains("1 violations", output);
        }
        finally { await Executions.UpsertRowAsync(CheckedStore.Clone(row), TableUpdateMode.Replace); }

        (code, output) = await SwfCheckAsync("--Swf:StoragePrefix=nosuchprefix");
        Assert.True(code == 2, output);
        Assert.Contains("no tables with the prefix 'nosuchprefix'", output);
        (code, output) = await SwfCheckAsync("--no-such-option=1");
        Assert.True(code == 2, output);
        (code, output) = await SwfCheckAsync($"--Swf:StoragePrefix={store.Prefix}", connection: "");
        Assert.True(code == 2, output);
        Assert.Contains("No storage configured", output);
    }

    private async Task<TableEntity> VisibilityRowAsync(Execution run, string index)
    {
        await foreach (var row in store.Tables.Visibility.QueryRowsAsync(TableClient.CreateQueryFilter($"RunId eq {run.RunId}")))
            if (row.RowKey.StartsWith(index + "|", StringComparison.Ordinal)) return row;
        throw new InvalidOperationException($"no '{index}' index row of {run.RunId}");
    }

    /// <summary>Runs swf-check as an operator would (storage from the environment), and returns its exit code and output.</summary>
    private async Task<(int Code, string Output)> SwfCheckAsync(string arguments, string? connection = null)
    {
        var start = new ProcessStartInfo("dotnet", $"{Path.Combine(AppContext.BaseDirectory, "swf-check.dll")} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["AzureWebJobsStorage"] = connection ?? store.ConnectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
