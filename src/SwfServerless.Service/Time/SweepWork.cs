using Microsoft.Extensions.Options;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.Operations;
using SwfServerless.Storage.Intents;
using SwfServerless.Storage.Time;

namespace SwfServerless.Service.Time;

/// <summary>What one sweep did: reminders handled now, handed to in-process timers, and whether more are overdue.</summary>
public sealed record SweepResult(int Handled, int Scheduled, bool More);

/// <summary>
/// The backstop for every deadline: reads the reminders due by now (plus one interval ahead, for this instance's
/// in-process timers), oldest first, at most <see cref="SwfOptions.SweepBatchSize"/>, and hands each to
/// <see cref="RunAlarms"/>. Handled reminders are deleted, so the next sweep carries on where this one stopped; after
/// downtime, successive sweeps drain the backlog in due order. Runs from the Functions timer trigger <c>Sweep</c>
/// (<see cref="DrainAsync"/>) and, standalone, from <see cref="SweepService"/>. Any number of sweeps may run at once,
/// on any instances: reminders are hints and every firing is a conditional commit.
/// </summary>
public sealed partial class SweepWork(
    ServiceContext context, ReminderRepository reminders, RunAlarms alarms, ExecutionEngine engine, LocalTimers timers,
    IntentQueue intents, IOptions<SwfOptions> options, CrashSwitch crashes, ILogger<SweepWork> log)
{
    private const int MaxConcurrentRuns = 8;
    private const int MaxRedrivenPerSweep = 1000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Everything due, batch after batch until none is left (or <paramref name="ct"/> ends it: the function's timeout),
    /// then the intents the Functions host gave up on back into their queue. What falls due within
    /// <paramref name="lookAhead"/> (the time to the next scheduled sweep) goes to this instance's in-process timers.
    /// </summary>
    public async Task<SweepResult> DrainAsync(TimeSpan lookAhead, CancellationToken ct)
    {
        int handled = 0, scheduled = 0;
        SweepResult once;
        do
        {
            once = await SweepOnceAsync(lookAhead, ct);
            handled += once.Handled;
            scheduled += once.Scheduled;
        }
        while (once.More);
        var redriven = await intents.RedrivePoisonAsync(MaxRedrivenPerSweep, ct);
        if (redriven > 0) LogRedriven(log, redriven, intents.Name);
        return new SweepResult(handled, scheduled, More: false);
    }

    /// <param name="lookAhead">Reminders due within this long are handed to in-process timers, not fired yet.</param>
    public async Task<SweepResult> SweepOnceAsync(TimeSpan lookAhead, CancellationToken ct)
    {
        var settings = options.Value;
        var now = context.Now();
        if (!timers.Enabled || lookAhead < TimeSpan.Zero) lookAhead = TimeSpan.Zero;
        // In-process timers hold no more than their horizon; later reminders come back with a later sweep.
        if (lookAhead > timers.Horizon) lookAhead = timers.Horizon;
        var batch = Math.Clamp(settings.SweepBatchSize, 1, 1000);
        var found = await reminders.DueAsync(now + lookAhead, batch, ct);

        var scheduled = 0;
        foreach (var soon in found.Where(r => r.Due > now))
        {
            if (engine.ScheduleLocal(soon)) scheduled++;
        }

        // One run's reminders one after another (the first check usually settles the rest); different runs in parallel.
        var due = found.Where(r => r.Due <= now).GroupBy(r => (r.Partition, r.RunId)).ToList();
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentRuns, CancellationToken = ct }, async (run, c) =>
        {
            foreach (var reminder in run)
            {
                await HandleAsync(reminder, c);
                crashes.At(CrashSwitch.InSweep);
            }
        });
        var handled = due.Sum(g => g.Count());
        // Full and overdue to the last: there may be more behind. (Rows only due soon never make the sweep spin.)
        var more = found.Count == batch && found[^1].Due <= now;
        if (handled > 0) LogSwept(log, handled, scheduled, more);
        return new SweepResult(handled, scheduled, more);
    }

    private async Task HandleAsync(Reminder reminder, CancellationToken ct)
    {
        try
        {
            await alarms.CheckAsync(reminder.Partition, reminder.RunId, reminder, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Moved later rather than left at the head of the table, where it would stop the sweep if enough failed: so from
            // now, not from its due time (an overdue one would stay at the head), at the price of a second row if the move's
            // delete fails too.
            var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(reminder.Attempt + 1, 20))));
            LogFailed(log, reminder.RunId, reminder.Attempt + 1, delay.TotalSeconds, e);
            try { await reminders.PostponeAsync(reminder, context.Now() + delay, ct); }
            catch (Exception again) when (again is not OperationCanceledException) { LogFailed(log, reminder.RunId, reminder.Attempt + 1, 0, again); }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep: moved {Count} intents back from the poison queue of {Queue}")]
    private static partial void LogRedriven(ILogger log, int count, string queue);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sweep: {Handled} reminders handled, {Scheduled} handed to in-process timers, more: {More}")]
    private static partial void LogSwept(ILogger log, int handled, int scheduled, bool more);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reminder of run {RunId} failed (attempt {Attempt}); retrying in {Seconds} s")]
    private static partial void LogFailed(ILogger log, string runId, int attempt, double seconds, Exception e);
}
