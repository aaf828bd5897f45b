using SwfServerless.Core.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.Operations;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Executions;

/// <summary>A task handed to a poller: the run as committed with its *TaskStarted event, and the task's message (for a task
/// started by the commit that scheduled it, the message it would have had).</summary>
public abstract record ClaimedTask(string Partition, ExecutionState State, TaskMessage Message);

/// <summary>A claimed task with what its start returned.</summary>
public sealed record ClaimedTask<TStart>(string Partition, ExecutionState State, TStart Start, TaskMessage Message) : ClaimedTask(Partition, State, Message);

/// <summary>
/// Long polls: wait on this instance's <see cref="TaskDispatch"/> for the task list's next task: one the commit that
/// scheduled it already started for this poller, or a message received by the task list's loop, whose task is claimed by
/// committing the *TaskStarted event under the run's ETag. Messages are at-least-once; the claim is exactly once. A message whose task is already
/// started, closed or gone is deleted; one whose scheduling commit is not visible yet is put back for a moment.
/// </summary>
public sealed partial class TaskPoller(
    ServiceContext context, ExecutionRepository executions, ExecutionEngine engine, TaskQueues queues, TaskDispatch dispatch,
    TimeProvider clock, ILogger<TaskPoller> log)
{
    private static readonly TimeSpan UncommittedRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan UncommittedGiveUp = TimeSpan.FromMinutes(2);

    /// <summary>Claims that lose this many races in a row give the message back (visible after <see cref="GaveUpRetry"/>).</summary>
    internal const int MaxClaimAttempts = 8;
    private static readonly TimeSpan GaveUpRetry = TimeSpan.FromSeconds(1);

    public Task<ClaimedTask<DecisionTaskStart>?> PollDecisionAsync(string domain, string taskList, string? identity, CancellationToken ct) =>
        PollAsync(domain, TaskKind.Decision, taskList, identity, (m, e) => m.StartDecisionTask(e, identity), ct);

    public Task<ClaimedTask<ActivityTaskStart>?> PollActivityAsync(string domain, string taskList, string? identity, CancellationToken ct) =>
        PollAsync(domain, TaskKind.Activity, taskList, identity, (m, e) => m.StartActivityTask(e, identity), ct);

    private async Task<ClaimedTask<TStart>?> PollAsync<TStart>(
        string domain, TaskKind kind, string taskList, string? identity, Func<ExecutionMachine, long, TStart?> claim, CancellationToken ct)
        where TStart : class
    {
        var deadline = context.Now() + TimeSpan.FromSeconds(context.Options.LongPollSeconds);
        for (var first = true; !ct.IsCancellationRequested; first = false)
        {
            var remaining = deadline - context.Now();
            if (remaining <= TimeSpan.Zero && !first) return null;
            var offered = remaining > TimeSpan.Zero
                ? await dispatch.WaitAsync(domain, kind, taskList, identity, remaining, ct)
                // No time to wait (LongPollSeconds 0): one look of its own, as every poll gets.
                : (await queues.ReceiveAsync(domain, kind, taskList, 1, dispatch.Visibility, ct)).FirstOrDefault() is { } message
                    ? new TaskDispatch.TaskOffer(message, null)
                    : null;
            if (offered is null) return null;
            if (offered.Started is { } started)
            {
                // Started for us by its scheduling commit. If our caller has left, nobody will hear of it: its timeout brings it back.
                if (ct.IsCancellationRequested) LogStartedForLeaver(log, started.State.RunId, kind);
                return (ClaimedTask<TStart>)started;
            }
            if (await ClaimAsync(offered.Message!, claim, ct) is { } claimed) return claimed;
        }
        return null;
    }

    private async Task<ClaimedTask<TStart>?> ClaimAsync<TStart>(ReceivedTask received, Func<ExecutionMachine, long, TStart?> claim, CancellationToken ct)
        where TStart : class
    {
        var message = received.Message;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                ct.ThrowIfCancellationRequested();
                using (await engine.TurnAsync(message.RunId, ct))
                {
                    // First this instance's copy (the scheduling commit's, if it was made here); anything but a
                    // claim to commit is decided again on the stored row, since nothing would catch a stale copy.
                    var run = attempt == 1
                        ? await executions.LoadCachedAsync(message.Partition, message.RunId, ct)
                        : await executions.LoadAsync(message.Partition, message.RunId, ct);
                    var (machine, start) = Claim(run, message, claim);
                    if (run is { Cached: true } && machine is not { NewEvents.Count: > 0 })
                    {
                        run = await executions.LoadAsync(message.Partition, message.RunId, ct);
                        (machine, start) = Claim(run, message, claim);
                    }
                    if (run is null || machine is null)
                    {
                        // The scheduling commit is not visible (yet): it is in flight, or it failed and never will be.
                        if (context.Now() - message.EnqueuedAt < UncommittedGiveUp) await queues.DeferAsync(received, UncommittedRetry, ct);
                        else await queues.DeleteAsync(received, ct);
                        return null;
                    }
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
                        return start is null ? null : new ClaimedTask<TStart>(message.Partition, machine.State, start, message);
                    }
                }
                if (attempt == MaxClaimAttempts)
                {
                    // The run keeps changing under us (other instances, a burst of timeouts): rather than spin, give the task
                    // back for another look soon, here or elsewhere. Hidden or visible, the message is never dropped here.
                    LogClaimGaveUp(log, message.RunId, attempt);
                    await queues.DeferAsync(received, GaveUpRetry, CancellationToken.None);
                    return null;
                }
                LogClaimConflict(log, message.RunId, attempt);
                await Task.Delay(ClaimBackOff(attempt), clock, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The poller left: hand the message straight back instead of hiding it for the visibility timeout.
            await dispatch.ReleaseAsync(received);
            return null;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Storage failed mid-claim (the claim may or may not have committed): let the task be looked at again at once;
            // a claimer that finds it started drops the message. If this instance is dying, the message comes back by itself.
            await dispatch.ReleaseAsync(received);
            throw;
        }
    }

    /// <summary>The claim on the run as read; no machine when the scheduling commit is not in it.</summary>
    private (ExecutionMachine? Machine, TStart? Start) Claim<TStart>(LoadedRun? run, TaskMessage message, Func<ExecutionMachine, long, TStart?> claim)
        where TStart : class
    {
        if (run is null || run.State.LastEventId < message.ScheduledEventId) return (null, null);
        var machine = engine.Machine(run.State);
        return (machine, claim(machine, message.ScheduledEventId));
    }

    /// <summary>Full jitter, doubling from 20 ms up to 200 ms: racing claimers spread out instead of colliding again.</summary>
    private static TimeSpan ClaimBackOff(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.Next(1, Math.Min(200, 10 << attempt) + 1));

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Kind} task of run {RunId} was started for a poller that left before it was answered; the task's timeout brings it back")]
    private static partial void LogStartedForLeaver(ILogger log, string runId, TaskKind kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Claim on run {RunId} lost a race; rereading (attempt {Attempt})")]
    private static partial void LogClaimConflict(ILogger log, string runId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claim on run {RunId} lost {Attempts} races in a row; its task goes back to the queue")]
    private static partial void LogClaimGaveUp(ILogger log, string runId, int attempts);
}
