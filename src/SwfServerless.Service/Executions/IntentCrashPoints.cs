using System.Diagnostics;
using SwfServerless.Storage.Intents;

namespace SwfServerless.Service.Executions;

/// <summary>
/// The two places where a crash matters most to an intent, as a seam for tests: they replace it (DI) with one that
/// throws, which leaves the message in the queue exactly as a crash would, and prove that redelivery carries the intent
/// out once. Production uses <see cref="ConfiguredCrashPoints"/>, which does nothing unless <see cref="CrashSwitch"/> is on.
/// </summary>
public interface IIntentCrashPoints
{
    /// <summary>The source's commit is visible and the intent pending; nothing has been written to the target yet.</summary>
    ValueTask BeforeTargetWriteAsync(IntentMessage intent, CancellationToken ct);

    /// <summary>The target write is committed; the report back to the source (or the parent) is not.</summary>
    ValueTask BeforeReportAsync(IntentMessage intent, CancellationToken ct);
}

public sealed class ConfiguredCrashPoints(CrashSwitch crashes) : IIntentCrashPoints
{
    public ValueTask BeforeTargetWriteAsync(IntentMessage intent, CancellationToken ct)
    {
        crashes.At(CrashSwitch.BeforeTargetWrite);
        return ValueTask.CompletedTask;
    }

    public ValueTask BeforeReportAsync(IntentMessage intent, CancellationToken ct)
    {
        crashes.At(CrashSwitch.BeforeReport);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// TEST-ONLY: kills this process (SIGKILL, as the OS or the platform would) at chosen points, so the reliability suite can
/// prove that every crash point recovers with real process deaths. Off, and one field read per point, unless
/// <c>Swf:TestOnlyCrash:Points</c> is set: a comma list of the names below, each optionally with its own chance
/// (<c>AfterCommit:0.01,InSweep:0.2</c>); each pass through a listed point kills the process with that probability
/// (default 0.02), drawn from <c>Swf:TestOnlyCrash:Seed</c>. Never set it in production.
/// </summary>
public sealed class CrashSwitch
{
    /// <summary>A run's commit is visible; its visibility index write and cleanup are not done (ExecutionEngine).</summary>
    public const string AfterCommit = "AfterCommit";

    /// <summary>An intent is pending on its source; its target has not been written (the intent executor).</summary>
    public const string BeforeTargetWrite = "BeforeTargetWrite";

    /// <summary>An intent's target write is committed; the report back to the source is not.</summary>
    public const string BeforeReport = "BeforeReport";

    /// <summary>Inside a sweep batch: one due reminder was handled, the rest of the batch was not.</summary>
    public const string InSweep = "InSweep";

    private readonly Dictionary<string, double> points = new(StringComparer.Ordinal);
    private readonly Random random;

    public CrashSwitch(IConfiguration configuration)
    {
        var section = configuration.GetSection("Swf:TestOnlyCrash");
        foreach (var item in (section["Points"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':', 2);
            points[parts[0]] = parts.Length == 2 ? double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0.02;
        }
        random = int.TryParse(section["Seed"], out var seed) ? new Random(seed) : new Random();
    }

    /// <summary>Kills the process here if this point is switched on and the dice say so; otherwise returns at once.</summary>
    public void At(string point)
    {
        if (points.Count == 0 || !points.TryGetValue(point, out var chance)) return;
        lock (random)
        {
            if (random.NextDouble() >= chance) return;
        }
        Console.Error.WriteLine($"TEST-ONLY crash point {point}: killing process {Environment.ProcessId}");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill(); // SIGKILL: no finally blocks, no graceful shutdown, like a real crash
    }
}
