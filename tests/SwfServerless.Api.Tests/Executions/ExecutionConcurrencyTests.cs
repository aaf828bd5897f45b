using System.Collections.Concurrent;
using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>Real parallel callers over real HTTP against Azurite: claims are exactly once, nothing is lost.</summary>
[Collection("api")]
public sealed class ExecutionConcurrencyTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    protected override Dictionary<string, string?> Settings() => new() { ["Swf:LongPollSeconds"] = "2" };

    [Fact]
    public async Task Two_hundred_activities_eight_parallel_workers_each_started_and_completed_exactly_once()
    {
        var run = await Wf.StartAsync("fan");
        var decision = await Wf.PollDecisionAsync();
        await Wf.DecideAsync(decision, Enumerable.Range(0, 200).Select(i => Workflows.Schedule($"a{i}", input: $"in{i}")).ToArray());

        var handed = new ConcurrentBag<string>();
        var completed = new ConcurrentBag<string>();
        async Task Worker(int n)
        {
            var idle = 0;
            while (idle < 2)
            {
                var task = await Wf.PollActivityOrEmptyAsync(identity: $"worker-{n}");
                if (Workflows.IsEmpty(task)) { idle++; continue; }
                idle = 0;
                var id = task.GetProperty("activityId").GetString()!;
                Assert.Equal("in" + id[1..], task.GetProperty("input").GetString());
                handed.Add(id);
                await App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Workflows.Token(task), result = id });
                completed.Add(id);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 8).Select(Worker));

        Assert.Equal(200, handed.Count);
        Assert.Equal(200, handed.Distinct().Count());
        Assert.Equal(200, completed.Distinct().Count());
        var events = await Wf.HistoryAsync(run);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("eventId").GetInt64()));
        Assert.Equal(200, events.Count(e => e.GetProperty("eventType").GetString() == "ActivityTaskScheduled"));
        Assert.Equal(200, events.Count(e => e.GetProperty("eventType").GetString() == "ActivityTaskStarted"));
        var results = events.Where(e => e.GetProperty("eventType").GetString() == "ActivityTaskCompleted")
            .Select(e => e.GetProperty("activityTaskCompletedEventAttributes").GetProperty("result").GetString()).ToList();
        Assert.Equal(200, results.Distinct().Count());
        // Exactly one decision task is scheduled or started at a time: never two scheduled without a start between.
        var open = 0;
        foreach (var type in events.Select(e => e.GetProperty("eventType").GetString()))
        {
            if (type == "DecisionTaskScheduled") Assert.Equal(0, open++);
            if (type is "DecisionTaskCompleted" or "DecisionTaskTimedOut") open--;
        }
    }

    [Fact]
    public async Task A_decider_answering_during_a_large_fan_out_is_never_starved_by_the_workers()
    {
        // The bench found it: with hundreds of claims and completions racing the decider for the run's ETag, the
        // decider's answer could lose every race (503) and leave its decision task started for good.
        const int activities = 300;
        var run = await Wf.StartAsync("big-fan");
        await Wf.DecideAsync(await Wf.PollDecisionAsync(), Enumerable.Range(0, activities).Select(i => Workflows.Schedule($"a{i}")).ToArray());

        var workersDone = new CancellationTokenSource();
        async Task Worker()
        {
            while (!workersDone.IsCancellationRequested)
            {
                var task = await Wf.PollActivityOrEmptyAsync();
                if (!Workflows.IsEmpty(task)) await App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Workflows.Token(task) });
            }
        }
        var workers = Enumerable.Range(0, 16).Select(_ => Worker()).ToArray();

        var closed = false;
        for (var rounds = 0; !closed && rounds < 400; rounds++)
        {
            var task = await Wf.PollDecisionOrEmptyAsync();
            if (Workflows.IsEmpty(task)) continue;
            var completed = (await Wf.HistoryAsync(run)).Count(e => e.GetProperty("eventType").GetString() == "ActivityTaskCompleted");
            // Every answer must succeed however busy the run is (OkAsync fails the test on a 503). A completion that
            // lands after this task started fails the close with UNHANDLED_DECISION, as SWF does: then decide again.
            await Wf.DecideAsync(task, completed == activities ? [Workflows.Complete()] : []);
            if (completed == activities)
                closed = (await Wf.DescribeAsync(run))
                    .GetProperty("executionInfo").GetProperty("executionStatus").GetString() == "CLOSED";
        }
        workersDone.Cancel();
        await Task.WhenAll(workers);

        Assert.True(closed, "the workflow never got to close");
        var detail = await Wf.DescribeAsync(run);
        Assert.Equal("COMPLETED", detail.GetProperty("executionInfo").GetProperty("closeStatus").GetString());
    }

    [Fact]
    public async Task Two_deciders_polling_one_task_list_only_one_gets_the_decision_task()
    {
        await Wf.StartAsync("two-deciders");
        var polls = await Task.WhenAll(Wf.PollDecisionOrEmptyAsync(identity: "d1"), Wf.PollDecisionOrEmptyAsync(identity: "d2"));
        Assert.Single(polls, p => !Workflows.IsEmpty(p));
    }

    [Fact]
    public async Task A_signal_during_the_decision_task_fails_the_closing_decision_with_UNHANDLED_DECISION_and_a_new_task_shows_it()
    {
        var run = await Wf.StartAsync("unhandled");
        var decision = await Wf.PollDecisionAsync();
        await App.OkAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = "unhandled", signalName = "late", input = "news" });
        await Wf.DecideAsync(decision, Workflows.Complete("too soon"));

        var next = await Wf.PollDecisionAsync();
        var events = next.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("WorkflowExecutionStarted, DecisionTaskScheduled, DecisionTaskStarted, WorkflowExecutionSignaled, DecisionTaskCompleted, " +
                     "CompleteWorkflowExecutionFailed, DecisionTaskScheduled, DecisionTaskStarted", Workflows.Types(events));
        Assert.Equal("UNHANDLED_DECISION", events[5].GetProperty("completeWorkflowExecutionFailedEventAttributes").GetProperty("cause").GetString());
        Assert.Equal("news", events[3].GetProperty("workflowExecutionSignaledEventAttributes").GetProperty("input").GetString());
        Assert.Equal(3, next.GetProperty("previousStartedEventId").GetInt64());

        await Wf.DecideAsync(next, Workflows.Complete("done"));
        var detail = await Wf.DescribeAsync(run);
        Assert.Equal("COMPLETED", detail.GetProperty("executionInfo").GetProperty("closeStatus").GetString());
    }

    [Fact]
    public async Task Fifty_parallel_signals_to_one_execution_are_all_recorded()
    {
        var run = await Wf.StartAsync("signals");
        var calls = Enumerable.Range(0, 50).Select(i =>
            App.OkAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = "signals", signalName = "s", input = $"{i}" }));
        await Task.WhenAll(calls);

        var events = await Wf.HistoryAsync(run);
        var inputs = events.Where(e => e.GetProperty("eventType").GetString() == "WorkflowExecutionSignaled")
            .Select(e => e.GetProperty("workflowExecutionSignaledEventAttributes").GetProperty("input").GetString()).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (string?)$"{i}").ToHashSet(), inputs);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("eventId").GetInt64()));
        Assert.Single(events, e => e.GetProperty("eventType").GetString() == "DecisionTaskScheduled");
    }
}
