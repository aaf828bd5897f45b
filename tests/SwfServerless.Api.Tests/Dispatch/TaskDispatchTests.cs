using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Tasks;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Dispatch;

/// <summary>The dispatcher on its own, against Azurite, on a <see cref="ManualTime"/>: its loops end when nobody waits.</summary>
[Collection("api")]
public sealed class TaskDispatchTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly StorageClients clients = StorageClients.FromConnectionString(azurite.ConnectionString);
    private readonly ManualTime clock = new(DateTimeOffset.UtcNow);
    private SwfTables tables = null!;
    private TaskDispatch dispatch = null!;
    private TaskQueues queues = null!;
    private string queuePrefix = null!;

    public async Task InitializeAsync()
    {
        var prefix = TestNames.Unique("td");
        tables = new SwfTables(clients, prefix);
        await tables.TaskLists.CreateIfMissingAsync();
        queuePrefix = prefix.ToLowerInvariant();
        queues = new TaskQueues(clients, tables, queuePrefix, clock);
        dispatch = new TaskDispatch(queues, clock,
            Options.Create(new SwfOptions()), NullLogger<TaskDispatch>.Instance);
    }

    public async Task DisposeAsync()
    {
        dispatch.Dispose();
        await tables.TaskLists.DeleteAsync();
        clients.Dispose();
    }

    [Fact]
    public async Task A_task_lists_loop_ends_and_is_forgotten_once_nobody_has_waited_for_a_while()
    {
        var waits = Enumerable.Range(0, 3).Select(i => dispatch.WaitAsync("d", TaskKind.Activity, $"list-{i}", null, TimeSpan.FromSeconds(1), default)).ToList();
        Assert.Equal(3, dispatch.ActiveLists);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.All(await Task.WhenAll(waits), Assert.Null);
        // Moving the clock a second at a time lets each loop pause, look that nobody waits, and end.
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(dispatch.ActiveLists == 0);
        }, "every loop ended");

        // A poller that comes later gets a new loop.
        var again = dispatch.WaitAsync("d", TaskKind.Activity, "list-0", null, TimeSpan.FromSeconds(1), default);
        Assert.Equal(1, dispatch.ActiveLists);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await again);
    }

    [Fact]
    public async Task A_reserved_poller_gets_the_task_started_for_it_or_waits_on_when_the_commit_does_not_happen()
    {
        var wait = dispatch.WaitAsync("d", TaskKind.Activity, "reserved", "worker-7", TimeSpan.FromSeconds(30), default);
        Assert.Equal(1, dispatch.Waiting("d", TaskKind.Activity, "reserved"));

        // A commit in flight takes the poller out of the list (no second commit, and no receive, can have it)...
        var first = dispatch.TryReserve("d", TaskKind.Activity, "reserved");
        Assert.NotNull(first);
        Assert.Equal("worker-7", first.Identity);
        Assert.Null(dispatch.TryReserve("d", TaskKind.Activity, "reserved"));
        Assert.Equal(0, dispatch.Waiting("d", TaskKind.Activity, "reserved"));

        // ...and gives it back when it does not commit: the poller waits on, for the time it has left.
        first.Cancel();
        await Eventually.TrueAsync(() => Task.FromResult(dispatch.Waiting("d", TaskKind.Activity, "reserved") == 1), "the poller waits again");
        Assert.False(wait.IsCompleted);

        var second = dispatch.TryReserve("d", TaskKind.Activity, "reserved")!;
        var started = new ClaimedTask<ActivityTaskStart>("p", new ExecutionState(), new ActivityTaskStart(5, 6, "a1", new ActivityType { Name = "t", Version = "1" },
            new WorkflowExecution { WorkflowId = "w", RunId = "r" }, "reserved"), new TaskMessage(TaskKind.Activity, "p", "r", 5, clock.GetUtcNow()));
        second.Deliver(started);
        second.Cancel(); // settled once: a late cancel changes nothing

        var offer = await wait;
        Assert.Same(started, offer?.Started);
        Assert.Null(offer?.Message);
        Assert.Equal(1, dispatch.Matched);
    }

    [Fact]
    public async Task While_tasks_may_be_waiting_in_the_queue_a_new_task_does_not_overtake_them()
    {
        // Two tasks that have waited a while (a fresh one, just queued here, is no backlog).
        for (var i = 1; i <= 2; i++)
            await queues.EnqueueAsync("d", "backlog", 0, new TaskMessage(TaskKind.Activity, "p", "r", i, clock.GetUtcNow() - TimeSpan.FromSeconds(5)), default);

        // The loop's first look fills the one free poller with a task that had waited: more may be waiting.
        var first = await dispatch.WaitAsync("d", TaskKind.Activity, "backlog", null, TimeSpan.FromSeconds(30), default);
        Assert.Equal(1, first?.Message?.Message.ScheduledEventId);

        // A poller that comes now is not promised to a new task: it is the queued one's (still there, met by the next look).
        var second = dispatch.WaitAsync("d", TaskKind.Activity, "backlog", null, TimeSpan.FromSeconds(30), default);
        Assert.Null(dispatch.TryReserve("d", TaskKind.Activity, "backlog"));
        Assert.Equal(2, (await second)?.Message?.Message.ScheduledEventId);

        // Once a look finds the queue empty, new tasks go straight to waiting pollers again.
        var third = dispatch.WaitAsync("d", TaskKind.Activity, "backlog", null, TimeSpan.FromSeconds(30), default);
        TaskDispatch.Reservation? reservation = null;
        await Eventually.TrueAsync(() => Task.FromResult((reservation = dispatch.TryReserve("d", TaskKind.Activity, "backlog")) is not null), "a reservation");
        reservation!.Cancel();
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await third);
    }

    [Fact]
    public async Task A_task_queued_here_goes_to_a_poller_here_without_a_receive()
    {
        // A poller has been here (the task list has its loop), and none waits now.
        await PolledEarlierAsync("local");

        var put = await Queue("local", 1);
        var before = clients.Metrics.Snapshot();
        // The next poller to come gets it with the put's receipt, at once: no receive.
        var offer = await dispatch.WaitAsync("d", TaskKind.Activity, "local", null, TimeSpan.FromSeconds(30), default);
        Assert.Equal(put, offer?.Message);
        Assert.False(offer!.Message!.Hidden);
        Assert.Equal(0, clients.Metrics.Snapshot().Minus(before).Total);
        // The receipt is the put's own: it deletes the message (the claim does this once the task is started).
        await queues.DeleteAsync(put, default);
        Assert.Empty(await queues.ReceiveAsync("d", TaskKind.Activity, "local", 32, TimeSpan.FromSeconds(30), default));

        // So does a poller already waiting when the next one is queued. Its loop looks once when it comes (and finds nothing);
        // the task is queued after that look, which would otherwise receive it first and change its receipt (the claim's
        // delete is then refused, and the message, whose task is started by then, is dropped by whoever meets it next).
        var looks = clients.Metrics.Snapshot()["queue.get"];
        var waiting = dispatch.WaitAsync("d", TaskKind.Activity, "local", null, TimeSpan.FromSeconds(30), default);
        await Eventually.TrueAsync(() => Task.FromResult(dispatch.Waiting("d", TaskKind.Activity, "local") == 1), "the poller waits");
        await Eventually.TrueAsync(() => Task.FromResult(clients.Metrics.Snapshot()["queue.get"] > looks), "its loop looked");
        var next = await Queue("local", 2);
        Assert.Equal(next, (await waiting)?.Message);
        Assert.Equal(2, dispatch.HandedOver);
    }

    [Fact]
    public async Task While_a_commit_is_in_flight_here_a_poller_that_comes_is_left_for_it_rather_than_given_a_task_queued_here()
    {
        await PolledEarlierAsync("busy");
        await Queue("busy", 1);

        TaskDispatch.Reservation? reservation;
        Task<TaskDispatch.TaskOffer?> wait;
        using (dispatch.Committing())
        {
            // Under load the poller that comes joins the list instead of taking task 1, and a commit may start its new task for it.
            wait = dispatch.WaitAsync("d", TaskKind.Activity, "busy", "worker-1", TimeSpan.FromSeconds(30), default);
            reservation = dispatch.TryReserve("d", TaskKind.Activity, "busy");
        }
        Assert.NotNull(reservation);
        var started = new ClaimedTask<ActivityTaskStart>("p", new ExecutionState(), new ActivityTaskStart(2, 3, "a2", new ActivityType { Name = "t", Version = "1" },
            new WorkflowExecution { WorkflowId = "w", RunId = "r" }, "busy"), new TaskMessage(TaskKind.Activity, "p", "r", 2, clock.GetUtcNow()));
        reservation.Deliver(started);
        Assert.Same(started, (await wait)?.Started);

        // Task 1 is not lost: the next poller gets it (handed over, or received by the loop's look meanwhile).
        Assert.Equal(1, (await dispatch.WaitAsync("d", TaskKind.Activity, "busy", null, TimeSpan.FromSeconds(30), default))?.Message?.Message.ScheduledEventId);
    }

    [Fact]
    public async Task A_task_queued_here_that_no_poller_here_took_in_time_is_received_like_any_other()
    {
        await PolledEarlierAsync("late");

        var put = await Queue("late", 1);
        clock.Advance(TaskDispatch.LocalAge + TimeSpan.FromMilliseconds(1));
        var offer = await dispatch.WaitAsync("d", TaskKind.Activity, "late", null, TimeSpan.FromSeconds(30), default);
        Assert.Equal(put.MessageId, offer?.Message?.MessageId);
        Assert.True(offer!.Message!.Hidden); // received by the loop, in queue order
        Assert.Equal(0, dispatch.HandedOver);
    }

    [Fact]
    public async Task A_task_queued_here_later_does_not_overtake_one_that_waited_too_long_for_a_poller_here()
    {
        await PolledEarlierAsync("overtake");

        await Queue("overtake", 1);
        clock.Advance(TaskDispatch.LocalAge + TimeSpan.FromMilliseconds(1));
        await Queue("overtake", 2);

        // Task 1 waited too long: pollers here now take the queue in its order, not the younger task 2 first.
        Assert.Equal(1, (await dispatch.WaitAsync("d", TaskKind.Activity, "overtake", null, TimeSpan.FromSeconds(30), default))?.Message?.Message.ScheduledEventId);
        Assert.Equal(2, (await dispatch.WaitAsync("d", TaskKind.Activity, "overtake", null, TimeSpan.FromSeconds(30), default))?.Message?.Message.ScheduledEventId);
        Assert.Equal(0, dispatch.HandedOver);
    }

    [Fact]
    public async Task Behind_a_backlog_a_task_queued_here_is_not_handed_over()
    {
        for (var i = 1; i <= 2; i++)
            await queues.EnqueueAsync("d", "behind", 0, new TaskMessage(TaskKind.Activity, "p", "r", i, clock.GetUtcNow() - TimeSpan.FromSeconds(5)), default);
        Assert.Equal(1, (await dispatch.WaitAsync("d", TaskKind.Activity, "behind", null, TimeSpan.FromSeconds(30), default))?.Message?.Message.ScheduledEventId);

        // The look found a backlog: a task queued here now waits its turn in the queue, behind event 2.
        await Queue("behind", 3);
        Assert.Equal(2, (await dispatch.WaitAsync("d", TaskKind.Activity, "behind", null, TimeSpan.FromSeconds(30), default))?.Message?.Message.ScheduledEventId);
        Assert.Equal(3, (await dispatch.WaitAsync("d", TaskKind.Activity, "behind", null, TimeSpan.FromSeconds(30), default))?.Message?.Message.ScheduledEventId);
        Assert.Equal(0, dispatch.HandedOver);
    }

    [Fact]
    public async Task Behind_a_backlog_a_look_receives_ahead_for_the_pollers_coming_back_and_they_take_those_in_queue_order()
    {
        for (var i = 1; i <= 6; i++)
            await queues.EnqueueAsync("d", "ahead", 0, new TaskMessage(TaskKind.Activity, "p", "r", i, clock.GetUtcNow() - TimeSpan.FromSeconds(5)), default);
        async Task<long?> Poll() => (await dispatch.WaitAsync("d", TaskKind.Activity, "ahead", null, TimeSpan.FromSeconds(30), default))?.Message?.Message.ScheduledEventId;
        long Count(string request) => clients.Metrics.Snapshot()[request];

        // The first look fills its one poller with a task that had waited: a backlog.
        Assert.Equal(1, await Poll());
        // The next look receives for the two pollers this second has seen: one for the poller waiting, one held for the next.
        var receives = Count("queue.get");
        Assert.Equal(2, await Poll());
        Assert.Equal(receives + 1, Count("queue.get"));
        Assert.Equal(3, await Poll());
        Assert.Equal(receives + 1, Count("queue.get"));
        // Four pollers have come this second: the next look asks for four, finds the last three, and holds two of them.
        Assert.Equal(4, await Poll());
        Assert.Equal(5, await Poll());
        Assert.Equal(receives + 2, Count("queue.get"));

        // Nobody comes for task 6 within HoldAge: it is made visible again, and the next poller receives it.
        var releases = Count("queue.update");
        clock.Advance(TaskDispatch.HoldAge);
        await Eventually.TrueAsync(() => Task.FromResult(Count("queue.update") > releases), "the held message was released");
        Assert.Equal(6, await Poll());
        Assert.Equal(receives + 3, Count("queue.get"));
    }

    [Fact]
    public async Task A_message_received_for_a_poller_that_a_task_queued_here_took_meanwhile_is_held_for_it_not_given_back()
    {
        using var gated = await GatedWithTaskQueuedElsewhereAsync("taken");
        var (gate, gatedQueues, here) = (gated.Gate, gated.Queues, gated.Dispatch);
        long Count(string request) => gated.Clients.Metrics.Snapshot()[request];

        // The poller waits and its loop looks; while the look is on its way, a task queued here is handed to the poller.
        var look = gate.Close();
        var first = here.WaitAsync("d", TaskKind.Activity, "taken", null, TimeSpan.FromSeconds(30), default);
        await look;
        var put = await gatedQueues.EnqueueAsync("d", "taken", 0, new TaskMessage(TaskKind.Activity, "p", "r", 2, clock.GetUtcNow()), default);
        here.Queued("d", TaskKind.Activity, "taken", 0, put);
        Assert.Equal(2, (await first)?.Message?.Message.ScheduledEventId);

        // The look comes back with task 1 and no poller to give it to: that poller comes back when it has done task 2,
        // so task 1 is kept for it, not made visible again (an update) to be received once more (a second receive).
        var (receives, updates) = (Count("queue.get"), Count("queue.update"));
        gate.Open();
        await Eventually.TrueAsync(() => Task.FromResult(here.Held("d", TaskKind.Activity, "taken") == 1), "task 1 is held");
        Assert.Equal(1, (await here.WaitAsync("d", TaskKind.Activity, "taken", null, TimeSpan.FromSeconds(30), default))?.Message?.Message.ScheduledEventId);
        Assert.Equal(updates, Count("queue.update"));
        Assert.Equal(receives, Count("queue.get")); // none after the look that was held up (counted as it set out)
    }

    [Fact]
    public async Task A_message_received_for_a_poller_that_left_meanwhile_is_given_back_at_once()
    {
        using var gated = await GatedWithTaskQueuedElsewhereAsync("left");
        var (gate, here) = (gated.Gate, gated.Dispatch);

        // The poller's long poll ends while its loop's look is on its way: it is gone, and nobody is expected back.
        var look = gate.Close();
        using var leaving = new CancellationTokenSource();
        var first = here.WaitAsync("d", TaskKind.Activity, "left", null, TimeSpan.FromSeconds(30), leaving.Token);
        await look;
        leaving.Cancel();
        Assert.Null(await first);

        var updates = gated.Clients.Metrics.Snapshot()["queue.update"];
        gate.Open();
        // Task 1 is made visible again at once, for the next look here or elsewhere.
        await Eventually.TrueAsync(() => Task.FromResult(gated.Clients.Metrics.Snapshot()["queue.update"] == updates + 1), "task 1 was given back");
        Assert.Equal(0, here.Held("d", TaskKind.Activity, "left"));
        Assert.Equal(1, (await queues.ReceiveAsync("d", TaskKind.Activity, "left", 32, TimeSpan.FromSeconds(30), default)).Single().Message.ScheduledEventId);
    }

    /// <summary>A dispatch whose looks a <see cref="ReceiveGate"/> can hold up, on a task list it has polled before (it has its
    /// loop) and that holds task 1, queued by another instance: only a look meets it.</summary>
    private async Task<GatedDispatch> GatedWithTaskQueuedElsewhereAsync(string taskList)
    {
        var gate = new ReceiveGate();
        var gatedClients = StorageClients.FromConnectionString(azurite.ConnectionString, new StorageClientOptions { AdditionalPolicies = [gate] });
        var gatedQueues = new TaskQueues(gatedClients, tables, queuePrefix, clock);
        var gated = new GatedDispatch(gate, gatedClients, gatedQueues,
            new TaskDispatch(gatedQueues, clock, Options.Create(new SwfOptions()), NullLogger<TaskDispatch>.Instance));
        var earlier = gated.Dispatch.WaitAsync("d", TaskKind.Activity, taskList, null, TimeSpan.FromSeconds(1), default);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await earlier);
        await gatedQueues.EnqueueAsync("d", taskList, 0, new TaskMessage(TaskKind.Activity, "p", "r", 1, clock.GetUtcNow()), default);
        return gated;
    }

    private sealed record GatedDispatch(ReceiveGate Gate, StorageClients Clients, TaskQueues Queues, TaskDispatch Dispatch) : IDisposable
    {
        public void Dispose()
        {
            Dispatch.Dispose();
            Clients.Dispose();
        }
    }

    /// <summary>Holds queue receives (GET .../messages) while closed: a look on its way to storage, for as long as a test needs.</summary>
    private sealed class ReceiveGate : HttpPipelinePolicy
    {
        private TaskCompletionSource? closed;
        private TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Closes the gate; the task completes when a receive has reached it.</summary>
        public Task Close()
        {
            entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            return entered.Task;
        }

        public void Open() => Interlocked.Exchange(ref closed, null)?.TrySetResult();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.EndsWith("/messages", StringComparison.Ordinal)
                && Volatile.Read(ref closed) is { } gate)
            {
                entered.TrySetResult();
                await gate.Task;
            }
            await ProcessNextAsync(message, pipeline);
        }
    }

    /// <summary>A poll that waited here and got nothing: the task list has its loop on this instance, and no poller waits now.</summary>
    private async Task PolledEarlierAsync(string taskList)
    {
        var earlier = dispatch.WaitAsync("d", TaskKind.Activity, taskList, null, TimeSpan.FromSeconds(1), default);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await earlier);
    }

    /// <summary>Queues a task on the task list as a commit of this instance does, and tells the dispatch.</summary>
    private async Task<ReceivedTask> Queue(string taskList, long eventId)
    {
        var put = await queues.EnqueueAsync("d", taskList, 0, new TaskMessage(TaskKind.Activity, "p", "r", eventId, clock.GetUtcNow()), default);
        dispatch.Queued("d", TaskKind.Activity, taskList, 0, put);
        return put;
    }
}
