using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Service.Time;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Time;
using SwfServerless.Testing;
using static SwfServerless.Api.Tests.Workflows;

namespace SwfServerless.Api.Tests.Time;

/// <summary>
/// Deadlines when things go wrong or race: two instances sweeping the same reminders, a reminder delivered
/// again after a crash, the app down while deadlines fall due, a lost index write, retention.
/// </summary>
[Collection("time")]
public sealed class RecoveryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly List<TestApp> apps = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in apps) await app.DisposeAsync();
    }

    /// <summary>An app; apps given the same prefix share all storage (two instances of one deployment).</summary>
    /// <param name="clock">The app's clock, when the test moves time itself.</param>
    private async Task<TestApp> StartAppAsync(string prefix, bool inProcessTimers = true, int sweepSeconds = 1, Action<IServiceCollection>? configure = null,
        ManualTime? clock = null)
    {
        var settings = TimeTest.ShortTimes();
        settings["Swf:StoragePrefix"] = prefix;
        settings["Swf:InProcessTimers"] = inProcessTimers ? "true" : "false";
        settings["Swf:SweepIntervalSeconds"] = sweepSeconds.ToString();
        var app = await TestApp.StartAsync(azurite, settings, services =>
        {
            configure?.Invoke(services);
            if (clock is not null) services.AddSingleton<TimeProvider>(clock);
        });
        apps.Add(app);
        return app;
    }

    private static Task<SweepResult> SweepAsync(TestApp app) => app.Services.GetRequiredService<SweepWork>().SweepOnceAsync(TimeSpan.FromSeconds(12), CancellationToken.None);

    private static async Task<List<Reminder>> RemindersOfAsync(TestApp app, string runId) =>
        (await app.Services.GetRequiredService<ReminderRepository>().DueAsync(DateTimeOffset.MaxValue.AddDays(-1), 1000, CancellationToken.None))
        .Where(r => r.RunId == runId).ToList();

    /// <summary>The time suite's domain on <paramref name="app"/>.</summary>
    private static Task<Workflows> SetUpAsync(TestApp app, string retentionDays = "1") => TimeTest.RegisterAsync(new Workflows(app), retentionDays);

    [Theory]
    [InlineData(false)] // four sweeps at once on two instances, nothing else
    [InlineData(true)]  // in-process timers of the arming instance and background sweeps of both, racing
    public async Task Two_instances_one_deadline_each_fires_exactly_once(bool inProcessTimers)
    {
        var prefix = TestNames.Unique("two");
        var a = await StartAppAsync(prefix, inProcessTimers, sweepSeconds: inProcessTimers ? 1 : 0);
        var b = await StartAppAsync(prefix, inProcessTimers, sweepSeconds: inProcessTimers ? 1 : 0);
        var onA = await SetUpAsync(a);
        var onB = onA.On(b);
        await onA.RegisterActivityAsync("idle", scheduleToStart: "1");

        var runs = new List<Execution>();
        for (var i = 0; i < 6; i++) runs.Add(await onA.StartAsync());
        // All six first decision tasks are taken before any is answered: no deadline runs yet, so each poll gets a first
        // decision. (Answered one by one, a loop slower than 1 s let an early run's timer schedule its second decision
        // task before the last run's first one was polled.)
        var firsts = await Task.WhenAll(runs.Select(_ => onA.PollDecisionAsync()));
        Assert.Equal(runs.Select(r => r.RunId).Order(), firsts.Select(t => t.GetProperty("workflowExecution").GetProperty("runId").GetString()!).Order());
        await Task.WhenAll(firsts.Select(t => onA.DecideAsync(t, StartTimer("t1", "1"), Schedule("a1", "idle"))));
        if (!inProcessTimers)
        {
            // Both deadlines of a run were set by one decision, at one instant: its alarm.
            await Eventually.TrueAsync(async () => (await Task.WhenAll(runs.Select(r => RemindersOfAsync(a, r.RunId))))
                .All(rs => rs.Count > 0 && rs.All(r => r.Due <= DateTimeOffset.UtcNow)), "every run's deadlines are due");
            var sweeps = await Task.WhenAll(SweepAsync(a), SweepAsync(b), SweepAsync(a), SweepAsync(b));
            Assert.True(sweeps.Sum(s => s.Handled) >= runs.Count, "every run's alarm was handled at least once");
        }

        foreach (var run in runs)
        {
            var events = await onB.WaitForHistoryAsync(run, h => Count(h, "TimerFired") > 0 && Count(h, "ActivityTaskTimedOut") > 0, "both deadlines");
            // Racing deliveries in real time: a second one must add nothing; a bounded 300 ms for it to show if it did.
            if (inProcessTimers) await Task.Delay(300);
            events = await onB.HistoryAsync(run);
            Assert.Equal((1, 1, 2), (Count(events, "TimerFired"), Count(events, "ActivityTaskTimedOut"), Count(events, "DecisionTaskScheduled")));
        }
        if (!inProcessTimers)
        {
            // Every run's alarm moved on. A reminder that a racing sweep met after its alarm had moved is looked at again a
            // little later (it might have preceded its commit, see RunAlarms), so it may be due now: sweeping it fires nothing.
            Assert.All(await Task.WhenAll(runs.Select(r => RemindersOfAsync(a, r.RunId))),
                rs => Assert.All(rs.Where(r => r.Attempt == 0), r => Assert.True(r.Due > DateTimeOffset.UtcNow)));
            await Task.WhenAll(SweepAsync(b), SweepAsync(a));
            foreach (var run in runs)
            {
                var events = await onB.HistoryAsync(run);
                Assert.Equal((1, 1, 2), (Count(events, "TimerFired"), Count(events, "ActivityTaskTimedOut"), Count(events, "DecisionTaskScheduled")));
            }
        }
        // Each decision task the firing scheduled was queued once: the deciders get one each, then nothing.
        for (var i = 0; i < runs.Count; i++) await (i % 2 == 0 ? onA : onB).PollDecisionAsync();
        Assert.False((await b.OkAsync("PollForDecisionTask", new { domain = onA.Domain, taskList = new { name = Deciders } })).TryGetProperty("taskToken", out _));
    }

    [Fact]
    public async Task A_reminder_delivered_again_after_a_crash_fires_nothing()
    {
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        var app = await StartAppAsync(TestNames.Unique("crash"), inProcessTimers: false, sweepSeconds: 0, clock: clock);
        var swf = await SetUpAsync(app);
        var run = await swf.StartAsync();
        await swf.DecideAsync(run, StartTimer("t1", "1"));
        clock.Advance(TimeSpan.FromSeconds(1.1));

        var handled = (await RemindersOfAsync(app, run.RunId)).Where(r => r.Due <= clock.GetUtcNow()).ToList();
        Assert.Single(handled);
        Assert.Equal(1, (await SweepAsync(app)).Handled);
        var events = await swf.HistoryAsync(run);
        Assert.Equal("TimerFired, DecisionTaskScheduled", Types(events.TakeLast(2)));

        // The sweeping instance died after its commit, before deleting the reminder: it is delivered again. And one
        // died after writing a new alarm but before committing it: a reminder the state knows nothing of.
        var reminders = app.Services.GetRequiredService<ReminderRepository>();
        await reminders.ArmAsync(handled[0], default);
        await reminders.ArmAsync(Reminder.Alarm(clock.GetUtcNow().AddSeconds(-30), handled[0].Partition, run.RunId), default);
        Assert.Equal(2, (await SweepAsync(app)).Handled);
        Assert.Equal(Types(events), Types(await swf.HistoryAsync(run)));
        // The one the state knows nothing of may precede its commit, so it is looked at again 1, 2, 4 ... s after its due
        // time (RunAlarms.DropAsync), then dropped. Overdue by 30 s, its first looks are due at once: each sweep takes one.
        for (var sweep = 0; sweep < 7 && (await RemindersOfAsync(app, run.RunId)).Any(r => r.Due <= clock.GetUtcNow()); sweep++)
        {
            Assert.All((await RemindersOfAsync(app, run.RunId)).Where(r => r.Due <= clock.GetUtcNow()), r => Assert.True(r.Attempt > 0, "only the stale one is looked at again"));
            await SweepAsync(app);
        }
        Assert.DoesNotContain(await RemindersOfAsync(app, run.RunId), r => r.Due <= clock.GetUtcNow());
        Assert.Equal(Types(events), Types(await swf.HistoryAsync(run)));
    }

    [Fact]
    public async Task A_reminder_met_before_its_commit_lands_still_fires_the_deadline_once_it_does()
    {
        // Found by the SIGKILL loop (tests/SwfServerless.Reliability.Tests): reminders are armed before their commit, and a
        // sweep that met one first deleted it as stale, so the commit then landed an alarm with nothing to fire it.
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        var app = await StartAppAsync(TestNames.Unique("inflight"), inProcessTimers: false, sweepSeconds: 0, clock: clock);
        var swf = await SetUpAsync(app);
        var run = await swf.StartAsync();
        var executions = app.Services.GetRequiredService<SwfTables>().Executions;
        var partition = ExecutionKeys.Partition(swf.Domain, run.WorkflowId);
        Task<TableEntity> StateRowAsync() => executions.GetEntityAsync<TableEntity>(partition, ExecutionKeys.StateRow(run.RunId)).ContinueWith(t => t.Result.Value);
        var before = await StateRowAsync();
        await swf.DecideAsync(run, StartTimer("t1", "1"));
        var after = await StateRowAsync();

        // The timer's commit is slow: its reminder (written first) falls due while the state row still predates it.
        await executions.UpsertEntityAsync(before, TableUpdateMode.Replace);
        clock.Advance(TimeSpan.FromSeconds(1.1));
        await SweepAsync(app);
        Assert.Contains(await RemindersOfAsync(app, run.RunId), r => r.Due > clock.GetUtcNow()); // kept for another look

        // The commit lands; the next look fires the timer.
        await executions.UpsertEntityAsync(after, TableUpdateMode.Replace);
        clock.Advance(TimeSpan.FromSeconds(2));
        await SweepAsync(app);
        Assert.Equal("TimerFired, DecisionTaskScheduled", Types((await swf.HistoryAsync(run)).TakeLast(2)));
    }

    [Fact]
    public async Task Deadlines_that_fell_due_while_the_app_was_down_fire_in_due_order_when_it_starts()
    {
        var prefix = TestNames.Unique("restart");
        var before = await StartAppAsync(prefix, inProcessTimers: false, sweepSeconds: 0); // as good as down once armed
        var swf = await SetUpAsync(before);
        await swf.RegisterActivityAsync("idle", scheduleToStart: "2");
        var timers = await swf.StartAsync();
        await swf.DecideAsync(timers, StartTimer("t3", "3"), Schedule("a2", "idle"), StartTimer("t1", "1"));
        var decision = await swf.StartAsync(taskTimeout: "1");
        await swf.PollDecisionAsync(decision);
        await before.DisposeAsync();
        apps.Remove(before);

        // It comes back 3.2 s later by its clock: every deadline (the last, t3, 3 s after it was set) fell due meanwhile.
        var after = await StartAppAsync(prefix, clock: new ManualTime(DateTimeOffset.UtcNow.AddSeconds(3.2)));
        var onAfter = swf.On(after);
        var events = await onAfter.WaitForEventAsync(timers, "TimerFired");
        Assert.Equal("TimerStarted, ActivityTaskScheduled, TimerStarted, TimerFired, DecisionTaskScheduled, ActivityTaskTimedOut, TimerFired",
            Types(events.Skip(4)));
        Assert.Equal(["t1", "t3"], events.Where(e => Type(e) == "TimerFired").Select(e => Attributes(e).GetProperty("timerId").GetString()));
        events = await onAfter.WaitForEventAsync(decision, "DecisionTaskTimedOut");
        Assert.Equal("DecisionTaskStarted, DecisionTaskTimedOut, DecisionTaskScheduled", Types(events.Skip(2)));
        await onAfter.PollDecisionAsync();
        await onAfter.PollDecisionAsync();
    }

    [Fact]
    public async Task The_visibility_index_converges_after_lost_index_writes()
    {
        var prefix = TestNames.Unique("index");
        var tap = new StorageTap(prefix);
        var app = await StartAppAsync(prefix, configure: StorageTap.Install(azurite.ConnectionString, tap));
        var swf = await SetUpAsync(app);

        tap.Refuse = "Visibility";
        var run = await swf.StartAsync();
        tap.Refuse = null;
        Assert.Empty(await swf.ListAsync("ListOpenWorkflowExecutions"));
        await Eventually.TrueAsync(async () => (await swf.ListAsync("ListOpenWorkflowExecutions")).Contains(run.RunId), "the open row is written from the state");

        tap.Refuse = "Visibility";
        await app.OkAsync("TerminateWorkflowExecution", new { domain = swf.Domain, workflowId = run.WorkflowId });
        tap.Refuse = null;
        Assert.Equal([run.RunId], await swf.ListAsync("ListOpenWorkflowExecutions"));
        await Eventually.TrueAsync(async () => (await swf.ListAsync("ListClosedWorkflowExecutions", new { status = "TERMINATED" })).Contains(run.RunId),
            "the closed rows are written from the state");
        Assert.Empty(await swf.ListAsync("ListOpenWorkflowExecutions"));
        await Eventually.TrueAsync(async () => (await RemindersOfAsync(app, run.RunId)).All(r => r.Kind == ReminderKind.Alarm), "the repair reminders are done");
    }

    [Theory]
    [InlineData(true)]  // removed by the closing instance, as soon as it closed
    [InlineData(false)] // removed by the sweep, once the repair delay passed
    public async Task Retention_zero_removes_a_closed_execution_entirely_and_never_an_open_one(bool inProcessTimers)
    {
        var app = await StartAppAsync(TestNames.Unique("retain"), inProcessTimers);
        var swf = await SetUpAsync(app, retentionDays: "0");
        await swf.RegisterActivityAsync("quick");
        var open = await swf.StartAsync();
        var closed = await swf.StartAsync();
        await swf.DecideAsync(open, StartTimer("t1", "30"));
        var decision = await swf.PollDecisionAsync(closed);
        await swf.DecideAsync(decision, Schedule("a1", "quick"));
        var work = await swf.PollActivityAsync();
        await swf.HeartbeatAsync(work, "a heartbeat row");
        await app.OkAsync("RespondActivityTaskCompleted", new { taskToken = Token(work) });
        await swf.DecideAsync(await swf.PollDecisionAsync(closed), Complete());

        await Eventually.TrueAsync(() => swf.IsRemovedAsync(closed), "the closed run is removed");
        IsFault(await app.CallAsync("GetWorkflowExecutionHistory", new { domain = swf.Domain, execution = closed.Json }), "UnknownResourceFault");
        Assert.Empty(await swf.ListAsync("ListClosedWorkflowExecutions"));

        var tables = app.Services.GetRequiredService<SwfTables>();
        var rows = new List<TableEntity>();
        await foreach (var row in tables.Executions.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {ExecutionKeys.Partition(swf.Domain, closed.WorkflowId)}")))
            rows.Add(row);
        Assert.Empty(rows.Select(r => r.RowKey));   // state, history, heartbeat rows and the current-run row
        await foreach (var row in tables.Visibility.QueryRowsAsync()) Assert.NotEqual(closed.RunId, row.GetString("RunId"));
        // Its last reminders (the close's index repair) are deleted with others a moment after the close (CleanupDelay).
        await Eventually.TrueAsync(async () => (await RemindersOfAsync(app, closed.RunId)).Count == 0, "no reminder of the removed run left");

        // The open run of the same domain is untouched, whatever is swept.
        await SweepAsync(app);
        Assert.Equal("OPEN", (await swf.DescribeAsync(open)).GetProperty("executionInfo").GetProperty("executionStatus").GetString());
        Assert.Equal("TimerStarted", Type((await swf.HistoryAsync(open))[^1]));
        Assert.Equal([open.RunId], await swf.ListAsync("ListOpenWorkflowExecutions"));
    }
}
