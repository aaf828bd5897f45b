using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.Domains;
using SwfServerless.Storage.Types;
using SwfServerless.Storage.Visibility;

namespace SwfServerless.Service.Operations;

/// <summary>
/// SWF's account and domain quotas (<see cref="QuotaOptions"/>): domains, types per domain, open executions per domain.
/// Each is counted from storage when a call would add one; the count is not part of the write, so callers racing at the
/// limit can pass it by as many as raced (SWF's quotas are soft too: "not hard limits").
/// </summary>
/// <remarks>
/// Open executions are many (100,000 per domain), so they are not counted on every start: the last count of the domain's
/// open index (<see cref="VisibilityRepository"/>) is kept with the starts this instance let through since, and counted
/// again when that estimate comes within a tenth of the limit or is older than <see cref="OpenCountLifetime"/>. Starts on
/// other instances and the index's lag (it is written just after each commit) are seen at the next count.
/// </remarks>
public sealed partial class QuotaGuard(IOptions<SwfOptions> options, DomainRepository domains, TypeRepository types, VisibilityRepository visibility,
    TimeProvider clock, ILogger<QuotaGuard> log)
{
    public static readonly TimeSpan OpenCountLifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, OpenCount> openCounts = new(StringComparer.Ordinal);

    private sealed class OpenCount
    {
        public int Counted;
        public int StartedSince;
        public DateTimeOffset CountedAt;
    }

    private QuotaOptions Quotas => options.Value.Quotas;

    /// <summary>LimitExceededFault when the account has its quota of domains, registered and deprecated ones together.</summary>
    public async Task RequireRoomForDomainAsync(string name, CancellationToken ct)
    {
        var limit = Quotas.Domains;
        var count = (await domains.ListAsync(RegistrationStatus.Registered, ct)).Count
                    + (await domains.ListAsync(RegistrationStatus.Deprecated, ct)).Count;
        if (count < limit) return;
        // At the limit, a name that is taken is still told so.
        if (await domains.GetAsync(name, ct) is not null) throw SwfFault.DomainAlreadyExists($"Domain already exists: {name}");
        throw SwfFault.LimitExceeded($"Cannot register domain {name}: the account has {count} domains, registered and deprecated, and its quota is {limit}.");
    }

    /// <summary>LimitExceededFault when the domain has its quota of types of that kind, registered and deprecated ones together.</summary>
    public async Task RequireRoomForTypeAsync(RegisteredType type, CancellationToken ct)
    {
        var limit = type.Kind == TypeKind.Activity ? Quotas.ActivityTypes : Quotas.WorkflowTypes;
        var count = (await types.ListAsync(type.Domain, type.Kind, null, null, ct)).Count;
        if (count < limit) return;
        if (await types.GetAsync(type.Domain, type.Kind, type.Name, type.Version, ct) is not null)
            throw SwfFault.TypeAlreadyExists($"{type.Describe()} already exists in domain {type.Domain}");
        var kind = type.Kind == TypeKind.Activity ? "activity" : "workflow";
        throw SwfFault.LimitExceeded($"Cannot register {type.Describe()}: domain {type.Domain} has {count} {kind} types, registered and deprecated, and its quota is {limit}.");
    }

    /// <summary>
    /// Whether one more execution may open in the domain (its open executions, children included, are below the quota);
    /// when so, it is counted as started.
    /// </summary>
    public async Task<bool> TryOpenExecutionAsync(string domain, CancellationToken ct)
    {
        var limit = Quotas.OpenExecutions;
        var now = clock.GetUtcNow();
        var entry = openCounts.GetOrAdd(domain, _ => new OpenCount { CountedAt = DateTimeOffset.MinValue });
        lock (entry)
        {
            var estimate = entry.Counted + entry.StartedSince;
            if (now - entry.CountedAt < OpenCountLifetime && estimate + 1 < limit - limit / 10)
            {
                entry.StartedSince++;
                return true;
            }
        }
        int counted;
        try
        {
            (counted, _) = await visibility.CountAsync(domain, "o", DateTimeOffset.MinValue, null, new VisibilityFilter(), limit, ct); // past the limit: at it
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or TimeoutException)
        {
            // The index cannot be read now. The quota is soft and the index only a count of it: starts go on rather than
            // fail with the index (the run's own storage decides them), and the next start counts again.
            LogCountFailed(log, domain, e);
            lock (entry) entry.StartedSince++;
            return true;
        }
        lock (entry)
        {
            (entry.Counted, entry.StartedSince, entry.CountedAt) = (counted, 0, now);
            if (counted >= limit) return false;
            entry.StartedSince++;
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Open executions of domain {Domain} not counted: the visibility index is unreadable; the start goes on")]
    private static partial void LogCountFailed(ILogger log, string domain, Exception e);

    /// <summary>StartWorkflowExecution's check: LimitExceededFault when the domain has its quota of open executions.</summary>
    public async Task RequireRoomForExecutionAsync(string domain, CancellationToken ct)
    {
        if (!await TryOpenExecutionAsync(domain, ct))
            throw SwfFault.LimitExceeded($"Cannot start a workflow execution in domain {domain}: it has its quota of {Quotas.OpenExecutions} open executions.");
    }
}
