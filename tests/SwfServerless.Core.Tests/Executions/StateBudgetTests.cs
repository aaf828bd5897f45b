using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>
/// The state row's budget: decisions that would add to the state past <see cref="ExecutionLimits.MaxStateChars"/> fail
/// with their limit cause, so that the state row can always be stored (a table entity holds at most 1 MiB).
/// </summary>
public sealed class StateBudgetTests
{
    private static readonly ExecutionLimits Small = new() { MaxStateChars = 20_000 };

    [Fact]
    public void Each_decision_that_adds_to_the_state_fails_with_its_limit_cause_once_the_budget_is_used()
    {
        var run = TestRun.Start(limits: Small);
        var bulky = new string('x', 200);
        // Fill the budget with activities, then every kind of addition fails.
        run.Turn([.. Enumerable.Range(0, 200).Select(i => D.ScheduleActivity($"{bulky}-{i}"))]);
        int scheduled = run.State.Activities.Count;
        Assert.InRange(scheduled, 5, 199);
        Assert.Contains("ScheduleActivityTaskFailed(OPEN_ACTIVITIES_LIMIT_EXCEEDED)", run.LastText);
        Assert.True(ExecutionJsonContext.Serialize(run.State).Length <= Small.MaxStateChars);

        run.Run(m => m.Signal("go", null));
        run.Turn(D.StartTimer(bulky, "60"), D.StartChild(bulky), D.Signal(bulky, "s"), D.RequestCancelExternal(bulky), D.ScheduleActivity("small"));
        Assert.Contains("StartTimerFailed(OPEN_TIMERS_LIMIT_EXCEEDED)", run.LastText);
        Assert.Contains("StartChildWorkflowExecutionFailed(OPEN_CHILDREN_LIMIT_EXCEEDED)", run.LastText);
        Assert.Contains("SignalExternalWorkflowExecutionFailed(SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED)", run.LastText);
        Assert.Contains("RequestCancelExternalWorkflowExecutionFailed(REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED)", run.LastText);
        Assert.Contains("ScheduleActivityTaskFailed(OPEN_ACTIVITIES_LIMIT_EXCEEDED)", run.LastText);
        var signalFailed = run.History.Last(e => e.EventType == EventType.SignalExternalWorkflowExecutionFailed).SignalExternalWorkflowExecutionFailedEventAttributes!;
        Assert.Equal((0L, bulky), (signalFailed.InitiatedEventId!.Value, signalFailed.WorkflowId));
        Assert.Empty(run.Last.NewIntents);
        Assert.Equal(scheduled, run.State.Activities.Count);

        // What the budget counted for growth is there: every activity started and asked to cancel still fits.
        foreach (var activity in run.State.Activities.ToList()) run.Run(m => m.StartActivityTask(activity.ScheduledEventId, "worker"));
        run.Run(m => m.Signal("go", null));
        run.Turn([.. run.State.Activities.Select(a => D.RequestCancelActivity(a.ActivityId))]);
        Assert.True(ExecutionJsonContext.Serialize(run.State).Length <= Small.MaxStateChars);
    }

    [Fact]
    public void At_SWFs_per_execution_quotas_with_the_longest_names_the_state_stays_inside_the_budget()
    {
        // 256 characters that JSON escapes to 6 each (\u00e9): the worst case of the model's longest names.
        static string Longest(string prefix, int length = 256) => prefix + new string('\u00e9', length - prefix.Length);
        var now = TestRun.T0;
        var type = Longest("type-");
        var version = Longest("v", 64);
        var activityType = new RegisteredType(TypeKind.Activity, "orders", type, version, RegistrationStatus.Registered, null, now, null,
            new ActivityTypeConfiguration
            {
                DefaultTaskList = new TaskList { Name = Longest("list-") }, DefaultTaskPriority = "-2147483648",
                DefaultTaskScheduleToStartTimeout = "31536000", DefaultTaskScheduleToCloseTimeout = "31536000",
                DefaultTaskStartToCloseTimeout = "31536000", DefaultTaskHeartbeatTimeout = "31536000",
            }, null);
        var types = new Dictionary<(string, string), RegisteredType?> { [(type, version)] = activityType };
        var workflowTypes = new Dictionary<(string, string), RegisteredType?> { [(type, version)] = TestTypes.ChildWorkflow(type, version) };

        var state = ExecutionMachine.Start(TestRun.Request(r => r with { TagList = [.. Enumerable.Range(0, 5).Select(i => Longest($"tag{i}-"))] }),
            TestTypes.Workflow(), TestRun.RunId, now).State;
        int failures = 0;
        long largest = 0;
        void Run(Action<ExecutionMachine> command)
        {
            var machine = new ExecutionMachine(state, now);
            command(machine);
            failures += machine.NewEvents.Count(e => e.EventType!.EndsWith("Failed", StringComparison.Ordinal));
            largest = Math.Max(largest, ExecutionJsonContext.Serialize(state).Length);
        }
        void Turn(IEnumerable<Decision> decisions)
        {
            Run(m => m.StartDecisionTask(state.DecisionTask!.ScheduledEventId, "decider"));
            Run(m => m.CompleteDecisionTask(state.DecisionTask!.StartedEventId, [.. decisions], Longest("context-", 32_768), types,
                new TaskList { Name = Longest("override-") }, "60", workflowTypes: workflowTypes));
        }

        // Up to SWF's quota of each kind, in one completion each; what does not fit fails.
        Turn(Enumerable.Range(0, ExecutionMachine.MaxOpenActivities).Select(i => new Decision
        {
            DecisionType = DecisionType.ScheduleActivityTask,
            ScheduleActivityTaskDecisionAttributes = new() { ActivityType = new ActivityType { Name = type, Version = version }, ActivityId = Longest($"a{i}-") },
        }));
        Run(m => m.Signal("go", null));
        Turn(Enumerable.Range(0, ExecutionMachine.MaxOpenTimers).Select(i => D.StartTimer(Longest($"t{i}-"), "31536000")));
        Run(m => m.Signal("go", null));
        Turn(Enumerable.Range(0, ExecutionMachine.MaxOpenChildren).Select(i => D.StartChild(Longest($"c{i}-"), type, version)));
        Run(m => m.Signal("go", null));
        Turn(Enumerable.Range(0, 1000).Select(i => D.Signal(Longest($"s{i}-"), "s", runId: Longest("r", 64))));
        Assert.True(failures > 0, "the longest names should not all fit");

        // Everything that grows without a decision: activities started, asked to cancel, children started.
        foreach (var a in state.Activities.ToList()) Run(m => m.StartActivityTask(a.ScheduledEventId, "worker"));
        foreach (var c in state.Children.ToList()) Run(m => m.RecordChildStarted(c.InitiatedEventId, RunIds.Derive("parent", c.InitiatedEventId, now)));
        Run(m => m.Signal("go", null));
        Turn(state.Activities.Select(a => D.RequestCancelActivity(a.ActivityId)).ToList());

        Assert.True(state.IsOpen);
        Assert.True(largest <= ExecutionLimits.DefaultMaxStateChars, $"the state grew to {largest} characters");
    }

    [Fact]
    public void With_ordinary_names_SWFs_1000_open_activities_fit()
    {
        // activity-0000, type "act" version "1", task list "workers": about 300 characters each, 430 once started and
        // asked to cancel, which is what the budget counts them at.
        var run = TestRun.Start();
        run.Turn([.. Enumerable.Range(0, ExecutionMachine.MaxOpenActivities).Select(i => D.ScheduleActivity($"activity-{i:D4}"))]);
        Assert.Equal(ExecutionMachine.MaxOpenActivities, run.State.Activities.Count);
        Assert.DoesNotContain("Failed", run.LastText);
        Assert.InRange(ExecutionJsonContext.Serialize(run.State).Length, 250_000, 350_000);
    }
}
