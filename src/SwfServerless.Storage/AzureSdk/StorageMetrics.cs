using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// Thread-safe counters of storage requests actually sent: every attempt counts, retries included, because that is
/// what the account is billed for (<see cref="StorageMetricsPolicy"/> counts them). Benchmarks take a
/// <see cref="Snapshot"/> before and after.
/// </summary>
public sealed class StorageMetrics
{
    private readonly ConcurrentDictionary<string, Counter> _byOperation = new(StringComparer.Ordinal);
    private long _reads;
    private long _writes;
    private long _retries;

    internal void RecordAttempt(StorageOperation operation, bool isRetry)
    {
        Interlocked.Increment(ref _byOperation.GetOrAdd(operation.Name, static _ => new Counter()).Value);
        if (operation.IsWrite)
            Interlocked.Increment(ref _writes);
        else
            Interlocked.Increment(ref _reads);
        if (isRetry)
            Interlocked.Increment(ref _retries);
    }

    public StorageMetricsSnapshot Snapshot() => new(
        _byOperation.ToImmutableSortedDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value), StringComparer.Ordinal),
        Interlocked.Read(ref _reads),
        Interlocked.Read(ref _writes),
        Interlocked.Read(ref _retries));

    private sealed class Counter
    {
        public long Value;
    }
}

/// <summary>Counts at one moment; subtract two to get what happened in between.</summary>
public sealed record StorageMetricsSnapshot(
    ImmutableSortedDictionary<string, long> ByOperation,
    long Reads,
    long Writes,
    long Retries)
{
    public long Total => Reads + Writes;

    public long this[string operation] => ByOperation.GetValueOrDefault(operation);

    public StorageMetricsSnapshot Minus(StorageMetricsSnapshot earlier)
    {
        var diff = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (name, count) in ByOperation)
        {
            var delta = count - earlier[name];
            if (delta != 0)
                diff[name] = delta;
        }
        return new(diff.ToImmutable(), Reads - earlier.Reads, Writes - earlier.Writes, Retries - earlier.Retries);
    }

    public override string ToString() =>
        $"total={Total} reads={Reads} writes={Writes} retries={Retries} " +
        string.Join(' ', ByOperation.Select(p => $"{p.Key}={p.Value}"));
}
