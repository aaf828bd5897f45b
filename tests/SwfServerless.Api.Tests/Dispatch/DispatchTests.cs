using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Executions;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Time;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Dispatch;

/// <summary>
/// How tasks reach pollers (<see cref="TaskDispatch"/>): started in the scheduling commit for a poller waiting on the same
/// instance, and the timeout that brings such a task back, one receive loop per task list however many pollers wait, and
/// claims that keep losing races.
/// </summary>
[Collection("api")]
public sealed class DispatchTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private string prefix = "";

    protected override Dictionary<string, string?> Settings() => WithPrefix(new()
    {
        ["Swf:LongPollSeconds"] = "5", ["Swf:PollIntervalMilliseconds"] = "200", ["Swf:TaskVisibilitySeconds"] = "2",
        ["Swf:SweepIntervalSeconds"] = "0",
    });

    private Dictionary<string, string?> WithPrefix(Dictionary<string, string?> settings)
    {
        if (prefix.Length == 0) prefix = TestNames.Unique("t");
        settings["Swf:StoragePrefix"] = prefix;
        return settings;
    }

    private static TaskDispatch Dispatch(TestApp app) => app.Services.GetRequiredService<TaskDispatch>();

    private static Task WaitingAsync(TestApp app, string taskList, int count, TaskKind kind = TaskKind.Activity) =>
        Eventually.TrueAsync(() => Task.FromResult(Dispatch(app).Waiting("wf", kind, taskList) == count), $"{count} pollers waiting on {taskList}");

    [Fact]
    public async Task A_poller_waiting_here_is_handed_the_task_started_in_its_scheduling_commit_with_its_input()
    {
        var run = await Wf.StartAsync();
        var decision = await Wf.PollDecisionAsync(run);
        var poll = Wf.PollActivityAsync(identity: "worker-here");
        await WaitingAsync(App, Workflows.Workers, 1);
        var matched = Dispatch(App).Matched;

        await Wf.DecideAsync(decision, Workflows.Schedule("a1", input: "payload"));
        var task = await poll;

        Assert.Equal("payload", task.GetProperty("input").GetString());
        Assert.Equal(matched + 1, Dispatch(App).Matched);
        var history = await Wf.HistoryAsync(run);
        Assert.Equal(1, Workflows.Count(history, "ActivityTaskStarted"));
        // Scheduled and started in one commit: consecutive events, the poller's identity in the start.
        var started = Workflows.Last(history, "ActivityTaskStarted");
        Assert.Equal("worker-here", Workflows.Attributes(started).GetProperty("identity").GetString());
        Assert.Equal(Workflows.Last(history, "ActivityTaskScheduled").GetProperty("eventId").GetInt64() + 1, started.GetProperty("eventId").GetInt64());

        // The same for a decision task: the completion's commit starts it for the decider waiting here.
        var decide = Wf.PollDecisionAsync(run);
        await WaitingAsync(App, Workflows.Deciders, 1, TaskKind.Decision);
        await App.OkAsync("RespondActivityTaskCompleted", new { taskToken = task.GetProperty("taskToken").GetString(), result = "done" });
        var next = await decide;
        Assert.Equal(matched + 2, Dispatch(App).Matched);
        Assert.Contains(next.GetProperty("events").EnumerateArray(), e => e.GetProperty("eventType").GetString() == "ActivityTaskCompleted");
    }

    [Fact]
    public async Task A_workflow_whose_pollers_always_wait_here_puts_no_task_message_and_commits_once_per_task()
    {
        await using var app = await TestApp.StartAsync(Azurite, WithPrefix(Settings()));
        var wf = Wf.On(app);
        var metrics = app.Services.GetRequiredService<StorageClients>().Metrics;
        const int steps = 4;
        var decide = wf.PollDecisionAsync();
        await WaitingAsync(app, Workflows.Deciders, 1, TaskKind.Decision);
        var reminders = app.Services.GetRequiredService<ReminderRepository>();
        var before = metrics.Snapshot();
        var cleanupBefore = reminders.CleanupTransactions;

        var run = await wf.StartAsync();
        var decision = await decide;
        for (var i = 0; i < steps; i++)
        {
            var work = wf.PollActivityAsync();
            await WaitingAsync(app, Workflows.Workers, 1);
            await wf.DecideAsync(decision, Workflows.Schedule($"a{i}"));
            var task = await work;
            var next = wf.PollDecisionAsync(run);
            await WaitingAsync(app, Workflows.Deciders, 1, TaskKind.Decision);
            await app.OkAsync("RespondActivityTaskCompleted", new { taskToken = task.GetProperty("taskToken").GetString(), result = "ok" });
            decision = await next;
        }
        await wf.DecideAsync(decision, Workflows.Complete());
        await reminders.FlushAsync();
        var used = metrics.Snapshot().Minus(before);

        // Every task was started for its waiting poller in the commit that scheduled it: no message put or deleted, and one
        // batch per call that changes the run (the start, each respond, and the close's index move from open to closed).
        // The reminders the start and the close made obsolete go in cleanup transactions of their own, one per minute
        // partition: the two index repairs, and the first alarm unless it was due within the sweep's reach (then it goes
        // at once, alone).
        Assert.Equal(0, used["queue.put"]);
        Assert.Equal(0, used["queue.delete"]);
        Assert.InRange(used["table.delete"], 0, 1);
        var cleanup = reminders.CleanupTransactions - cleanupBefore;
        Assert.InRange(cleanup, 1, 3);
        Assert.Equal(1 + 2 * steps + 1 + 1, used["table.batch"] - cleanup);
        Assert.Equal(1 + 2 * steps, Dispatch(app).Matched);
    }

    [Fact]
    public async Task A_workflow_whose_pollers_come_after_their_tasks_were_queued_here_claims_each_without_a_receive()
    {
        await using var app = await TestApp.StartAsync(Azurite, WithPrefix(Settings()));
        var wf = Wf.On(app);
        var queues = app.Services.GetRequiredService<Storage.Tasks.TaskQueues>();
        // A first workflow: its first polls find nothing queued here yet, and leave each task list a loop on this instance.
        await RunSequentiallyAsync(wf, steps: 1);
        var handedOver = Dispatch(app).HandedOver;

        // Every task of the next one is queued (nobody waits), and the next poll here takes it with its put's receipt.
        const int steps = 3;
        await RunSequentiallyAsync(wf, steps);

        Assert.Equal(1 + steps + steps, Dispatch(app).HandedOver - handedOver);
        Assert.Equal(0, Dispatch(app).Matched);
        // Each claim deleted its message with the put's receipt: nothing is left for a look to find.
        Assert.Empty(await queues.ReceiveAsync("wf", TaskKind.Activity, Workflows.Workers, 32, TimeSpan.FromSeconds(1), default));
        Assert.Empty(await queues.ReceiveAsync("wf", TaskKind.Decision, Workflows.Deciders, 32, TimeSpan.FromSeconds(1), default));
    }

    /// <summary>Start, then each poll sent only after its task was queued (no poller waits when a task is scheduled).</summary>
    private static async Task RunSequentiallyAsync(Workflows wf, int steps)
    {
        var run = await wf.StartAsync();
        var decision = await wf.PollDecisionAsync(run);
        for (var i = 0; i < steps; i++)
        {
            await wf.DecideAsync(decision, Workflows.Schedule($"a{i}"));
            var task = await wf.PollActivityAsync();
            await wf.App.OkAsync("RespondActivityTaskCompleted", new { taskToken = task.GetProperty("taskToken").GetString(), result = "ok" });
            decision = await wf.PollDecisionAsync(run);
        }
        await wf.DecideAsync(decision, Workflows.Complete());
    }

    [Fact]
    public async Task A_task_that_would_never_time_out_once_started_goes_by_its_queue()
    {
        // Nothing would bring such a task back if its poller never heard of it: it is claimed from its message instead.
        await Wf.RegisterActivityAsync("endless", scheduleToStart: "NONE", scheduleToClose: "NONE", startToClose: "NONE");
        var run = await Wf.StartAsync();
        var decision = await Wf.PollDecisionAsync(run);
        var poll = Wf.PollActivityAsync(identity: "worker-here");
        await WaitingAsync(App, Workflows.Workers, 1);
        var matched = Dispatch(App).Matched;

        await Wf.DecideAsync(decision, Workflows.Schedule("e1", type: "endless", input: "payload"));
        var task = await poll;

        Assert.Equal("payload", task.GetProperty("input").GetString());
        Assert.Equal(matched, Dispatch(App).Matched);
        var started = Workflows.Last(await Wf.HistoryAsync(run), "ActivityTaskStarted");
        Assert.Equal("worker-here", Workflows.Attributes(started).GetProperty("identity").GetString());
    }

    [Fact]
    public async Task With_starts_for_waiting_pollers_turned_off_every_task_goes_by_its_queue()
    {
        var settings = WithPrefix(Settings());
        settings["Swf:StartTasksForWaitingPollers"] = "false";
        await using var app = await TestApp.StartAsync(Azurite, settings);
        var wf = Wf.On(app);
        var run = await wf.StartAsync();
        var decision = await wf.PollDecisionAsync(run);
        var poll = wf.PollActivityAsync(identity: "worker-here");
        await WaitingAsync(app, Workflows.Workers, 1);

        await wf.DecideAsync(decision, Workflows.Schedule("a1", input: "payload"));
        var task = await poll;

        Assert.Equal("payload", task.GetProperty("input").GetString());
        Assert.Equal(0, Dispatch(app).Matched);
        var history = await wf.HistoryAsync(run);
        Assert.Equal("worker-here", Workflows.Attributes(Workflows.Last(history, "ActivityTaskStarted")).GetProperty("identity").GetString());
    }

    [Fact]
    public async Task An_input_too_large_for_a_queue_message_is_read_from_history()
    {
        var run = await Wf.StartAsync();
        // 32,768 quotes: 64 KiB once escaped in the message's JSON, more than a queue message holds.
        var input = new string('"', 32768);
        await Wf.DecideAsync(run, Workflows.Schedule("big", input: input));
        var task = await Wf.PollActivityAsync();
        Assert.Equal(input, task.GetProperty("input").GetString());
    }

    [Fact]
    public async Task Many_pollers_on_two_instances_each_get_distinct_tasks_none_lost_none_doubled()
    {
        await using var other = await TestApp.StartAsync(Azurite, WithPrefix(Settings()));
        var onOther = Wf.On(other);
        const int runs = 8, perRun = 25;
        var received = new ConcurrentBag<string>();
        using var done = new CancellationTokenSource();

        async Task PollerAsync(Workflows wf, int n)
        {
            while (!done.IsCancellationRequested)
            {
                var task = await wf.PollActivityOrEmptyAsync(identity: $"worker-{n}");
                if (Workflows.IsEmpty(task)) continue;
                var id = task.GetProperty("workflowExecution").GetProperty("runId").GetString() + "/" + task.GetProperty("activityId").GetString();
                received.Add(id);
                if (received.Count >= runs * perRun) done.Cancel();
            }
        }

        var pollers = Enumerable.Range(0, 64).Select(n => PollerAsync(n % 4 == 0 ? onOther : Wf, n)).ToList();
        await WaitingAsync(App, Workflows.Workers, 48);
        await WaitingAsync(other, Workflows.Workers, 16);
        // Half the tasks are scheduled on the other instance: this one's pollers find those by receiving, and the other's by hand-over.
        for (var r = 0; r < runs; r++)
        {
            var wf = r % 2 == 0 ? Wf : onOther;
            var run = await wf.StartAsync();
            await wf.DecideAsync(await wf.PollDecisionAsync(), Enumerable.Range(0, perRun).Select(i => Workflows.Schedule($"a{i}", input: $"{r}/{i}")).ToArray());
        }
        await Task.WhenAll(pollers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(runs * perRun, received.Count);
        Assert.Equal(runs * perRun, received.Distinct().Count());
    }

    [Fact]
    public async Task Idle_storage_requests_do_not_grow_with_the_number_of_waiting_pollers()
    {
        await using var app = await TestApp.StartAsync(Azurite, WithPrefix(new()
        {
            ["Swf:LongPollSeconds"] = "6", ["Swf:PollIntervalMilliseconds"] = "200", ["Swf:SweepIntervalSeconds"] = "0",
        }));
        var wf = Wf.On(app);
        var metrics = app.Services.GetRequiredService<StorageClients>().Metrics;

        async Task<long> IdleRequestsAsync(string taskList, int pollers)
        {
            var polls = Enumerable.Range(0, pollers).Select(_ => wf.PollActivityOrEmptyAsync(taskList)).ToList();
            await WaitingAsync(app, taskList, pollers);
            await Task.Delay(TimeSpan.FromSeconds(1)); // the loop has backed off to its longest pause
            var before = metrics.Snapshot();
            await Task.Delay(TimeSpan.FromSeconds(3)); // the measured span: the same for both
            var requests = metrics.Snapshot().Minus(before);
            await Task.WhenAll(polls);
            return requests.Total;
        }

        var one = await IdleRequestsAsync("idle-1", 1);
        var many = await IdleRequestsAsync("idle-64", 64);

        // A look every 200 ms (jittered) for 3 s, plus the intent receiver's own looks: about 30 either way. Before one loop
        // per task list, every waiting poller looked on its own: 64 pollers cost about 64 times one.
        Assert.True(one <= 60, $"one idle poller: {one} requests in 3 s");
        Assert.True(many <= one * 3 / 2 + 10, $"64 idle pollers: {many} requests in 3 s, one: {one}");
    }

    [Fact]
    public async Task A_task_started_for_a_poller_whose_instance_dies_at_the_commit_times_out_and_comes_back()
    {
        await Wf.RegisterActivityAsync("quick", scheduleToStart: "NONE", scheduleToClose: "NONE", startToClose: "2");
        var death = new Death();
        await using var dying = await TestApp.StartAsync(Azurite, WithPrefix(Settings()), services => services.AddSingleton(
            StorageClients.FromConnectionString(Azurite.ConnectionString, new StorageClientOptions { HttpClient = new HttpClient(death), MaxRetries = 0 })));
        var onDying = Wf.On(dying);
        var run = await onDying.StartAsync();
        var decision = await onDying.PollDecisionAsync(run);
        var poll = dying.CallAsync("PollForActivityTask", new { domain = "wf", taskList = new { name = Workflows.Workers }, identity = "lost-worker" });
        await WaitingAsync(dying, Workflows.Workers, 1);

        death.Armed = true; // the commit that schedules and starts the task reaches storage; its answer, and all after it, do not
        Assert.NotEqual(HttpStatusCode.OK, (await dying.CallAsync("RespondDecisionTaskCompleted", new
        {
            taskToken = decision.GetProperty("taskToken").GetString(), decisions = new[] { Workflows.Schedule("q1", type: "quick") },
        })).Status);
        await dying.DisposeAsync();
        try
        {
            // The poll ended with its instance: whatever it answered, it did not get the task.
            var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(answer.Status == HttpStatusCode.OK && answer.Json.TryGetProperty("taskToken", out _), "the lost worker was answered");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }

        // Nobody heard of the start: the task's START_TO_CLOSE (2 s) ends it, on an instance that sweeps, and the decider hears.
        await using var survivor = await TestApp.StartAsync(Azurite, WithPrefix(new()
        {
            ["Swf:LongPollSeconds"] = "5", ["Swf:SweepIntervalSeconds"] = "1",
        }));
        var history = await Wf.On(survivor).WaitForHistoryAsync(run, h => Workflows.Count(h, "ActivityTaskTimedOut") == 1, "the start-to-close timeout");
        Assert.Equal("lost-worker", Workflows.Attributes(Workflows.Last(history, "ActivityTaskStarted")).GetProperty("identity").GetString());
        Assert.Equal("START_TO_CLOSE", Workflows.Attributes(Workflows.Last(history, "ActivityTaskTimedOut")).GetProperty("timeoutType").GetString());
        var next = await Wf.On(survivor).PollDecisionAsync(run);
        Assert.Contains(next.GetProperty("events").EnumerateArray(), e => e.GetProperty("eventType").GetString() == "ActivityTaskTimedOut");
    }

    [Fact]
    public async Task A_claim_that_keeps_losing_races_gives_the_task_back_instead_of_spinning()
    {
        var rival = new Rival(Azurite.ConnectionString, prefix + "Executions");
        await using var app = await TestApp.StartAsync(Azurite, WithPrefix(Settings()), services => services.AddSingleton(
            StorageClients.FromConnectionString(Azurite.ConnectionString, new StorageClientOptions { HttpClient = new HttpClient(rival) })));
        var wf = Wf.On(app);
        var run = await wf.StartAsync();
        await wf.DecideAsync(run, Workflows.Schedule("a1"));

        rival.Armed = true; // every read of a run's state is followed by another writer's change to it
        await rival.ChangeAsync(ExecutionKeys.Partition("wf", run.WorkflowId), run.RunId); // and the instance's own copy is stale
        var empty = await wf.PollActivityOrEmptyAsync();
        Assert.True(Workflows.IsEmpty(empty));
        Assert.True(rival.Interference >= TaskPoller.MaxClaimAttempts, $"{rival.Interference} lost races");

        rival.Armed = false;
        var task = await wf.PollActivityAsync();
        Assert.Equal("a1", task.GetProperty("activityId").GetString());
        Assert.Equal(1, Workflows.Count(await wf.HistoryAsync(run), "ActivityTaskStarted"));
    }

    /// <summary>Once armed, lets everything through up to the first commit with an ActivityTaskStarted, which reaches storage
    /// but whose answer is lost; then nothing at all.</summary>
    private sealed class Death() : DelegatingHandler(new SocketsHttpHandler())
    {
        public volatile bool Armed;
        private volatile bool dead;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (dead) throw new HttpRequestException("the instance is dead");
            if (Armed && request.RequestUri!.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal) && request.Content is not null
                && (await request.Content.ReadAsStringAsync(ct)).Contains("ActivityTaskStarted", StringComparison.Ordinal))
            {
                dead = true;
                using var applied = await base.SendAsync(request, ct);
                throw new HttpRequestException("the instance died before the answer");
            }
            return await base.SendAsync(request, ct);
        }
    }

    /// <summary>Once armed, changes a run's state row (a merge of nothing: a new ETag) right after each read of it.</summary>
    private sealed class Rival(string connectionString, string table) : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly TableClient rows = new(connectionString, table);
        public volatile bool Armed;
        private int interference;
        public int Interference => interference;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            var path = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath);
            if (Armed && request.Method == HttpMethod.Get && response.IsSuccessStatusCode && path.Contains("/" + table + "(", StringComparison.Ordinal)
                && StateRowKey(path) is { } key)
            {
                await rows.UpdateEntityAsync(new TableEntity(key.Partition, key.Row), ETag.All, TableUpdateMode.Merge, ct);
                Interlocked.Increment(ref interference);
            }
            return response;
        }

        /// <summary>Another writer's change to the run's state row.</summary>
        public async Task ChangeAsync(string partition, string runId)
        {
            await rows.UpdateEntityAsync(new TableEntity(partition, ExecutionKeys.StateRow(runId)), ETag.All, TableUpdateMode.Merge);
            Interlocked.Increment(ref interference);
        }

        /// <summary>The keys of a state row read (<c>r|{runId}</c>, no further '|').</summary>
        private static (string Partition, string Row)? StateRowKey(string path)
        {
            var at = path.IndexOf("(PartitionKey='", StringComparison.Ordinal);
            if (at < 0) return null;
            var parts = path[(at + "(PartitionKey='".Length)..].Split("',RowKey='");
            if (parts.Length != 2) return null;
            var row = parts[1].TrimEnd(')').TrimEnd('\'');
            return row.StartsWith("r|", StringComparison.Ordinal) && row.Count(c => c == '|') == 1 ? (parts[0], row) : null;
        }
    }
}
