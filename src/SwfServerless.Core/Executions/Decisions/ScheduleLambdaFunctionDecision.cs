using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>SWF's quota of open Lambda tasks per execution (OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED beyond it).</summary>
    public const int MaxOpenLambdaFunctions = 50;

    /// <summary>A Lambda task's startToCloseTimeout when the decision gives none (the model: 900 s).</summary>
    public const string DefaultLambdaStartToCloseTimeout = "900";

    /// <summary>
    /// ScheduleLambdaFunction: LambdaFunctionScheduled and an intent that invokes the function (a configured HTTP
    /// endpoint, README "Lambda tasks"); or ScheduleLambdaFunctionFailed. Checks in this order: the execution has a
    /// lambdaRole (without one SWF schedules no Lambda task: LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION), the id is not used
    /// by an open Lambda task (ID_ALREADY_IN_USE), the open Lambda tasks quota. Whether the name is configured is found
    /// when the task starts (StartLambdaFunctionFailed), as SWF finds a missing function only when it invokes it.
    /// </summary>
    private void HandleScheduleLambdaFunction(ScheduleLambdaFunctionDecisionAttributes a, DecisionContext context)
    {
        void Fail(string cause) => FailScheduleLambdaFunction(a, context, cause);

        if (string.IsNullOrEmpty(State.LambdaRole)) { Fail(ScheduleLambdaFunctionFailedCause.LambdaServiceNotAvailableInRegion); return; }
        if (State.Lambdas.Exists(l => l.Id == a.Id)) { Fail(ScheduleLambdaFunctionFailedCause.IdAlreadyInUse); return; }
        if (State.Lambdas.Count >= MaxOpenLambdaFunctions) { Fail(ScheduleLambdaFunctionFailedCause.OpenLambdaFunctionsLimitExceeded); return; }

        var scheduled = Append(new HistoryEvent
        {
            EventType = ET.LambdaFunctionScheduled,
            LambdaFunctionScheduledEventAttributes = new LambdaFunctionScheduledEventAttributes
            {
                Id = a.Id,
                Name = a.Name,
                Control = a.Control,
                Input = a.Input,
                StartToCloseTimeout = a.StartToCloseTimeout ?? DefaultLambdaStartToCloseTimeout,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
        NewIntents.Add(new IntentToCarryOut(IntentKind.LambdaFunction, scheduled.EventId!.Value));
    }

    private void FailScheduleLambdaFunction(ScheduleLambdaFunctionDecisionAttributes a, DecisionContext context, string cause) =>
        Append(new HistoryEvent
        {
            EventType = ET.ScheduleLambdaFunctionFailed,
            ScheduleLambdaFunctionFailedEventAttributes = new ScheduleLambdaFunctionFailedEventAttributes
            {
                Id = a.Id,
                Name = a.Name,
                Cause = cause,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });

    /// <summary>LambdaFunctionStarted and its START_TO_CLOSE deadline, when that Lambda task is open and not started.</summary>
    public bool RecordLambdaStarted(long scheduledEventId) =>
        Guarded(SmallCommandEvents, () => RecordLambdaStartedUnguarded(scheduledEventId), whenLimitReached: true);

    private bool RecordLambdaStartedUnguarded(long scheduledEventId)
    {
        var lambda = State.IsOpen ? State.FindLambda(scheduledEventId) : null;
        if (lambda is null || lambda.IsStarted) return false;
        Append(new HistoryEvent
        {
            EventType = ET.LambdaFunctionStarted,
            LambdaFunctionStartedEventAttributes = new LambdaFunctionStartedEventAttributes { ScheduledEventId = scheduledEventId },
        });
        if (lambda.TimeoutDue is { } due) NewDeadlines.Add(Deadline.LambdaFunction(due, scheduledEventId, lambda.StartedEventId));
        return true;
    }

    /// <summary>StartLambdaFunctionFailed (and a decision task), when that Lambda task is open and not started.</summary>
    public bool RecordStartLambdaFailed(long scheduledEventId, string cause, string message) =>
        Guarded(SmallCommandEvents, () => RecordStartLambdaFailedUnguarded(scheduledEventId, cause, message), whenLimitReached: true);

    private bool RecordStartLambdaFailedUnguarded(long scheduledEventId, string cause, string message)
    {
        var lambda = State.IsOpen ? State.FindLambda(scheduledEventId) : null;
        if (lambda is null || lambda.IsStarted) return false;
        Append(new HistoryEvent
        {
            EventType = ET.StartLambdaFunctionFailed,
            StartLambdaFunctionFailedEventAttributes = new StartLambdaFunctionFailedEventAttributes
            {
                ScheduledEventId = scheduledEventId,
                Cause = cause,
                Message = message,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }

    /// <summary>LambdaFunctionCompleted (and a decision task), when that Lambda task is open, started, and started by <paramref name="startedEventId"/>.</summary>
    public bool RecordLambdaCompleted(long scheduledEventId, long startedEventId, string? result) =>
        Guarded(SmallCommandEvents, () => RecordLambdaCompletedUnguarded(scheduledEventId, startedEventId, result), whenLimitReached: true);

    private bool RecordLambdaCompletedUnguarded(long scheduledEventId, long startedEventId, string? result)
    {
        if (!IsLambdaRunning(scheduledEventId, startedEventId)) return false;
        Append(new HistoryEvent
        {
            EventType = ET.LambdaFunctionCompleted,
            LambdaFunctionCompletedEventAttributes = new LambdaFunctionCompletedEventAttributes
            {
                ScheduledEventId = scheduledEventId,
                StartedEventId = startedEventId,
                Result = result,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }

    /// <summary>LambdaFunctionFailed (and a decision task), when that Lambda task is open and started by <paramref name="startedEventId"/>.</summary>
    public bool RecordLambdaFailed(long scheduledEventId, long startedEventId, string? reason, string? details) =>
        Guarded(SmallCommandEvents, () => RecordLambdaFailedUnguarded(scheduledEventId, startedEventId, reason, details), whenLimitReached: true);

    private bool RecordLambdaFailedUnguarded(long scheduledEventId, long startedEventId, string? reason, string? details)
    {
        if (!IsLambdaRunning(scheduledEventId, startedEventId)) return false;
        Append(new HistoryEvent
        {
            EventType = ET.LambdaFunctionFailed,
            LambdaFunctionFailedEventAttributes = new LambdaFunctionFailedEventAttributes
            {
                ScheduledEventId = scheduledEventId,
                StartedEventId = startedEventId,
                Reason = reason,
                Details = details,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }

    /// <summary>LambdaFunctionTimedOut START_TO_CLOSE (and a decision task), when that started Lambda task is open and due.</summary>
    public bool TimeOutLambdaFunction(long scheduledEventId, long startedEventId) =>
        Guarded(SmallCommandEvents, () => TimeOutLambdaFunctionUnguarded(scheduledEventId, startedEventId), whenLimitReached: true);

    private bool TimeOutLambdaFunctionUnguarded(long scheduledEventId, long startedEventId)
    {
        if (!IsLambdaRunning(scheduledEventId, startedEventId)) return false;
        if (State.FindLambda(scheduledEventId)!.TimeoutDue is not { } due || Now < due) return false;
        Append(new HistoryEvent
        {
            EventType = ET.LambdaFunctionTimedOut,
            LambdaFunctionTimedOutEventAttributes = new LambdaFunctionTimedOutEventAttributes
            {
                ScheduledEventId = scheduledEventId,
                StartedEventId = startedEventId,
                TimeoutType = LambdaFunctionTimeoutType.StartToClose,
            },
        });
        ScheduleDecisionTaskIfPending();
        return true;
    }

    private bool IsLambdaRunning(long scheduledEventId, long startedEventId) =>
        State.IsOpen && State.FindLambda(scheduledEventId) is { IsStarted: true } lambda && lambda.StartedEventId == startedEventId;
}
