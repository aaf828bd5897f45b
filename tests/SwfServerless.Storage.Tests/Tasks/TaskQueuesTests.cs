using SwfServerless.Core.Executions;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Tasks;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.Tasks;

/// <summary>Task list queues against Azurite, as the poller uses them: by task list, with the storage layer's own records.</summary>
[Collection("azurite")]
public sealed class TaskQueuesTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly StorageClients clients = StorageClients.FromConnectionString(azurite.ConnectionString);
    private SwfTables tables = null!;
    private TaskQueues queues = null!;

    public async Task InitializeAsync()
    {
        var prefix = TestNames.Unique("tq");
        tables = new SwfTables(clients, prefix);
        await tables.TaskLists.CreateIfMissingAsync();
        queues = new TaskQueues(clients, tables, prefix, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await tables.TaskLists.DeleteAsync();
        clients.Dispose();
    }

    private static TaskMessage Message(long eventId) => new(TaskKind.Activity, "partition", "run", eventId, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Tasks_come_highest_priority_first_and_are_counted()
    {
        await queues.EnqueueAsync("d", "list", 0, Message(1), default);
        await queues.EnqueueAsync("d", "list", 5, Message(2), default);
        await queues.EnqueueAsync("d", "other list", 0, Message(3), default);

        Assert.Equal(2, await queues.CountAsync("d", TaskKind.Activity, "list", default));
        var first = await queues.ReceiveAsync("d", TaskKind.Activity, "list", TimeSpan.FromSeconds(30), default);
        var second = await queues.ReceiveAsync("d", TaskKind.Activity, "list", TimeSpan.FromSeconds(30), default);
        Assert.Equal((2L, 1L), (first!.Message.ScheduledEventId, second!.Message.ScheduledEventId));
        Assert.Null(await queues.ReceiveAsync("d", TaskKind.Activity, "list", TimeSpan.FromSeconds(30), default));

        await queues.DeleteAsync(first, default);
        await queues.DeferAsync(second, TimeSpan.Zero, default);
        var again = await queues.ReceiveAsync("d", TaskKind.Activity, "list", TimeSpan.FromSeconds(30), default);
        Assert.Equal(1L, again!.Message.ScheduledEventId);
        await queues.DeleteAsync(again, default);
        await queues.DeleteAsync(second, default); // no longer ours: left alone, no failure
        Assert.Equal(0, await queues.CountAsync("d", TaskKind.Activity, "list", default));
    }

    [Fact]
    public async Task A_task_list_nothing_was_ever_queued_on_is_empty()
    {
        Assert.Null(await queues.ReceiveAsync("d", TaskKind.Decision, "never used", TimeSpan.FromSeconds(30), default));
        Assert.Equal(0, await queues.CountAsync("d", TaskKind.Decision, "never used", default));
    }
}
