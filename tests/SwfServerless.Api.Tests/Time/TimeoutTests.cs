using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Testing;
using static SwfServerless.Api.Tests.Workflows;

namespace SwfServerless.Api.Tests.Time;

/// <summary>
/// Every timeout and timer through the real app on Azurite, with timeouts of 1-3 s on the app's clock, a
/// <see cref="ManualTime"/> the test moves (the sweep and the in-process timers run on it): the full history each
/// produces, what late callers get, and that the decision task each one schedules is really queued. Long polls end by
/// that clock too, so every poll here is one that finds a task.
/// </summary>
[Collection("time")]
public sealed class TimeoutTests(AzuriteFixture azurite) : TimeTest(azurite)
{
    private readonly ManualTime clock = new(DateTimeOffset.UtcNow);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);

    /// <summary>Moves the app's clock by that many seconds; what falls due fires (in its own time: wait on history for it).</summary>
    private void Pass(double seconds) => clock.Advance(TimeSpan.FromSeconds(seconds));

    private static JsonElement Only(List<JsonElement> events, string type) => Attributes(Assert.Single(events, e => Type(e) == type));

    [Fact]
    public async Task Activity_schedule_to_start_times_out_when_no_worker_takes_it()
    {
        await Wf.RegisterActivityAsync("idle", scheduleToStart: "1");
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, Schedule("a1", "idle"));

        Pass(1);
        var events = await Wf.WaitForEventAsync(run, "ActivityTaskTimedOut");
        Assert.Equal("WorkflowExecutionStarted, DecisionTaskScheduled, DecisionTaskStarted, DecisionTaskCompleted, ActivityTaskScheduled, " +
                     "ActivityTaskTimedOut, DecisionTaskScheduled", Types(events));
        var timedOut = Only(events, "ActivityTaskTimedOut");
        Assert.Equal("SCHEDULE_TO_START", timedOut.GetProperty("timeoutType").GetString());
        Assert.Equal(5, timedOut.GetProperty("scheduledEventId").GetInt64());
        Assert.Equal(0, timedOut.GetProperty("startedEventId").GetInt64());
        Assert.False(timedOut.TryGetProperty("details", out _));

        // The decision task the timeout scheduled was queued: a decider gets it.
        var task = await Wf.PollDecisionAsync(run);
        Assert.Equal("ActivityTaskTimedOut", Type(task.GetProperty("events").EnumerateArray().Reverse().Skip(2).First()));
    }

    [Fact]
    public async Task Activity_heartbeats_keep_it_alive_past_its_heartbeat_timeout_then_it_times_out_with_the_last_details()
    {
        await Wf.RegisterActivityAsync("beating", heartbeat: "1");
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, Schedule("a1", "beating"));
        var work = await Wf.PollActivityAsync();

        // 2 s of heartbeats every 250 ms: twice the heartbeat timeout, and it does not fire.
        var beat = 0;
        while (beat < 8)
        {
            var status = await Wf.HeartbeatAsync(work, $"step {++beat}");
            Assert.False(status.Json.GetProperty("cancelRequested").GetBoolean());
            Pass(0.25);
        }
        Assert.DoesNotContain(await Wf.HistoryAsync(run), e => Type(e) == "ActivityTaskTimedOut");

        Pass(1); // 1.25 s after the last heartbeat
        var events = await Wf.WaitForEventAsync(run, "ActivityTaskTimedOut");
        var timedOut = Only(events, "ActivityTaskTimedOut");
        Assert.Equal("HEARTBEAT", timedOut.GetProperty("timeoutType").GetString());
        Assert.Equal((5L, 6L), (timedOut.GetProperty("scheduledEventId").GetInt64(), timedOut.GetProperty("startedEventId").GetInt64()));
        Assert.Equal($"step {beat}", timedOut.GetProperty("details").GetString());
        Assert.Equal("ActivityTaskScheduled, ActivityTaskStarted, ActivityTaskTimedOut, DecisionTaskScheduled", Types(events.Skip(4)));

        // The worker is too late for anything, and nothing changes.
        IsFault(await Wf.HeartbeatAsync(work, "late"), "UnknownResourceFault");
        IsFault(await App.CallAsync("RespondActivityTaskCompleted", new { taskToken = Token(work), result = "late" }), "UnknownResourceFault");
        IsFault(await App.CallAsync("RespondActivityTaskFailed", new { taskToken = Token(work) }), "UnknownResourceFault");
        Assert.Equal(Types(events), Types(await Wf.HistoryAsync(run)));
        await Wf.PollDecisionAsync(run);
    }

    [Fact]
    public async Task Parallel_activities_heartbeating_time_out_each_on_its_own_clock()
    {
        await Wf.RegisterActivityAsync("beating10", heartbeat: "2");
        var run = await Wf.StartAsync();
        const int n = 10;
        await Wf.DecideAsync(run, Enumerable.Range(0, n).Select(i => Schedule($"a{i}", "beating10")).ToArray());
        var tasks = new List<JsonElement>();
        for (var i = 0; i < n; i++) tasks.Add(await Wf.PollActivityAsync());

        // All heartbeat, in parallel, every 250 ms; after 1.5 s the even ones go quiet, the odd ones carry on past the 2 s
        // heartbeat timeout, to 3 s, and complete; then the even ones' timeouts (their last beat at 1.25 s, + 2 s) come due.
        var lastDetails = new string?[n];
        for (var beat = 1; beat <= 12; beat++)
        {
            var quiet = beat > 6; // from 1.5 s
            await Task.WhenAll(tasks.Select(async task =>
            {
                var index = int.Parse(task.GetProperty("activityId").GetString()![1..]);
                if (index % 2 == 0 && quiet) return;
                Assert.Equal(System.Net.HttpStatusCode.OK, (await Wf.HeartbeatAsync(task, $"a{index} beat {beat}")).Status);
                lastDetails[index] = $"a{index} beat {beat}";
            }));
            Pass(0.25);
        }
        await Task.WhenAll(tasks.Where((_, i) => i % 2 == 1).Select(task =>
            App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Token(task) })));
        Pass(0.5);

        var events = await Wf.WaitForHistoryAsync(run, h => h.Count(e => Type(e) == "ActivityTaskTimedOut") == n / 2, "the quiet half to time out");
        var scheduled = events.Where(e => Type(e) == "ActivityTaskScheduled")
            .ToDictionary(e => e.GetProperty("eventId").GetInt64(), e => Attributes(e).GetProperty("activityId").GetString()!);
        var timedOut = events.Where(e => Type(e) == "ActivityTaskTimedOut").Select(Attributes).ToList();
        Assert.All(timedOut, t => Assert.Equal("HEARTBEAT", t.GetProperty("timeoutType").GetString()));
        Assert.Equal(Enumerable.Range(0, n).Where(i => i % 2 == 0).Select(i => (int?)i).Order(),
            timedOut.Select(t => (int?)int.Parse(scheduled[t.GetProperty("scheduledEventId").GetInt64()][1..])).Order());
        Assert.All(timedOut, t => Assert.Equal(lastDetails[int.Parse(scheduled[t.GetProperty("scheduledEventId").GetInt64()][1..])], t.GetProperty("details").GetString()));
        Assert.Equal(n / 2, events.Count(e => Type(e) == "ActivityTaskCompleted"));
    }

    [Fact]
    public async Task Activity_start_to_close_bounds_it_however_many_heartbeats_arrive()
    {
        await Wf.RegisterActivityAsync("bounded", startToClose: "3", heartbeat: "2");
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, Schedule("a1", "bounded"));
        var work = await Wf.PollActivityAsync();

        // Heartbeats every 300 ms for 2 s (the last at 1.8 s), then quiet: the heartbeat clock would run out at 3.8 s,
        // start-to-close at 3 s, and the clock stops at 3 s.
        var beat = 0;
        while (beat < 7)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await Wf.HeartbeatAsync(work, $"{++beat}0%")).Status);
            Pass(0.3);
        }
        Pass(0.9);

        var events = await Wf.WaitForEventAsync(run, "ActivityTaskTimedOut");
        var timedOut = Only(events, "ActivityTaskTimedOut");
        Assert.Equal("START_TO_CLOSE", timedOut.GetProperty("timeoutType").GetString());
        Assert.Equal((5L, 6L), (timedOut.GetProperty("scheduledEventId").GetInt64(), timedOut.GetProperty("startedEventId").GetInt64()));
        Assert.Equal($"{beat}0%", timedOut.GetProperty("details").GetString());
        Assert.Equal("ActivityTaskScheduled, ActivityTaskStarted, ActivityTaskTimedOut, DecisionTaskScheduled", Types(events.Skip(4)));
        IsFault(await App.CallAsync("RespondActivityTaskCompleted", new { taskToken = Token(work) }), "UnknownResourceFault");
    }

    [Fact]
    public async Task Activity_schedule_to_close_times_out_a_started_activity_and_NONE_never_does()
    {
        await Wf.RegisterActivityAsync("short", scheduleToClose: "2", startToClose: "NONE");
        await Wf.RegisterActivityAsync("forever", scheduleToStart: "NONE", scheduleToClose: "NONE", startToClose: "NONE");
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, Schedule("a1", "short"), Schedule("a2", "forever"));
        var work = await Wf.PollActivityAsync();
        if (work.GetProperty("activityId").GetString() != "a1") work = await Wf.PollActivityAsync(); // queues need not be FIFO
        Assert.Equal("a1", work.GetProperty("activityId").GetString());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Wf.HeartbeatAsync(work, "halfway")).Status);

        Pass(2);
        var events = await Wf.WaitForEventAsync(run, "ActivityTaskTimedOut");
        Assert.Equal("WorkflowExecutionStarted, DecisionTaskScheduled, DecisionTaskStarted, DecisionTaskCompleted, ActivityTaskScheduled, ActivityTaskScheduled",
            Types(events.Take(6)));
        Assert.Equal("ActivityTaskTimedOut, DecisionTaskScheduled", Types(events.TakeLast(2)));
        var timedOut = Only(events, "ActivityTaskTimedOut");
        Assert.Equal("SCHEDULE_TO_CLOSE", timedOut.GetProperty("timeoutType").GetString());
        Assert.Equal(5, timedOut.GetProperty("scheduledEventId").GetInt64());
        Assert.Equal(work.GetProperty("startedEventId").GetInt64(), timedOut.GetProperty("startedEventId").GetInt64());
        Assert.Equal("halfway", timedOut.GetProperty("details").GetString());

        // a2 has no deadline at all: the run's next alarm is its own execution timeout, so nothing times a2 out while
        // the run is open.
        var stored = (await Wf.LoadAsync(run))!;
        Assert.Equal(stored.State.ExecutionTimeoutDue, stored.Alarm);
        var detail = await Wf.DescribeAsync(run);
        Assert.Equal(1, detail.GetProperty("openCounts").GetProperty("openActivityTasks").GetInt32());
        Assert.Single(await Wf.HistoryAsync(run), e => Type(e) == "ActivityTaskTimedOut");
    }

    [Fact]
    public async Task Decision_start_to_close_times_out_and_a_new_decision_task_is_queued()
    {
        var run = await Wf.StartAsync(taskTimeout: "1");
        var first = await Wf.PollDecisionAsync(run);

        Pass(1);
        var events = await Wf.WaitForEventAsync(run, "DecisionTaskTimedOut");
        Assert.Equal("WorkflowExecutionStarted, DecisionTaskScheduled, DecisionTaskStarted, DecisionTaskTimedOut, DecisionTaskScheduled", Types(events));
        var timedOut = Only(events, "DecisionTaskTimedOut");
        Assert.Equal("START_TO_CLOSE", timedOut.GetProperty("timeoutType").GetString());
        Assert.Equal((2L, 3L), (timedOut.GetProperty("scheduledEventId").GetInt64(), timedOut.GetProperty("startedEventId").GetInt64()));

        // The late decider is refused; a decider polling now gets the new task, which sees the timeout.
        IsFault(await App.CallAsync("RespondDecisionTaskCompleted", new { taskToken = Token(first), decisions = new[] { Complete() } }), "UnknownResourceFault");
        var second = await Wf.PollDecisionAsync(run);
        Assert.Equal(6, second.GetProperty("startedEventId").GetInt64());
        Assert.Equal(0, second.GetProperty("previousStartedEventId").GetInt64());
        await Wf.DecideAsync(second, Complete("done"));
        Assert.Equal("WorkflowExecutionCompleted", Type((await Wf.HistoryAsync(run))[^1]));
    }

    [Fact]
    public async Task Execution_start_to_close_times_it_out_and_it_is_listed_closed_as_TIMED_OUT()
    {
        var run = await Wf.StartAsync(executionTimeout: "2");
        await Wf.DecideAsync(run, StartTimer("long", "30"));

        Pass(2);
        var events = await Wf.WaitForEventAsync(run, "WorkflowExecutionTimedOut");
        Assert.Equal("WorkflowExecutionStarted, DecisionTaskScheduled, DecisionTaskStarted, DecisionTaskCompleted, TimerStarted, WorkflowExecutionTimedOut", Types(events));
        var timedOut = Attributes(events[^1]);
        Assert.Equal("START_TO_CLOSE", timedOut.GetProperty("timeoutType").GetString());
        Assert.Equal("TERMINATE", timedOut.GetProperty("childPolicy").GetString());

        var info = (await Wf.DescribeAsync(run)).GetProperty("executionInfo");
        Assert.Equal(("CLOSED", "TIMED_OUT"), (info.GetProperty("executionStatus").GetString(), info.GetProperty("closeStatus").GetString()));
        await Eventually.TrueAsync(async () => (await Wf.ListAsync("ListClosedWorkflowExecutions", new { status = "TIMED_OUT" })).Contains(run.RunId),
            "listed closed as TIMED_OUT");
        Assert.DoesNotContain(run.RunId, await Wf.ListAsync("ListOpenWorkflowExecutions"));
        Assert.Empty(await Wf.ListAsync("ListClosedWorkflowExecutions", new { status = "COMPLETED" }));
    }

    [Fact]
    public async Task A_timer_fires_after_its_timeout_and_schedules_a_decision_task()
    {
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, StartTimer("t1", "1"));

        Pass(1);
        var events = await Wf.WaitForEventAsync(run, "TimerFired");
        Assert.Equal("WorkflowExecutionStarted, DecisionTaskScheduled, DecisionTaskStarted, DecisionTaskCompleted, TimerStarted, TimerFired, DecisionTaskScheduled",
            Types(events));
        var fired = Only(events, "TimerFired");
        Assert.Equal(("t1", 5L), (fired.GetProperty("timerId").GetString(), fired.GetProperty("startedEventId").GetInt64()));
        var task = await Wf.PollDecisionAsync(run);
        Assert.Equal("TimerFired", Type(task.GetProperty("events").EnumerateArray().Reverse().Skip(2).First()));
    }

    [Fact]
    public async Task A_canceled_timer_and_a_timer_of_a_closed_execution_never_fire()
    {
        var canceled = await Wf.StartAsync();
        await Wf.DecideAsync(canceled, StartTimer("t1", "2"));
        await Wf.SignalAsync(canceled);
        await Wf.DecideAsync(canceled, CancelTimer("t1"));

        var closed = await Wf.StartAsync();
        await Wf.DecideAsync(closed, StartTimer("t1", "1"), Complete());

        // A control: a timer due with the canceled one, which does fire. Once it has, the timers and the sweep have
        // been through the instants both others were due at.
        var control = await Wf.StartAsync();
        await Wf.DecideAsync(control, StartTimer("t1", "2"));

        Pass(2.5); // past all three timers' due time
        await Wf.WaitForEventAsync(control, "TimerFired");
        var canceledEvents = await Wf.HistoryAsync(canceled);
        Assert.Equal("TimerCanceled", Type(canceledEvents[^1]));
        Assert.DoesNotContain(canceledEvents, e => Type(e) == "TimerFired");
        Assert.Equal("TimerStarted, WorkflowExecutionCompleted", Types((await Wf.HistoryAsync(closed)).TakeLast(2)));
    }
}
