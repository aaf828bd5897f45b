using System.Diagnostics.CodeAnalysis;

namespace SwfServerless.Service.Auth;

/// <summary>The authentication faults AWS's JSON-protocol (Coral) services answer with.</summary>
public enum SigV4ErrorCode
{
    /// <summary>No Authorization header at all (query-string/presigned auth is not supported, so it counts as none).</summary>
    MissingAuthenticationToken,

    /// <summary>The Authorization header or the date header is malformed or incomplete.</summary>
    IncompleteSignature,

    /// <summary>The access key id is not one of the configured keys.</summary>
    UnrecognizedClient,

    /// <summary>Wrong signature, wrong credential scope, or a request time outside the allowed clock skew.</summary>
    InvalidSignature,
}

/// <summary>An authentication failure, ready to be written as an AWS JSON error body.</summary>
public sealed record SigV4Error(SigV4ErrorCode Code, string Message)
{
    /// <summary>Short error type, e.g. <c>InvalidSignatureException</c> (what SDKs show as the error code).</summary>
    public string Type => Code + "Exception";

    /// <summary>
    /// The <c>__type</c> value AWS sends for these faults, e.g. <c>com.amazon.coral.service#InvalidSignatureException</c>.
    /// SDKs strip everything up to '#', so either form is understood.
    /// </summary>
    public string QualifiedType => "com.amazon.coral.service#" + Type;

    /// <summary>
    /// AWS JSON 1.0/1.1 services (DynamoDB, SWF, Kinesis, Cognito...) answer every one of these with 400 Bad Request,
    /// including InvalidSignatureException and "Signature expired"; only REST services (API Gateway, Lambda, Glacier) use 403.
    /// </summary>
    public int HttpStatusCode => 400;
}

/// <summary>Outcome of <see cref="SigV4Verifier.Verify"/>: either a principal or an error, never an exception.</summary>
public sealed record SigV4Result
{
    public SwfPrincipal? Principal { get; private init; }
    public SigV4Error? Error { get; private init; }

    /// <summary>
    /// Set when the signature was computed but did not match: what this service signed, so a debug log can be
    /// compared with the client's own (botocore logs its canonical request at DEBUG). Contains no secrets.
    /// </summary>
    public string? CanonicalRequest { get; private init; }
    public string? StringToSign { get; private init; }

    [MemberNotNullWhen(true, nameof(Principal))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Principal is not null;

    public static SigV4Result Success(SwfPrincipal principal) => new() { Principal = principal };

    public static SigV4Result Failure(SigV4ErrorCode code, string message, string? canonicalRequest = null, string? stringToSign = null) =>
        new() { Error = new SigV4Error(code, message), CanonicalRequest = canonicalRequest, StringToSign = stringToSign };
}
