using Azure.Data.Tables;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests;

/// <summary>The run commit protocol against Azurite: one transaction when it fits, staged overflow named by the state row when it does not, ETag-guarded.</summary>
[Collection("azurite")]
public sealed class ExecutionRepositoryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly string prefix = TestNames.Unique("r");
    private SwfTables tables = null!;
    private ExecutionRepository repository = null!;

    public async Task InitializeAsync()
    {
        tables = new SwfTables(StorageClients.FromConnectionString(azurite.ConnectionString), prefix);
        await tables.CreateIfNotExistsAsync(default);
        repository = new ExecutionRepository(tables);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly RegisteredType Type = new(TypeKind.Workflow, "d", "w", "1", RegistrationStatus.Registered, null, Now, null, null,
        new WorkflowTypeConfiguration
        {
            DefaultTaskList = new TaskList { Name = "t" }, DefaultChildPolicy = "TERMINATE",
            DefaultExecutionStartToCloseTimeout = "600", DefaultTaskStartToCloseTimeout = "30",
        });

    private async Task<(string Partition, ExecutionMachine Machine)> StartAsync(string workflowId)
    {
        var machine = ExecutionMachine.Start(new StartExecution { Domain = "d", WorkflowId = workflowId, WorkflowType = new WorkflowType { Name = "w", Version = "1" } },
            Type, ExecutionKeys.NewRunId(), Now);
        var partition = ExecutionKeys.Partition("d", workflowId);
        await repository.CommitNewRunAsync(partition, null, machine.State, machine.NewEvents, null, default);
        return (partition, machine);
    }

    [Fact]
    public async Task A_new_run_is_current_and_reads_back_with_its_history()
    {
        var (partition, machine) = await StartAsync("new");

        var current = await repository.GetCurrentAsync(partition, default);
        Assert.Equal(machine.State.RunId, current!.RunId);
        Assert.True(current.Open);
        var run = await repository.LoadAsync(partition, machine.State.RunId, default);
        Assert.Equal(2, run!.State.LastEventId);
        var history = await repository.ReadHistoryAsync(partition, run.State.RunId, 1, run.State.LastEventId, default);
        Assert.Equal(["WorkflowExecutionStarted", "DecisionTaskScheduled"], history.Select(e => e.EventType));
    }

    [Fact]
    public async Task A_second_run_while_one_is_open_is_WorkflowExecutionAlreadyStarted_even_when_both_saw_no_current_run()
    {
        await StartAsync("twice");
        var fault = await Assert.ThrowsAsync<SwfFault>(() => StartAsync("twice"));
        Assert.Equal("WorkflowExecutionAlreadyStartedFault", fault.Type);
    }

    [Fact]
    public async Task A_change_of_more_than_100_events_commits_in_one_state_commit_with_its_overflow_staged()
    {
        var (partition, started) = await StartAsync("big");
        var run = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var machine = new ExecutionMachine(run.State, Now);
        for (var i = 0; i < 250; i++) machine.Signal("s", new string('x', 5000) + i);

        Assert.True(await repository.TryCommitAsync(run, machine.State, machine.NewEvents, null, default));

        var reloaded = (await repository.LoadAsync(partition, run.State.RunId, default))!;
        Assert.Equal(252, reloaded.State.LastEventId);
        var history = await repository.ReadHistoryAsync(partition, run.State.RunId, 1, reloaded.State.LastEventId, default);
        Assert.Equal(Enumerable.Range(1, 252).Select(i => (long)i), history.Select(e => e.EventId!.Value));
        Assert.EndsWith("249", history[^1].WorkflowExecutionSignaledEventAttributes!.Input);
    }

    [Fact]
    public async Task A_stale_ETag_commits_nothing_and_its_events_stay_invisible()
    {
        var (partition, started) = await StartAsync("stale");
        var first = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var second = (await repository.LoadAsync(partition, started.State.RunId, default))!;

        var winner = new ExecutionMachine(first.State, Now);
        winner.Signal("winner", null);
        Assert.True(await repository.TryCommitAsync(first, winner.State, winner.NewEvents, null, default));

        var loser = new ExecutionMachine(second.State, Now);
        for (var i = 0; i < 120; i++) loser.Signal("loser", null); // big enough to write history rows ahead of the state
        Assert.False(await repository.TryCommitAsync(second, loser.State, loser.NewEvents, null, default));

        var run = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        Assert.Equal(3, run.State.LastEventId);
        var history = await repository.ReadHistoryAsync(partition, run.State.RunId, 1, run.State.LastEventId, default);
        Assert.Equal("winner", history[^1].WorkflowExecutionSignaledEventAttributes!.SignalName);
    }

    [Fact]
    public async Task A_large_commit_that_lost_its_race_leaves_the_winners_larger_history_intact()
    {
        var (partition, started) = await StartAsync("large-race");
        var first = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var second = (await repository.LoadAsync(partition, started.State.RunId, default))!;

        // The winner commits more events than the loser's head batch holds, so the loser's overflow ids are visible ones.
        var winner = new ExecutionMachine(first.State, Now);
        for (var i = 0; i < 250; i++) winner.Signal("winner", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(await repository.TryCommitAsync(first, winner.State, winner.NewEvents, null, default));
        var loser = new ExecutionMachine(second.State, Now);
        for (var i = 0; i < 150; i++) loser.Signal("loser", null);
        Assert.False(await repository.TryCommitAsync(second, loser.State, loser.NewEvents, null, default));

        var history = await repository.ReadHistoryAsync(partition, started.State.RunId, 1, 252, default);
        Assert.Equal(Enumerable.Range(1, 252).Select(i => (long)i), history.Select(e => e.EventId!.Value));
        Assert.All(history.Skip(2), e => Assert.Equal("winner", e.WorkflowExecutionSignaledEventAttributes!.SignalName));
        Assert.Equal("249", history[^1].WorkflowExecutionSignaledEventAttributes!.Input);
    }

    [Fact]
    public async Task A_crash_between_a_large_commit_and_its_copy_is_read_through_and_rolled_forward_by_the_next_commit()
    {
        // The committing instance "dies" right after its head transaction: every later request of it fails.
        var crashed = false;
        var handler = new AzureSdk.InterceptingHandler(async (_, request, ct) =>
        {
            if (crashed) return new HttpResponseMessage(System.Net.HttpStatusCode.Forbidden) { RequestMessage = request };
            if (request.RequestUri!.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal)
                && (await request.Content!.ReadAsStringAsync(ct)).Contains("PendingToken", StringComparison.Ordinal))
            {
                var response = await new HttpMessageInvoker(new SocketsHttpHandler()).SendAsync(request, ct);
                crashed = true;
                return response;
            }
            return null;
        });
        using var dying = StorageClients.FromConnectionString(azurite.ConnectionString, new StorageClientOptions { HttpClient = new HttpClient(handler) });
        var dyingRepository = new ExecutionRepository(new SwfTables(dying, prefix));
        var (partition, started) = await StartAsync("crash-copy");
        var run = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var big = new ExecutionMachine(run.State, Now);
        for (var i = 0; i < 250; i++) big.Signal("big", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(await dyingRepository.TryCommitAsync(run, big.State, big.NewEvents, null, default)); // the head won: committed
        Assert.True(crashed);

        // Readers meanwhile see every committed event, whole history and single events alike.
        var loaded = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        Assert.NotNull(loaded.Pending);
        var history = await repository.ReadHistoryAsync(partition, started.State.RunId, 1, 252, default);
        Assert.Equal(Enumerable.Range(1, 252).Select(i => (long)i), history.Select(e => e.EventId!.Value));
        Assert.Equal("249", history[^1].WorkflowExecutionSignaledEventAttributes!.Input);
        Assert.Equal("199", (await repository.GetEventAsync(partition, started.State.RunId, 202, default))!.WorkflowExecutionSignaledEventAttributes!.Input);

        // The next commit rolls the copy forward, and its state no longer names the staged rows, which are gone.
        var next = new ExecutionMachine(loaded.State, Now);
        next.Signal("next", null);
        Assert.True(await repository.TryCommitAsync(loaded, next.State, next.NewEvents, null, default));
        Assert.Null((await repository.LoadAsync(partition, started.State.RunId, default))!.Pending);
        var final = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {ExecutionKeys.EventRow(started.State.RunId, 1)} and RowKey le {ExecutionKeys.EventRow(started.State.RunId, 253)}");
        var rows = await tables.Executions.QueryRowsAsync(final, select: ["E"]).ToListAsync();
        Assert.Equal(253, rows.Count);
        var staging = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {ExecutionKeys.StagingRowPrefix(started.State.RunId)} and RowKey lt {ExecutionKeys.StagingRowPrefix(started.State.RunId) + "~"}");
        Assert.Empty(await tables.Executions.QueryRowsAsync(staging).ToListAsync());
        Assert.Equal("next", (await repository.ReadHistoryAsync(partition, started.State.RunId, 253, 253, default))[0].WorkflowExecutionSignaledEventAttributes!.SignalName);
    }

    [Fact]
    public async Task A_large_commit_copies_its_staged_rows_and_leaves_no_marker_and_no_staged_rows()
    {
        var (partition, started) = await StartAsync("large-clean");
        var run = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var big = new ExecutionMachine(run.State, Now);
        for (var i = 0; i < 150; i++) big.Signal("big", null);
        Assert.True(await repository.TryCommitAsync(run, big.State, big.NewEvents, null, default));

        Assert.Null((await repository.LoadAsync(partition, started.State.RunId, default))!.Pending);
        var staging = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {ExecutionKeys.StagingRowPrefix(started.State.RunId)} and RowKey lt {ExecutionKeys.StagingRowPrefix(started.State.RunId) + "~"}");
        Assert.Empty(await tables.Executions.QueryRowsAsync(staging).ToListAsync());
    }

    [Fact]
    public async Task Closing_a_run_frees_the_workflowId_for_a_new_run()
    {
        var (partition, started) = await StartAsync("close");
        var run = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var machine = new ExecutionMachine(run.State, Now);
        machine.Terminate("done", null, null, WorkflowExecutionTerminatedCause.OperatorInitiated);
        Assert.True(await repository.TryCommitAsync(run, machine.State, machine.NewEvents, null, default));

        var current = (await repository.GetCurrentAsync(partition, default))!;
        Assert.False(current.Open);
        var next = ExecutionMachine.Start(new StartExecution { Domain = "d", WorkflowId = "close", WorkflowType = new WorkflowType { Name = "w", Version = "1" } },
            Type, ExecutionKeys.NewRunId(), Now);
        await repository.CommitNewRunAsync(partition, current, next.State, next.NewEvents, null, default);
        Assert.Equal(next.State.RunId, (await repository.GetCurrentAsync(partition, default))!.RunId);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("a/b\\c#d?e%f'g")]
    [InlineData("tab\there\u0085")]
    public void Escaped_keys_hold_no_character_Azure_forbids_and_stay_distinct(string text)
    {
        var key = KeyEncoding.Escape(text);
        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' or '\'' || char.IsControl(c));
        Assert.NotEqual(KeyEncoding.Escape(text + "%"), key);
        Assert.Equal(text == "plain", key == text);
    }

    private static ExecutionMachine Decide(LoadedRun run, params Decision[] decisions)
    {
        var claim = new ExecutionMachine(run.State, Now);
        var started = claim.StartDecisionTask(run.State.DecisionTask!.ScheduledEventId, null)!;
        var machine = new ExecutionMachine(claim.State, Now);
        machine.CompleteDecisionTask(started.StartedEventId, decisions, null, new Dictionary<(string, string), RegisteredType?>(),
            workflowTypes: new Dictionary<(string Name, string Version), RegisteredType?> { [("w", "1")] = Type });
        machine.NewEvents.InsertRange(0, claim.NewEvents);
        return machine;
    }

    [Fact]
    public async Task ContinueAsNew_closes_the_run_adds_the_new_one_and_moves_the_current_row_in_one_commit()
    {
        var (partition, started) = await StartAsync("continued");
        var run = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var machine = Decide(run, new Decision { DecisionType = DecisionType.ContinueAsNewWorkflowExecution });
        var next = machine.ContinuedAs!;

        Assert.True(await repository.TryCommitAsync(run, machine.State, machine.NewEvents, null, new NewRunRows(next.State, next.NewEvents), null, default));

        var current = (await repository.GetCurrentAsync(partition, default))!;
        Assert.Equal((next.State.RunId, true), (current.RunId, current.Open));
        Assert.Equal(CloseStatus.ContinuedAsNew, (await repository.LoadAsync(partition, run.State.RunId, default))!.State.CloseStatus);
        var nextRun = (await repository.LoadAsync(partition, next.State.RunId, default))!;
        Assert.Equal(run.State.RunId, nextRun.State.ContinuedExecutionRunId);
        Assert.Equal(["WorkflowExecutionStarted", "DecisionTaskScheduled"],
            (await repository.ReadHistoryAsync(partition, next.State.RunId, 1, 10, default)).Select(e => e.EventType));
    }

    [Fact]
    public async Task ContinueAsNew_that_lost_its_race_writes_nothing_neither_the_new_run_nor_the_current_row()
    {
        var (partition, started) = await StartAsync("continued-race");
        var run = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var machine = Decide(run, new Decision { DecisionType = DecisionType.ContinueAsNewWorkflowExecution });
        var signal = new ExecutionMachine((await repository.LoadAsync(partition, run.State.RunId, default))!.State, Now);
        signal.Signal("first", null);
        Assert.True(await repository.TryCommitAsync(run, signal.State, signal.NewEvents, null, default));

        var next = machine.ContinuedAs!;
        Assert.False(await repository.TryCommitAsync(run, machine.State, machine.NewEvents, null, new NewRunRows(next.State, next.NewEvents), null, default));
        Assert.Null(await repository.LoadAsync(partition, next.State.RunId, default));
        Assert.Equal(run.State.RunId, (await repository.GetCurrentAsync(partition, default))!.RunId);
    }

    [Fact]
    public async Task An_intent_applied_twice_is_IntentAlreadyApplied_the_second_time_and_writes_nothing()
    {
        var (partition, started) = await StartAsync("target");
        var intent = new IntentMarker("source-run", 7, "signal");
        Assert.Null(await repository.GetIntentRunAsync(partition, intent, default));

        var run = (await repository.LoadAsync(partition, started.State.RunId, default))!;
        var first = new ExecutionMachine(run.State, Now);
        first.Signal("s", "1");
        Assert.True(await repository.TryCommitAsync(run, first.State, first.NewEvents, null, null, intent, default));
        Assert.Equal(started.State.RunId, await repository.GetIntentRunAsync(partition, intent, default));

        var reloaded = (await repository.LoadAsync(partition, run.State.RunId, default))!;
        var committed = reloaded.State.LastEventId;
        var second = new ExecutionMachine(reloaded.State, Now); // changes reloaded.State in place
        second.Signal("s", "1");
        await Assert.ThrowsAsync<IntentAlreadyAppliedException>(() => repository.TryCommitAsync(reloaded, second.State, second.NewEvents, null, null, intent, default));
        Assert.Equal(committed, (await repository.LoadAsync(partition, run.State.RunId, default))!.State.LastEventId);
        // Another intent of the same source run is another row.
        Assert.True(await repository.TryCommitAsync(reloaded, second.State, second.NewEvents, null, null, intent with { EventId = 8 }, default));
    }

    [Fact]
    public async Task A_child_start_applied_twice_is_IntentAlreadyApplied_even_after_the_child_closed()
    {
        var intent = new IntentMarker("parent-run", 5, "child");
        var partition = ExecutionKeys.Partition("d", "kid");
        ExecutionMachine NewKid() => ExecutionMachine.Start(new StartExecution { Domain = "d", WorkflowId = "kid", WorkflowType = new WorkflowType { Name = "w", Version = "1" } },
            Type, ExecutionKeys.NewRunId(), Now);
        var kid = NewKid();
        await repository.CommitNewRunAsync(partition, null, kid.State, kid.NewEvents, null, default, intent);
        var run = (await repository.LoadAsync(partition, kid.State.RunId, default))!;
        var close = new ExecutionMachine(run.State, Now);
        close.Terminate(null, null, null, null);
        Assert.True(await repository.TryCommitAsync(run, close.State, close.NewEvents, null, default));

        var again = NewKid();
        var current = await repository.GetCurrentAsync(partition, default);
        await Assert.ThrowsAsync<IntentAlreadyAppliedException>(() =>
            repository.CommitNewRunAsync(partition, current, again.State, again.NewEvents, null, default, intent));
        Assert.Null(await repository.LoadAsync(partition, again.State.RunId, default));
        Assert.Equal(kid.State.RunId, await repository.GetIntentRunAsync(partition, intent, default));
    }

    [Fact]
    public async Task Removing_a_run_takes_its_intent_rows_and_intents_done_but_a_continuing_chain_keeps_its_start_row()
    {
        var partition = ExecutionKeys.Partition("d", "kid-chain");
        var start = new IntentMarker("parent-run", 5, IntentMarker.Child);
        var first = ExecutionMachine.StartResolved(new StartExecution
        {
            Domain = "d", WorkflowId = "kid-chain", WorkflowType = new WorkflowType { Name = "w", Version = "1" }, TaskList = "t",
            ExecutionStartToCloseTimeout = "600", TaskStartToCloseTimeout = "30", ChildPolicy = ChildPolicy.Terminate,
            ParentWorkflowExecution = new WorkflowExecution { WorkflowId = "parent", RunId = "parent-run" }, ParentInitiatedEventId = 5,
        }, ExecutionKeys.NewRunId(), Now);
        await repository.CommitNewRunAsync(partition, null, first.State, first.NewEvents, null, default, start);
        var a = first.State.RunId;
        await SignalAsync(partition, a, new IntentMarker("sender-run", 7, IntentMarker.Signal));
        await repository.MarkIntentDoneAsync(partition, a, 3, default);
        Assert.Equal([3L], await repository.ReadIntentsDoneAsync(partition, a, default));

        // The child continues as new: the chain's start row names the first run and must outlive it while the chain goes on.
        var run = (await repository.LoadAsync(partition, a, default))!;
        var continuing = Decide(run, new Decision { DecisionType = DecisionType.ContinueAsNewWorkflowExecution });
        var next = continuing.ContinuedAs!;
        Assert.True(await repository.TryCommitAsync(run, continuing.State, continuing.NewEvents, null, new NewRunRows(next.State, next.NewEvents), null, default));
        var b = next.State.RunId;
        await SignalAsync(partition, b, new IntentMarker("sender-run", 8, IntentMarker.Signal));

        var openB = (await repository.LoadAsync(partition, b, default))!.State;
        await Assert.ThrowsAsync<InvalidOperationException>(() => repository.RemoveRunAsync(partition, openB, default));
        await repository.RemoveRunAsync(partition, continuing.State, default);
        var left = await RowKeysAsync(partition);
        Assert.DoesNotContain(left, k => k.StartsWith($"r|{a}", StringComparison.Ordinal));
        Assert.Contains(ExecutionKeys.IntentRow("parent-run", 5, IntentMarker.Child), left);  // the chain goes on
        Assert.DoesNotContain(ExecutionKeys.IntentRow("sender-run", 7, IntentMarker.Signal), left);
        Assert.Contains(ExecutionKeys.IntentRow("sender-run", 8, IntentMarker.Signal), left);  // the open run's
        Assert.Equal(b, (await repository.GetCurrentAsync(partition, default))!.RunId);

        // The chain's last run takes the start row along; nothing of the workflowId is left.
        var last = (await repository.LoadAsync(partition, b, default))!;
        var closing = new ExecutionMachine(last.State, Now);
        closing.Terminate(null, null, null, WorkflowExecutionTerminatedCause.OperatorInitiated);
        Assert.True(await repository.TryCommitAsync(last, closing.State, closing.NewEvents, null, default));
        await repository.RemoveRunAsync(partition, closing.State, default);
        await repository.RemoveRunAsync(partition, closing.State, default); // idempotent
        Assert.Empty(await RowKeysAsync(partition));
    }

    private async Task SignalAsync(string partition, string runId, IntentMarker applied)
    {
        var run = (await repository.LoadAsync(partition, runId, default))!;
        var machine = new ExecutionMachine(run.State, Now);
        machine.Signal("s", null);
        Assert.True(await repository.TryCommitAsync(run, machine.State, machine.NewEvents, null, null, applied, default));
    }

    private async Task<List<string>> RowKeysAsync(string partition)
    {
        var keys = new List<string>();
        await foreach (var row in tables.Executions.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: [])) keys.Add(row.RowKey);
        return keys;
    }
}
