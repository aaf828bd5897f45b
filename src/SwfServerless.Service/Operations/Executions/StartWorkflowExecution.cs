using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Protocol;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Types;

namespace SwfServerless.Service.Operations.Executions;

/// <summary>
/// Starts a run: type defaults fill the gaps, and the workflowId's current-run row is written in the same
/// transaction, so of two racing starts exactly one wins and the other gets WorkflowExecutionAlreadyStartedFault.
/// </summary>
public sealed class StartWorkflowExecution(ServiceContext context, RegistryCache registry, ExecutionRepository executions, ExecutionEngine engine,
    QuotaGuard quotas)
    : ISwfOperation<StartWorkflowExecutionInput, Run>
{
    public async Task<Run> HandleAsync(StartWorkflowExecutionInput input, SwfCall call, CancellationToken ct)
    {
        var domain = await context.RequireDomainCachedAsync(input.Domain!, ct);
        if (domain.IsDeprecated) throw SwfFault.DomainDeprecated($"Domain is deprecated: {domain.Name}");
        var type = await registry.TypeAsync(domain.Name, TypeKind.Workflow, input.WorkflowType!.Name!, input.WorkflowType.Version!, ct)
            ?? throw SwfFault.UnknownResource($"Unknown type: WorkflowType=[name={input.WorkflowType.Name}, version={input.WorkflowType.Version}]");
        if (type.IsDeprecated) throw SwfFault.TypeDeprecated($"{type.Describe()} is deprecated");

        var partition = ExecutionKeys.Partition(domain.Name, input.WorkflowId!);
        for (var attempt = 1; ; attempt++)
        {
            var current = await executions.GetCurrentAsync(partition, ct);
            if (current is { Open: true })
                throw SwfFault.WorkflowExecutionAlreadyStarted($"Workflow execution already started: workflowId={input.WorkflowId}");

            var machine = ExecutionMachine.Start(StartExecution.From(input), type, ExecutionKeys.NewRunId(), context.Now(), engine.Limits);
            if (call.Policy is { } policy && !policy.Allows("StartWorkflowExecution", domain.Name, machine.State.TaskList, type.Name))
                throw SwfFault.OperationNotPermitted($"User is not authorized to perform: swf:StartWorkflowExecution on task list {machine.State.TaskList}");
            await quotas.RequireRoomForExecutionAsync(domain.Name, ct);
            try
            {
                await engine.StartAsync(partition, current, machine, ct);
                return new Run { RunId = machine.State.RunId };
            }
            catch (CurrentRunRemovedException) when (attempt < 3)
            {
                // The closed run this start followed was removed (retention) meanwhile: the workflowId is free; start afresh.
            }
        }
    }
}
