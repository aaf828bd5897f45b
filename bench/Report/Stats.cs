using System.Diagnostics;

namespace SwfServerless.Bench;

/// <summary>Monotonic time for intervals; wall-clock epoch seconds where the service's timestamps are compared.</summary>
public static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static double SinceMs(long from) => Ms(from, Now);

    public static double EpochSeconds => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}

/// <summary>Order statistics of a sample (nearest-rank percentiles, no interpolation).</summary>
public sealed record Distribution(int Count, double Min, double P50, double P90, double P99, double Max, double Mean)
{
    public static Distribution? Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return null;
        return new Distribution(sorted.Length, sorted[0], Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[^1], sorted.Average());
    }

    public static double Rank(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static double Median(IEnumerable<double> values) => Of(values)?.P50 ?? double.NaN;

    public override string ToString() => $"p50 {P50:0.#} p99 {P99:0.#} (n={Count}, max {Max:0.#})";
}
