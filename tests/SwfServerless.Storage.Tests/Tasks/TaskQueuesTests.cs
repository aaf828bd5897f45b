using SwfServerless.Core.Executions;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Tasks;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.Tasks;

/// <summary>Task list queues against Azurite, as the dispatcher uses them: by task list, with the storage layer's own records.</summary>
[Collection("azurite")]
public sealed class TaskQueuesTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Hidden = TimeSpan.FromSeconds(30);
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

    private Task<List<ReceivedTask>> ReceiveAsync(string taskList, int max = 1) => queues.ReceiveAsync("d", TaskKind.Activity, taskList, max, Hidden, default);

    [Fact]
    public async Task Tasks_come_highest_priority_first_several_per_receive()
    {
        await queues.EnqueueAsync("d", "list", 0, Message(1), default);
        await queues.EnqueueAsync("d", "list", 5, Message(2), default);
        await queues.EnqueueAsync("d", "other list", 0, Message(3), default);

        var both = await ReceiveAsync("list", max: 5);
        Assert.Equal([2L, 1L], both.Select(t => t.Message.ScheduledEventId));
        Assert.Empty(await ReceiveAsync("list"));

        await queues.DeleteAsync(both[0], default);
        await queues.DeferAsync(both[1], TimeSpan.Zero, default);
        var again = Assert.Single(await ReceiveAsync("list"));
        Assert.Equal(1L, again.Message.ScheduledEventId);
        await queues.DeleteAsync(again, default);
        await queues.DeleteAsync(both[1], default); // no longer ours: left alone, no failure
        await queues.DeferAsync(both[1], TimeSpan.Zero, default);
        Assert.Empty(await ReceiveAsync("list"));
    }

    [Fact]
    public async Task A_put_returns_the_receipt_that_deletes_the_message()
    {
        // A commit that lost its race deletes the messages it put, by these receipts.
        var deleted = await queues.EnqueueAsync("d", "matched", 0, Message(2), default);
        await queues.DeleteAsync(deleted, default);
        await queues.DeferAsync(deleted, TimeSpan.Zero, default); // gone: nothing to give back
        Assert.Empty(await ReceiveAsync("matched"));
    }

    [Fact]
    public async Task A_task_message_never_expires()
    {
        // A task may wait longer than Azure's default message lifetime (7 days) for its worker: SWF keeps it until its own timeouts.
        var put = await queues.EnqueueAsync("d", "waits long", 0, Message(4), default);
        var peeked = Assert.Single((await clients.GetQueueClient(put.QueueName).PeekMessagesAsync(1)).Value);
        Assert.True(peeked.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"expires {peeked.ExpiresOn:O}");
    }

    [Fact]
    public async Task The_input_travels_in_the_message_unless_it_would_not_fit()
    {
        var small = Message(1) with { HasInput = true, Input = "in", ActivityId = "a", ScheduledAt = DateTimeOffset.UnixEpoch };
        var large = Message(2) with { HasInput = true, Input = new string('"', 32768), ActivityId = "b" };
        await queues.EnqueueAsync("d", "inputs", 0, small, default);
        await queues.EnqueueAsync("d", "inputs", 0, large, default);

        var received = (await ReceiveAsync("inputs", max: 2)).ToDictionary(t => t.Message.ScheduledEventId, t => t.Message);
        Assert.Equal(small with { EnqueuedAt = received[1].EnqueuedAt }, received[1]);
        Assert.False(received[2].HasInput);
        Assert.Null(received[2].Input);
        Assert.Equal("b", received[2].ActivityId);
    }

    [Fact]
    public async Task A_message_that_is_not_a_task_is_dropped_and_told_by_its_id()
    {
        var list = TestNames.Unique("garbage");
        await queues.EnqueueAsync("d", list, 0, Message(1), default); // creates the queue
        var name = queues.QueueName(TaskQueues.TaskListKey("d", TaskKind.Activity, list), 0);
        await clients.GetQueueClient(name).SendCheckedAsync("not JSON");
        var dropped = new List<string>();
        clients.UndecodableMessageDropped += (queue, id) => { if (queue == name) lock (dropped) dropped.Add(id); };

        var received = await queues.ReceiveAsync("d", TaskKind.Activity, list, 32, Hidden, default);

        Assert.Equal(1, Assert.Single(received).Message.ScheduledEventId);
        Assert.DoesNotContain("JSON", Assert.Single(dropped), StringComparison.Ordinal);
        Assert.Empty(await queues.ReceiveAsync("d", TaskKind.Activity, list, 32, Hidden, default));
    }

    [Fact]
    public async Task A_task_list_nothing_was_ever_queued_on_is_empty()
    {
        Assert.Empty(await queues.ReceiveAsync("d", TaskKind.Decision, "never used", 32, Hidden, default));
    }
}
