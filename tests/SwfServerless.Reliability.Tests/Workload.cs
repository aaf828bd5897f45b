using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SwfServerless.Reliability.Tests;

/// <summary>
/// The scenarios' workflows, deciders and workers. Each workflow "flow" (input "0") runs an activity and a 1 s timer,
/// waits for the signal "go", starts a child workflow "child" (one activity) and waits for it, then continues as new
/// (input "1"), whose run does the activity and the timer again and completes. Deciders decide from the whole history
/// (stateless, as SWF deciders should), so any instance can serve any task; activities and decision tasks have short
/// START_TO_CLOSE timeouts, so a task claimed by an instance that died before answering times out and is retried.
/// </summary>
public sealed class Workload(SwfHttp swf, string domain, int workflows, int pollers)
{
    public const string DecisionList = "deciders";
    public const string ActivityList = "workers";

    private readonly ConcurrentDictionary<string, int> signalAttempts = new();
    private long decisions, activities;

    public string Domain => domain;
    public int Workflows => workflows;
    public static string WorkflowId(int i) => $"wf-{i:D4}";
    public static string ChildId(string parent) => parent + "-child";

    /// <summary>Signals sent to each workflowId, counting every attempt (a retried signal may land twice, as in SWF).</summary>
    public IReadOnlyDictionary<string, int> SignalAttempts => signalAttempts;

    public long Decisions => Interlocked.Read(ref decisions);
    public long Activities => Interlocked.Read(ref activities);

    /// <summary>
    /// Registers the domain and types. A registration is not idempotent (in SWF neither): when storage applied one but its
    /// answer was lost, the client's retry is told it already exists, which for this fresh domain means "done".
    /// </summary>
    public async Task RegisterAsync()
    {
        await RegisterOnceAsync("RegisterDomain", new JsonObject { ["name"] = domain, ["workflowExecutionRetentionPeriodInDays"] = "1" });
        foreach (var type in new[] { "flow", "child" })
            await RegisterOnceAsync("RegisterWorkflowType", new JsonObject
            {
                ["domain"] = domain, ["name"] = type, ["version"] = "1",
                ["defaultTaskList"] = new JsonObject { ["name"] = DecisionList },
                ["defaultExecutionStartToCloseTimeout"] = "3600", ["defaultTaskStartToCloseTimeout"] = "10",
                ["defaultChildPolicy"] = "TERMINATE",
            });
        await RegisterOnceAsync("RegisterActivityType", new JsonObject
        {
            ["domain"] = domain, ["name"] = "work", ["version"] = "1",
            ["defaultTaskList"] = new JsonObject { ["name"] = ActivityList },
            ["defaultTaskStartToCloseTimeout"] = "10", ["defaultTaskHeartbeatTimeout"] = "NONE",
            ["defaultTaskScheduleToStartTimeout"] = "NONE", ["defaultTaskScheduleToCloseTimeout"] = "NONE",
        });
    }

    private async Task RegisterOnceAsync(string operation, JsonObject body)
    {
        try
        {
            await swf.CallAsync(operation, body);
        }
        catch (SwfFaultException e) when (e.Type is "DomainAlreadyExistsFault" or "TypeAlreadyExistsFault")
        {
        }
    }

    /// <summary>Starts every workflow and signals it (a few at a time, spread over the instances).</summary>
    public async Task StartAllAsync(CancellationToken ct) =>
        await Parallel.ForEachAsync(Enumerable.Range(0, workflows), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, _) =>
        {
            var id = WorkflowId(i);
            try
            {
                await swf.CallAsync("StartWorkflowExecution", new JsonObject
                {
                    ["domain"] = domain, ["workflowId"] = id, ["workflowType"] = new JsonObject { ["name"] = "flow", ["version"] = "1" }, ["input"] = "0",
                }, instance: i);
            }
            catch (SwfFaultException e) when (e.Type == "WorkflowExecutionAlreadyStartedFault")
            {
                // An earlier attempt that got no answer started it.
            }
            await swf.CallAsync("SignalWorkflowExecution", new JsonObject { ["domain"] = domain, ["workflowId"] = id, ["signalName"] = "go" },
                instance: i + 1, onAttempt: () => signalAttempts.AddOrUpdate(id, 1, (_, n) => n + 1));
        });

    /// <summary>Deciders and workers, <c>pollers</c> of each, spread over the instances, until <paramref name="ct"/>.</summary>
    public Task RunPollersAsync(CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, pollers).SelectMany(i => new[] { DeciderAsync(i, ct), WorkerAsync(i, ct) }));

    /// <summary>
    /// Waits until the visibility index counts every workflow's last run and every child as completed (SWF's count filters
    /// are exclusive, so by close status alone: nothing else here completes).
    /// </summary>
    public async Task WaitForCompletionAsync(Action<string> progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        int completed;
        while ((completed = await CountCompletedAsync()) < 2 * workflows)
        {
            if (clock.Elapsed - reported > TimeSpan.FromSeconds(15))
            {
                reported = clock.Elapsed;
                progress($"{completed} of {2 * workflows} runs completed, {Decisions} decisions, {Activities} activities");
            }
            await Task.Delay(500, ct);
        }
    }

    public async Task<int> CountCompletedAsync() => (await swf.CallAsync("CountClosedWorkflowExecutions", new JsonObject
    {
        ["domain"] = domain, ["startTimeFilter"] = new JsonObject { ["oldestDate"] = 0 },
        ["closeStatusFilter"] = new JsonObject { ["status"] = "COMPLETED" },
    })).GetProperty("count").GetInt32();

    private async Task DeciderAsync(int instance, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var poll = new JsonObject { ["domain"] = domain, ["taskList"] = new JsonObject { ["name"] = DecisionList }, ["identity"] = $"decider-{instance}" };
                var page = await swf.CallAsync("PollForDecisionTask", poll, instance, ct: ct);
                var token = page.TryGetProperty("taskToken", out var t) ? t.GetString() : null;
                if (string.IsNullOrEmpty(token)) continue;
                var events = page.GetProperty("events").EnumerateArray().ToList();
                while (page.TryGetProperty("nextPageToken", out var n) && n.GetString() is { Length: > 0 } next)
                {
                    poll["nextPageToken"] = next;
                    page = await swf.CallAsync("PollForDecisionTask", poll, instance);
                    events.AddRange(page.GetProperty("events").EnumerateArray());
                }
                var workflowId = page.GetProperty("workflowExecution").GetProperty("workflowId").GetString()!;
                await swf.CallAsync("RespondDecisionTaskCompleted", new JsonObject { ["taskToken"] = token, ["decisions"] = Decide(workflowId, events) }, instance);
                Interlocked.Increment(ref decisions);
            }
            catch (SwfFaultException e) when (e.Type == "UnknownResourceFault")
            {
                // The task timed out meanwhile (its instance died after the claim), or an earlier attempt of this answer landed.
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
        }
    }

    private async Task WorkerAsync(int instance, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var task = await swf.CallAsync("PollForActivityTask", new JsonObject
                {
                    ["domain"] = domain, ["taskList"] = new JsonObject { ["name"] = ActivityList }, ["identity"] = $"worker-{instance}",
                }, instance, ct: ct);
                var token = task.TryGetProperty("taskToken", out var t) ? t.GetString() : null;
                if (string.IsNullOrEmpty(token)) continue;
                await swf.CallAsync("RespondActivityTaskCompleted", new JsonObject { ["taskToken"] = token, ["result"] = "done" }, instance);
                Interlocked.Increment(ref activities);
            }
            catch (SwfFaultException e) when (e.Type == "UnknownResourceFault") { }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
        }
    }

    /// <summary>The next decisions, from the whole history.</summary>
    public static JsonArray Decide(string workflowId, List<JsonElement> events)
    {
        int Count(string type) => events.Count(e => e.GetProperty("eventType").GetString() == type);
        bool Any(string type) => Count(type) > 0;
        var started = events[0].GetProperty("workflowExecutionStartedEventAttributes");
        var type = started.GetProperty("workflowType").GetProperty("name").GetString();
        var input = started.TryGetProperty("input", out var i) ? i.GetString() : null;

        var decisions = new JsonArray();
        var scheduled = Count("ActivityTaskScheduled") + Count("ScheduleActivityTaskFailed");
        var closed = Count("ActivityTaskCompleted") + Count("ActivityTaskFailed") + Count("ActivityTaskTimedOut") + Count("ActivityTaskCanceled") + Count("ScheduleActivityTaskFailed");
        var activityDone = Any("ActivityTaskCompleted");
        if (!activityDone && scheduled == closed)
            decisions.Add(Decision("ScheduleActivityTask", new JsonObject
            {
                ["activityId"] = $"a{scheduled}", ["activityType"] = new JsonObject { ["name"] = "work", ["version"] = "1" },
            }));
        if (type == "child")
        {
            if (activityDone) decisions.Add(Decision("CompleteWorkflowExecution", new JsonObject()));
            return decisions;
        }
        if (!Any("TimerStarted")) decisions.Add(Decision("StartTimer", new JsonObject { ["timerId"] = "t", ["startToFireTimeout"] = "1" }));
        if (!activityDone || !Any("TimerFired")) return decisions;
        if (input == "0")
        {
            if (!Any("WorkflowExecutionSignaled")) return decisions;
            if (!Any("StartChildWorkflowExecutionInitiated"))
                decisions.Add(Decision("StartChildWorkflowExecution", new JsonObject
                {
                    ["workflowId"] = ChildId(workflowId), ["workflowType"] = new JsonObject { ["name"] = "child", ["version"] = "1" },
                }));
            else if (Any("ChildWorkflowExecutionCompleted"))
                decisions.Add(Decision("ContinueAsNewWorkflowExecution", new JsonObject { ["input"] = "1" }));
            return decisions;
        }
        decisions.Add(Decision("CompleteWorkflowExecution", new JsonObject()));
        return decisions;
    }

    private static JsonObject Decision(string type, JsonObject attributes) => new()
    {
        ["decisionType"] = type,
        [char.ToLowerInvariant(type[0]) + type[1..] + "DecisionAttributes"] = attributes,
    };
}
