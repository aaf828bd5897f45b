using SwfServerless.Core.Executions;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Intents;

namespace SwfServerless.Service.Executions;

/// <remarks>
/// What the engine does for work that crosses executions. Intents are queued before the commit like tasks (a committed
/// intent always has a message; a message whose commit lost is dropped by the executor), and the local executor is woken
/// after it. A ContinueAsNew commits the new run with the closing one: one transaction in the workflowId's partition.
/// </remarks>
public sealed partial class ExecutionEngine
{
    private const int ParallelQueuePuts = 16;

    private async Task QueueIntentsAsync(ExecutionMachine machine, CancellationToken ct)
    {
        var state = machine.State;
        var partition = ExecutionKeys.Partition(state.Domain, state.WorkflowId);
        var now = context.Now();
        // A decision starting 100 children queues 100 messages before its commit: in parallel, not one by one.
        await Parallel.ForEachAsync(machine.NewIntents, new ParallelOptions { MaxDegreeOfParallelism = ParallelQueuePuts, CancellationToken = ct },
            async (intent, c) => await intents.EnqueueAsync(new IntentMessage(intent.Kind, partition, state.RunId, intent.EventId, now), c));
    }
}
