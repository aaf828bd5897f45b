using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Time;
using SwfServerless.Core.Types;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// Claims the decision task scheduled by <paramref name="scheduledEventId"/> for a poller: DecisionTaskStarted,
    /// and its START_TO_CLOSE deadline. Null when that task is not waiting to be started any more (a stale or
    /// duplicate queue message, a closed run): drop the message.
    /// </summary>
    public DecisionTaskStart? StartDecisionTask(long scheduledEventId, string? identity) => Guarded<DecisionTaskStart?>(SmallCommandEvents, () =>
    {
        var task = State.DecisionTask;
        if (!State.IsOpen || task is null || task.ScheduledEventId != scheduledEventId || task.IsStarted) return null;

        var started = Append(new HistoryEvent
        {
            EventType = ET.DecisionTaskStarted,
            DecisionTaskStartedEventAttributes = new DecisionTaskStartedEventAttributes
            {
                Identity = identity,
                ScheduledEventId = scheduledEventId,
            },
        });
        DropMootDeadline(DeadlineKind.DecisionTaskTimeout, scheduledEventId, DecisionTaskTimeoutType.ScheduleToStart);
        if (task.TimeoutDue is { } due)
        {
            NewDeadlines.Add(Deadline.DecisionTask(due, scheduledEventId, task.StartedEventId, DecisionTaskTimeoutType.StartToClose));
        }
        return new DecisionTaskStart(
            scheduledEventId,
            started.EventId!.Value,
            State.PreviousStartedEventId,
            State.Execution,
            new WorkflowType { Name = State.WorkflowType.Name, Version = State.WorkflowType.Version },
            task.TaskList);
    }, null);

    /// <summary>
    /// RespondDecisionTaskCompleted: DecisionTaskCompleted, then the decisions in order, each recording its event or
    /// its *Failed event (a failed decision does not stop the ones after it), then a new decision task if any event
    /// needs one (events that arrived while the task was started, failed decisions, an activity canceled at once).
    /// </summary>
    /// <param name="startedEventId">From the task token: the DecisionTaskStarted event of the task being answered.</param>
    /// <param name="activityTypes">The activity types the decisions schedule (<see cref="ActivityTypesReferenced"/>);
    /// a missing or null entry means the type does not exist.</param>
    /// <param name="taskList">Task list for the decision tasks from now on (SWF's task list override).</param>
    /// <param name="isPermitted">The caller's access policy; a denied decision records its *Failed event with cause OPERATION_NOT_PERMITTED.</param>
    /// <param name="taskListScheduleToStartTimeout">Makes the override temporary: it lasts until a decision task on it times out.</param>
    /// <param name="workflowTypes">The workflow types the decisions start (<see cref="WorkflowTypesReferenced"/>: children, and the
    /// type a ContinueAsNew continues as); a missing or null entry means the type does not exist.</param>
    /// <exception cref="SwfFault">UnknownResourceFault when the run is closed or that decision task is not the
    /// started one; ValidationException (nothing recorded) for a malformed decision list, naming the decision.</exception>
    public void CompleteDecisionTask(
        long startedEventId,
        IReadOnlyList<Decision>? decisions,
        string? executionContext,
        IReadOnlyDictionary<(string Name, string Version), RegisteredType?> activityTypes,
        TaskList? taskList = null,
        string? taskListScheduleToStartTimeout = null,
        Func<Decision, bool>? isPermitted = null,
        IReadOnlyDictionary<(string Name, string Version), RegisteredType?>? workflowTypes = null) => Guarded(2 + 2 * (decisions?.Count ?? 0), () =>
    {
        ArgumentNullException.ThrowIfNull(activityTypes);
        var task = State.DecisionTask;
        if (!State.IsOpen || task is null || !task.IsStarted || task.StartedEventId != startedEventId)
        {
            throw SwfFault.UnknownResource($"Unknown decision task: startedEventId={startedEventId} of {DescribeExecution()} is not open.");
        }
        decisions ??= [];
        DecisionListValidator.Validate(decisions);
        SwfDuration.Check(taskListScheduleToStartTimeout, "taskListScheduleToStartTimeout");
        bool overridesTaskList = taskList?.Name is not null;

        // Captured before this completion records anything: its own events are not "unhandled".
        bool unhandledEvents = State.DecisionPending;
        var completed = Append(new HistoryEvent
        {
            EventType = ET.DecisionTaskCompleted,
            DecisionTaskCompletedEventAttributes = new DecisionTaskCompletedEventAttributes
            {
                ExecutionContext = executionContext,
                ScheduledEventId = task.ScheduledEventId,
                StartedEventId = startedEventId,
                TaskList = overridesTaskList ? new TaskList { Name = taskList!.Name } : null,
                TaskListScheduleToStartTimeout = overridesTaskList ? taskListScheduleToStartTimeout : null,
            },
        });
        var context = new DecisionContext(completed.EventId!.Value, unhandledEvents, activityTypes,
            workflowTypes ?? new Dictionary<(string Name, string Version), RegisteredType?>());
        foreach (var decision in decisions)
        {
            if (isPermitted is null || isPermitted(decision)) Handle(decision, context);
            else RecordNotPermitted(decision, context);
        }
        ScheduleDecisionTaskIfPending();
    });

    /// <summary>What every decision handler of one completion shares.</summary>
    private sealed record DecisionContext(
        long DecisionTaskCompletedEventId,
        bool UnhandledEvents,
        IReadOnlyDictionary<(string Name, string Version), RegisteredType?> ActivityTypes,
        IReadOnlyDictionary<(string Name, string Version), RegisteredType?> WorkflowTypes);

    /// <summary>One handler per decision type (files under Decisions/). The list was validated: attributes match the type.</summary>
    private void Handle(Decision decision, DecisionContext context)
    {
        switch (decision.DecisionType)
        {
            case DecisionType.ScheduleActivityTask:
                HandleScheduleActivityTask(decision.ScheduleActivityTaskDecisionAttributes!, context); break;
            case DecisionType.RequestCancelActivityTask:
                HandleRequestCancelActivityTask(decision.RequestCancelActivityTaskDecisionAttributes!, context); break;
            case DecisionType.CompleteWorkflowExecution:
                HandleCompleteWorkflowExecution(decision.CompleteWorkflowExecutionDecisionAttributes ?? new(), context); break;
            case DecisionType.FailWorkflowExecution:
                HandleFailWorkflowExecution(decision.FailWorkflowExecutionDecisionAttributes ?? new(), context); break;
            case DecisionType.CancelWorkflowExecution:
                HandleCancelWorkflowExecution(decision.CancelWorkflowExecutionDecisionAttributes ?? new(), context); break;
            case DecisionType.ContinueAsNewWorkflowExecution:
                HandleContinueAsNewWorkflowExecution(decision.ContinueAsNewWorkflowExecutionDecisionAttributes ?? new(), context); break;
            case DecisionType.RecordMarker:
                HandleRecordMarker(decision.RecordMarkerDecisionAttributes!, context); break;
            case DecisionType.StartTimer:
                HandleStartTimer(decision.StartTimerDecisionAttributes!, context); break;
            case DecisionType.CancelTimer:
                HandleCancelTimer(decision.CancelTimerDecisionAttributes!, context); break;
            case DecisionType.SignalExternalWorkflowExecution:
                HandleSignalExternalWorkflowExecution(decision.SignalExternalWorkflowExecutionDecisionAttributes!, context); break;
            case DecisionType.RequestCancelExternalWorkflowExecution:
                HandleRequestCancelExternalWorkflowExecution(decision.RequestCancelExternalWorkflowExecutionDecisionAttributes!, context); break;
            case DecisionType.StartChildWorkflowExecution:
                HandleStartChildWorkflowExecution(decision.StartChildWorkflowExecutionDecisionAttributes!, context); break;
            case DecisionType.ScheduleLambdaFunction:
                HandleScheduleLambdaFunction(decision.ScheduleLambdaFunctionDecisionAttributes!, context); break;
            default:
                throw new InvalidOperationException($"Decision type '{decision.DecisionType}' passed validation but has no handler.");
        }
    }
}
