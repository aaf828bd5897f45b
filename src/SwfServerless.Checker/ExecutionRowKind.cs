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
    /// <summary>
    /// A large commit's overflow event, staged under a token of its commit attempt: history while the state row names the
    /// token (its pending marker, until the copy to the event rows is done), garbage otherwise.
    /// </summary>
    Staged,
    /// <summary>An intent applied to this workflowId (names the run it reached in its RunId property).</summary>
    Intent,
    /// <summary>A key this checker does not know: reported apart from violations (a newer app version's rows, or debris).</summary>
    Unrecognised,
}

/// <summary>A row key of the Executions table taken apart.</summary>
/// <param name="RunId">The run the row belongs to (its state row's run); for <see cref="RowKind.Intent"/>, the intent's source run.</param>
/// <param name="Number">The event id of an event, staged, heartbeat (scheduled event) or intent-done row, or an intent's event.</param>
/// <param name="Token">A staged row's commit attempt.</param>
public sealed record ExecutionRowKey(RowKind Kind, string? RunId = null, long Number = 0, string? Token = null)
{
    /// <summary>
    /// The one place that knows the row layout of <see cref="ExecutionKeys"/>: every other part of the checker asks this.
    /// A new kind of row under a run is added here, or it is reported as unrecognised.
    /// </summary>
    /// <remarks>
    /// Staged rows (<c>r|{runId}|stage|{token}|{eventId:D10}</c>) are a large commit's overflow events
    /// (<see cref="ExecutionKeys.StagingRowPrefix"/>): history while the state row's pending marker names them, garbage otherwise.
    /// </remarks>
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
        var staging = ExecutionKeys.StagingRowPrefix(runId);
        if (rowKey.StartsWith(staging, StringComparison.Ordinal) && rowKey.LastIndexOf('|') is var bar && bar > staging.Length
            && long.TryParse(rowKey.AsSpan(bar + 1), out var staged))
            return new(RowKind.Staged, runId, staged, rowKey[staging.Length..bar]);
        return new(RowKind.Unrecognised, runId);
    }
}
