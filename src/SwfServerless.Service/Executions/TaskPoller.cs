using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.Operations;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Executions;

/// <summary>A task handed to a poller: the run as committed with the claim, and what the claim returned.</summary>
public sealed record ClaimedTask<TStart>(string Partition, ExecutionState State, TStart Start);

/// <summary>
/// Long polls: take the next message of the task list (highest priority first) and claim its task by
/// committing the *TaskStarted event under the run's ETag. Messages are at-least-once; the claim is exactly
/// once. A message whose task is already started, closed or gone is deleted; one whose scheduling commit is
/// not visible yet is put back for a moment. Between looks, pollers sleep until a task is queued on this
/// instance or the poll interval passes (tasks queued by other instances are found by looking).
/// </summary>
public sealed partial class TaskPoller(
    ServiceContext context, ExecutionRepository executions, ExecutionEngine engine, TaskQueues queues, IOptions<SwfOptions> options, ILogger<TaskPoller> log)
{
    private static readonly TimeSpan ClaimVisibility = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UncommittedRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan UncommittedGiveUp = TimeSpan.FromMinutes(2);

    public Task<ClaimedTask<DecisionTaskStart>?> PollDecisionAsync(string domain, string taskList, string? identity, CancellationToken ct) =>
        PollAsync(domain, TaskKind.Decision, taskList, (m, e) => m.StartDecisionTask(e, identity), ct);

    public Task<ClaimedTask<ActivityTaskStart>?> PollActivityAsync(string domain, string taskList, string? identity, CancellationToken ct) =>
        PollAsync(domain, TaskKind.Activity, taskList, (m, e) => m.StartActivityTask(e, identity), ct);

    private async Task<ClaimedTask<TStart>?> PollAsync<TStart>(
        string domain, TaskKind kind, string taskList, Func<ExecutionMachine, long, TStart?> claim, CancellationToken ct) where TStart : class
    {
        var settings = options.Value;
        var deadline = context.Now() + TimeSpan.FromSeconds(settings.LongPollSeconds);
        var interval = TimeSpan.FromMilliseconds(50);
        var maxInterval = TimeSpan.FromMilliseconds(settings.PollIntervalMilliseconds);
        while (!ct.IsCancellationRequested)
        {
            var woken = queues.LocalWorkSignal(domain, kind, taskList);
            var received = await queues.ReceiveAsync(domain, kind, taskList, ClaimVisibility, ct);
            if (received is not null)
            {
                if (await ClaimAsync(received, claim, ct) is { } claimed) return claimed;
                interval = TimeSpan.FromMilliseconds(50);
                continue;
            }
            var remaining = deadline - context.Now();
            if (remaining <= TimeSpan.Zero) return null;
            var wait = interval < remaining ? interval : remaining;
            await Task.WhenAny(woken, Task.Delay(wait, ct));
            interval = interval * 2 < maxInterval ? interval * 2 : maxInterval;
        }
        return null;
    }

    private async Task<ClaimedTask<TStart>?> ClaimAsync<TStart>(ReceivedTask received, Func<ExecutionMachine, long, TStart?> claim, CancellationToken ct)
        where TStart : class
    {
        var message = received.Message;
        for (var attempt = 1; ; attempt++)
        {
            if (ct.IsCancellationRequested)
            {
                // The poller left: hand the message straight back instead of hiding it for the visibility timeout.
                await queues.DeferAsync(received, TimeSpan.Zero, CancellationToken.None);
                return null;
            }
            using (await engine.TurnAsync(message.RunId, ct))
            {
                var run = await executions.LoadAsync(message.Partition, message.RunId, ct);
                if (run is null || run.State.LastEventId < message.ScheduledEventId)
                {
                    // The scheduling commit is not visible (yet): it is in flight, or it failed and never will be.
                    if (context.Now() - message.EnqueuedAt < UncommittedGiveUp) await queues.DeferAsync(received, UncommittedRetry, ct);
                    else await queues.DeleteAsync(received, ct);
                    return null;
                }
                var machine = engine.Machine(run.State);
                var start = claim(machine, message.ScheduledEventId);
                if (start is null && machine.NewEvents.Count == 0)
                {
                    await queues.DeleteAsync(received, ct); // already started, cancelled, timed out or closed: a stale message
                    return null;
                }
                // Through the engine: the claim arms the task's START_TO_CLOSE (and HEARTBEAT) deadlines.
                if (await engine.TryCommitAsync(run, machine, ct))
                {
                    await queues.DeleteAsync(received, ct);
                    // No start with events: the claim would have passed the history limit and terminated the run instead.
                    return start is null ? null : new ClaimedTask<TStart>(message.Partition, machine.State, start);
                }
            }
            LogClaimConflict(log, message.RunId, attempt);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Claim on run {RunId} lost a race; rereading (attempt {Attempt})")]
    private static partial void LogClaimConflict(ILogger log, string runId, int attempt);
}
