using SwfServerless.Storage.Executions;

namespace SwfServerless.Checker;

public enum RowKind
{
    /// <summary>The workflowId's current-run row.</summary>
    Current,
    /// <summary>A run's state row.</summary>
    State,
    /// <summary>A history event of a run.</summary>
    Event,
    /// <summary>An activity's last heartbeat.</summary>
    Heartbeat,
    /// <summary>An intent of a closed run marked carried out.</summary>
    IntentDone,
    /// <summary>An intent applied to this workflowId (names the run it reached in its RunId property).</summary>
    Intent,
    /// <summary>A key this checker does not know: reported apart from violations (a newer app version's rows, or debris).</summary>
    Unrecognised,
}

/// <summary>A row key of the Executions table taken apart.</summary>
/// <param name="RunId">The run the row belongs to (its state row's run); for <see cref="RowKind.Intent"/>, the intent's source run.</param>
/// <param name="Number">The event id of an event, heartbeat (scheduled event) or intent-done row, or an intent's event.</param>
public sealed record ExecutionRowKey(RowKind Kind, string? RunId = null, long Number = 0)
{
    /// <summary>
    /// The one place that knows the row layout of <see cref="ExecutionKeys"/>: every other part of the checker asks this.
    /// A new kind of row under a run (e.g. a staging prefix for overflow history) is added here, or it is reported as
    /// unrecognised.
    /// </summary>
    public static ExecutionRowKey Parse(string rowKey)
    {
        if (rowKey == ExecutionKeys.CurrentRow) return new(RowKind.Current);
        if (rowKey.StartsWith(ExecutionKeys.IntentRowPrefix, StringComparison.Ordinal))
        {
            // x|{sourceRunId}|{eventId:D10}|{kind}
            var parts = rowKey.Split('|');
            return parts.Length == 4 && long.TryParse(parts[2], out var eventId) ? new(RowKind.Intent, parts[1], eventId) : new(RowKind.Unrecognised);
        }
        if (!rowKey.StartsWith("r|", StringComparison.Ordinal)) return new(RowKind.Unrecognised);
        var end = rowKey.IndexOf('|', 2);
        if (end < 0) return new(RowKind.State, rowKey[2..]);
        var runId = rowKey[2..end];
        foreach (var (kind, prefix) in new[]
                 {
                     (RowKind.Event, ExecutionKeys.EventRowPrefix(runId)),
                     (RowKind.Heartbeat, ExecutionKeys.HeartbeatRowPrefix(runId)),
                     (RowKind.IntentDone, ExecutionKeys.IntentDoneRowPrefix(runId)),
                 })
        {
            if (rowKey.StartsWith(prefix, StringComparison.Ordinal) && long.TryParse(rowKey.AsSpan(prefix.Length), out var number))
                return new(kind, runId, number);
        }
        return new(RowKind.Unrecognised, runId);
    }
}
