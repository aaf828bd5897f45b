namespace SwfServerless.Service.Auth;

/// <summary>
/// Which <c>host</c> value a client signed. SigV4 covers the <c>host</c> header, but under the Functions host the
/// request reaches the isolated worker through the host's HTTP proxy (ASP.NET Core integration), which uses
/// YARP's default transforms: "Suppress the incoming request's Host header. The proxy request will default to the
/// host name specified in the destination server address" (so <c>Host: 127.0.0.1:{port}</c>) and "X-Forwarded-Host -
/// Sets the request's original Host" (YARP documentation, Request and Response Transforms, Defaults).
/// </summary>
/// <remarks>
/// The rule, in order:
/// <list type="number">
/// <item><c>Swf:PublicHostNames</c> set (comma-separated): the signed host is one of them; the last
/// <c>X-Forwarded-Host</c> value picks which when it is in the list, else the first is used. This pins the names a
/// signature may be bound to.</item>
/// <item>under the Functions host (<see cref="Hosting.SwfHostKind.Functions"/>): the last <c>X-Forwarded-Host</c> value, which the host's
/// proxy set from the <c>Host</c> it received (in Azure the front end only routes a request whose <c>Host</c> is one
/// of the app's names); <c>Host</c> when there is none.</item>
/// <item>standalone: <c>Host</c> as received; <c>X-Forwarded-Host</c> is ignored, since any caller can send it.</item>
/// </list>
/// </remarks>
public sealed class SignedHost
{
    private readonly string[] _publicNames;
    private readonly bool _hosted;

    public SignedHost(string? publicHostNames, bool hosted)
    {
        _publicNames = (publicHostNames ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _hosted = hosted;
    }

    /// <summary>Standalone with no public names: the received Host, unchanged.</summary>
    public static SignedHost AsReceived { get; } = new(null, hosted: false);

    public bool RewritesHost => _publicNames.Length > 0 || _hosted;

    /// <summary>The host value to verify the signature against, or null to keep the received <c>Host</c>.</summary>
    public string? Resolve(string? forwardedHost)
    {
        var forwarded = LastValue(forwardedHost);
        if (_publicNames.Length > 0)
            return _publicNames.FirstOrDefault(n => string.Equals(n, forwarded, StringComparison.OrdinalIgnoreCase)) ?? _publicNames[0];
        return _hosted ? forwarded : null;
    }

    // A proxy that appends puts its own value last; one that sets leaves a single value.
    private static string? LastValue(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        var last = header[(header.LastIndexOf(',') + 1)..].Trim();
        return last.Length == 0 ? null : last;
    }
}
