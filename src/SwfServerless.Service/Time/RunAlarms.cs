using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.Operations;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Time;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Service.Time;

/// <summary>
/// What a due reminder does to its run, whoever delivers it (the sweep, an in-process timer, both at once, two
/// instances at once, or again after a crash): load the run, fire everything due by the state (through the machine,
/// which recomputes what is really due, so a stale reminder fires nothing), move the run's alarm to its next
/// deadline, and commit all that under the state row's ETag through <see cref="ExecutionEngine"/> (which queues the
/// decision tasks the timeouts scheduled and updates the index). Of two racing deliveries one commits; the other
/// reloads and finds nothing due. The reminder row is deleted only after that, so a crash anywhere means the
/// reminder comes again and is a no-op where the work was done.
/// </summary>
/// <remarks>
/// A closed run is removed when its retention ends, but never while one of its intents is still under way (see
/// <see cref="ExecutionState.IntentsAfterClose"/>): the intent executor reads what to do from the run, so removing it
/// first would lose the intent. Its alarm is then moved on by the intents' visibility timeout and it is looked at again.
/// </remarks>
public sealed partial class RunAlarms(
    ServiceContext context, ExecutionRepository executions, ExecutionEngine engine, ReminderRepository reminders,
    VisibilityRepository visibility, ExecutionRetention retention, IOptions<SwfOptions> options, ILogger<RunAlarms> log)
{
    /// <summary>What an in-process timer scheduled by <see cref="ExecutionEngine"/> or the sweep asks for.</summary>
    public Task FireAsync(LocalAlarm alarm, CancellationToken ct) => alarm.ClosedRun is { } closed
        ? RemoveAsync(alarm.Partition, closed, null, ct)
        : CheckAsync(alarm.Partition, alarm.RunId, alarm.Reminder, ct, mayPrecedeCommit: !alarm.AfterCommit);

    /// <summary>How often a reminder that names no alarm of its run is looked at again before it is dropped (see <see cref="DropAsync"/>).</summary>
    private const int MaxRechecks = 7;

    /// <summary>Handles one due reminder of the run (or, with none, checks the run). Safe to repeat and to race.</summary>
    /// <param name="mayPrecedeCommit">The reminder was read from storage (or scheduled from a read), so the commit that armed
    /// it may not have landed yet; false for the alarm an instance schedules for itself after its own commit.</param>
    public async Task CheckAsync(string partition, string runId, Reminder? reminder, CancellationToken ct, bool mayPrecedeCommit = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            var run = await executions.LoadAsync(partition, runId, ct);
            if (run is null)
            {
                // Removed already, or a start whose commit never happened (or has not landed yet).
                if (reminder is not null) await DropAsync(reminder, mayPrecedeCommit, ct);
                return;
            }
            if (reminder?.Kind == ReminderKind.Visibility && !await RepairIndexAsync(run, ct))
            {
                await reminders.DeleteAsync(reminder, ct); // the run is gone now
                return;
            }
            var now = context.Now();
            var state = run.State;
            var machine = new ExecutionMachine(state, now, engine.Limits);
            DateTimeOffset? alarm;
            if (!state.IsOpen)
            {
                alarm = await retention.RemovalDueAsync(state, ct);
                if (now >= alarm)
                {
                    if (await TryRemoveAsync(partition, state, run.Alarm, ct))
                    {
                        if (reminder is not null) await reminders.DeleteAsync(reminder, ct);
                        return;
                    }
                    // Intents under way: look again once a crashed one would have come back.
                    alarm = run.Alarm is { } current && current > now ? current : now.AddSeconds(Math.Max(1, options.Value.IntentVisibilitySeconds));
                }
            }
            else
            {
                var heartbeats = ExecutionDeadlines.NeedsHeartbeats(state, now) ? await executions.ReadHeartbeatsAsync(partition, runId, ct) : null;
                if (machine.FireDueDeadlines(heartbeats) > 0) LogFired(log, runId, machine.NewEvents.Count);
                alarm = machine.Closed ? await engine.AlarmAfterAsync(run.Alarm, machine, ct) : NextAlarm(run.Alarm, machine.State, heartbeats, now);
            }

            var committed = machine.NewEvents.Count > 0 || alarm != run.Alarm;
            if (committed && !await engine.TryCommitAsync(run, machine, alarm, ct))
            {
                await engine.BackOffAsync(runId, attempt, ct);
                continue;
            }
            if (reminder is null) return;
            // The run's current alarm row stays (it may be this one, if it is not due yet).
            if (reminder.Kind == ReminderKind.Alarm && reminder.Due == alarm) return;
            // Handled: it was the alarm the state named, or this check committed what was due, or it was an index repair.
            if (committed || reminder.Kind != ReminderKind.Alarm || reminder.Due == run.Alarm) await reminders.DeleteAsync(reminder, ct);
            // An alarm the state does not name: stale, or armed by a commit that has not landed yet.
            else await DropAsync(reminder, mayPrecedeCommit, ct);
            return;
        }
    }

    /// <summary>
    /// Drops a reminder its run does not name. Reminders are armed BEFORE the commit that needs them, so one met first
    /// (a sweep reading it while the commit is slow) may be the only reminder of an alarm about to be committed: deleting
    /// it then would leave the run with an alarm and nothing to fire it. So it is looked at again, later each time
    /// (1, 2, 4 ... 64 s after its due time, 127 s in all: longer than any commit's storage timeouts), and only then
    /// deleted. A stale one costs a few checks.
    /// </summary>
    private async Task DropAsync(Reminder reminder, bool mayPrecedeCommit, CancellationToken ct)
    {
        if (!mayPrecedeCommit || reminder.Attempt >= MaxRechecks) await reminders.DeleteAsync(reminder, ct);
        else await reminders.PostponeAsync(reminder, reminder.Due.AddSeconds(1 << reminder.Attempt), ct); // from the row: a repeat writes the same row
    }

    /// <summary>
    /// The alarm after a check of an open run: kept while it is still ahead and not later than the next deadline (its
    /// reminder stands); otherwise the next deadline, with heartbeat clocks from the heartbeats read, if any.
    /// </summary>
    private DateTimeOffset? NextAlarm(DateTimeOffset? current, ExecutionState state, IReadOnlyDictionary<long, LastHeartbeat>? heartbeats, DateTimeOffset now)
    {
        var next = ExecutionDeadlines.Next(state, heartbeats);
        if (next is { } n && n <= now)
        {
            // Everything due was just fired; a deadline still due is one firing created (a zero timeout). Look again soon.
            next = now.AddMilliseconds(100);
        }
        return current is { } c && c > now && (next is null || c <= next) ? c : next;
    }

    /// <summary>Removes the closed run unless one of its intents is still under way; false when it stays.</summary>
    private async Task<bool> TryRemoveAsync(string partition, ExecutionState state, DateTimeOffset? alarm, CancellationToken ct)
    {
        if (await IntentsUnderWayAsync(partition, state, ct) is { } waiting and > 0)
        {
            LogRemovalWaits(log, state.RunId, waiting);
            return false;
        }
        await RemoveAsync(partition, state, alarm, ct);
        return true;
    }

    /// <summary>How many intents of the closed run are not yet marked done (one query, and none for a run without any).</summary>
    private async Task<int> IntentsUnderWayAsync(string partition, ExecutionState state, CancellationToken ct)
    {
        var owed = state.IntentsAfterClose();
        if (owed.Count == 0) return 0;
        var done = await executions.ReadIntentsDoneAsync(partition, state.RunId, ct);
        return owed.Count(i => !done.Contains(i.EventId));
    }

    /// <summary>
    /// Removes a closed run whose retention ended (and none of whose intents is under way: see <see cref="TryRemoveAsync"/>;
    /// the engine calls this directly for a run that owes none): index rows first (from the state, which names them), then the
    /// run's rows with its state row last, then its alarm. A crash part-way leaves the state row and the alarm, so the
    /// removal is finished later. Whoever writes index rows of such a run calls this after, so none outlive it.
    /// </summary>
    public async Task RemoveAsync(string partition, ExecutionState state, DateTimeOffset? alarm, CancellationToken ct)
    {
        await visibility.RemoveAsync(state.Domain, state.Info(), ct);
        await executions.RemoveRunAsync(partition, state, ct);
        alarm ??= await retention.RemovalDueAsync(state, ct);
        await reminders.DeleteAsync(Reminder.Alarm(alarm.Value, partition, state.RunId), ct);
        LogRemoved(log, state.RunId, state.Domain);
    }

    /// <summary>
    /// Rewrites the run's index rows from its state (the instance that committed the change did not get to it).
    /// Index writes can race the run's other writers, so each is followed by a look at what happened meanwhile:
    /// an open run is read again after its row is written (had it closed, the closing instance's RecordClosed may
    /// have run first, so the closed rows are written again, which drops the open one; had it been removed, the row
    /// is taken back), and closed rows of a run with retention 0 are followed by its removal, so none outlive it.
    /// </summary>
    /// <returns>False when the run is gone (removed meanwhile, or by this repair).</returns>
    private async Task<bool> RepairIndexAsync(LoadedRun run, CancellationToken ct)
    {
        var state = run.State;
        if (state.IsOpen)
        {
            await visibility.RecordOpenAsync(state.Domain, state.Info(), ct);
            var again = await executions.LoadAsync(run.Partition, state.RunId, ct);
            if (again is null)
            {
                await visibility.RemoveAsync(state.Domain, state.Info(), ct);
                return false;
            }
            if (again.State.IsOpen) return true;
            state = again.State;
        }
        await visibility.RecordClosedAsync(state.Domain, state.Info(), ct);
        LogRepaired(log, state.RunId);
        if (await retention.DaysAsync(state.Domain, ct) > 0) return true;
        // Retention 0: removed now, or by the alarm once its intents are done.
        return !await TryRemoveAsync(run.Partition, state, null, ct);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {RunId}: deadlines fired ({Events} events)")]
    private static partial void LogFired(ILogger log, string runId, int events);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of domain {Domain} removed: its retention period ended")]
    private static partial void LogRemoved(ILogger log, string runId, string domain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {RunId} is due for removal but {Intents} of its intents are under way; it waits")]
    private static partial void LogRemovalWaits(ILogger log, string runId, int intents);

    [LoggerMessage(Level = LogLevel.Information, Message = "Visibility index of run {RunId} rewritten from its state")]
    private static partial void LogRepaired(ILogger log, string runId);
}
