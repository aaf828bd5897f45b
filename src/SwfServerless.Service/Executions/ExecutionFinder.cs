using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Service.Operations;
using SwfServerless.Storage.Executions;

namespace SwfServerless.Service.Executions;

/// <summary>Finds the run an operation names by domain, workflowId and (optionally) runId.</summary>
public sealed class ExecutionFinder(ServiceContext context, ExecutionRepository executions)
{
    /// <summary>The named run, or without runId the workflowId's open run; UnknownResourceFault when there is none open.</summary>
    public async Task<(string Partition, string RunId)> RequireOpenAsync(string domain, string workflowId, string? runId, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(domain, ct);
        var partition = ExecutionKeys.Partition(domain, workflowId);
        if (string.IsNullOrEmpty(runId))
        {
            var current = await executions.GetCurrentAsync(partition, ct);
            if (current is not { Open: true }) throw SwfFault.UnknownResource($"Unknown execution: WorkflowExecution=[workflowId={workflowId}] has no open run");
            return (partition, current.RunId);
        }
        var run = RunIds.IsWellFormed(runId) ? await executions.LoadAsync(partition, runId, ct) : null;
        if (run is null || !run.State.IsOpen)
            throw SwfFault.UnknownResource($"Unknown execution: WorkflowExecution=[workflowId={workflowId}, runId={runId}]" + (run is null ? "" : " is closed"));
        return (partition, runId);
    }

    /// <summary>The named run, open or closed (describe and history).</summary>
    public async Task<LoadedRun> RequireAsync(string domain, string workflowId, string runId, CancellationToken ct)
    {
        await context.RequireDomainExistsAsync(domain, ct);
        var run = RunIds.IsWellFormed(runId) ? await executions.LoadAsync(ExecutionKeys.Partition(domain, workflowId), runId, ct) : null;
        return run ?? throw SwfFault.UnknownResource($"Unknown execution: WorkflowExecution=[workflowId={workflowId}, runId={runId}]");
    }
}
