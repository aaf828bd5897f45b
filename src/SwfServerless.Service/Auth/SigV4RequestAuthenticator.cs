using Microsoft.AspNetCore.Http.Features;
using SwfServerless.Core.Faults;
using SwfServerless.Service.Protocol;

namespace SwfServerless.Service.Auth;

/// <summary>
/// Adapts the pure <see cref="SigV4Verifier"/> to the endpoint's <see cref="IRequestAuthenticator"/>: takes the
/// request as ASP.NET Core received it, returns the caller's policy (null when authentication is disabled) and
/// throws the AWS authentication fault otherwise.
/// </summary>
public sealed class SigV4RequestAuthenticator(SigV4Verifier verifier, SignedHost? signedHost = null) : IRequestAuthenticator
{
    private readonly SignedHost _signedHost = signedHost ?? SignedHost.AsReceived;

    public AccessPolicy? Authenticate(HttpRequest request, byte[] body)
    {
        if (verifier.IsDisabled)
            return null;
        var result = verifier.Verify(ToSigV4Request(request, body, _signedHost));
        if (result.Succeeded)
            return result.Principal.Policy;
        // Type "...Exception" becomes __type "com.amazon.coral.service#...Exception", as AWS sends it.
        throw new SwfFault(result.Error.Type, result.Error.Message) { StatusCode = result.Error.HttpStatusCode };
    }

    /// <summary>
    /// What the client signed: the request target as sent (still percent-encoded; <c>Request.Path</c> is decoded),
    /// every header value as received except <c>host</c> when <paramref name="signedHost"/> says the proxy in front
    /// replaced it, and the body bytes already read by the endpoint (read once, used twice).
    /// </summary>
    public static SigV4Request ToSigV4Request(HttpRequest request, byte[] body, SignedHost? signedHost = null)
    {
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target)) // e.g. in-memory test servers
            target = (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        var headers = request.Headers.SelectMany(h => h.Value.Select(v => (h.Key, v)));
        if (signedHost is { RewritesHost: true } && signedHost.Resolve(request.Headers["X-Forwarded-Host"].ToString()) is { } host)
            headers = headers.Where(h => !string.Equals(h.Key, "Host", StringComparison.OrdinalIgnoreCase)).Append(("Host", (string?)host));
        return SigV4Request.FromRawTarget(request.Method, target, headers, body);
    }
}
