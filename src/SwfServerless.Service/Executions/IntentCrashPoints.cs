using SwfServerless.Storage.Intents;

namespace SwfServerless.Service.Executions;

/// <summary>
/// The two places where a crash matters most to an intent, as a seam for tests: they replace it (DI) with one that
/// throws, which leaves the message in the queue exactly as a crash would, and prove that redelivery carries the intent
/// out once. Production uses <see cref="NoCrashPoints"/>.
/// </summary>
public interface IIntentCrashPoints
{
    /// <summary>The source's commit is visible and the intent pending; nothing has been written to the target yet.</summary>
    ValueTask BeforeTargetWriteAsync(IntentMessage intent, CancellationToken ct);

    /// <summary>The target write is committed; the report back to the source (or the parent) is not.</summary>
    ValueTask BeforeReportAsync(IntentMessage intent, CancellationToken ct);
}

public sealed class NoCrashPoints : IIntentCrashPoints
{
    public ValueTask BeforeTargetWriteAsync(IntentMessage intent, CancellationToken ct) => ValueTask.CompletedTask;
    public ValueTask BeforeReportAsync(IntentMessage intent, CancellationToken ct) => ValueTask.CompletedTask;
}
