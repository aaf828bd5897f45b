using SwfServerless.Core.Executions;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Service.Operations;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Intents;

namespace SwfServerless.Service.Executions;

public enum IntentOutcome
{
    /// <summary>Carried out (now or by an earlier delivery): delete the message.</summary>
    Done,
    /// <summary>Nothing to do: the intent is not pending (already done, or its commit lost its race). Delete the message.</summary>
    Dropped,
    /// <summary>The source's commit is not visible yet: show the message again after the delay.</summary>
    Deferred,
}

public sealed record IntentResult(IntentOutcome Outcome, TimeSpan Delay = default);

/// <summary>
/// Carries out one intent: load the source run, check the intent is committed and still pending there, write the target
/// (idempotently), report back to the source (idempotently). Steps and what a crash after each means:
/// <list type="number">
/// <item>Source not visible yet (the message was queued before the commit): defer; if it never shows within the grace
/// period, its commit failed: drop. Visible but not pending: done before, or that commit lost its race: drop.</item>
/// <item>Target write, with the intent's row (<see cref="IntentMarker"/>) in the same transaction: a crash after it
/// and a redelivery find the row and do not write again. A child start is the new run plus the row.</item>
/// <item>Report back under the source's ETag (together with other reports to that run: <see cref="RunReports"/>); the
/// machine records it only while the intent is pending, so a repeated report records nothing.</item>
/// <item>The source closed before it could hear back (a closed run records nothing): the intent is marked done in the
/// source's partition instead, so that retention does not remove the source, which says what to do, while one of its
/// intents is still under way (see <see cref="ExecutionState.IntentsAfterClose"/>).</item>
/// <item>The caller deletes the message. A crash before that redelivers it, and steps 1-4 find everything done.</item>
/// </list>
/// The executor never holds one run while writing another: two executions signalling each other cannot deadlock.
/// </summary>
public sealed partial class IntentExecutor(
    ServiceContext context, ExecutionRepository executions, ExecutionEngine engine, RunReports reports, IIntentCrashPoints crashPoints,
    LambdaInvoker lambdas, QuotaGuard quotas, ILogger<IntentExecutor> log)
{
    /// <summary>Kinds of <see cref="IntentMarker"/>. LOAD-BEARING: stored in row keys.</summary>
    public const string ChildMarker = IntentMarker.Child, SignalMarker = IntentMarker.Signal, CancelMarker = IntentMarker.Cancel, PolicyMarker = IntentMarker.Policy;

    private static readonly TimeSpan UncommittedGiveUp = TimeSpan.FromMinutes(2);
    private const int ParallelChildren = 8;

    public async Task<IntentResult> ExecuteAsync(IntentMessage intent, CancellationToken ct)
    {
        var source = await LoadCommittedAsync(intent, ct);
        if (source is null)
        {
            // A commit in flight shows within a second or two; one that lost its race and was not redone never does.
            // Looking again after a quarter of the message's age keeps the second kind cheap (a dozen looks, not 120).
            var age = context.Now() - intent.EnqueuedAt;
            if (age < UncommittedGiveUp)
                return new IntentResult(IntentOutcome.Deferred, TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(age.TotalSeconds / 4), 1, 30)));
            LogNeverCommitted(log, intent.Kind, intent.RunId, intent.EventId);
            return new IntentResult(IntentOutcome.Dropped);
        }
        var done = intent.Kind switch
        {
            IntentKind.StartChild => await StartChildAsync(intent, source, ct),
            IntentKind.SignalExternal => await SignalExternalAsync(intent, source, ct),
            IntentKind.RequestCancelExternal => await RequestCancelExternalAsync(intent, source, ct),
            IntentKind.RunClosed => await RunClosedAsync(intent, source, ct),
            IntentKind.LambdaFunction => await LambdaFunctionAsync(intent, source, ct),
            _ => false,
        };
        return new IntentResult(done ? IntentOutcome.Done : IntentOutcome.Dropped);
    }

    /// <summary>
    /// The source run, once its commit of the intent's event is visible; null while it is not. The message is queued
    /// just before that commit, so a young message gets a few quick looks here before it is deferred through the queue.
    /// </summary>
    private async Task<LoadedRun?> LoadCommittedAsync(IntentMessage intent, CancellationToken ct)
    {
        for (var look = 0; ; look++)
        {
            var run = await executions.LoadAsync(intent.Partition, intent.RunId, ct);
            if (run is not null && run.State.LastEventId >= intent.EventId) return run;
            if (look == 3 || context.Now() - intent.EnqueuedAt > TimeSpan.FromSeconds(5)) return null;
            await Task.Delay(TimeSpan.FromMilliseconds(50 << look), ct);
        }
    }

    private async Task<bool> StartChildAsync(IntentMessage intent, LoadedRun parent, CancellationToken ct)
    {
        // Started (and reported) already, failed, or that commit lost: nothing to do. Kept after the parent closed.
        if (parent.State.FindChild(intent.EventId) is not { IsStarted: false }) return false;
        var initiated = (await executions.GetEventAsync(parent.Partition, parent.State.RunId, intent.EventId, ct))
            ?.StartChildWorkflowExecutionInitiatedEventAttributes;
        if (initiated is null) return false;

        await crashPoints.BeforeTargetWriteAsync(intent, ct);
        var marker = new IntentMarker(parent.State.RunId, intent.EventId, ChildMarker);
        var (childRunId, failure) = await StartChildRunAsync(parent.State, intent.EventId, initiated, marker, ct);

        await crashPoints.BeforeReportAsync(intent, ct);
        ExecutionState? seen = null;
        bool reported = await reports.ReportAsync(parent.Partition, parent.State.RunId, m =>
        {
            seen = m.State;
            return childRunId is null ? m.RecordChildStartFailed(intent.EventId, initiated.Control, failure!) : m.RecordChildStarted(intent.EventId, childRunId);
        }, ct);

        // The parent closed before it could hear of the start: if it was terminated or timed out, its child policy
        // applies to this child too (the intent of its close skipped children that were not started yet).
        if (!reported && childRunId is not null && seen is { IsOpen: false, CloseChildPolicy: { } policy }
            && seen.FindChild(intent.EventId) is { IsStarted: false })
        {
            await ApplyChildPolicyAsync(seen, initiated.WorkflowId!, intent.EventId, policy, ct);
        }
        if (seen is { IsOpen: false }) await MarkDoneAsync(intent, ct);
        return true;
    }

    /// <summary>
    /// The run this intent started (now or before); or no run and why: WORKFLOW_ALREADY_RUNNING when another run of the
    /// workflowId is open, OPEN_WORKFLOWS_LIMIT_EXCEEDED when the domain has its quota of open executions.
    /// </summary>
    private async Task<(string? RunId, string? Failure)> StartChildRunAsync(ExecutionState parent, long initiatedEventId,
        StartChildWorkflowExecutionInitiatedEventAttributes initiated, IntentMarker marker, CancellationToken ct)
    {
        var partition = ExecutionKeys.Partition(parent.Domain, initiated.WorkflowId!);
        for (var attempt = 1; ; attempt++)
        {
            var current = await executions.GetCurrentAsync(partition, ct);
            // An open run is ours if this intent started it (its row says so), else it blocks the start.
            if (current is { Open: true })
                return await executions.GetIntentRunAsync(partition, marker, ct) is { } ours
                    ? (ours, null) : (null, StartChildWorkflowExecutionFailedCause.WorkflowAlreadyRunning);
            if (!await quotas.TryOpenExecutionAsync(parent.Domain, ct))
            {
                // A redelivery of a start that happened (and whose child closed since) is not refused after the fact.
                return await executions.GetIntentRunAsync(partition, marker, ct) is { } earlier
                    ? (earlier, null) : (null, StartChildWorkflowExecutionFailedCause.OpenWorkflowsLimitExceeded);
            }

            var machine = ExecutionMachine.StartResolved(
                ExecutionMachine.ChildStart(parent.Domain, parent.Execution, initiatedEventId, initiated), ExecutionKeys.NewRunId(), context.Now(), engine.Limits);
            try
            {
                await engine.StartAsync(partition, current, machine, ct, marker);
                return (machine.State.RunId, null);
            }
            catch (IntentAlreadyAppliedException)
            {
                return await executions.GetIntentRunAsync(partition, marker, ct) is { } applied
                    ? (applied, null) : (null, StartChildWorkflowExecutionFailedCause.WorkflowAlreadyRunning);
            }
            catch (SwfFault f) when (f.Type == SwfFaults.WorkflowExecutionAlreadyStartedFault && attempt < 10)
            {
                // Another start won the workflowId in between: look again (it is open now, or closed again).
            }
            catch (CurrentRunRemovedException) when (attempt < 10)
            {
                // The closed run this start followed was removed meanwhile: look again.
            }
        }
    }

    private async Task<bool> SignalExternalAsync(IntentMessage intent, LoadedRun sender, CancellationToken ct)
    {
        if (sender.State.FindPendingSignal(intent.EventId) is not { } pending) return false;
        var initiated = (await executions.GetEventAsync(sender.Partition, sender.State.RunId, intent.EventId, ct))
            ?.SignalExternalWorkflowExecutionInitiatedEventAttributes;
        if (initiated is null) return false;

        await crashPoints.BeforeTargetWriteAsync(intent, ct);
        var senderExecution = sender.State.Execution;
        var target = await DeliverAsync(sender.State.Domain, pending, new IntentMarker(sender.State.RunId, intent.EventId, SignalMarker),
            m => m.Signal(initiated.SignalName!, initiated.Input, senderExecution, intent.EventId), ct);

        await crashPoints.BeforeReportAsync(intent, ct);
        var senderClosed = false;
        await reports.ReportAsync(sender.Partition, sender.State.RunId, m =>
        {
            senderClosed = !m.State.IsOpen;
            return target is null
                ? m.RecordSignalExternalFailed(intent.EventId, SignalExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, initiated.Control)
                : m.RecordExternalSignaled(intent.EventId, target);
        }, ct);
        if (senderClosed) await MarkDoneAsync(intent, ct);
        return true;
    }

    private async Task<bool> RequestCancelExternalAsync(IntentMessage intent, LoadedRun sender, CancellationToken ct)
    {
        if (sender.State.FindPendingCancelRequest(intent.EventId) is not { } pending) return false;

        await crashPoints.BeforeTargetWriteAsync(intent, ct);
        var senderExecution = sender.State.Execution;
        var target = await DeliverAsync(sender.State.Domain, pending, new IntentMarker(sender.State.RunId, intent.EventId, CancelMarker),
            m => m.RequestCancel(senderExecution, intent.EventId), ct);

        await crashPoints.BeforeReportAsync(intent, ct);
        // Only a failure needs the Initiated event (its control goes into the Failed event).
        var control = target is null
            ? (await executions.GetEventAsync(sender.Partition, sender.State.RunId, intent.EventId, ct))?.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes?.Control
            : null;
        var senderClosed = false;
        await reports.ReportAsync(sender.Partition, sender.State.RunId, m =>
        {
            senderClosed = !m.State.IsOpen;
            return target is null
                ? m.RecordRequestCancelExternalFailed(intent.EventId, RequestCancelExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, control)
                : m.RecordExternalCancelRequested(intent.EventId, target);
        }, ct);
        if (senderClosed) await MarkDoneAsync(intent, ct);
        return true;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the named run, or without a runId to the workflowId's open run, with the
    /// intent's row. Returns the run it reached, now or in an earlier delivery (whose row names it: the target may have
    /// closed or been followed by another run since); null when there is no such open run and never was.
    /// </summary>
    private async Task<WorkflowExecution?> DeliverAsync(string domain, PendingExternal pending, IntentMarker marker, Action<ExecutionMachine> change, CancellationToken ct)
    {
        var partition = ExecutionKeys.Partition(domain, pending.WorkflowId);
        string? tried = null;
        // Without a runId the target is whichever run of the workflowId is open: if the one found closes before the
        // write (a ContinueAsNew, say), look again rather than report a run that exists as unknown.
        for (var look = 0; look < 3; look++)
        {
            var runId = pending.RunId ?? (await executions.GetCurrentAsync(partition, ct) is { Open: true } current ? current.RunId : null);
            if (runId is null || runId == tried || !RunIds.IsWellFormed(runId)) break; // a malformed runId names no run
            tried = runId;
            try
            {
                var delivered = await engine.UpdateAsync(partition, runId, m =>
                {
                    if (!m.State.IsOpen) return false;
                    change(m);
                    return true;
                }, ct, marker);
                if (delivered) return new WorkflowExecution { WorkflowId = pending.WorkflowId, RunId = runId };
            }
            catch (IntentAlreadyAppliedException)
            {
                break;
            }
            catch (SwfFault f) when (f.Type == SwfFaults.UnknownResourceFault)
            {
                // No such run.
            }
        }
        var earlier = await executions.GetIntentRunAsync(partition, marker, ct);
        return earlier is null ? null : new WorkflowExecution { WorkflowId = pending.WorkflowId, RunId = earlier };
    }

    /// <summary>A run closed: report it to its parent, apply its child policy to its started children.</summary>
    private async Task<bool> RunClosedAsync(IntentMessage intent, LoadedRun closed, CancellationToken ct)
    {
        var state = closed.State;
        if (state.IsOpen || state.LastEventId != intent.EventId) return false; // the commit that closed with this event lost
        var closing = await executions.GetEventAsync(closed.Partition, state.RunId, intent.EventId, ct);
        if (closing is null) return false;

        await crashPoints.BeforeTargetWriteAsync(intent, ct);
        if (state is { ParentWorkflowExecution: { } parent, ParentInitiatedEventId: { } initiatedEventId } && state.CloseStatus != CloseStatus.ContinuedAsNew)
        {
            await ReportCloseToParentAsync(closed, parent, initiatedEventId, closing, ct);
        }
        if (state.CloseChildPolicy is { } policy && policy != ChildPolicy.Abandon)
        {
            await Parallel.ForEachAsync(state.Children.Where(c => c.IsStarted).ToList(),
                new ParallelOptions { MaxDegreeOfParallelism = ParallelChildren, CancellationToken = ct },
                async (child, c) => await ApplyChildPolicyAsync(state, child.WorkflowId, child.InitiatedEventId, policy, c));
        }
        await MarkDoneAsync(intent, ct);
        return true;
    }

    /// <summary>
    /// A Lambda task: LambdaFunctionStarted is recorded before the call (StartLambdaFunctionFailed instead when the name is
    /// not configured), then the call, then its result, recorded only while the task is open and started by that event.
    /// A redelivery after a crash finds it started and calls again (at least once); the record happens once. No answer
    /// within START_TO_CLOSE records nothing here: the alarm records LambdaFunctionTimedOut. A closed run drops it.
    /// </summary>
    private async Task<bool> LambdaFunctionAsync(IntentMessage intent, LoadedRun source, CancellationToken ct)
    {
        if (source.State.FindLambda(intent.EventId) is not { } lambda) return false;
        var scheduled = (await executions.GetEventAsync(source.Partition, source.State.RunId, intent.EventId, ct))?.LambdaFunctionScheduledEventAttributes;
        if (scheduled is null) return false;
        var function = lambdas.Find(lambda.Name);
        long startedEventId = lambda.StartedEventId;
        DateTimeOffset? startedAt = lambda.StartedAt;
        if (!lambda.IsStarted)
        {
            if (function is null)
            {
                var message = $"No Lambda function named {LambdaInvoker.BareName(lambda.Name)} is configured (Swf__LambdaFunctions__N__Name).";
                await reports.ReportAsync(source.Partition, source.State.RunId,
                    m => m.RecordStartLambdaFailed(intent.EventId, StartLambdaFunctionFailedCause.AssumeRoleFailed, message), ct);
                return true;
            }
            bool started = await reports.ReportAsync(source.Partition, source.State.RunId, m =>
            {
                if (!m.RecordLambdaStarted(intent.EventId)) return false;
                var now = m.State.FindLambda(intent.EventId)!;
                (startedEventId, startedAt) = (now.StartedEventId, now.StartedAt);
                return true;
            }, ct);
            if (!started) return false; // closed meanwhile, or another delivery started it and carries it out
        }
        var left = startedAt!.Value + (SwfServerless.Core.Time.SwfDuration.Parse(lambda.StartToCloseTimeout, "startToCloseTimeout") ?? TimeSpan.FromSeconds(900)) - context.Now();
        if (left <= TimeSpan.Zero) return true;

        await crashPoints.BeforeTargetWriteAsync(intent, ct);
        LambdaOutcome outcome = function is null
            ? new LambdaOutcome.Failed($"No Lambda function named {LambdaInvoker.BareName(lambda.Name)} is configured.", null)
            : await lambdas.InvokeAsync(function, scheduled.Input, left, ct);
        if (outcome is LambdaOutcome.TimedOut) return true;

        await crashPoints.BeforeReportAsync(intent, ct);
        await reports.ReportAsync(source.Partition, source.State.RunId, m => outcome switch
        {
            LambdaOutcome.Completed c => m.RecordLambdaCompleted(intent.EventId, startedEventId, c.Result),
            LambdaOutcome.Failed f => m.RecordLambdaFailed(intent.EventId, startedEventId, f.Reason, f.Details),
            _ => false,
        }, ct);
        return true;
    }

    /// <summary>The source closed before this intent could report back: say it is done where retention looks.</summary>
    private Task MarkDoneAsync(IntentMessage intent, CancellationToken ct) =>
        executions.MarkIntentDoneAsync(intent.Partition, intent.RunId, intent.EventId, ct);

    private async Task ReportCloseToParentAsync(LoadedRun closed, WorkflowExecution parent, long initiatedEventId, HistoryEvent closing, CancellationToken ct)
    {
        var state = closed.State;
        var parentPartition = ExecutionKeys.Partition(state.Domain, parent.WorkflowId!);
        // The close may overtake the report of the start; then the parent records the start first, naming the run the
        // start created: this one, or for a chain of ContinueAsNew the first, which the start's intent row names.
        string? startedRunId = state.ContinuedExecutionRunId is null ? state.RunId : null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            bool needsStartedRun = false;
            try
            {
                await reports.ReportAsync(parentPartition, parent.RunId!, m =>
                {
                    needsStartedRun = false;
                    if (startedRunId is null && m.State.FindChild(initiatedEventId) is { IsStarted: false })
                    {
                        needsStartedRun = true;
                        return false;
                    }
                    return m.RecordChildClosed(initiatedEventId, startedRunId ?? "", state.Execution, closing);
                }, ct);
            }
            catch (SwfFault f) when (f.Type == SwfFaults.UnknownResourceFault)
            {
                return; // the parent run is gone
            }
            if (!needsStartedRun) return;
            startedRunId = await executions.GetIntentRunAsync(closed.Partition, new IntentMarker(parent.RunId!, initiatedEventId, ChildMarker), ct) ?? state.RunId;
        }
    }

    /// <summary>
    /// A closed parent's child policy, applied to the open run of the child's workflowId if that run is the child (or
    /// a run it continued as). Terminating is idempotent by itself; a cancel request is recorded with the intent's row.
    /// </summary>
    private async Task ApplyChildPolicyAsync(ExecutionState parent, string childWorkflowId, long initiatedEventId, string policy, CancellationToken ct)
    {
        var partition = ExecutionKeys.Partition(parent.Domain, childWorkflowId);
        if (await executions.GetCurrentAsync(partition, ct) is not { Open: true } current) return;
        var marker = policy == ChildPolicy.RequestCancel ? new IntentMarker(parent.RunId, initiatedEventId, PolicyMarker) : null;
        var parentExecution = parent.Execution;
        try
        {
            await engine.UpdateAsync(partition, current.RunId, m => m.ApplyParentChildPolicy(parentExecution, initiatedEventId, policy), ct, marker);
        }
        catch (IntentAlreadyAppliedException) { }
        catch (SwfFault f) when (f.Type == SwfFaults.UnknownResourceFault) { }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Intent {Kind} of event {EventId} of run {RunId} was never committed; dropped")]
    private static partial void LogNeverCommitted(ILogger log, IntentKind kind, string runId, long eventId);
}
