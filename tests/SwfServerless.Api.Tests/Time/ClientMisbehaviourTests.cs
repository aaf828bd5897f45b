using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Testing;
using static SwfServerless.Api.Tests.Workflows;

namespace SwfServerless.Api.Tests.Time;

/// <summary>
/// Clients that break off (issue 12's client misbehaviour): a worker that takes a task and vanishes, a decider that
/// answers after its task timed out. Each run completes, history records each event once, and the consistency checker
/// finds nothing wrong. On a <see cref="ManualTime"/> the test moves, as <see cref="TimeoutTests"/>.
/// </summary>
[Collection("time")]
public sealed class ClientMisbehaviourTests(AzuriteFixture azurite) : TimeTest(azurite)
{
    private readonly ManualTime clock = new(DateTimeOffset.UtcNow);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);

    [Fact]
    public async Task A_worker_that_takes_a_task_and_vanishes_times_out_by_START_TO_CLOSE_and_the_rescheduled_task_completes_the_run()
    {
        await Wf.RegisterActivityAsync("vanishing", startToClose: "2");
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(run, Schedule("a1", "vanishing"));
        var vanished = await Wf.PollActivityAsync(identity: "vanishing-worker"); // and never heard of again

        clock.Advance(TimeSpan.FromSeconds(2));
        var timedOut = Attributes(Last(await Wf.WaitForEventAsync(run, "ActivityTaskTimedOut"), "ActivityTaskTimedOut"));
        Assert.Equal("START_TO_CLOSE", timedOut.GetProperty("timeoutType").GetString());

        // The decider sees the timeout and schedules the work again; another worker does it.
        var decision = await Wf.PollDecisionAsync(run);
        Assert.Contains(decision.GetProperty("events").EnumerateArray(), e => Type(e) == "ActivityTaskTimedOut");
        await Wf.DecideAsync(decision, Schedule("a1", "vanishing"));
        var work = await Wf.PollActivityAsync(identity: "healthy-worker");
        await App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Token(work), result = "done" });
        // Should the vanished worker come back, its task is gone.
        IsFault(await App.CallAsync("RespondActivityTaskCompleted", new { taskToken = Token(vanished), result = "late" }), "UnknownResourceFault");
        await Wf.DecideAsync(await Wf.PollDecisionAsync(run), Complete());

        var events = await Wf.HistoryAsync(run);
        Assert.Equal((2, 2, 1, 1), (Count(events, "ActivityTaskScheduled"), Count(events, "ActivityTaskStarted"),
            Count(events, "ActivityTaskTimedOut"), Count(events, "ActivityTaskCompleted")));
        Assert.Equal("done", Attributes(Last(events, "ActivityTaskCompleted")).GetProperty("result").GetString());
        Assert.Equal("WorkflowExecutionCompleted", Type(events[^1]));
        await AssertConsistentAsync();
    }

    [Fact]
    public async Task A_decider_answering_after_its_task_timed_out_gets_UnknownResourceFault_while_another_holds_the_new_task_and_history_is_unchanged()
    {
        var run = await Wf.StartAsync(taskTimeout: "1");
        var late = await Wf.PollDecisionAsync(run);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Wf.WaitForEventAsync(run, "DecisionTaskTimedOut");
        var current = await Wf.PollDecisionAsync(run); // a second decider holds the next decision task
        var before = (await Wf.HistoryAsync(run)).Select(e => e.GetRawText()).ToList();

        IsFault(await App.CallAsync("RespondDecisionTaskCompleted", new { taskToken = Token(late), decisions = new[] { Schedule("a1"), Complete("late") } }),
            "UnknownResourceFault");
        Assert.Equal(before, (await Wf.HistoryAsync(run)).Select(e => e.GetRawText()));

        // The task the second decider holds is untouched by the late answer: its own answer closes the run.
        await Wf.DecideAsync(current, Complete("on time"));
        var events = await Wf.HistoryAsync(run);
        Assert.Equal("on time", Attributes(events[^1]).GetProperty("result").GetString());
        Assert.Equal(0, Count(events, "ActivityTaskScheduled"));
        await AssertConsistentAsync();
    }
}
