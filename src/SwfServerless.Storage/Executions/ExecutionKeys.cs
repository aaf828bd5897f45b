using System.Security.Cryptography;
using System.Text;

namespace SwfServerless.Storage.Executions;

/// <summary>
/// Keys of the Executions table. Everything about one workflowId of one domain lives in one partition, so
/// every change to a run is one entity-group transaction. The partition key is a hash of domain and
/// workflowId: fixed length (task tokens stay short), free of forbidden characters, and spread evenly.
/// LOAD-BEARING: stored rows and issued task tokens use these formats.
/// </summary>
public static class ExecutionKeys
{
    /// <summary>The row naming the workflowId's latest run and whether it is open: "one open run per workflowId" is a conditional write to it.</summary>
    public const string CurrentRow = "current";

    public static string Partition(string domain, string workflowId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(domain + "\n" + workflowId));
        return Convert.ToHexStringLower(hash, 0, 16);
    }

    public static string StateRow(string runId) => $"r|{runId}";
    public static string EventRow(string runId, long eventId) => $"r|{runId}|e|{eventId:D10}";
    public static string EventRowPrefix(string runId) => $"r|{runId}|e|";
    public static string HeartbeatRow(string runId, long scheduledEventId) => $"r|{runId}|hb|{scheduledEventId:D10}";
    public static string HeartbeatRowPrefix(string runId) => $"r|{runId}|hb|";

    /// <summary>
    /// A large commit's overflow events, staged under a token of that commit attempt alone: the winner's state row names
    /// the token and event-id range (<see cref="PendingOverflow"/>) until the rows are copied to their <see cref="EventRow"/>s.
    /// Staged rows of a token no state row names are a losing (or finished) attempt's garbage: never read, removed with the run.
    /// </summary>
    public static string StagedEventRow(string runId, string token, long eventId) => $"r|{runId}|stage|{token}|{eventId:D10}";
    public static string StagedEventRowPrefix(string runId, string token) => $"r|{runId}|stage|{token}|";
    /// <summary>Every staged row of a run, whatever its token, starts with this.</summary>
    public static string StagingRowPrefix(string runId) => $"r|{runId}|stage|";

    /// <summary>Every row of a run except its state row (history, staged history, heartbeats, intents done) starts with this.</summary>
    public static string RunRowPrefix(string runId) => $"r|{runId}|";

    /// <summary>
    /// The row that says an intent was applied to this workflowId (by the run named in the row): added in the same
    /// transaction as the change it records, so the change and "done" commit together. Keyed by the intent (source run,
    /// event, kind), not by the target run, because "was it applied?" is asked before knowing which run it reached.
    /// </summary>
    public static string IntentRow(string sourceRunId, long eventId, string kind) => $"x|{sourceRunId}|{eventId:D10}|{kind}";

    /// <summary>Every intent row of the partition starts with this (and sorts before <c>x|~</c>).</summary>
    public const string IntentRowPrefix = "x|";

    /// <summary>
    /// The row that says an intent of this run, which closed before the intent could report back, was carried out
    /// (the closed run's state cannot record it). Retention removal waits for these; they go with the run's rows.
    /// </summary>
    public static string IntentDoneRow(string runId, long eventId) => $"r|{runId}|done|{eventId:D10}";
    public static string IntentDoneRowPrefix(string runId) => $"r|{runId}|done|";

    /// <summary>Run ids: version-7 GUIDs (time-ordered), 32 hex characters.</summary>
    public static string NewRunId() => Guid.CreateVersion7().ToString("N");
}
