using Microsoft.Extensions.Options;
using SwfServerless.Core.Domains;
using SwfServerless.Core.Faults;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage;
using SwfServerless.Storage.Domains;

namespace SwfServerless.Service.Operations;

/// <summary>What most handlers share: the clock, the settings, and looking up the domain a call names.</summary>
public sealed class ServiceContext(TimeProvider clock, IOptions<SwfOptions> options, DomainRepository domains, RegistryCache registry)
{
    // SWF has no DeleteDomain: once a domain exists it always will, so existence checks on hot paths are cached.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> knownDomains = new(StringComparer.Ordinal);

    public SwfOptions Options => options.Value;

    /// <summary>Now, to the millisecond: SWF timestamps are epoch seconds with millisecond fractions.</summary>
    public DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    public string DomainArn(string name) => Domain.Arn(Options.Region, Options.AccountId, name);

    /// <summary>The domain as stored now, with its ETag: for calls that change it or describe it.</summary>
    public async Task<Stored<Domain>> RequireDomainAsync(string name, CancellationToken ct) =>
        await domains.GetAsync(name, ct) ?? throw SwfFault.UnknownResource($"Unknown domain: {name}");

    /// <summary>The domain, up to <see cref="SwfOptions.LookupCacheSeconds"/> old (<see cref="RegistryCache"/>): for starts and lookups.</summary>
    public async Task<Domain> RequireDomainCachedAsync(string name, CancellationToken ct) =>
        await registry.DomainAsync(name, ct) ?? throw SwfFault.UnknownResource($"Unknown domain: {name}");

    /// <summary>
    /// Checks only that the domain exists (polls, pending counts): one storage read the first time, none after.
    /// Calls that depend on the domain's status use <see cref="RequireDomainAsync"/>.
    /// </summary>
    public async Task RequireDomainExistsAsync(string name, CancellationToken ct)
    {
        if (knownDomains.ContainsKey(name)) return;
        await RequireDomainCachedAsync(name, ct);
        if (knownDomains.Count < 100_000) knownDomains[name] = true;
    }

    /// <summary>The domain named by a tag call's resourceArn; anything else is an unknown resource.</summary>
    public async Task<Stored<Domain>> RequireDomainByArnAsync(string arn, CancellationToken ct)
    {
        var name = Domain.NameFromArn(arn, Options.Region, Options.AccountId)
            ?? throw SwfFault.UnknownResource($"Unknown resource: {arn}. Tags can be attached to domains: arn:aws:swf:{Options.Region}:{Options.AccountId}:/domain/<name>");
        return await domains.GetAsync(name, ct) ?? throw SwfFault.UnknownResource($"Unknown resource: {arn}");
    }
}
