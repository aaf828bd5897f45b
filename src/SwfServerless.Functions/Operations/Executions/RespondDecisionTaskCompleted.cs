using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Functions.Executions;
using SwfServerless.Functions.Protocol;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Types;

namespace SwfServerless.Functions.Operations.Executions;

/// <summary>
/// Applies the decider's decisions in order. The activity types they name are looked up first (I/O stays
/// out of the pure machine), then the machine records each decision's events or its *Failed event.
/// </summary>
public sealed class RespondDecisionTaskCompleted(ExecutionEngine engine, ExecutionRepository executions, TypeRepository types, TaskTokenService tokens)
    : ISwfOperation<RespondDecisionTaskCompletedInput, NoOutput>
{
    public async Task<NoOutput> HandleAsync(RespondDecisionTaskCompletedInput input, SwfCall call, CancellationToken ct)
    {
        var task = tokens.Require(input.TaskToken!, TaskKind.Decision);
        var run = await executions.LoadAsync(task.Partition, task.RunId, ct) ?? throw ExecutionEngine.UnknownExecution(task.RunId);
        TaskTokenService.Authorize(call, run.State.Domain);

        var activityTypes = new Dictionary<(string Name, string Version), RegisteredType?>();
        foreach (var (name, version) in ExecutionMachine.ActivityTypesReferenced(input.Decisions))
            activityTypes[(name, version)] = (await types.GetAsync(run.State.Domain, TypeKind.Activity, name, version, ct))?.Value;

        await engine.UpdateAsync(task.Partition, task.RunId, m =>
        {
            m.CompleteDecisionTask(task.StartedEventId, input.Decisions, input.ExecutionContext, activityTypes,
                input.TaskList, input.TaskListScheduleToStartTimeout);
            return 0;
        }, ct);
        return NoOutput.Instance;
    }
}
