using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.Time;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Time;

/// <summary>The in-process timers on a manual clock: order, de-duplication, horizon, no sleeping.</summary>
public sealed class LocalTimersTests
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private static LocalTimers Create(ManualTime time, bool enabled = true) =>
        new(time, Options.Create(new SwfOptions { SweepIntervalSeconds = 10, InProcessTimers = enabled }), NullLogger<LocalTimers>.Instance);

    [Fact]
    public async Task Work_runs_when_due_in_due_order_once_per_key_and_only_within_the_horizon()
    {
        var time = new ManualTime(T0);
        var timers = Create(time);
        using var stop = new CancellationTokenSource();
        var ran = new Dictionary<string, TaskCompletionSource>();
        var loop = timers.RunAsync((alarm, _) =>
        {
            if (alarm.RunId == "twice") throw new InvalidOperationException("scheduled twice");
            lock (ran) ran[alarm.RunId].TrySetResult();
            return Task.CompletedTask;
        }, stop.Token);
        LocalAlarm Work(string key)
        {
            lock (ran) ran[key] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new LocalAlarm("p", key);
        }

        Assert.True(timers.Schedule("b", T0.AddSeconds(2), Work("b")));
        Assert.True(timers.Schedule("a", T0.AddSeconds(1), Work("a")));   // earlier than what the loop waits for
        Assert.False(timers.Schedule("a", T0.AddSeconds(1), new LocalAlarm("p", "twice")));
        Assert.False(timers.Schedule("far", T0 + timers.Horizon + TimeSpan.FromSeconds(1), new LocalAlarm("p", "far")));
        Assert.Equal(2, timers.Count);

        await time.TimerArmedAsync(T0.AddSeconds(1)); // the loop sleeps until the earliest entry
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(ran["a"].Task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await ran["a"].Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(ran["b"].Task.IsCompleted);
        Assert.Equal(1, timers.Count);

        // Past work runs at once; a key that ran may be scheduled again.
        Assert.True(timers.Schedule("a", T0, Work("a")));
        await ran["a"].Task.WaitAsync(TimeSpan.FromSeconds(10));
        await time.TimerArmedAsync(T0.AddSeconds(2));
        time.Advance(TimeSpan.FromSeconds(1));
        await ran["b"].Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await loop;
        Assert.False(timers.Schedule("late", T0, new LocalAlarm("p", "late")));
    }

    [Fact]
    public async Task Disabled_they_take_nothing()
    {
        var timers = Create(new ManualTime(T0), enabled: false);
        await timers.RunAsync((_, _) => throw new InvalidOperationException("nothing runs"), CancellationToken.None); // returns at once
        Assert.False(timers.Schedule("a", T0, new LocalAlarm("p", "a")));
    }
}
