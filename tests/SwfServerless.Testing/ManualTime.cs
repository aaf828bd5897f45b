using System.Globalization;

namespace SwfServerless.Testing;

/// <summary>The tests' one fake clock: it moves only when told, and its timers fire when it passes their time.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private readonly object gate = new();
    private readonly List<ManualTimer> timers = [];
    private DateTimeOffset now = start;

    /// <summary>At an instant in SigV4's basic format (<c>20150830T123600Z</c>), so signed fixtures with fixed dates stay valid.</summary>
    public static ManualTime At(string basicFormat) => new(DateTimeOffset.ParseExact(
        basicFormat, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    public override DateTimeOffset GetUtcNow() { lock (gate) return now; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Waits (really, briefly) until someone sleeps until exactly <paramref name="dueAt"/>.</summary>
    public Task TimerArmedAsync(DateTimeOffset dueAt) =>
        Eventually.TrueAsync(() => { lock (gate) return Task.FromResult(timers.Any(t => t.DueAt == dueAt)); }, $"a timer armed for {dueAt:O}", seconds: 10);

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (gate)
        {
            now += by;
            due = timers.Where(t => t.DueAt <= now).ToList();
            foreach (var t in due) timers.Remove(t);
        }
        foreach (var t in due) t.Fire();
    }

    private sealed class ManualTimer(ManualTime time, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (time.gate)
            {
                time.timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                DueAt = time.now + dueTime;
                time.timers.Add(this);
            }
            if (dueTime == TimeSpan.Zero) time.Advance(TimeSpan.Zero);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() { lock (time.gate) time.timers.Remove(this); }

        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
