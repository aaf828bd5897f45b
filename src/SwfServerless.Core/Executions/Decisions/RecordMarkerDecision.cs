using SwfServerless.Core.Model;
using ET = SwfServerless.Core.Model.EventType;

namespace SwfServerless.Core.Executions;

public sealed partial class ExecutionMachine
{
    /// <summary>RecordMarker: MarkerRecorded. Its only failure cause is OPERATION_NOT_PERMITTED, which access policy decides outside the machine.</summary>
    private void HandleRecordMarker(RecordMarkerDecisionAttributes a, DecisionContext context) =>
        Append(new HistoryEvent
        {
            EventType = ET.MarkerRecorded,
            MarkerRecordedEventAttributes = new MarkerRecordedEventAttributes
            {
                MarkerName = a.MarkerName,
                Details = a.Details,
                DecisionTaskCompletedEventId = context.DecisionTaskCompletedEventId,
            },
        });
}
