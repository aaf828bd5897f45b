using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// ContinueAsNewWorkflowExecution: "Closes the workflow execution and starts a new workflow execution of the same type
    /// using the same workflow ID and a unique run Id." WorkflowExecutionContinuedAsNew closes this run as CONTINUED_AS_NEW
    /// and <see cref="ContinuedAs"/> is the new run, committed in the same transaction (same partition).
    /// </summary>
    /// <remarks>
    /// <para>Failures, in this order: UNHANDLED_DECISION like every closing decision; the type (this run's name, the
    /// decision's workflowTypeVersion or this run's version) does not exist or is deprecated; then the defaults in the
    /// order of the cause enum.</para>
    /// <para>Settings: the decision's, else the type's registered defaults, as the model says for each field ("This
    /// overrides the defaultExecutionStartToCloseTimeout specified when registering the workflow type ... If neither this
    /// field is set nor a default ... was specified at registration time then a fault is returned"); tags only from the
    /// decision. What the new run inherits is its workflowId, type name and its parent: SWF has no
    /// ChildWorkflowExecutionContinuedAsNew event, so a child that continues as new stays its parent's child and the
    /// parent hears of the close of the last run of the chain.</para>
    /// </remarks>
    private void HandleContinueAsNewWorkflowExecution(ContinueAsNewWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        void Fail(string cause) =>
            Append(new HistoryEvent
            {
                EventType = ET.ContinueAsNewWorkflowExecutionFailed,
                ContinueAsNewWorkflowExecutionFailedEventAttributes = new ContinueAsNewWorkflowExecutionFailedEventAttributes
                {
                    Cause = cause,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                },
            });

        if (context.UnhandledEvents) { Fail(ContinueAsNewWorkflowExecutionFailedCause.UnhandledDecision); return; }
        var workflowType = new WorkflowType { Name = State.WorkflowType.Name, Version = a.WorkflowTypeVersion ?? State.WorkflowType.Version };
        context.WorkflowTypes.TryGetValue((workflowType.Name!, workflowType.Version!), out var type);
        if (type is null) { Fail(ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist); return; }
        if (type.IsDeprecated) { Fail(ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDeprecated); return; }

        var defaults = type.WorkflowDefaults;
        string? executionTimeout = a.ExecutionStartToCloseTimeout ?? defaults?.DefaultExecutionStartToCloseTimeout;
        if (executionTimeout is null) { Fail(ContinueAsNewWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined); return; }
        string? taskTimeout = a.TaskStartToCloseTimeout ?? defaults?.DefaultTaskStartToCloseTimeout;
        if (taskTimeout is null) { Fail(ContinueAsNewWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined); return; }
        string? taskList = a.TaskList?.Name ?? defaults?.DefaultTaskList?.Name;
        if (taskList is null) { Fail(ContinueAsNewWorkflowExecutionFailedCause.DefaultTaskListUndefined); return; }
        string? childPolicy = a.ChildPolicy ?? defaults?.DefaultChildPolicy;
        if (childPolicy is null) { Fail(ContinueAsNewWorkflowExecutionFailedCause.DefaultChildPolicyUndefined); return; }

        var next = new StartExecution
        {
            Domain = State.Domain,
            WorkflowId = State.WorkflowId,
            WorkflowType = workflowType,
            TaskList = taskList,
            TaskPriority = a.TaskPriority ?? defaults?.DefaultTaskPriority,
            Input = a.Input,
            ExecutionStartToCloseTimeout = executionTimeout,
            TagList = a.TagList is { Count: > 0 } tags ? [.. tags] : null,
            TaskStartToCloseTimeout = taskTimeout,
            ChildPolicy = childPolicy,
            LambdaRole = a.LambdaRole ?? defaults?.DefaultLambdaRole,
            ParentWorkflowExecution = State.ParentWorkflowExecution,
            ParentInitiatedEventId = State.ParentInitiatedEventId,
            ContinuedExecutionRunId = State.RunId,
        };
        string newRunId = RunIds.Derive(State.RunId, State.LastEventId + 1, Now);
        Append(new HistoryEvent
        {
            EventType = ET.WorkflowExecutionContinuedAsNew,
            WorkflowExecutionContinuedAsNewEventAttributes = new WorkflowExecutionContinuedAsNewEventAttributes
            {
                Input = next.Input,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                NewExecutionRunId = newRunId,
                ExecutionStartToCloseTimeout = next.ExecutionStartToCloseTimeout,
                TaskList = new TaskList { Name = next.TaskList },
                TaskPriority = next.TaskPriority,
                TaskStartToCloseTimeout = next.TaskStartToCloseTimeout,
                ChildPolicy = next.ChildPolicy,
                TagList = next.TagList is null ? null : [.. next.TagList],
                WorkflowType = new WorkflowType { Name = workflowType.Name, Version = workflowType.Version },
                LambdaRole = next.LambdaRole,
            },
        });
        ContinuedAs = StartResolved(next, newRunId, Now, Limits);
    }
}
