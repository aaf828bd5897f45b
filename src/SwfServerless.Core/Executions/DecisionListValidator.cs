using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Time;

namespace SwfServerless.Core.Executions;

/// <summary>
/// The checks that reject a whole RespondDecisionTaskCompleted (ValidationException, nothing recorded) rather
/// than fail one decision with a *Failed event: a decision without a known type, with attributes of another
/// type, without the attributes or members its type requires, with a malformed duration or priority, and a
/// closing decision that is not the last one. Paths follow AWS's form: <c>decisions.2.member.decisionType</c>.
/// </summary>
/// <remarks>
/// The protocol layer's model validation already checks lengths and required members of the request body; these
/// checks repeat what the rules depend on, so the machine is safe with any caller.
/// </remarks>
public static class DecisionListValidator
{
    /// <summary>The decisions that close the execution; SWF requires one to be the last decision of its list.</summary>
    public static bool IsClosing(string? decisionType) => decisionType is DecisionType.CompleteWorkflowExecution
        or DecisionType.FailWorkflowExecution or DecisionType.CancelWorkflowExecution or DecisionType.ContinueAsNewWorkflowExecution;

    public static void Validate(IReadOnlyList<Decision> decisions)
    {
        for (int i = 0; i < decisions.Count; i++)
        {
            string path = $"decisions.{i + 1}.member";
            var decision = decisions[i] ?? throw Invalid(path, null, "Member must not be null");
            ValidateDecision(decision, path);
            if (IsClosing(decision.DecisionType) && i != decisions.Count - 1)
            {
                // AWS's own words for this case (ValidationException).
                throw SwfFault.Validation($"Close must be last decision in list ({path}.decisionType is {decision.DecisionType}, {decisions.Count} decisions).");
            }
        }
    }

    private static void ValidateDecision(Decision d, string path)
    {
        string type = d.DecisionType ?? throw Invalid($"{path}.decisionType", null, "Member must not be null");
        if (!DecisionType.All.Contains(type))
        {
            throw Invalid($"{path}.decisionType", type, $"Member must satisfy enum value set: [{string.Join(", ", DecisionType.All)}]");
        }
        string expected = AttributesMember(type);
        foreach (var (member, value) in Attributes(d))
        {
            if (value is not null && member != expected)
            {
                throw SwfFault.Validation($"Invalid decision at '{path}': {member} does not belong to a {type} decision (expected {expected}).");
            }
        }

        switch (type)
        {
            case DecisionType.ScheduleActivityTask:
            {
                var a = Required(d.ScheduleActivityTaskDecisionAttributes, path, expected);
                string at = $"{path}.{expected}";
                Required(a.ActivityType, at, "activityType");
                Required(a.ActivityType!.Name, at, "activityType.name");
                Required(a.ActivityType.Version, at, "activityType.version");
                Required(a.ActivityId, at, "activityId");
                SwfDuration.Check(a.ScheduleToStartTimeout, $"{at}.scheduleToStartTimeout");
                SwfDuration.Check(a.ScheduleToCloseTimeout, $"{at}.scheduleToCloseTimeout");
                SwfDuration.Check(a.StartToCloseTimeout, $"{at}.startToCloseTimeout");
                SwfDuration.Check(a.HeartbeatTimeout, $"{at}.heartbeatTimeout");
                SwfDuration.CheckPriority(a.TaskPriority, $"{at}.taskPriority");
                break;
            }
            case DecisionType.RequestCancelActivityTask:
                Required(Required(d.RequestCancelActivityTaskDecisionAttributes, path, expected).ActivityId, $"{path}.{expected}", "activityId");
                break;
            case DecisionType.RecordMarker:
                Required(Required(d.RecordMarkerDecisionAttributes, path, expected).MarkerName, $"{path}.{expected}", "markerName");
                break;
            case DecisionType.StartTimer:
            {
                var a = Required(d.StartTimerDecisionAttributes, path, expected);
                string at = $"{path}.{expected}";
                Required(a.TimerId, at, "timerId");
                // DurationInSeconds (not ...Optional): a number of seconds, NONE is not a delay.
                if (SwfDuration.Parse(Required(a.StartToFireTimeout, at, "startToFireTimeout"), $"{at}.startToFireTimeout") is null)
                {
                    throw Invalid($"{at}.startToFireTimeout", SwfDuration.None, "Member must be a whole number of seconds");
                }
                break;
            }
            case DecisionType.CancelTimer:
                Required(Required(d.CancelTimerDecisionAttributes, path, expected).TimerId, $"{path}.{expected}", "timerId");
                break;
            case DecisionType.SignalExternalWorkflowExecution:
            {
                var a = Required(d.SignalExternalWorkflowExecutionDecisionAttributes, path, expected);
                Required(a.WorkflowId, $"{path}.{expected}", "workflowId");
                Required(a.SignalName, $"{path}.{expected}", "signalName");
                break;
            }
            case DecisionType.RequestCancelExternalWorkflowExecution:
                Required(Required(d.RequestCancelExternalWorkflowExecutionDecisionAttributes, path, expected).WorkflowId, $"{path}.{expected}", "workflowId");
                break;
            case DecisionType.StartChildWorkflowExecution:
            {
                var a = Required(d.StartChildWorkflowExecutionDecisionAttributes, path, expected);
                string at = $"{path}.{expected}";
                Required(a.WorkflowType, at, "workflowType");
                Required(a.WorkflowType!.Name, at, "workflowType.name");
                Required(a.WorkflowType.Version, at, "workflowType.version");
                Required(a.WorkflowId, at, "workflowId");
                ValidateRunSettings(at, a.ExecutionStartToCloseTimeout, a.TaskStartToCloseTimeout, a.TaskPriority, a.ChildPolicy, a.TagList);
                break;
            }
            case DecisionType.ContinueAsNewWorkflowExecution when d.ContinueAsNewWorkflowExecutionDecisionAttributes is { } a:
                ValidateRunSettings($"{path}.{expected}", a.ExecutionStartToCloseTimeout, a.TaskStartToCloseTimeout, a.TaskPriority, a.ChildPolicy, a.TagList);
                break;
            case DecisionType.ScheduleLambdaFunction:
            {
                var a = Required(d.ScheduleLambdaFunctionDecisionAttributes, path, expected);
                Required(a.Id, $"{path}.{expected}", "id");
                Required(a.Name, $"{path}.{expected}", "name");
                // "any integer from 1-900 (1s-15m)"; absent means 900.
                if (a.StartToCloseTimeout is { } lambdaTimeout
                    && !(int.TryParse(lambdaTimeout, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 900))
                {
                    throw Invalid($"{path}.{expected}.startToCloseTimeout", lambdaTimeout, "Member must be an integer from 1 to 900");
                }
                break;
            }
            // CompleteWorkflowExecution, FailWorkflowExecution, CancelWorkflowExecution and ContinueAsNewWorkflowExecution
            // have no required member: deciders commonly send them without attributes, which means "all absent".
        }
    }

    /// <summary>The settings of a run a decision starts (a child, or the run a ContinueAsNew starts), as StartWorkflowExecution checks them.</summary>
    private static void ValidateRunSettings(string at, string? executionTimeout, string? taskTimeout, string? priority, string? childPolicy, List<string>? tags)
    {
        Types.TypeDefaults.CheckExecutionTimeout(executionTimeout, $"{at}.executionStartToCloseTimeout");
        SwfDuration.Check(taskTimeout, $"{at}.taskStartToCloseTimeout");
        SwfDuration.CheckPriority(priority, $"{at}.taskPriority");
        if (childPolicy is not null && !ChildPolicy.All.Contains(childPolicy))
        {
            throw Invalid($"{at}.childPolicy", childPolicy, $"Member must satisfy enum value set: [{string.Join(", ", ChildPolicy.All)}]");
        }
        if (tags is { Count: > ExecutionMachine.MaxTags })
        {
            throw Invalid($"{at}.tagList", null, $"Member must have length less than or equal to {ExecutionMachine.MaxTags}");
        }
    }

    /// <summary>The member of Decision that carries a decision type's attributes.</summary>
    public static string AttributesMember(string decisionType) =>
        char.ToLowerInvariant(decisionType[0]) + decisionType[1..] + "DecisionAttributes";

    private static IEnumerable<(string Member, object? Value)> Attributes(Decision d) =>
    [
        ("scheduleActivityTaskDecisionAttributes", d.ScheduleActivityTaskDecisionAttributes),
        ("requestCancelActivityTaskDecisionAttributes", d.RequestCancelActivityTaskDecisionAttributes),
        ("completeWorkflowExecutionDecisionAttributes", d.CompleteWorkflowExecutionDecisionAttributes),
        ("failWorkflowExecutionDecisionAttributes", d.FailWorkflowExecutionDecisionAttributes),
        ("cancelWorkflowExecutionDecisionAttributes", d.CancelWorkflowExecutionDecisionAttributes),
        ("continueAsNewWorkflowExecutionDecisionAttributes", d.ContinueAsNewWorkflowExecutionDecisionAttributes),
        ("recordMarkerDecisionAttributes", d.RecordMarkerDecisionAttributes),
        ("startTimerDecisionAttributes", d.StartTimerDecisionAttributes),
        ("cancelTimerDecisionAttributes", d.CancelTimerDecisionAttributes),
        ("signalExternalWorkflowExecutionDecisionAttributes", d.SignalExternalWorkflowExecutionDecisionAttributes),
        ("requestCancelExternalWorkflowExecutionDecisionAttributes", d.RequestCancelExternalWorkflowExecutionDecisionAttributes),
        ("startChildWorkflowExecutionDecisionAttributes", d.StartChildWorkflowExecutionDecisionAttributes),
        ("scheduleLambdaFunctionDecisionAttributes", d.ScheduleLambdaFunctionDecisionAttributes),
    ];

    private static T Required<T>(T? value, string path, string member) where T : class =>
        value ?? throw Invalid($"{path}.{member}", null, "Member must not be null");

    private static SwfFault Invalid(string path, string? value, string constraint) =>
        SwfFault.Validation($"1 validation error detected: Value {(value is null ? "null" : $"'{value}'")} at '{path}' failed to satisfy constraint: {constraint}");
}
