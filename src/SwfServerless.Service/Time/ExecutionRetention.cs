using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Domains;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.Domains;

namespace SwfServerless.Service.Time;

/// <summary>
/// When a closed run is removed: its domain's workflowExecutionRetentionPeriodInDays after it closed. SWF has no
/// operation that changes a domain's retention, so it is read once per domain and kept.
/// </summary>
public sealed class ExecutionRetention(DomainRepository domains, IOptions<SwfOptions> options)
{
    private readonly ConcurrentDictionary<string, int> days = new(StringComparer.Ordinal);

    public async Task<int> DaysAsync(string domain, CancellationToken ct)
    {
        if (days.TryGetValue(domain, out var known)) return known;
        // Domains are never deleted; should one be missing, keep its runs as long as SWF ever keeps anything.
        var value = (await domains.GetAsync(domain, ct))?.Value.RetentionPeriodInDays ?? Domain.MaxRetentionDays;
        return days[domain] = value;
    }

    /// <summary>
    /// When the run may be removed by anyone: the end of its retention plus the repair delay, so that a removal never
    /// races the closing instance's own index write. The closing instance itself removes at once when retention is 0.
    /// </summary>
    public async Task<DateTimeOffset> RemovalDueAsync(ExecutionState state, CancellationToken ct) =>
        state.CloseTimestamp!.Value + TimeSpan.FromDays(await DaysAsync(state.Domain, ct)) + TimeSpan.FromSeconds(options.Value.VisibilityRepairSeconds);
}
