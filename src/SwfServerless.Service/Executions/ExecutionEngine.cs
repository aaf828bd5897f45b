using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.Operations;
using SwfServerless.Service.Time;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Intents;
using SwfServerless.Storage.Tasks;
using SwfServerless.Storage.Time;
using SwfServerless.Storage.Visibility;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Service.Executions;

/// <summary>
/// The one path every change to a run takes: load the state, run the command on the pure machine, write what must
/// exist before the commit (task and intent messages, reminders), commit under the state row's ETag, then wake local
/// pollers and the intent executor, update the visibility index and clean up. A lost race (412) means someone else
/// changed the run first: reload and run the command again.
/// </summary>
/// <remarks>
/// <para><b>One alarm per run.</b> Every deadline must have a durable reminder, but not one each: the state row
/// keeps <see cref="LoadedRun.Alarm"/>, the due time of the run's one alarm reminder, and the invariant is "while the
/// run has deadlines, an alarm reminder exists at or before the earliest". A commit whose new deadlines are all
/// later than the alarm writes no reminder at all (the usual case: a decision task's START_TO_CLOSE alarm covers the
/// activity steps that follow it); one with an earlier deadline writes a reminder there first and moves the alarm.
/// When the alarm comes due, <see cref="RunAlarms"/> fires whatever is due and moves it to the next deadline. A
/// closed run's alarm is its removal time (retention). A ContinueAsNew commits the new run, with its own first alarm,
/// in the transaction that closes the old one; both get their reminders first and their index rows after.</para>
/// <para><b>Crash at each step.</b> Before the commit: queued messages and reminders of a change that never
/// committed; claimers and the intent executor drop the messages, reminders find nothing due and are dropped. After
/// the commit: the change stands; a visibility reminder armed before it rewrites the index if the index write below
/// never happened, and a superseded alarm row that was not deleted is dropped when due.</para>
/// </remarks>
public sealed partial class ExecutionEngine(
    ServiceContext context, ExecutionRepository executions, TaskQueues queues, TaskDispatch dispatch, VisibilityRepository visibility, IntentQueue intents,
    ReminderRepository reminders, ExecutionRetention retention, LocalTimers timers,
    IOptions<SwfOptions> options, RunLocks locks, CrashSwitch crashes, ILogger<ExecutionEngine> log)
{
    private const int MaxAttempts = 100;

    /// <summary>What one commit does to one run: the machine's changes and the run's alarm before and after.</summary>
    /// <param name="Repair">The index repair reminder, for commits that change what the visibility index says.</param>
    /// <param name="Started">New tasks this commit also starts, each for a poller waiting here (see <see cref="StartForWaiters"/>).</param>
    private sealed record RunCommit(string Partition, ExecutionMachine Machine, DateTimeOffset? OldAlarm, DateTimeOffset? Alarm, Reminder? Repair,
        IReadOnlyList<StartedForWaiter> Started)
    {
        /// <summary>The task messages put for this commit (its new tasks nobody here waited for).</summary>
        public List<QueuedTask> Queued { get; } = [];
    }

    private sealed record QueuedTask(TaskToDispatch Task, ReceivedTask Message);

    /// <summary>A new task started in its scheduling commit for the poller <paramref name="Reservation"/> holds; <paramref name="Start"/> is what the machine's start returned.</summary>
    private sealed record StartedForWaiter(TaskToDispatch Task, TaskDispatch.Reservation Reservation, object Start);

    /// <summary>Queues put to at once (a decision may schedule tasks on many task lists).</summary>
    private const int QueueConcurrency = 16;

    /// <summary>Runs <paramref name="command"/> against the run and commits what it produced; returns the command's result.</summary>
    /// <param name="applied">The intent of another run this change carries out (see <see cref="IntentMarker"/>).</param>
    /// <exception cref="IntentAlreadyAppliedException">An earlier commit carried out <paramref name="applied"/>: nothing was written.</exception>
    /// <param name="loaded">The run as the caller already read it (or this instance's copy of it): used for the first
    /// attempt instead of reading it again. Without it, the first attempt takes this instance's copy if it has one.</param>
    /// <remarks>A stale first guess costs a retry, never a wrong answer: the ETag rejects its commit, and an outcome
    /// without a commit (no events, or a fault such as an unknown task) is decided again on the stored row.</remarks>
    public async Task<T> UpdateAsync<T>(string partition, string runId, Func<ExecutionMachine, T> command, CancellationToken ct,
        IntentMarker? applied = null, LoadedRun? loaded = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            using (await locks.AcquireAsync(runId, ct))
            {
                var run = (attempt == 1 ? loaded ?? await executions.LoadCachedAsync(partition, runId, ct) : await executions.LoadAsync(partition, runId, ct))
                    ?? throw UnknownExecution(runId);
                var (machine, result, fault) = Run(run, command);
                if (run.Cached && (fault is not null || machine.NewEvents.Count == 0))
                {
                    // Nothing would catch a stale copy here: answer from the stored row.
                    run = await executions.LoadAsync(partition, runId, ct) ?? throw UnknownExecution(runId);
                    (machine, result, fault) = Run(run, command);
                }
                fault?.Throw();
                if (machine.NewEvents.Count == 0) return result!;

                if (await TryCommitAsync(run, machine, ct, applied)) return result!;
            }
            await BackOffAsync(runId, attempt, ct);
        }
    }

    private (ExecutionMachine Machine, T? Result, ExceptionDispatchInfo? Fault) Run<T>(LoadedRun run, Func<ExecutionMachine, T> command)
    {
        var machine = Machine(run.State);
        try
        {
            return (machine, command(machine), null);
        }
        catch (Exception e)
        {
            return (machine, default, ExceptionDispatchInfo.Capture(e));
        }
    }

    /// <summary>The limits every run's machine enforces here (<c>Swf__Quotas__HistoryEvents</c>).</summary>
    public ExecutionLimits Limits => limits ??= options.Value.Quotas.ToExecutionLimits();

    private ExecutionLimits? limits;

    /// <summary>A machine for one command on the run, at the current time, with this instance's limits.</summary>
    public ExecutionMachine Machine(ExecutionState state) => new(state, context.Now(), Limits);

    /// <summary>This instance's turn to change the run (see <see cref="RunLocks"/>): hold it from load to commit.</summary>
    public Task<IDisposable> TurnAsync(string runId, CancellationToken ct) => locks.AcquireAsync(runId, ct);

    /// <summary>Waits a moment after a lost race; gives up (503) after <see cref="MaxAttempts"/>.</summary>
    public async Task BackOffAsync(string runId, int attempt, CancellationToken ct)
    {
        if (attempt >= MaxAttempts)
            throw new SwfFault("ServiceUnavailable", "The workflow execution is too busy to change right now; retry the request.") { StatusCode = 503 };
        LogConflict(log, runId, attempt);
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * Math.Min(attempt, 20))), ct);
    }

    /// <summary>Starts a new run (the machine came from <see cref="ExecutionMachine.Start"/> or <see cref="ExecutionMachine.StartResolved"/>).</summary>
    /// <param name="applied">The intent this start carries out (a parent's child start).</param>
    public async Task StartAsync(string partition, CurrentRun? previous, ExecutionMachine machine, CancellationToken ct, IntentMarker? applied = null)
    {
        using var committing = dispatch.Committing();
        var commit = await NewRunCommitAsync(partition, machine, ct);
        try
        {
            await PrepareAsync(commit, ct);
            await executions.CommitNewRunAsync(partition, previous, machine.State, machine.NewEvents, commit.Alarm, ct, applied);
        }
        catch (Exception e) when (e is SwfFault or CurrentRunRemovedException or IntentAlreadyAppliedException)
        {
            // Surely not committed (another run holds the workflowId, or this intent already started one).
            await AbandonNewRunAsync(commit);
            throw;
        }
        catch
        {
            CancelReservations(commit);
            throw;
        }
        crashes.At(CrashSwitch.AfterCommit);
        await AfterCommitAsync(commit, ct);
    }

    /// <summary>Commits what the machine recorded on the loaded run; false when the run changed since it was loaded.</summary>
    /// <param name="applied">The intent of another run this change carries out.</param>
    /// <remarks>New tasks a poller waits for here are started in the same commit (<see cref="StartForWaiters"/>).</remarks>
    public async Task<bool> TryCommitAsync(LoadedRun run, ExecutionMachine machine, CancellationToken ct, IntentMarker? applied = null)
    {
        using var committing = dispatch.Committing();
        var started = StartForWaiters(machine);
        DateTimeOffset? alarm;
        try
        {
            alarm = await AlarmAfterAsync(run.Alarm, machine, ct);
        }
        catch
        {
            Cancel(started);
            throw;
        }
        return await TryCommitAsync(run, machine, alarm, started, ct, applied);
    }

    /// <summary>As above, with the run's alarm moved to <paramref name="alarm"/> (the checker's choice); every new task is queued.</summary>
    public Task<bool> TryCommitAsync(LoadedRun run, ExecutionMachine machine, DateTimeOffset? alarm, CancellationToken ct, IntentMarker? applied = null) =>
        TryCommitAsync(run, machine, alarm, [], ct, applied);

    private async Task<bool> TryCommitAsync(LoadedRun run, ExecutionMachine machine, DateTimeOffset? alarm, IReadOnlyList<StartedForWaiter> started,
        CancellationToken ct, IntentMarker? applied)
    {
        var commit = new RunCommit(run.Partition, machine, run.Alarm, alarm, RepairReminder(run.Partition, machine), started);
        RunCommit? next = null;
        bool committed;
        try
        {
            next = machine.ContinuedAs is { } continued ? await NewRunCommitAsync(run.Partition, continued, ct) : null;
            await Task.WhenAll(PrepareAsync(commit, ct), next is null ? Task.CompletedTask : PrepareAsync(next, ct));
            var continuedAs = next is null ? null : new NewRunRows(next.Machine.State, next.Machine.NewEvents, next.Alarm);
            committed = await executions.TryCommitAsync(run, machine.State, machine.NewEvents, alarm, continuedAs, applied, ct);
        }
        catch
        {
            // Nothing committed, or the outcome is unknown: the promised pollers wait on (if it did commit, the tasks started
            // for them time out), and the messages stay (a claimer recognises one whose task never committed).
            CancelReservations(commit);
            if (next is not null) CancelReservations(next);
            throw;
        }
        if (!committed)
        {
            // Lost the race: this attempt's messages name nothing that will ever commit, so they go now rather than cost a
            // receive, a read and a delete later (the retry queues its own).
            await DropQueuedAsync(commit);
            if (next is not null) await DropQueuedAsync(next);
            return false;
        }
        crashes.At(CrashSwitch.AfterCommit);
        await AfterCommitAsync(commit, ct);
        if (next is not null) await AfterCommitAsync(next, ct);
        return true;
    }

    /// <summary>
    /// The run's alarm after an ordinary command: moved earlier only when a new deadline is earlier than it (or it has
    /// none), or the earliest deadline a new task's start could arm (<see cref="ExecutionMachine.EarliestStartDeadline"/>:
    /// moved now, at no extra write when the commit moves it anyway, so that the claim soon after does not); once closed,
    /// the run's removal time. An alarm already past stays: its reminder is still there and whoever handles it fires what
    /// is due and moves it on.
    /// </summary>
    public async Task<DateTimeOffset?> AlarmAfterAsync(DateTimeOffset? current, ExecutionMachine machine, CancellationToken ct)
    {
        if (!machine.State.IsOpen)
            return machine.Closed ? await retention.RemovalDueAsync(machine.State, ct) : current;
        DateTimeOffset? earliest = machine.NewDeadlines.Count == 0 ? null : machine.NewDeadlines.Min(d => d.Due);
        if (machine.EarliestStartDeadline() is { } start && (earliest is null || start < earliest)) earliest = start;
        return earliest is { } e && (current is null || e < current) ? e : current;
    }

    private async Task<RunCommit> NewRunCommitAsync(string partition, ExecutionMachine machine, CancellationToken ct)
    {
        var started = StartForWaiters(machine);
        try
        {
            return new(partition, machine, null, await AlarmAfterAsync(null, machine, ct), RepairReminder(partition, machine), started);
        }
        catch
        {
            Cancel(started);
            throw;
        }
    }

    /// <summary>
    /// Starts, in this commit, each new task that a poller of its task list waits for on this instance, if the task times
    /// out once started (<see cref="ExecutionMachine.TimesOutOnceStarted"/>): its *TaskStarted event, with that poller's
    /// identity, commits with its scheduling, and after the commit the poller is handed the started task. No message is
    /// put, received, claimed or deleted. Crash safety is the task's own timeout: if this instance dies after the commit,
    /// or the poller leaves before its answer, the task times out and is dealt with as SWF deals with a lost poll answer.
    /// </summary>
    private List<StartedForWaiter> StartForWaiters(ExecutionMachine machine)
    {
        var started = new List<StartedForWaiter>();
        if (machine.NewTasks.Count == 0 || !options.Value.StartTasksForWaitingPollers) return started;
        try
        {
            foreach (var task in machine.NewTasks)
            {
                if (!machine.State.IsOpen) break;
                if (!machine.TimesOutOnceStarted(task)) continue;
                if (dispatch.TryReserve(machine.State.Domain, task.Kind, task.TaskList) is not { } reservation) continue;
                object? start = task.Kind == TaskKind.Activity
                    ? machine.StartActivityTask(task.ScheduledEventId, reservation.Identity)
                    : machine.StartDecisionTask(task.ScheduledEventId, reservation.Identity);
                // Null: the start would have passed the history limit, and the run was terminated instead.
                if (start is null) reservation.Cancel();
                else started.Add(new StartedForWaiter(task, reservation, start));
            }
            return started;
        }
        catch
        {
            Cancel(started);
            throw;
        }
    }

    /// <summary>
    /// Everything the commit relies on, written first and concurrently: task and intent messages (a task must never
    /// exist without a way to reach a worker, nor an intent without a way to be carried out), the new alarm, the
    /// index repair reminder.
    /// </summary>
    private Task PrepareAsync(RunCommit commit, CancellationToken ct)
    {
        var machine = commit.Machine;
        var writes = new List<Task>(4);
        if (machine.NewTasks.Count > 0) writes.Add(QueueTasksAsync(commit, ct));
        if (machine.NewIntents.Count > 0) writes.Add(QueueIntentsAsync(machine, ct));
        if (commit.Alarm is { } due && commit.Alarm != commit.OldAlarm) writes.Add(reminders.ArmAsync(Reminder.Alarm(due, commit.Partition, machine.State.RunId), ct));
        if (commit.Repair is not null) writes.Add(reminders.ArmAsync(commit.Repair, ct));
        return Task.WhenAll(writes);
    }

    private async Task QueueTasksAsync(RunCommit commit, CancellationToken ct)
    {
        var tasks = commit.Started.Count == 0
            ? commit.Machine.NewTasks
            : commit.Machine.NewTasks.Where(t => !commit.Started.Any(s => ReferenceEquals(s.Task, t))).ToList();
        if (tasks.Count == 0) return;
        if (tasks.Count == 1)
        {
            await QueueTaskAsync(commit, tasks[0], ct);
            return;
        }
        // Queues apart in parallel; one queue's tasks in schedule order, which is the order pollers get them in.
        var byQueue = tasks.GroupBy(t => (t.Kind, t.TaskList, t.Priority));
        await Parallel.ForEachAsync(byQueue, new ParallelOptions { MaxDegreeOfParallelism = QueueConcurrency, CancellationToken = ct }, async (queue, token) =>
        {
            foreach (var task in queue) await QueueTaskAsync(commit, task, token);
        });
    }

    /// <summary>Puts the task's message, visible. An activity's message carries its input, so the claim need not read the scheduled event.</summary>
    private async Task QueueTaskAsync(RunCommit commit, TaskToDispatch task, CancellationToken ct)
    {
        var put = await queues.EnqueueAsync(commit.Machine.State.Domain, task.TaskList, task.Priority, Message(commit, task), ct);
        lock (commit.Queued) commit.Queued.Add(new QueuedTask(task, put));
    }

    /// <summary>The task's message: which run and event, and for an activity its input and what ties it to the scheduled event.</summary>
    private TaskMessage Message(RunCommit commit, TaskToDispatch task)
    {
        var machine = commit.Machine;
        var message = new TaskMessage(task.Kind, commit.Partition, machine.State.RunId, task.ScheduledEventId, context.Now());
        if (task.Kind == TaskKind.Activity && NewEvent(machine, task.ScheduledEventId) is { ActivityTaskScheduledEventAttributes: { } scheduled } e)
            message = message with { HasInput = true, Input = scheduled.Input, ActivityId = scheduled.ActivityId, ScheduledAt = e.EventTimestamp };
        return message;
    }

    /// <summary>The event this command recorded with that id (new events are numbered consecutively).</summary>
    private static Core.Model.HistoryEvent? NewEvent(ExecutionMachine machine, long eventId)
    {
        if (machine.NewEvents.Count == 0) return null;
        var index = eventId - machine.NewEvents[0].EventId!.Value;
        return index >= 0 && index < machine.NewEvents.Count ? machine.NewEvents[(int)index] : null;
    }

    private static void CancelReservations(RunCommit commit) => Cancel(commit.Started);

    /// <summary>The commit these starts were part of did not happen (or its outcome is unknown): their pollers wait on.</summary>
    private static void Cancel(IEnumerable<StartedForWaiter> started)
    {
        foreach (var task in started) task.Reservation.Cancel();
    }

    private async Task DropQueuedAsync(RunCommit commit)
    {
        CancelReservations(commit);
        foreach (var queued in commit.Queued)
        {
            try
            {
                await queues.DeleteAsync(queued.Message, CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDropFailed(log, commit.Machine.State.RunId, queued.Message.QueueName, e); // a claimer drops it later
            }
        }
    }

    /// <summary>
    /// What was written for a new run that surely never committed goes now: its decision task's message (else received,
    /// found runless and put back for two minutes) and its reminders (else looked at again and again before they are
    /// dropped, since a reminder may precede its commit). Best effort, as every cleanup.
    /// </summary>
    private async Task AbandonNewRunAsync(RunCommit commit)
    {
        await DropQueuedAsync(commit);
        var runId = commit.Machine.State.RunId;
        var armed = new List<Reminder>(2);
        if (commit.Alarm is { } due) armed.Add(Reminder.Alarm(due, commit.Partition, runId));
        if (commit.Repair is { } repair) armed.Add(repair);
        try
        {
            await Task.WhenAll(armed.Select(r => reminders.DeleteAsync(r, CancellationToken.None)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCleanupFailed(log, runId, e);
        }
    }

    /// <summary>After the commit: started tasks go to their pollers; queued ones to this instance's dispatch (a poller here claims them without a receive).</summary>
    private void HandOver(RunCommit commit)
    {
        var state = commit.Machine.State;
        foreach (var (task, reservation, start) in commit.Started)
        {
            var message = Message(commit, task);
            reservation.Deliver(start switch
            {
                ActivityTaskStart activity => new ClaimedTask<ActivityTaskStart>(commit.Partition, state, activity, message),
                DecisionTaskStart decision => new ClaimedTask<DecisionTaskStart>(commit.Partition, state, decision, message),
                _ => throw new InvalidOperationException($"Not a task start: {start.GetType().Name}"),
            });
        }
        foreach (var (task, put) in commit.Queued) dispatch.Queued(state.Domain, task.Kind, task.TaskList, task.Priority, put);
    }

    /// <summary>Commits that change what the visibility index says: a start, a cancel request, a close.</summary>
    private Reminder? RepairReminder(string partition, ExecutionMachine machine) =>
        machine.Closed || machine.NewEvents.Any(e => e.EventType is ET.WorkflowExecutionStarted or ET.WorkflowExecutionCancelRequested)
            ? Reminder.Visibility(context.Now().AddSeconds(options.Value.VisibilityRepairSeconds), partition, machine.State.RunId)
            : null;

    private async Task AfterCommitAsync(RunCommit commit, CancellationToken ct)
    {
        var (partition, machine, oldAlarm, alarm, repair, _) = commit;
        var state = machine.State;
        HandOver(commit);
        if (machine.NewIntents.Count > 0) intents.NotifyLocal();

        var indexed = repair is null;
        try
        {
            if (machine.Closed) await visibility.RecordClosedAsync(state.Domain, state.Info(), ct);
            else if (repair is not null) await visibility.RecordOpenAsync(state.Domain, state.Info(), ct);
            indexed = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The change is committed; failing the call now would make the client retry it. The repair reminder fixes the index.
            LogVisibilityLag(log, state.RunId, e);
        }

        // Cleanup is an optimisation: a reminder left behind is dropped as a no-op when due. Nobody waits for it, and the
        // deletes of many commits go together (ReminderRepository.DeleteSoon). An old alarm due within the sweep's reach
        // (LocalTimers.Horizon) goes at once: a sweep meeting it meanwhile, not named by its run, would look at it again and again.
        if (indexed && repair is not null) reminders.DeleteSoon(repair);
        if (oldAlarm is { } old && old != alarm)
        {
            var obsolete = Reminder.Alarm(old, partition, state.RunId);
            if (old > context.Now() + timers.Horizon) reminders.DeleteSoon(obsolete);
            else await DeleteNowAsync(obsolete, state.RunId);
        }

        if (alarm is { } due && alarm != oldAlarm) ScheduleLocal(Reminder.Alarm(due, partition, state.RunId), afterCommit: true);
        // Retention 0: gone as soon as it closed. Done here, after this instance's own index write, so that no index row
        // is written after the removal; other instances wait for the alarm (removal time + repair delay). A run that still
        // owes intents (a child's close to report, a child policy to apply) waits for the alarm too: the intent executor
        // reads what to do from the run, and the removal waits until it is done.
        if (machine.Closed && indexed && state.IntentsAfterClose().Count == 0 && await retention.DaysAsync(state.Domain, ct) == 0)
        {
            var closed = state;
            timers.Schedule($"remove|{partition}|{state.RunId}", context.Now(), new LocalAlarm(partition, closed.RunId, ClosedRun: closed));
        }
    }

    private async Task DeleteNowAsync(Reminder reminder, string runId)
    {
        try
        {
            await reminders.DeleteAsync(reminder, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCleanupFailed(log, runId, e);
        }
    }

    /// <summary>Hands the reminder to this instance's in-process timers: it fires on time while this instance is up.</summary>
    /// <param name="afterCommit">This instance committed the alarm (rather than read its reminder from storage).</param>
    public bool ScheduleLocal(Reminder reminder, bool afterCommit = false) =>
        timers.Schedule(reminder.RowKey, reminder.Due, new LocalAlarm(reminder.Partition, reminder.RunId, reminder, AfterCommit: afterCommit));

    public static SwfFault UnknownExecution(string runId) => SwfFault.UnknownResource($"Unknown execution: runId={runId}");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {RunId} changed concurrently; retrying (attempt {Attempt})")]
    private static partial void LogConflict(ILogger log, string runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Visibility index of run {RunId} not updated; its repair reminder will fix it")]
    private static partial void LogVisibilityLag(ILogger log, string runId, Exception e);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Obsolete reminders of run {RunId} not deleted; they are dropped when due")]
    private static partial void LogCleanupFailed(ILogger log, string runId, Exception e);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A task message on {Queue} of a commit of run {RunId} that did not happen was not deleted; whoever receives it drops it")]
    private static partial void LogDropFailed(ILogger log, string runId, string queue, Exception e);
}
