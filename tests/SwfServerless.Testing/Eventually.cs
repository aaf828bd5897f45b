using System.Diagnostics;
using Xunit;

namespace SwfServerless.Testing;

/// <summary>Awaits a condition that other parts of the system make true in their own time (an index, a removal, a queue).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, double seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed.TotalSeconds < seconds, $"Not within {seconds} s: {what}");
            await Task.Delay(100);
        }
    }
}
