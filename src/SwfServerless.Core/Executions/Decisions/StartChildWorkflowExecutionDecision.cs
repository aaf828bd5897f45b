using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// StartChildWorkflowExecution: StartChildWorkflowExecutionInitiated with every setting resolved from the decision or
    /// the child type's defaults, and an intent to start the child (which reports ChildWorkflowExecutionStarted, or
    /// StartChildWorkflowExecutionFailed with WORKFLOW_ALREADY_RUNNING). Every other cause is decided here, without an
    /// Initiated event: "When the cause isn't WORKFLOW_ALREADY_RUNNING, initiatedEventId is set to 0 because the
    /// StartChildWorkflowExecutionInitiated event doesn't exist." Checks in this order: type exists, not deprecated,
    /// open-children quota, then the defaults in the order of the cause enum, then the state row's budget
    /// (OPEN_CHILDREN_LIMIT_EXCEEDED too: see <see cref="StateBudget"/>).
    /// </summary>
    private void HandleStartChildWorkflowExecution(StartChildWorkflowExecutionDecisionAttributes a, DecisionContext context)
    {
        var workflowType = new WorkflowType { Name = a.WorkflowType!.Name, Version = a.WorkflowType.Version };
        void Fail(string cause) =>
            Append(new HistoryEvent
            {
                EventType = ET.StartChildWorkflowExecutionFailed,
                StartChildWorkflowExecutionFailedEventAttributes = new StartChildWorkflowExecutionFailedEventAttributes
                {
                    WorkflowType = workflowType,
                    Cause = cause,
                    WorkflowId = a.WorkflowId,
                    InitiatedEventId = 0,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                    Control = a.Control,
                },
            });

        context.WorkflowTypes.TryGetValue((workflowType.Name!, workflowType.Version!), out var type);
        if (type is null) { Fail(StartChildWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist); return; }
        if (type.IsDeprecated) { Fail(StartChildWorkflowExecutionFailedCause.WorkflowTypeDeprecated); return; }
        if (State.Children.Count >= MaxOpenChildren) { Fail(StartChildWorkflowExecutionFailedCause.OpenChildrenLimitExceeded); return; }

        var defaults = type.WorkflowDefaults;
        string? executionTimeout = a.ExecutionStartToCloseTimeout ?? defaults?.DefaultExecutionStartToCloseTimeout;
        if (executionTimeout is null) { Fail(StartChildWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined); return; }
        string? taskList = a.TaskList?.Name ?? defaults?.DefaultTaskList?.Name;
        if (taskList is null) { Fail(StartChildWorkflowExecutionFailedCause.DefaultTaskListUndefined); return; }
        string? taskTimeout = a.TaskStartToCloseTimeout ?? defaults?.DefaultTaskStartToCloseTimeout;
        if (taskTimeout is null) { Fail(StartChildWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined); return; }
        string? childPolicy = a.ChildPolicy ?? defaults?.DefaultChildPolicy;
        if (childPolicy is null) { Fail(StartChildWorkflowExecutionFailedCause.DefaultChildPolicyUndefined); return; }
        if (!Budget.TryTakeChild(a.WorkflowId!, workflowType.Name!, workflowType.Version!))
        {
            Fail(StartChildWorkflowExecutionFailedCause.OpenChildrenLimitExceeded); // of size: see StateBudget
            return;
        }

        var initiated = Append(new HistoryEvent
        {
            EventType = ET.StartChildWorkflowExecutionInitiated,
            StartChildWorkflowExecutionInitiatedEventAttributes = new StartChildWorkflowExecutionInitiatedEventAttributes
            {
                WorkflowId = a.WorkflowId,
                WorkflowType = workflowType,
                Control = a.Control,
                Input = a.Input,
                ExecutionStartToCloseTimeout = executionTimeout,
                TaskList = new TaskList { Name = taskList },
                TaskPriority = a.TaskPriority ?? defaults?.DefaultTaskPriority,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                ChildPolicy = childPolicy,
                TaskStartToCloseTimeout = taskTimeout,
                TagList = a.TagList is { Count: > 0 } tags ? [.. tags] : null,
                LambdaRole = a.LambdaRole ?? defaults?.DefaultLambdaRole,
            },
        });
        NewIntents.Add(new IntentToCarryOut(IntentKind.StartChild, initiated.EventId!.Value));
    }

    /// <summary>What starts the child: the Initiated event's resolved settings, with this run as its parent.</summary>
    public static StartExecution ChildStart(string domain, WorkflowExecution parent, long initiatedEventId, StartChildWorkflowExecutionInitiatedEventAttributes a) => new()
    {
        Domain = domain,
        WorkflowId = a.WorkflowId!,
        WorkflowType = new WorkflowType { Name = a.WorkflowType!.Name, Version = a.WorkflowType.Version },
        TaskList = a.TaskList!.Name,
        TaskPriority = a.TaskPriority,
        Input = a.Input,
        ExecutionStartToCloseTimeout = a.ExecutionStartToCloseTimeout,
        TagList = a.TagList,
        TaskStartToCloseTimeout = a.TaskStartToCloseTimeout,
        ChildPolicy = a.ChildPolicy,
        LambdaRole = a.LambdaRole,
        ParentWorkflowExecution = new WorkflowExecution { WorkflowId = parent.WorkflowId, RunId = parent.RunId },
        ParentInitiatedEventId = initiatedEventId,
    };
}
