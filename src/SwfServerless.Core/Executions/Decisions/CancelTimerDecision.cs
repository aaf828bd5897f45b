using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>CancelTimer: TimerCanceled (its deadline goes stale); CancelTimerFailed (TIMER_ID_UNKNOWN) when no open timer has that id.</summary>
    private void HandleCancelTimer(CancelTimerDecisionAttributes a, DecisionContext context)
    {
        var timer = State.FindTimer(a.TimerId!);
        if (timer is null)
        {
            Append(new HistoryEvent
            {
                EventType = ET.CancelTimerFailed,
                CancelTimerFailedEventAttributes = new CancelTimerFailedEventAttributes
                {
                    TimerId = a.TimerId,
                    Cause = CancelTimerFailedCause.TimerIdUnknown,
                    DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
                },
            });
            return;
        }
        Append(new HistoryEvent
        {
            EventType = ET.TimerCanceled,
            TimerCanceledEventAttributes = new TimerCanceledEventAttributes
            {
                TimerId = timer.TimerId,
                StartedEventId = timer.StartedEventId,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
    }
}
