using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Time;
using SwfServerless.Core.Types;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// Starts a run: WorkflowExecutionStarted (with the configuration resolved from the request and the type's
    /// defaults) and the first DecisionTaskScheduled. The caller has found the type and made sure no other run of
    /// the workflowId is open.
    /// </summary>
    /// <exception cref="SwfFault">TypeDeprecatedFault; DefaultUndefinedFault naming a field that has neither a value
    /// nor a default; ValidationException for a malformed duration, priority, child policy or more than 5 tags.</exception>
    /// <param name="limits">The limits the new run's machine enforces; null: SWF's figures.</param>
    public static ExecutionMachine Start(StartExecution request, RegisteredType workflowType, string runId, DateTimeOffset now, ExecutionLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workflowType);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        if (workflowType.Kind != TypeKind.Workflow
            || workflowType.Name != request.WorkflowType.Name || workflowType.Version != request.WorkflowType.Version)
        {
            throw new ArgumentException($"{workflowType.Describe()} is not the type the request starts.", nameof(workflowType));
        }
        if (workflowType.IsDeprecated) throw SwfFault.TypeDeprecated($"{workflowType.Describe()} is deprecated.");

        var defaults = workflowType.WorkflowDefaults;
        string executionTimeout = TypeDefaults.CheckExecutionTimeout(
            request.ExecutionStartToCloseTimeout ?? defaults?.DefaultExecutionStartToCloseTimeout
                ?? throw Undefined("executionStartToCloseTimeout", workflowType),
            "executionStartToCloseTimeout")!;
        string taskTimeout = SwfDuration.Check(
            request.TaskStartToCloseTimeout ?? defaults?.DefaultTaskStartToCloseTimeout
                ?? throw Undefined("taskStartToCloseTimeout", workflowType),
            "taskStartToCloseTimeout")!;
        string taskList = request.TaskList ?? defaults?.DefaultTaskList?.Name ?? throw Undefined("taskList", workflowType);
        string childPolicy = request.ChildPolicy ?? defaults?.DefaultChildPolicy ?? throw Undefined("childPolicy", workflowType);
        if (!ChildPolicy.All.Contains(childPolicy))
        {
            throw SwfFault.Validation($"Value '{childPolicy}' at 'childPolicy' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", ChildPolicy.All)}]");
        }
        string? taskPriority = SwfDuration.CheckPriority(request.TaskPriority ?? defaults?.DefaultTaskPriority, "taskPriority");
        if (request.TagList is { Count: > MaxTags })
        {
            throw SwfFault.Validation($"Value at 'tagList' failed to satisfy constraint: Member must have length less than or equal to {MaxTags}");
        }

        return StartResolved(request with
        {
            ExecutionStartToCloseTimeout = executionTimeout,
            TaskStartToCloseTimeout = taskTimeout,
            TaskList = taskList,
            ChildPolicy = childPolicy,
            TaskPriority = taskPriority,
            LambdaRole = request.LambdaRole ?? defaults?.DefaultLambdaRole,
        }, runId, now, limits);
    }

    /// <summary>
    /// Starts a run whose settings were resolved and checked when it was decided: a child from its
    /// StartChildWorkflowExecutionInitiated event, a continued run from its WorkflowExecutionContinuedAsNew. No type
    /// lookup: SWF decides those failures in the decision (only WORKFLOW_ALREADY_RUNNING is left for the start), so a
    /// type deprecated in between does not fail a start already decided.
    /// </summary>
    public static ExecutionMachine StartResolved(StartExecution request, string runId, DateTimeOffset now, ExecutionLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var machine = new ExecutionMachine(
            new ExecutionState { Domain = request.Domain, WorkflowId = request.WorkflowId, RunId = runId }, now, limits);
        machine.Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionStarted,
            WorkflowExecutionStartedEventAttributes = new WorkflowExecutionStartedEventAttributes
            {
                Input = request.Input,
                ExecutionStartToCloseTimeout = request.ExecutionStartToCloseTimeout ?? throw new ArgumentException("executionStartToCloseTimeout is not resolved.", nameof(request)),
                TaskStartToCloseTimeout = request.TaskStartToCloseTimeout ?? throw new ArgumentException("taskStartToCloseTimeout is not resolved.", nameof(request)),
                ChildPolicy = request.ChildPolicy ?? throw new ArgumentException("childPolicy is not resolved.", nameof(request)),
                TaskList = new TaskList { Name = request.TaskList ?? throw new ArgumentException("taskList is not resolved.", nameof(request)) },
                TaskPriority = request.TaskPriority,
                WorkflowType = new WorkflowType { Name = request.WorkflowType.Name, Version = request.WorkflowType.Version },
                TagList = request.TagList is { Count: > 0 } tags ? [.. tags] : null,
                ContinuedExecutionRunId = request.ContinuedExecutionRunId,
                ParentWorkflowExecution = request.ParentWorkflowExecution,
                ParentInitiatedEventId = request.ParentInitiatedEventId,
                LambdaRole = request.LambdaRole,
            },
        });
        if (machine.State.ExecutionTimeoutDue is { } due) machine.NewDeadlines.Add(Deadline.Execution(due));
        machine.ScheduleDecisionTaskIfPending();
        return machine;
    }

    private static SwfFault Undefined(string field, RegisteredType type) =>
        SwfFault.DefaultUndefined($"{field} is not set and {type.Describe()} has no default{char.ToUpperInvariant(field[0])}{field[1..]}.");
}
