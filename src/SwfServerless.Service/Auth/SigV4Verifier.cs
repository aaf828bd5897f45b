using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SwfServerless.Service.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 (<c>Authorization: AWS4-HMAC-SHA256 ...</c> header) the way AWS services do,
/// against the configured access keys. Pure: no I/O, the clock comes from a <see cref="TimeProvider"/>.
/// Query-string (presigned) authentication is deliberately not supported: no SWF client uses it.
/// </summary>
public sealed class SigV4Verifier
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>How far the request time may be from the server clock, either way (AWS: 15 minutes).</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(15);

    private const string Terminator = "aws4_request";
    private const string BasicFormat = "yyyyMMdd'T'HHmmss'Z'";

    private readonly IAccessKeyStore? _keys;   // null only in Disabled mode
    private readonly TimeProvider _time;
    private readonly string _service;

    /// <param name="keys">The accepted keys. An empty store rejects everything; it never means "disabled".</param>
    /// <param name="time">The server clock.</param>
    /// <param name="service">The service name the credential scope must carry; <c>swf</c> except in signing test vectors.</param>
    public SigV4Verifier(IAccessKeyStore keys, TimeProvider time, string service = "swf")
    {
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _service = service;
    }

    private SigV4Verifier()
    {
        _time = TimeProvider.System;
        _service = "swf";
    }

    /// <summary>
    /// Authentication disabled (development mode, chosen when no access keys are configured): every request is
    /// accepted as <see cref="SwfPrincipal.Anonymous"/>, signed or not. The host should log a warning at startup.
    /// </summary>
    public static SigV4Verifier Disabled { get; } = new();

    public bool IsDisabled => _keys is null;

    /// <summary>
    /// The verifier for the configured keys: <see cref="Disabled"/> when none are configured at all, otherwise a
    /// verifier that only accepts those keys. Throws <see cref="ArgumentException"/> on invalid key configuration.
    /// </summary>
    public static SigV4Verifier FromOptions(IEnumerable<AccessKeyOptions>? keys, TimeProvider time)
    {
        var list = keys?.ToList() ?? [];
        return list.Count == 0 ? Disabled : new SigV4Verifier(AccessKeyStore.FromOptions(list), time);
    }

    public SigV4Result Verify(SigV4Request request)
    {
        if (_keys is null)
            return SigV4Result.Success(SwfPrincipal.Anonymous);

        var headers = LowerCaseHeaders(request.Headers);

        if (!headers.TryGetValue("authorization", out var authorizations) || string.IsNullOrWhiteSpace(authorizations[0]))
            return Fail(SigV4ErrorCode.MissingAuthenticationToken, "Request is missing Authentication Token");
        if (authorizations.Count > 1)
            return Fail(SigV4ErrorCode.IncompleteSignature, "Request must contain exactly one Authorization header.");

        var authorization = authorizations[0].Trim();
        if (!TryParseAuthorization(authorization, out var auth, out var malformed))
            return Fail(SigV4ErrorCode.IncompleteSignature, malformed);

        // Host binds the signature to this endpoint; without it a signature could be replayed against another host.
        if (!auth.SignedHeaders.Contains("host"))
            return Fail(SigV4ErrorCode.IncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

        // The request time: X-Amz-Date (ISO 8601 basic format) or, failing that, the HTTP Date header.
        string amzDate;
        DateTimeOffset requestTime;
        if (headers.TryGetValue("x-amz-date", out var xAmzDate))
        {
            amzDate = xAmzDate[0].Trim();
            if (!DateTimeOffset.TryParseExact(amzDate, BasicFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out requestTime))
                return Fail(SigV4ErrorCode.IncompleteSignature,
                    $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }
        else if (headers.TryGetValue("date", out var httpDate))
        {
            if (!TryParseHttpDate(httpDate[0], out requestTime))
                return Fail(SigV4ErrorCode.IncompleteSignature,
                    $"Date must be in RFC 1123 format (e.g. 'Mon, 09 Sep 2011 23:36:00 GMT'). Got '{httpDate[0]}'.");
            amzDate = requestTime.UtcDateTime.ToString(BasicFormat, CultureInfo.InvariantCulture);
        }
        else
        {
            return Fail(SigV4ErrorCode.IncompleteSignature,
                $"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={authorization}");
        }

        // Credential scope: keyid/date/region/service/aws4_request. The region is not checked: this service has
        // none of its own, clients sign with whatever region they are configured with, and the signing key
        // derivation binds the signature to it anyway.
        var scope = auth.Credential;
        if (scope.Date != amzDate[..8])
            return Fail(SigV4ErrorCode.InvalidSignature,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope.Date}' != '{amzDate[..8]}', from '{amzDate}'.");
        if (scope.Region.Length == 0)
            return Fail(SigV4ErrorCode.InvalidSignature, "Credential should be scoped to a valid region, not ''. ");
        if (scope.Service != _service)
            return Fail(SigV4ErrorCode.InvalidSignature, $"Credential should be scoped to correct service: '{_service}'. ");
        if (scope.Terminator != Terminator)
            return Fail(SigV4ErrorCode.InvalidSignature,
                $"Credential should be scoped with a valid terminator: '{Terminator}', not '{scope.Terminator}'. ");

        if (_keys.Find(scope.AccessKeyId) is not { } key)
            return Fail(SigV4ErrorCode.UnrecognizedClient, "The security token included in the request is invalid.");

        // Bounds replay of a captured request to the skew window. Same wording as AWS, which SDKs (JS v3, Java)
        // recognise to correct their clock offset from the response's Date header and retry.
        var now = _time.GetUtcNow();
        if (requestTime < now - AllowedClockSkew)
            return Fail(SigV4ErrorCode.InvalidSignature,
                $"Signature expired: {amzDate} is now earlier than {Basic(now - AllowedClockSkew)} ({Basic(now)} - 15 min.)");
        if (requestTime > now + AllowedClockSkew)
            return Fail(SigV4ErrorCode.InvalidSignature,
                $"Signature not yet current: {amzDate} is still later than {Basic(now + AllowedClockSkew)} ({Basic(now)} + 15 min.)");

        // The payload hash is always computed from the body actually received. A client-supplied
        // x-amz-content-sha256 (JS v3 sends one) must agree; "UNSIGNED-PAYLOAD" is an S3-only feature.
        var payloadHash = Hex(SHA256.HashData(request.Body.Span));
        if (headers.TryGetValue("x-amz-content-sha256", out var claimed) &&
            !string.Equals(claimed[0].Trim(), payloadHash, StringComparison.OrdinalIgnoreCase))
            return Fail(SigV4ErrorCode.InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.");

        var canonicalRequest = CanonicalRequest(request, headers, auth.SignedHeaders, payloadHash);
        var credentialScope = $"{scope.Date}/{scope.Region}/{scope.Service}/{Terminator}";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{credentialScope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var signingKey = CachedSigningKey(key.SecretAccessKey, scope.Date, scope.Region, scope.Service);
        var expected = Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

        // Constant time, so response timing reveals nothing about how much of a forged signature was right.
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(auth.Signature)))
            return SigV4Result.Failure(SigV4ErrorCode.InvalidSignature,
                "The request signature we calculated does not match the signature you provided. " +
                "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                canonicalRequest, stringToSign);

        return SigV4Result.Success(new SwfPrincipal(key.AccessKeyId, key.Policy));
    }

    // ----- canonical request -------------------------------------------------------------------------------

    /// <summary>
    /// CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HexPayloadHash.
    /// Internal so tests can compare against published canonical requests.
    /// </summary>
    internal static string CanonicalRequest(
        SigV4Request request, IReadOnlyDictionary<string, IReadOnlyList<string>> lowerCaseHeaders,
        IReadOnlyList<string> signedHeaders, string payloadHash)
    {
        var sb = new StringBuilder();
        sb.Append(request.Method).Append('\n');
        sb.Append(CanonicalUri(request.RawPath)).Append('\n');
        sb.Append(CanonicalQuery(request.RawQuery)).Append('\n');
        foreach (var name in signedHeaders)
        {
            // Values of a repeated header are joined with commas; each is trimmed and its inner runs of
            // whitespace collapsed to one space. A signed header that is absent signs as empty (and won't match).
            var values = lowerCaseHeaders.TryGetValue(name, out var v) ? v : [];
            sb.Append(name).Append(':').AppendJoin(',', values.Select(TrimAll)).Append('\n');
        }
        sb.Append('\n');
        sb.AppendJoin(';', signedHeaders).Append('\n');
        sb.Append(payloadHash);
        return sb.ToString();
    }

    /// <summary>
    /// The path as sent, with dot segments and empty segments removed (what botocore and the JS SDK sign for
    /// every service but S3), then URI-encoded once more. Because the wire path is already encoded once, this is
    /// the "double encoding" AWS requires for non-S3 services (a space is %20 on the wire and %2520 when signed).
    /// </summary>
    internal static string CanonicalUri(string rawPath)
    {
        if (string.IsNullOrEmpty(rawPath))
            return "/";
        var segments = new List<string>();
        foreach (var segment in rawPath.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
                continue;
            if (segment == "..")
            {
                if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        var path = "/" + string.Join('/', segments) + (segments.Count > 0 && rawPath.EndsWith('/') ? "/" : "");
        return UriEncode(path, keepSlash: true);
    }

    /// <summary>Parameters decoded, re-encoded the SigV4 way, sorted by name then value (ordinal), joined by '&amp;'.</summary>
    internal static string CanonicalQuery(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery))
            return "";
        if (rawQuery[0] == '?')
            rawQuery = rawQuery[1..];
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            // '+' stays a plus: SigV4 clients encode spaces as %20, never as '+'.
            var name = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            pairs.Add((UriEncode(name, keepSlash: false), UriEncode(value, keepSlash: false)));
        }
        pairs.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>RFC 3986 encoding as SigV4 defines it: only A-Z a-z 0-9 - _ . ~ (and '/' in paths) stay literal; UTF-8 bytes as %XX.</summary>
    internal static string UriEncode(string value, bool keepSlash)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>
    /// A signing key changes once a day per key, region and service, and takes four HMACs to derive: kept, as AWS's own
    /// signers keep theirs. Keyed by the secret itself, so a key whose secret is rotated derives afresh.
    /// </summary>
    private byte[] CachedSigningKey(string secret, string date, string region, string service)
    {
        var id = (secret, date, region, service);
        if (_signingKeys.TryGetValue(id, out var cached)) return cached;
        if (_signingKeys.Count >= MaxSigningKeys) _signingKeys.Clear(); // yesterday's keys, or a flood of made-up regions
        return _signingKeys[id] = SigningKey(secret, date, region, service);
    }

    private const int MaxSigningKeys = 256;
    private readonly ConcurrentDictionary<(string Secret, string Date, string Region, string Service), byte[]> _signingKeys = new();

    internal static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var kDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        var kRegion = HMACSHA256.HashData(kDate, Encoding.UTF8.GetBytes(region));
        var kService = HMACSHA256.HashData(kRegion, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(kService, Encoding.UTF8.GetBytes(Terminator));
    }

    /// <summary>
    /// RFC 1123 dates ("Mon, 09 Sep 2011 23:36:00 GMT"). The weekday is skipped rather than checked: .NET rejects a
    /// wrong one, but it carries no information, and the AWS test suite itself dates a Friday as "Mon".
    /// </summary>
    private static bool TryParseHttpDate(string value, out DateTimeOffset time)
    {
        var comma = value.IndexOf(',');
        return DateTimeOffset.TryParseExact(value[(comma + 1)..].Trim(), "dd MMM yyyy HH:mm:ss 'GMT'",
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    private static string TrimAll(string value) =>
        string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Basic(DateTimeOffset t) => t.UtcDateTime.ToString(BasicFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Merges header names case-insensitively whatever comparer the caller's dictionary uses, and drops headers
    /// without values, so that every list read later has at least one element.
    /// </summary>
    internal static IReadOnlyDictionary<string, IReadOnlyList<string>> LowerCaseHeaders(
        IReadOnlyDictionary<string, IReadOnlyList<string>> headers)
    {
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in headers)
        {
            if (values.Count == 0)
                continue;
            var lower = name.Trim().ToLowerInvariant();
            map[lower] = map.TryGetValue(lower, out var existing) ? [.. existing, .. values] : values;
        }
        return map;
    }

    private static SigV4Result Fail(SigV4ErrorCode code, string message) => SigV4Result.Failure(code, message);

    // ----- Authorization header ----------------------------------------------------------------------------

    private sealed record Scope(string AccessKeyId, string Date, string Region, string Service, string Terminator);

    private sealed record ParsedAuthorization(Scope Credential, IReadOnlyList<string> SignedHeaders, string Signature);

    /// <summary>
    /// Parses <c>AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/swf/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex</c>.
    /// When malformed, <paramref name="error"/> says why in AWS's IncompleteSignature wording.
    /// </summary>
    private static bool TryParseAuthorization(
        string authorization, [NotNullWhen(true)] out ParsedAuthorization? parsed, out string error)
    {
        parsed = null;
        error = "";
        var space = authorization.IndexOf(' ');
        var algorithm = space < 0 ? authorization : authorization[..space];
        if (algorithm != Algorithm)
        {
            error = $"Unsupported AWS 'algorithm': '{algorithm}'. Only '{Algorithm}' (Signature Version 4) is supported.";
            return false;
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[(space + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq < 0)
            {
                error = $"'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'.";
                return false;
            }
            var value = part[(eq + 1)..].Trim();
            switch (part[..eq].Trim())
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }

        var missing = new StringBuilder();
        if (string.IsNullOrEmpty(credential)) missing.Append("Authorization header requires 'Credential' parameter. ");
        if (string.IsNullOrEmpty(signature)) missing.Append("Authorization header requires 'Signature' parameter. ");
        if (string.IsNullOrEmpty(signedHeaders)) missing.Append("Authorization header requires 'SignedHeaders' parameter. ");
        if (missing.Length > 0)
        {
            error = $"{missing}Authorization={authorization}";
            return false;
        }

        var scope = credential!.Split('/');
        if (scope.Length != 5)
        {
            error = $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'";
            return false;
        }

        var names = signedHeaders!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant())
            .ToArray();
        parsed = new ParsedAuthorization(new Scope(scope[0], scope[1], scope[2], scope[3], scope[4]), names, signature!);
        return true;
    }
}
