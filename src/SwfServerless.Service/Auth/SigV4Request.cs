namespace SwfServerless.Service.Auth;

/// <summary>
/// The parts of an HTTP request that Signature Version 4 covers, exactly as they arrived on the wire.
/// Plain types on purpose: the verifier does not depend on ASP.NET Core, so it can be tested without a host.
/// </summary>
/// <param name="Method">HTTP method as sent (e.g. <c>POST</c>).</param>
/// <param name="RawPath">The path as sent, still percent-encoded (not ASP.NET's decoded <c>Request.Path</c>).</param>
/// <param name="RawQuery">The raw query string, with or without the leading <c>?</c>; null or empty when there is none.</param>
/// <param name="Headers">Every header and all of its values in arrival order. Looked up case-insensitively.</param>
/// <param name="Body">The exact body bytes; their SHA-256 is part of the signature.</param>
public sealed record SigV4Request(
    string Method,
    string RawPath,
    string? RawQuery,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Headers,
    ReadOnlyMemory<byte> Body)
{
    /// <summary>Builds a request from an HTTP request target (<c>/path?query</c>, e.g. ASP.NET's <c>IHttpRequestFeature.RawTarget</c>).</summary>
    public static SigV4Request FromRawTarget(
        string method, string rawTarget, IEnumerable<(string Name, string? Value)> headers, ReadOnlyMemory<byte> body)
    {
        var q = rawTarget.IndexOf('?');
        return new SigV4Request(
            method,
            q < 0 ? rawTarget : rawTarget[..q],
            q < 0 ? null : rawTarget[(q + 1)..],
            HeaderMap(headers),
            body);
    }

    /// <summary>
    /// Groups (name, value) pairs into a case-insensitive multi-map, keeping the order of repeated headers
    /// (SigV4 joins repeated values with commas in arrival order).
    /// From ASP.NET: <c>HeaderMap(request.Headers.SelectMany(h => h.Value.Select(v => (h.Key, v))))</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> HeaderMap(IEnumerable<(string Name, string? Value)> headers)
    {
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (!map.TryGetValue(name, out var values))
                map[name] = values = new List<string>();
            ((List<string>)values).Add(value ?? "");
        }
        return map;
    }
}
