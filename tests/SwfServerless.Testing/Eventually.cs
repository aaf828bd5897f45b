using System.Diagnostics;
using Xunit;

namespace SwfServerless.Testing;

/// <summary>Awaits a condition that other parts of the system make true in their own time (an index, a removal, a queue).</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<Task<bool>> condition, string what, double seconds = 20) =>
        ValueAsync(condition, done => done, _ => what, seconds);

    /// <summary>Reads until what it read satisfies <paramref name="until"/>, and returns that; fails with <paramref name="what"/> of the last read.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> until, Func<T, string> what, double seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (until(value)) return value;
            Assert.True(clock.Elapsed.TotalSeconds < seconds, $"Not within {seconds} s: {what(value)}");
            await Task.Delay(100);
        }
    }
}
