using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Domains;
using SwfServerless.Core.Types;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.Domains;
using SwfServerless.Storage.Types;

namespace SwfServerless.Service.Operations;

/// <summary>
/// Domains and types as this instance last read them, kept <see cref="SwfOptions.LookupCacheSeconds"/>: starts,
/// decisions and polls would otherwise read them on every call. SWF's own visibility of a deprecation is eventual;
/// here the instance that changes a domain or type forgets it at once, other instances see the change within the
/// lifetime. Misses are not kept (a type registered elsewhere is seen at the next call). When full it is emptied.
/// </summary>
public sealed class RegistryCache(DomainRepository domains, TypeRepository types, TimeProvider clock, IOptions<SwfOptions> options)
{
    public const int Capacity = 10_000;

    private sealed record Entry<T>(T Value, DateTimeOffset Until);

    private readonly ConcurrentDictionary<string, Entry<Domain>> domainEntries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Domain, TypeKind Kind, string Name, string Version), Entry<RegisteredType>> typeEntries = new();

    // Bumped by every Forget: a read that began before it must not put back what was just forgotten.
    private long generation;

    private TimeSpan Lifetime => TimeSpan.FromSeconds(options.Value.LookupCacheSeconds);

    /// <summary>The domain, at most the lifetime old; null when there is none.</summary>
    public async Task<Domain?> DomainAsync(string name, CancellationToken ct)
    {
        if (domainEntries.TryGetValue(name, out var hit) && clock.GetUtcNow() < hit.Until) return hit.Value;
        var seen = Interlocked.Read(ref generation);
        var domain = (await domains.GetAsync(name, ct))?.Value;
        if (domain is not null) Keep(domainEntries, name, domain, seen);
        return domain;
    }

    /// <summary>The type, at most the lifetime old; null when there is none.</summary>
    public async Task<RegisteredType?> TypeAsync(string domain, TypeKind kind, string name, string version, CancellationToken ct)
    {
        var key = (domain, kind, name, version);
        if (typeEntries.TryGetValue(key, out var hit) && clock.GetUtcNow() < hit.Until) return hit.Value;
        var seen = Interlocked.Read(ref generation);
        var type = (await types.GetAsync(domain, kind, name, version, ct))?.Value;
        if (type is not null) Keep(typeEntries, key, type, seen);
        return type;
    }

    /// <summary>This instance changed the domain (and, deprecating it, its types).</summary>
    public void ForgetDomain(string name)
    {
        Interlocked.Increment(ref generation);
        domainEntries.TryRemove(name, out _);
        foreach (var key in typeEntries.Keys.Where(k => k.Domain == name)) typeEntries.TryRemove(key, out _);
    }

    /// <summary>This instance changed the type.</summary>
    public void ForgetType(string domain, TypeKind kind, string name, string version)
    {
        Interlocked.Increment(ref generation);
        typeEntries.TryRemove((domain, kind, name, version), out _);
    }

    private void Keep<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> entries, TKey key, T value, long seen) where TKey : notnull
    {
        if (Lifetime <= TimeSpan.Zero) return;
        if (entries.Count >= Capacity) entries.Clear();
        entries[key] = new Entry<T>(value, clock.GetUtcNow() + Lifetime);
        // A Forget ran during the read: what was read may be older than the change, so drop it again.
        if (Interlocked.Read(ref generation) != seen) entries.TryRemove(key, out _);
    }
}
