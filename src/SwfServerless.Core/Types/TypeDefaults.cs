using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Time;

namespace SwfServerless.Core.Types;

/// <summary>The value rules of registered type defaults beyond what the model's lengths and enums check.</summary>
public static class TypeDefaults
{
    /// <summary>SWF caps an execution at one year and, unlike other timeouts, does not accept NONE for it.</summary>
    public static readonly TimeSpan MaxExecutionStartToClose = TimeSpan.FromDays(365);

    public static ActivityTypeConfiguration Activity(RegisterActivityTypeInput input) => new()
    {
        DefaultTaskStartToCloseTimeout = SwfDuration.Check(input.DefaultTaskStartToCloseTimeout, "defaultTaskStartToCloseTimeout"),
        DefaultTaskHeartbeatTimeout = SwfDuration.Check(input.DefaultTaskHeartbeatTimeout, "defaultTaskHeartbeatTimeout"),
        DefaultTaskList = input.DefaultTaskList,
        DefaultTaskPriority = SwfDuration.CheckPriority(input.DefaultTaskPriority, "defaultTaskPriority"),
        DefaultTaskScheduleToStartTimeout = SwfDuration.Check(input.DefaultTaskScheduleToStartTimeout, "defaultTaskScheduleToStartTimeout"),
        DefaultTaskScheduleToCloseTimeout = SwfDuration.Check(input.DefaultTaskScheduleToCloseTimeout, "defaultTaskScheduleToCloseTimeout"),
    };

    public static WorkflowTypeConfiguration Workflow(RegisterWorkflowTypeInput input) => new()
    {
        DefaultTaskStartToCloseTimeout = SwfDuration.Check(input.DefaultTaskStartToCloseTimeout, "defaultTaskStartToCloseTimeout"),
        DefaultExecutionStartToCloseTimeout = CheckExecutionTimeout(input.DefaultExecutionStartToCloseTimeout, "defaultExecutionStartToCloseTimeout"),
        DefaultTaskList = input.DefaultTaskList,
        DefaultTaskPriority = SwfDuration.CheckPriority(input.DefaultTaskPriority, "defaultTaskPriority"),
        DefaultChildPolicy = input.DefaultChildPolicy,
        DefaultLambdaRole = input.DefaultLambdaRole,
    };

    public static string? CheckExecutionTimeout(string? value, string field)
    {
        if (value is null) return null;
        var duration = SwfDuration.Parse(value, field)
            ?? throw SwfFault.Validation($"Invalid value 'NONE' at '{field}': an execution timeout cannot be NONE (at most {(long)MaxExecutionStartToClose.TotalSeconds} seconds).");
        if (duration > MaxExecutionStartToClose)
            throw SwfFault.Validation($"Invalid value '{value}' at '{field}': at most {(long)MaxExecutionStartToClose.TotalSeconds} seconds (one year).");
        return value;
    }
}
