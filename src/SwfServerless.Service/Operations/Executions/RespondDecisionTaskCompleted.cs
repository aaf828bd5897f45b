using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Types;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>
/// Applies the decider's decisions in order. The activity and workflow types they name are looked up first (I/O
/// stays out of the pure machine), then the machine records each decision's events or its *Failed event.
/// </summary>
public sealed class RespondDecisionTaskCompleted(ExecutionEngine engine, ExecutionRepository executions, RegistryCache registry, TaskTokenService tokens)
    : ISwfOperation<RespondDecisionTaskCompletedInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RespondDecisionTaskCompletedInput input, SwfCall call, CancellationToken ct)
    {
        var task = tokens.Require(input.TaskToken!, TaskKind.Decision);
        // What is read here before the command (domain, type) never changes; the engine checks the rest on the stored row.
        var run = await executions.LoadCachedAsync(task.Partition, task.RunId, ct) ?? throw ExecutionEngine.UnknownExecution(task.RunId);
        TaskTokenService.Authorize(call, run.State.Domain);

        var activityTypes = new Dictionary<(string Name, string Version), RegisteredType?>();
        foreach (var (name, version) in ExecutionMachine.ActivityTypesReferenced(input.Decisions))
            activityTypes[(name, version)] = await registry.TypeAsync(run.State.Domain, TypeKind.Activity, name, version, ct);
        var workflowTypes = new Dictionary<(string Name, string Version), RegisteredType?>();
        foreach (var (name, version) in ExecutionMachine.WorkflowTypesReferenced(input.Decisions, run.State.WorkflowType))
            workflowTypes[(name, version)] = await registry.TypeAsync(run.State.Domain, TypeKind.Workflow, name, version, ct);

        var isPermitted = call.Policy is { IsUnrestricted: false } policy
            ? (Func<Decision, bool>)(d => Permitted(policy, d, run.State, activityTypes, workflowTypes))
            : null;
        await engine.UpdateAsync(task.Partition, task.RunId, m =>
        {
            m.CompleteDecisionTask(task.StartedEventId, input.Decisions, input.ExecutionContext, activityTypes,
                input.TaskList, input.TaskListScheduleToStartTimeout, isPermitted, workflowTypes);
            return 0;
        }, ct, loaded: run);
        return NoOutput.Instance;
    }

    /// <summary>The condition values SWF's access control gives each decision: its task list (or the type's default) and type name.</summary>
    private static bool Permitted(Auth.AccessPolicy policy, Decision d, ExecutionState run,
        IReadOnlyDictionary<(string Name, string Version), RegisteredType?> activityTypes,
        IReadOnlyDictionary<(string Name, string Version), RegisteredType?> workflowTypes)
    {
        var domain = run.Domain;
        switch (d.DecisionType)
        {
            case DecisionType.ScheduleActivityTask:
                var a = d.ScheduleActivityTaskDecisionAttributes!;
                activityTypes.TryGetValue((a.ActivityType!.Name!, a.ActivityType.Version!), out var type);
                return policy.AllowsDecision(d.DecisionType, domain, a.TaskList?.Name ?? type?.ActivityDefaults?.DefaultTaskList?.Name, a.ActivityType.Name);
            case DecisionType.StartChildWorkflowExecution:
                var c = d.StartChildWorkflowExecutionDecisionAttributes!;
                workflowTypes.TryGetValue((c.WorkflowType?.Name ?? "", c.WorkflowType?.Version ?? ""), out var child);
                return policy.AllowsDecision(d.DecisionType, domain, c.TaskList?.Name ?? child?.WorkflowDefaults?.DefaultTaskList?.Name, c.WorkflowType?.Name);
            case DecisionType.ContinueAsNewWorkflowExecution:
                var n = d.ContinueAsNewWorkflowExecutionDecisionAttributes;
                workflowTypes.TryGetValue((run.WorkflowType.Name!, n?.WorkflowTypeVersion ?? run.WorkflowType.Version!), out var next);
                return policy.AllowsDecision(d.DecisionType, domain, n?.TaskList?.Name ?? next?.WorkflowDefaults?.DefaultTaskList?.Name);
            default:
                return policy.AllowsDecision(d.DecisionType!, domain);
        }
    }
}
