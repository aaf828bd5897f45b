using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Functions.Operations;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Intents;
using SwfServerless.Storage.Tasks;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Functions.Executions;

/// <summary>
/// The one path every change to a run takes: load the state, run the command on the pure machine, queue the
/// tasks it scheduled, commit under the state row's ETag, then wake local pollers and update the visibility
/// index. A lost race (412) means someone else changed the run first: reload and run the command again.
/// Crash at each step: before the commit nothing happened except queued messages for tasks and intents that never
/// committed, which claimers and the intent executor drop; after the commit the change stands and the index catches up later.
/// </summary>
public sealed partial class ExecutionEngine(
    ServiceContext context, ExecutionRepository executions, TaskQueues queues, VisibilityRepository visibility, IntentQueue intents,
    ILogger<ExecutionEngine> log)
{
    private const int MaxAttempts = 100;

    /// <summary>Runs <paramref name="command"/> against the run and commits what it produced; returns the command's result.</summary>
    /// <param name="applied">The intent of another run this change carries out (see <see cref="IntentMarker"/>).</param>
    /// <exception cref="IntentAlreadyAppliedException">An earlier commit carried out <paramref name="applied"/>: nothing was written.</exception>
    public async Task<T> UpdateAsync<T>(string partition, string runId, Func<ExecutionMachine, T> command, CancellationToken ct, IntentMarker? applied = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var run = await executions.LoadAsync(partition, runId, ct) ?? throw UnknownExecution(runId);
            var machine = new ExecutionMachine(run.State, context.Now());
            var result = command(machine);
            if (machine.NewEvents.Count == 0) return result;

            await QueueTasksAsync(machine, ct);
            if (await TryCommitAsync(run, machine, applied, ct))
            {
                await AfterCommitAsync(machine, ct);
                return result;
            }
            if (attempt == MaxAttempts)
                throw new SwfFault("ServiceUnavailable", "The workflow execution is too busy to change right now; retry the request.") { StatusCode = 503 };
            LogConflict(log, runId, attempt);
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * Math.Min(attempt, 20))), ct);
        }
    }

    /// <summary>Starts a new run (the machine came from <see cref="ExecutionMachine.Start"/>).</summary>
    /// <param name="applied">The intent this start carries out (a parent's child start).</param>
    public async Task StartAsync(string partition, CurrentRun? previous, ExecutionMachine machine, CancellationToken ct, IntentMarker? applied = null)
    {
        await QueueTasksAsync(machine, ct);
        await executions.CommitNewRunAsync(partition, previous, machine.State, machine.NewEvents, ct, applied);
        await AfterCommitAsync(machine, ct);
    }

    /// <summary>Queues the machine's new tasks before its commit: a task must never exist without a way to reach a worker.</summary>
    public async Task QueueTasksAsync(ExecutionMachine machine, CancellationToken ct)
    {
        var state = machine.State;
        foreach (var task in machine.NewTasks)
        {
            var message = new TaskMessage(task.Kind, ExecutionKeys.Partition(state.Domain, state.WorkflowId), state.RunId, task.ScheduledEventId, context.Now());
            await queues.EnqueueAsync(state.Domain, task.TaskList, task.Priority, message, ct);
        }
        await QueueIntentsAsync(machine, ct);
    }

    private async Task AfterCommitAsync(ExecutionMachine machine, CancellationToken ct)
    {
        var state = machine.State;
        foreach (var task in machine.NewTasks) queues.NotifyLocal(state.Domain, task.Kind, task.TaskList);
        try
        {
            if (machine.Closed) await visibility.RecordClosedAsync(state.Domain, state.Info(), ct);
            else if (machine.NewEvents.Any(e => e.EventType is global::SwfServerless.Core.Model.EventType.WorkflowExecutionStarted
                         or global::SwfServerless.Core.Model.EventType.WorkflowExecutionCancelRequested))
                await visibility.RecordOpenAsync(state.Domain, state.Info(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The change is committed; failing the call now would make the client retry it. The index converges later.
            LogVisibilityLag(log, state.RunId, e);
        }
        await AfterCommitIntentsAsync(machine, ct);
    }

    public static SwfFault UnknownExecution(string runId) => SwfFault.UnknownResource($"Unknown execution: runId={runId}");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {RunId} changed concurrently; retrying (attempt {Attempt})")]
    private static partial void LogConflict(ILogger log, string runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Visibility index of run {RunId} not updated; it will be repaired")]
    private static partial void LogVisibilityLag(ILogger log, string runId, Exception e);
}
