namespace SwfServerless.Core.Model;

/// <summary>
/// History events as Amazon SWF puts them on the wire. SWF always writes three event ids the model marks optional,
/// as 0 when there is nothing to point at: <c>parentInitiatedEventId</c> of a run no parent started, and
/// <c>externalInitiatedEventId</c> of a signal or cancel request that did not come from another execution's decision
/// (raw GetWorkflowExecutionHistory bodies from swf.us-east-1 recorded by botify-labs/simpleflow in
/// tests/integration/cassettes, e.g. test_cancel_requested.yaml: <c>"parentInitiatedEventId":0</c> and
/// <c>"workflowExecutionCancelRequestedEventAttributes":{"externalInitiatedEventId":0}</c>;
/// test_unrequested_signal.yaml: <c>"externalInitiatedEventId":0</c>). Clients compare what they get with that (the
/// same project's tests/integration/test_signals.py expects the signaled event's attributes to be exactly
/// signalName, input and externalInitiatedEventId 0), so the answers carry them. The stored events keep null: this is
/// applied on the way out only, and sets only what is missing, so applying it twice changes nothing.
/// </summary>
public static class HistoryWire
{
    public static List<HistoryEvent> AsSent(List<HistoryEvent> events)
    {
        foreach (var e in events)
        {
            if (e.WorkflowExecutionStartedEventAttributes is { } started) started.ParentInitiatedEventId ??= 0;
            if (e.WorkflowExecutionSignaledEventAttributes is { } signaled) signaled.ExternalInitiatedEventId ??= 0;
            if (e.WorkflowExecutionCancelRequestedEventAttributes is { } cancel) cancel.ExternalInitiatedEventId ??= 0;
        }
        return events;
    }
}
