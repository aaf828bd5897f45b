using Azure.Data.Tables;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Time;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.Time;

/// <summary>Reminders, the run's alarm and heartbeat rows, and removing a run, against Azurite; each test with its own tables.</summary>
[Collection("azurite")]
public sealed class ReminderStorageTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);
    private StorageClients clients = null!;
    private SwfTables tables = null!;
    private ReminderRepository reminders = null!;
    private ExecutionRepository executions = null!;

    public async Task InitializeAsync()
    {
        clients = StorageClients.FromConnectionString(azurite.ConnectionString);
        tables = new SwfTables(clients, TestNames.Unique("rem"));
        await tables.CreateIfNotExistsAsync(default);
        reminders = new ReminderRepository(tables);
        executions = new ExecutionRepository(tables);
    }

    public async Task DisposeAsync()
    {
        foreach (var table in tables.All) await table.DeleteAsync();
    }

    [Fact]
    public async Task Due_reminders_come_oldest_first_across_minutes_bounded_and_only_up_to_until()
    {
        var all = new[]
        {
            Reminder.Alarm(T0.AddMinutes(3), "p1", "r1"),
            Reminder.Visibility(T0.AddSeconds(1), "p2", "r2"),
            Reminder.Alarm(T0.AddSeconds(1), "p2", "r2"),
            Reminder.Alarm(T0.AddMinutes(-90), "p3", "r3"),
            Reminder.Alarm(T0.AddMinutes(1).AddMilliseconds(1), "p4", "r4"),
            Reminder.Alarm(T0.AddDays(400), "p5", "r5"),
        };
        foreach (var r in all) await reminders.ArmAsync(r, default);
        await reminders.ArmAsync(all[0], default); // idempotent

        Assert.Equal([all[3], all[2], all[1], all[4]], await reminders.DueAsync(T0.AddMinutes(1).AddMilliseconds(1), 100, default));
        Assert.Equal([all[3], all[2]], await reminders.DueAsync(T0.AddMinutes(5), 2, default));
        Assert.Equal([all[3]], await reminders.DueAsync(T0, 100, default));

        // Handled ones are deleted, so the next read carries on behind them; deleting twice is fine.
        await reminders.DeleteAsync(all[3], default);
        await reminders.DeleteAsync(all[3], default);
        Assert.Equal([all[2], all[1]], await reminders.DueAsync(T0.AddMinutes(5), 2, default));
    }

    [Fact]
    public async Task A_postponed_reminder_moves_later_and_counts_its_attempts()
    {
        var r = Reminder.Alarm(T0, "p", "r");
        await reminders.ArmAsync(r, default);
        await reminders.PostponeAsync(r, T0.AddMinutes(2), default);
        Assert.Empty(await reminders.DueAsync(T0.AddMinutes(1), 10, default));
        Assert.Equal([r with { Due = T0.AddMinutes(2), Attempt = 1 }], await reminders.DueAsync(T0.AddMinutes(2), 10, default));
    }

    [Fact]
    public async Task Postponing_the_same_row_again_from_its_due_time_writes_the_same_new_row_not_one_more()
    {
        // As when the first move's delete failed (the old row is due again), or two instances moved it at once.
        var r = Reminder.Alarm(T0, "p", "r");
        await reminders.ArmAsync(r, default);
        await reminders.ArmAsync(r with { Due = T0.AddSeconds(1), Attempt = 1 }, default); // the first move, its delete lost
        await reminders.PostponeAsync(r, r.Due.AddSeconds(1), default);
        await reminders.PostponeAsync(r, r.Due.AddSeconds(1), default);
        Assert.Equal([r with { Due = T0.AddSeconds(1), Attempt = 1 }], await reminders.DueAsync(T0.AddHours(1), 10, default));
    }

    [Fact]
    public async Task Cleanup_deletes_wait_for_the_delay_and_go_as_one_transaction_per_minute_partition()
    {
        var clock = new ManualTime(T0);
        var soon = new ReminderRepository(tables, clock);
        var minute1 = Enumerable.Range(0, 5).Select(i => Reminder.Alarm(T0.AddSeconds(i), "p", $"r{i}")).ToList();
        var minute2 = Enumerable.Range(0, 3).Select(i => Reminder.Visibility(T0.AddMinutes(1).AddSeconds(i), "p", $"r{i}")).ToList();
        foreach (var r in minute1.Concat(minute2)) await soon.ArmAsync(r, default);

        var before = clients.Metrics.Snapshot();
        foreach (var r in minute1.Concat(minute2)) soon.DeleteSoon(r);
        Assert.Equal(8, (await reminders.DueAsync(T0.AddMinutes(5), 100, default)).Count); // nothing sent yet
        clock.Advance(ReminderRepository.CleanupDelay);
        await soon.FlushAsync(); // waits for the batch the timer started

        Assert.Empty(await reminders.DueAsync(T0.AddMinutes(5), 100, default));
        var sent = clients.Metrics.Snapshot().Minus(before);
        Assert.Equal(2, sent["table.batch"]);
        Assert.Equal(0, sent["table.delete"]);
    }

    [Fact]
    public async Task A_cleanup_delete_of_a_reminder_already_gone_does_not_keep_the_others()
    {
        var all = Enumerable.Range(0, 4).Select(i => Reminder.Alarm(T0.AddSeconds(i), "p", $"r{i}")).ToList();
        foreach (var r in all) await reminders.ArmAsync(r, default);
        await reminders.DeleteAsync(all[2], default); // handled and deleted by someone else meanwhile

        var before = clients.Metrics.Snapshot();
        foreach (var r in all) reminders.DeleteSoon(r);
        await reminders.FlushAsync();

        Assert.Empty(await reminders.DueAsync(T0.AddMinutes(5), 100, default));
        Assert.Equal(2, clients.Metrics.Snapshot().Minus(before)["table.batch"]); // refused for the missing row, then sent without it
    }

    [Fact]
    public async Task Re_arming_a_reminder_whose_delete_waits_keeps_it()
    {
        var moved = Reminder.Alarm(T0, "p", "r1");
        var other = Reminder.Alarm(T0.AddSeconds(1), "p", "r2");
        await reminders.ArmAsync(moved, default);
        await reminders.ArmAsync(other, default);

        reminders.DeleteSoon(moved);
        reminders.DeleteSoon(other);
        await reminders.ArmAsync(moved, default); // a later commit moved the alarm back to the same instant
        await reminders.FlushAsync();

        Assert.Equal([moved], await reminders.DueAsync(T0.AddMinutes(5), 100, default));
    }

    [Fact]
    public async Task A_re_arm_while_the_delete_is_on_the_wire_lands_after_it()
    {
        var r = Reminder.Alarm(T0, "p", "r1");
        await reminders.ArmAsync(r, default);
        for (var i = 0; i < 20; i++)
        {
            reminders.DeleteSoon(r);
            var flushing = reminders.FlushAsync(); // the delete is under way now
            await reminders.ArmAsync(r, default);
            await flushing;
            Assert.Equal([r], await reminders.DueAsync(T0.AddMinutes(5), 100, default));
        }
    }

    [Fact]
    public async Task A_full_partition_of_cleanup_deletes_goes_without_waiting_for_the_delay()
    {
        var clock = new ManualTime(T0);
        var soon = new ReminderRepository(tables, clock);
        var all = Enumerable.Range(0, TableLimits.MaxTransactionActions).Select(i => Reminder.Alarm(T0.AddMilliseconds(i), "p", $"r{i}")).ToList();
        foreach (var r in all) await soon.ArmAsync(r, default);

        foreach (var r in all) soon.DeleteSoon(r);
        await Eventually.TrueAsync(async () => (await reminders.DueAsync(T0.AddMinutes(5), 1000, default)).Count == 0, "the full batch deleted, the clock not moved");
    }

    private static ExecutionMachine Start(string workflowId, string runId, DateTimeOffset now) =>
        ExecutionMachine.Start(
            new StartExecution { Domain = "d", WorkflowId = workflowId, WorkflowType = new WorkflowType { Name = "wf", Version = "1" } },
            new RegisteredType(TypeKind.Workflow, "d", "wf", "1", RegistrationStatus.Registered, null, T0, null, null, new WorkflowTypeConfiguration
            {
                DefaultExecutionStartToCloseTimeout = "60", DefaultTaskStartToCloseTimeout = "10",
                DefaultTaskList = new TaskList { Name = "deciders" }, DefaultChildPolicy = ChildPolicy.Terminate,
            }),
            runId, now);

    [Fact]
    public async Task The_alarm_rides_on_the_state_row_and_an_alarm_only_commit_of_a_closed_run_leaves_the_current_row_alone()
    {
        var partition = ExecutionKeys.Partition("d", "wf-1");
        var first = Start("wf-1", "run1", T0);
        await executions.CommitNewRunAsync(partition, null, first.State, first.NewEvents, T0.AddSeconds(60), default);
        var loaded = (await executions.LoadAsync(partition, "run1", default))!;
        Assert.Equal(T0.AddSeconds(60), loaded.Alarm);

        var closing = new ExecutionMachine(loaded.State, T0.AddSeconds(1));
        closing.Terminate(null, null, null, WorkflowExecutionTerminatedCause.OperatorInitiated);
        Assert.True(await executions.TryCommitAsync(loaded, closing.State, closing.NewEvents, T0.AddDays(1), default));

        // A newer run takes the workflowId; moving the old run's alarm must not mark the newer one closed.
        var second = Start("wf-1", "run2", T0.AddSeconds(2));
        await executions.CommitNewRunAsync(partition, await executions.GetCurrentAsync(partition, default), second.State, second.NewEvents, null, default);
        var closed = (await executions.LoadAsync(partition, "run1", default))!;
        Assert.True(await executions.TryCommitAsync(closed, closed.State, [], T0.AddDays(2), default));
        Assert.Equal(T0.AddDays(2), (await executions.LoadAsync(partition, "run1", default))!.Alarm);
        Assert.Equal(new CurrentRun("run2", true, ""), (await executions.GetCurrentAsync(partition, default))! with { ETag = "" });
        Assert.Null((await executions.LoadAsync(partition, "run2", default))!.Alarm);
    }

    [Fact]
    public async Task A_start_after_a_closed_run_that_is_removed_meanwhile_is_told_so_and_writes_nothing()
    {
        var partition = ExecutionKeys.Partition("d", "wf-removed");
        var first = Start("wf-removed", "run1", T0);
        await executions.CommitNewRunAsync(partition, null, first.State, first.NewEvents, null, default);
        var loaded = (await executions.LoadAsync(partition, "run1", default))!;
        var closing = new ExecutionMachine(loaded.State, T0.AddSeconds(1));
        closing.Terminate(null, null, null, WorkflowExecutionTerminatedCause.OperatorInitiated);
        Assert.True(await executions.TryCommitAsync(loaded, closing.State, closing.NewEvents, null, default));

        // A start reads the current row (the closed run1); retention removes run1, and its current row with it.
        var previous = await executions.GetCurrentAsync(partition, default);
        await executions.RemoveRunAsync(partition, closing.State, default);
        var second = Start("wf-removed", "run2", T0.AddSeconds(2));
        await Assert.ThrowsAsync<CurrentRunRemovedException>(() =>
            executions.CommitNewRunAsync(partition, previous, second.State, second.NewEvents, null, default));
        Assert.Null(await executions.LoadAsync(partition, "run2", default));

        // Read again, the workflowId is free.
        await executions.CommitNewRunAsync(partition, await executions.GetCurrentAsync(partition, default), second.State, second.NewEvents, null, default);
        Assert.Equal("run2", (await executions.GetCurrentAsync(partition, default))!.RunId);
    }

    [Fact]
    public async Task Removing_a_run_takes_all_its_rows_and_the_current_row_only_if_it_still_names_it()
    {
        var partition = ExecutionKeys.Partition("d", "wf-2");
        var first = Start("wf-2", "run1", T0);
        await executions.CommitNewRunAsync(partition, null, first.State, first.NewEvents, null, default);
        await executions.RecordHeartbeatAsync(partition, "run1", 5, 6, "50%", T0.AddSeconds(3), default);
        await executions.RecordHeartbeatAsync(partition, "run1", 7, 8, null, T0.AddSeconds(4), default);
        Assert.Equal(new Dictionary<long, LastHeartbeat>
        {
            [5] = new(6, "50%", T0.AddSeconds(3)),
            [7] = new(8, null, T0.AddSeconds(4)),
        }, await executions.ReadHeartbeatsAsync(partition, "run1", default));

        var loaded = (await executions.LoadAsync(partition, "run1", default))!;
        var closing = new ExecutionMachine(loaded.State, T0.AddSeconds(5));
        closing.Terminate(null, null, null, WorkflowExecutionTerminatedCause.OperatorInitiated);
        await executions.TryCommitAsync(loaded, closing.State, closing.NewEvents, null, default);
        var second = Start("wf-2", "run2", T0.AddSeconds(6));
        await executions.CommitNewRunAsync(partition, await executions.GetCurrentAsync(partition, default), second.State, second.NewEvents, null, default);

        await executions.RemoveRunAsync(partition, closing.State, default);
        await executions.RemoveRunAsync(partition, closing.State, default); // idempotent
        Assert.Null(await executions.LoadAsync(partition, "run1", default));
        var left = new List<string>();
        await foreach (var row in tables.Executions.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: [])) left.Add(row.RowKey);
        Assert.Equal(["current", "r|run2", "r|run2|e|0000000001", "r|run2|e|0000000002"], left);

        // Once the current row names the removed run, it goes with it.
        var run2 = (await executions.LoadAsync(partition, "run2", default))!;
        var closing2 = new ExecutionMachine(run2.State, T0.AddSeconds(7));
        closing2.Terminate(null, null, null, WorkflowExecutionTerminatedCause.OperatorInitiated);
        await executions.TryCommitAsync(run2, closing2.State, closing2.NewEvents, null, default);
        await executions.RemoveRunAsync(partition, closing2.State, default);
        Assert.Null(await executions.GetCurrentAsync(partition, default));
    }
}
