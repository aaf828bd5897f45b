using System.Collections.Concurrent;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Executions;
using SwfServerless.Storage.Intents;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>Where <see cref="IntentFaults"/> makes the first delivery of each intent crash.</summary>
public enum CrashPoint { None, BeforeTargetWrite, BeforeReport }

/// <summary>
/// Crashes each intent once at the chosen point; records every intent it saw; can hold the first start intent before
/// its target write, or the first delivery of each intent before its report.
/// </summary>
public sealed class IntentFaults : IIntentCrashPoints
{
    public CrashPoint At { get; set; }
    public ConcurrentDictionary<string, IntentMessage> Crashed { get; } = new();
    public ConcurrentDictionary<string, IntentMessage> Seen { get; } = new();
    public TaskCompletionSource? Gate { get; set; }
    public TaskCompletionSource AtGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask BeforeTargetWriteAsync(IntentMessage intent, CancellationToken ct)
    {
        Seen.TryAdd(Key(intent), intent);
        if (Gate is { } gate && intent.Kind == IntentKind.StartChild)
        {
            AtGate.TrySetResult();
            await gate.Task.WaitAsync(ct);
        }
        Crash(intent, CrashPoint.BeforeTargetWrite);
    }

    public TaskCompletionSource? HoldReports { get; set; }
    public ConcurrentDictionary<string, IntentMessage> Held { get; } = new();
    public TaskCompletionSource ThreeHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource FirstHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask BeforeReportAsync(IntentMessage intent, CancellationToken ct)
    {
        if (HoldReports is { } hold && Held.TryAdd(Key(intent), intent))
        {
            FirstHeld.TrySetResult();
            if (Held.Count == 3) ThreeHeld.TrySetResult();
            await hold.Task.WaitAsync(ct);
        }
        Crash(intent, CrashPoint.BeforeReport);
    }

    private void Crash(IntentMessage intent, CrashPoint point)
    {
        if (At == point && Crashed.TryAdd(Key(intent), intent)) throw new InvalidOperationException($"Injected crash {point} in {Key(intent)}");
    }

    private static string Key(IntentMessage m) => $"{m.Kind}|{m.RunId}|{m.EventId}";
}
