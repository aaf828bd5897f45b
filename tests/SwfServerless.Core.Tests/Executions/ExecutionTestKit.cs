using System.Text.Json;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>Registered types for the tests: a workflow and an activity type with every default, and variants.</summary>
internal static class TestTypes
{
    public static readonly DateTimeOffset Registered = new(2023, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static WorkflowTypeConfiguration WorkflowDefaults() => new()
    {
        DefaultExecutionStartToCloseTimeout = "3600",
        DefaultTaskStartToCloseTimeout = "30",
        DefaultTaskList = new TaskList { Name = "deciders" },
        DefaultTaskPriority = "5",
        DefaultChildPolicy = ChildPolicy.Terminate,
        DefaultLambdaRole = "arn:aws:iam::123456789012:role/lambda",
    };

    public static ActivityTypeConfiguration ActivityDefaults() => new()
    {
        DefaultTaskList = new TaskList { Name = "workers" },
        DefaultTaskPriority = "2",
        DefaultTaskScheduleToStartTimeout = "60",
        DefaultTaskScheduleToCloseTimeout = "600",
        DefaultTaskStartToCloseTimeout = "300",
        DefaultTaskHeartbeatTimeout = "20",
    };

    public static RegisteredType Workflow(WorkflowTypeConfiguration? defaults = null, bool deprecated = false) => new(
        TypeKind.Workflow, "orders", "wf", "1", deprecated ? RegistrationStatus.Deprecated : RegistrationStatus.Registered,
        null, Registered, deprecated ? Registered : null, null, defaults ?? WorkflowDefaults());

    /// <summary>Another workflow type, for children (default: "child" version "1", every default but a different task list).</summary>
    public static RegisteredType ChildWorkflow(string name = "child", string version = "1", WorkflowTypeConfiguration? defaults = null, bool deprecated = false) => new(
        TypeKind.Workflow, "orders", name, version, deprecated ? RegistrationStatus.Deprecated : RegistrationStatus.Registered,
        null, Registered, deprecated ? Registered : null, null,
        defaults ?? new WorkflowTypeConfiguration
        {
            DefaultExecutionStartToCloseTimeout = "600",
            DefaultTaskStartToCloseTimeout = "20",
            DefaultTaskList = new TaskList { Name = "child-deciders" },
            DefaultChildPolicy = ChildPolicy.RequestCancel,
        });

    public static RegisteredType Activity(string name = "act", ActivityTypeConfiguration? defaults = null, bool deprecated = false) => new(
        TypeKind.Activity, "orders", name, "1", deprecated ? RegistrationStatus.Deprecated : RegistrationStatus.Registered,
        null, Registered, deprecated ? Registered : null, defaults ?? ActivityDefaults(), null);
}

/// <summary>Decision builders.</summary>
internal static class D
{
    public static Decision ScheduleActivity(string activityId, string type = "act", string? input = null,
        Action<ScheduleActivityTaskDecisionAttributes>? configure = null)
    {
        var attributes = new ScheduleActivityTaskDecisionAttributes
        {
            ActivityType = new ActivityType { Name = type, Version = "1" },
            ActivityId = activityId,
            Input = input,
        };
        configure?.Invoke(attributes);
        return new Decision { DecisionType = DecisionType.ScheduleActivityTask, ScheduleActivityTaskDecisionAttributes = attributes };
    }

    public static Decision RequestCancelActivity(string activityId) => new()
    {
        DecisionType = DecisionType.RequestCancelActivityTask,
        RequestCancelActivityTaskDecisionAttributes = new RequestCancelActivityTaskDecisionAttributes { ActivityId = activityId },
    };

    public static Decision StartTimer(string timerId, string seconds, string? control = null) => new()
    {
        DecisionType = DecisionType.StartTimer,
        StartTimerDecisionAttributes = new StartTimerDecisionAttributes { TimerId = timerId, StartToFireTimeout = seconds, Control = control },
    };

    public static Decision CancelTimer(string timerId) => new()
    {
        DecisionType = DecisionType.CancelTimer,
        CancelTimerDecisionAttributes = new CancelTimerDecisionAttributes { TimerId = timerId },
    };

    public static Decision RecordMarker(string name, string? details = null) => new()
    {
        DecisionType = DecisionType.RecordMarker,
        RecordMarkerDecisionAttributes = new RecordMarkerDecisionAttributes { MarkerName = name, Details = details },
    };

    public static Decision Complete(string? result = null) => new()
    {
        DecisionType = DecisionType.CompleteWorkflowExecution,
        CompleteWorkflowExecutionDecisionAttributes = new CompleteWorkflowExecutionDecisionAttributes { Result = result },
    };

    public static Decision Fail(string? reason = null, string? details = null) => new()
    {
        DecisionType = DecisionType.FailWorkflowExecution,
        FailWorkflowExecutionDecisionAttributes = new FailWorkflowExecutionDecisionAttributes { Reason = reason, Details = details },
    };

    public static Decision Cancel(string? details = null) => new()
    {
        DecisionType = DecisionType.CancelWorkflowExecution,
        CancelWorkflowExecutionDecisionAttributes = new CancelWorkflowExecutionDecisionAttributes { Details = details },
    };

    public static Decision StartChild(string workflowId, string type = "child", string version = "1", string? input = null, string? control = null,
        Action<StartChildWorkflowExecutionDecisionAttributes>? configure = null)
    {
        var attributes = new StartChildWorkflowExecutionDecisionAttributes
        {
            WorkflowType = new WorkflowType { Name = type, Version = version },
            WorkflowId = workflowId,
            Input = input,
            Control = control,
        };
        configure?.Invoke(attributes);
        return new Decision { DecisionType = DecisionType.StartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes = attributes };
    }

    public static Decision Signal(string workflowId, string signalName, string? runId = null, string? input = null, string? control = null) => new()
    {
        DecisionType = DecisionType.SignalExternalWorkflowExecution,
        SignalExternalWorkflowExecutionDecisionAttributes = new SignalExternalWorkflowExecutionDecisionAttributes
        {
            WorkflowId = workflowId, RunId = runId, SignalName = signalName, Input = input, Control = control,
        },
    };

    public static Decision RequestCancelExternal(string workflowId, string? runId = null, string? control = null) => new()
    {
        DecisionType = DecisionType.RequestCancelExternalWorkflowExecution,
        RequestCancelExternalWorkflowExecutionDecisionAttributes = new RequestCancelExternalWorkflowExecutionDecisionAttributes
        {
            WorkflowId = workflowId, RunId = runId, Control = control,
        },
    };

    public static Decision ContinueAsNew(Action<ContinueAsNewWorkflowExecutionDecisionAttributes>? configure = null)
    {
        var attributes = new ContinueAsNewWorkflowExecutionDecisionAttributes();
        configure?.Invoke(attributes);
        return new Decision { DecisionType = DecisionType.ContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes = attributes };
    }

    public static Decision Closing(string decisionType) => decisionType switch
    {
        DecisionType.CompleteWorkflowExecution => Complete("done"),
        DecisionType.FailWorkflowExecution => Fail("why", "how"),
        DecisionType.CancelWorkflowExecution => Cancel("bye"),
        _ => throw new ArgumentOutOfRangeException(nameof(decisionType)),
    };
}

/// <summary>
/// One run driven command by command the way the storage layer drives it: the state goes through its JSON form
/// before every command (as it does through the state row), a command that throws records nothing, and after
/// every command the invariants are checked: consecutive ids stamped with the command's time, at most one decision
/// task open at any point of the history, and the state equal to a replay of the whole history.
/// </summary>
internal sealed class TestRun
{
    public static readonly DateTimeOffset T0 = new(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public const string RunId = "run-1";

    private TestRun(ExecutionMachine started)
    {
        State = started.State;
        Last = started;
        History.AddRange(started.NewEvents);
        CheckInvariants();
    }

    public ExecutionState State { get; private set; }
    public List<HistoryEvent> History { get; } = [];
    public DateTimeOffset Now { get; set; } = T0;
    public ExecutionMachine Last { get; private set; }

    public Dictionary<(string Name, string Version), RegisteredType?> ActivityTypes { get; } = new()
    {
        [("act", "1")] = TestTypes.Activity(),
    };

    /// <summary>The run's own type (for ContinueAsNew) and a child type.</summary>
    public Dictionary<(string Name, string Version), RegisteredType?> WorkflowTypes { get; } = new()
    {
        [("wf", "1")] = TestTypes.Workflow(),
        [("child", "1")] = TestTypes.ChildWorkflow(),
    };

    /// <summary>A run started by something else than <see cref="Start"/>: a child's start, a ContinueAsNew's new run.</summary>
    public static TestRun From(ExecutionMachine started) => new(started);

    public static StartExecution Request(Func<StartExecution, StartExecution>? configure = null)
    {
        var request = new StartExecution
        {
            Domain = "orders",
            WorkflowId = "order-42",
            WorkflowType = new WorkflowType { Name = "wf", Version = "1" },
            Input = "order input",
        };
        return configure is null ? request : configure(request);
    }

    public static TestRun Start(StartExecution? request = null, RegisteredType? type = null, ExecutionLimits? limits = null) =>
        new(ExecutionMachine.Start(request ?? Request(), type ?? TestTypes.Workflow(), RunId, T0, limits)) { Limits = limits };

    /// <summary>The limits every command's machine enforces (null: SWF's).</summary>
    public ExecutionLimits? Limits { get; set; }

    public void Advance(double seconds) => Now = Now.AddSeconds(seconds);

    public ExecutionMachine Run(Action<ExecutionMachine> command)
    {
        string before = ExecutionJsonContext.Serialize(State);
        var machine = new ExecutionMachine(ExecutionJsonContext.Deserialize(before), Now, Limits);
        command(machine);
        Last = machine;
        History.AddRange(machine.NewEvents);
        State = machine.State;
        CheckInvariants();
        return machine;
    }

    public T Run<T>(Func<ExecutionMachine, T> command)
    {
        T result = default!;
        Run(m => { result = command(m); });
        return result;
    }

    /// <summary>Runs a command that must fail and checks that it left the stored state as it was.</summary>
    public SwfFault Fails(Action<ExecutionMachine> command, string faultType)
    {
        string before = ExecutionJsonContext.Serialize(State);
        var machine = new ExecutionMachine(ExecutionJsonContext.Deserialize(before), Now, Limits);
        var fault = Assert.Throws<SwfFault>(() => command(machine));
        Assert.Equal(faultType, fault.Type);
        Assert.Empty(machine.NewEvents);
        Assert.Empty(machine.NewTasks);
        Assert.Empty(machine.NewDeadlines);
        Assert.Equal(before, ExecutionJsonContext.Serialize(machine.State));
        return fault;
    }

    // Conveniences for the usual steps.

    public DecisionTaskStart StartDecision(string identity = "decider") =>
        Run(m => m.StartDecisionTask(State.DecisionTask!.ScheduledEventId, identity))
        ?? throw new InvalidOperationException("No decision task to start.");

    public ExecutionMachine Decide(params Decision[] decisions) => Decide(null, decisions);

    public ExecutionMachine Decide(string? executionContext, params Decision[] decisions) =>
        Run(m => m.CompleteDecisionTask(State.DecisionTask!.StartedEventId, decisions, executionContext, ActivityTypes, workflowTypes: WorkflowTypes));

    /// <summary>Starts the scheduled decision task and completes it with these decisions.</summary>
    public ExecutionMachine Turn(params Decision[] decisions)
    {
        StartDecision();
        return Decide(decisions);
    }

    public ActivityTaskStart StartActivity(string activityId, string identity = "worker") =>
        Run(m => m.StartActivityTask(State.FindActivityById(activityId)!.ScheduledEventId, identity))
        ?? throw new InvalidOperationException($"Activity {activityId} cannot be started.");

    public OpenActivity Activity(string activityId) =>
        State.FindActivityById(activityId) ?? throw new InvalidOperationException($"Activity {activityId} is not open.");

    public HistoryEvent Event(long eventId) => History[(int)eventId - 1];

    /// <summary>The whole history as compact text.</summary>
    public string Text => HistoryText.Format(History);

    /// <summary>The events of the last command as compact text.</summary>
    public string LastText => HistoryText.Format(Last.NewEvents);

    private void CheckInvariants()
    {
        for (int i = 0; i < History.Count; i++)
        {
            Assert.Equal(i + 1, History[i].EventId);
        }
        foreach (var e in Last.NewEvents)
        {
            Assert.Equal(Last.Now, e.EventTimestamp);
        }
        Assert.Equal(History.Count, State.LastEventId);

        // SWF: "allows only one decision task at a time to be active in a workflow execution".
        long? open = null;
        foreach (var e in History)
        {
            switch (e.EventType)
            {
                case EventType.DecisionTaskScheduled:
                    Assert.True(open is null, $"Event {e.EventId} schedules a decision task while {open} is open.");
                    open = e.EventId;
                    break;
                case EventType.DecisionTaskCompleted:
                case EventType.DecisionTaskTimedOut:
                    open = null;
                    break;
            }
            if (e.EventType is EventType.WorkflowExecutionCompleted or EventType.WorkflowExecutionFailed
                or EventType.WorkflowExecutionCanceled or EventType.WorkflowExecutionTerminated
                or EventType.WorkflowExecutionTimedOut or EventType.WorkflowExecutionContinuedAsNew)
            {
                open = null;
            }
        }

        // A decision is owed only while a started task keeps it from being scheduled.
        if (State.IsOpen && State.DecisionPending)
        {
            Assert.True(State.DecisionTask is { IsStarted: true }, "A decision is pending but no decision task is started.");
        }

        // History is the truth: replaying it rebuilds the state row exactly.
        var replayed = ExecutionStateApplier.Replay(State.Domain, State.WorkflowId, State.RunId, History);
        Assert.Equal(ExecutionJsonContext.Serialize(State), ExecutionJsonContext.Serialize(replayed));
    }
}

/// <summary>"1 WorkflowExecutionStarted, 2 DecisionTaskScheduled, 5 ScheduleActivityTaskFailed(ACTIVITY_ID_ALREADY_IN_USE), ..."</summary>
internal static class HistoryText
{
    public static string Format(IEnumerable<HistoryEvent> events) => string.Join(", ", events.Select(Format));

    public static string Format(HistoryEvent e)
    {
        var json = JsonSerializer.SerializeToElement(e, SwfJsonContext.Default.HistoryEvent);
        string text = $"{e.EventId} {e.EventType}";
        foreach (var member in json.EnumerateObject())
        {
            if (!member.Name.EndsWith("EventAttributes", StringComparison.Ordinal)) continue;
            if (member.Value.TryGetProperty("cause", out var cause) && e.EventType!.EndsWith("Failed", StringComparison.Ordinal))
            {
                text += $"({cause.GetString()})";
            }
            else if (member.Value.TryGetProperty("timeoutType", out var timeoutType))
            {
                text += $"({timeoutType.GetString()})";
            }
        }
        return text;
    }
}
