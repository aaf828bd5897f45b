using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>
    /// StartTimer: TimerStarted and its deadline (now + startToFireTimeout); StartTimerFailed with
    /// TIMER_ID_ALREADY_IN_USE ("there is another open timer with the same timerId") or OPEN_TIMERS_LIMIT_EXCEEDED (the
    /// count, or the state row's budget: see <see cref="StateBudget"/>).
    /// </summary>
    private void HandleStartTimer(StartTimerDecisionAttributes a, DecisionContext context)
    {
        string? cause = State.FindTimer(a.TimerId!) is not null ? StartTimerFailedCause.TimerIdAlreadyInUse
            : State.Timers.Count >= MaxOpenTimers ? StartTimerFailedCause.OpenTimersLimitExceeded
            : !Budget.TryTakeTimer(a.TimerId!, a.StartToFireTimeout) ? StartTimerFailedCause.OpenTimersLimitExceeded
            : null;
        if (cause is not null)
        {
            Append(new HistoryEvent
            {
                EventType = ET.StartTimerFailed,
                StartTimerFailedEventAttributes = new StartTimerFailedEventAttributes
                {
                    TimerId = a.TimerId,
                    Cause = cause,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                },
            });
            return;
        }
        var started = Append(new HistoryEvent
        {
            EventType = ET.TimerStarted,
            TimerStartedEventAttributes = new TimerStartedEventAttributes
            {
                TimerId = a.TimerId,
                Control = a.Control,
                StartToFireTimeout = a.StartToFireTimeout,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
        var timer = State.FindTimer(a.TimerId!)!;
        NewDeadlines.Add(Deadline.Timer(timer.FiresAt, timer.TimerId, started.EventId!.Value));
    }
}
