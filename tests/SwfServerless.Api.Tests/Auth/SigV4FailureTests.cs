using SwfServerless.Service.Auth;
using static SwfServerless.Api.Tests.Auth.SigV4TestSupport;

using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Auth;

/// <summary>Each way a request can fail authentication, and the AWS error it maps to.</summary>
public sealed class SigV4FailureTests
{
    private const string Now = "20150830T123600Z";

    // get-vanilla from the AWS test suite (signed for service "service", hence the verifier's service name);
    // each test changes one thing in it.
    private static readonly SigV4Request Vanilla = ParseHttp(
        "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n" +
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
        "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n");

    private static SigV4Result Verify(SigV4Request request) => ExampleVerifier("service", Now).Verify(request);

    private static SigV4Request WithAuthorization(string value) => Vanilla.WithHeader("Authorization", value);

    [Fact]
    public void The_unmodified_vector_verifies() => Assert.True(Verify(Vanilla).Succeeded);

    [Fact]
    public void No_authorization_header_is_a_missing_authentication_token()
    {
        var error = AssertFails(Verify(Vanilla.WithoutHeader("Authorization")),
            SigV4ErrorCode.MissingAuthenticationToken, "Request is missing Authentication Token");

        Assert.Equal("MissingAuthenticationTokenException", error.Type);
        Assert.Equal("com.amazon.coral.service#MissingAuthenticationTokenException", error.QualifiedType);
        Assert.Equal(400, error.HttpStatusCode);
    }

    [Fact]
    public void Presigned_query_authentication_is_not_supported() =>
        AssertFails(Verify(Vanilla.WithoutHeader("Authorization") with
        {
            RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request" +
                       "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
        }), SigV4ErrorCode.MissingAuthenticationToken);

    [Theory]
    [InlineData("AWS AKIDEXAMPLE:c2lnbmF0dXJl", "Unsupported AWS 'algorithm': 'AWS'")]   // Signature Version 2
    [InlineData("Bearer abc", "Unsupported AWS 'algorithm': 'Bearer'")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date",
        "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=")]
    [InlineData("AWS4-HMAC-SHA256 Signature=abc", "Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter.")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        "Credential must have exactly 5 slash-delimited elements")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders, Signature=abc",
        "'SignedHeaders' not a valid key=value pair (missing equal-sign)")]
    public void Malformed_authorization_is_an_incomplete_signature(string authorization, string message)
    {
        var error = AssertFails(Verify(WithAuthorization(authorization)), SigV4ErrorCode.IncompleteSignature, message);

        Assert.Equal(400, error.HttpStatusCode);
    }

    [Fact]
    public void Host_must_be_signed() =>
        AssertFails(Verify(WithAuthorization(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
            SigV4ErrorCode.IncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader'");

    [Fact]
    public void A_date_header_is_required() =>
        AssertFails(Verify(Vanilla.WithoutHeader("X-Amz-Date")),
            SigV4ErrorCode.IncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");

    [Fact]
    public void X_amz_date_must_be_in_basic_format() =>
        AssertFails(Verify(Vanilla.WithHeader("X-Amz-Date", "2015-08-30T12:36:00Z")),
            SigV4ErrorCode.IncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'.");

    [Fact]
    public void Unknown_access_key_is_an_unrecognized_client()
    {
        var error = AssertFails(Verify(WithAuthorization(
                "AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
            SigV4ErrorCode.UnrecognizedClient, "The security token included in the request is invalid.");

        Assert.Equal("com.amazon.coral.service#UnrecognizedClientException", error.QualifiedType);
        Assert.Equal(400, error.HttpStatusCode);
    }

    [Fact]
    public void Access_key_ids_are_case_sensitive() =>
        AssertFails(Verify(WithAuthorization(
                "AWS4-HMAC-SHA256 Credential=akidexample/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
            SigV4ErrorCode.UnrecognizedClient);

    [Fact]
    public void An_empty_key_store_rejects_everything_rather_than_disabling_authentication()
    {
        var verifier = new SigV4Verifier(new AccessKeyStore([]), ManualTime.At(Now), "service");

        Assert.False(verifier.IsDisabled);
        AssertFails(verifier.Verify(Vanilla), SigV4ErrorCode.UnrecognizedClient);
    }

    [Theory]
    [InlineData("AKIDEXAMPLE/20150830/us-east-1/swf/aws4_request", "Credential should be scoped to correct service: 'service'.")]
    [InlineData("AKIDEXAMPLE/20150830/us-east-1/service/aws3_request", "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws3_request'.")]
    [InlineData("AKIDEXAMPLE/20150831/us-east-1/service/aws4_request", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'.")]
    [InlineData("AKIDEXAMPLE/20150830//service/aws4_request", "Credential should be scoped to a valid region")]
    public void Wrong_credential_scope_is_an_invalid_signature(string credential, string message) =>
        AssertFails(Verify(WithAuthorization(
                $"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
            SigV4ErrorCode.InvalidSignature, message);

    [Fact]
    public void The_swf_verifier_requires_the_swf_service_in_the_scope()
    {
        var swf = new SigV4Verifier(Keys((ExampleKeyId, ExampleSecret, null)), ManualTime.At(Now));

        AssertFails(swf.Verify(Vanilla), SigV4ErrorCode.InvalidSignature, "Credential should be scoped to correct service: 'swf'.");
    }

    [Theory]
    [InlineData("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30")] // last digit changed
    [InlineData("5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31")] // hex case matters, as at AWS
    [InlineData("5fa00fa3")]
    [InlineData("")]
    public void Wrong_signature_is_an_invalid_signature(string signature)
    {
        var result = Verify(WithAuthorization(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}"));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Error.Code, new[] { SigV4ErrorCode.InvalidSignature, SigV4ErrorCode.IncompleteSignature });
        if (signature.Length > 0)
            Assert.Equal(
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                result.Error.Message);
    }

    [Fact]
    public void A_rotated_secret_is_used_at_once_though_signing_keys_are_kept()
    {
        var keys = new RotatingKeys { Secret = ExampleSecret };
        var verifier = new SigV4Verifier(keys, ManualTime.At(Now), "service");
        Assert.True(verifier.Verify(Vanilla).Succeeded);

        keys.Secret = "a-new-secret";
        AssertFails(verifier.Verify(Vanilla), SigV4ErrorCode.InvalidSignature, "The request signature we calculated does not match");

        keys.Secret = ExampleSecret;
        Assert.True(verifier.Verify(Vanilla).Succeeded);
    }

    private sealed class RotatingKeys : IAccessKeyStore
    {
        public required string Secret { get; set; }
        public AccessKey? Find(string accessKeyId) =>
            accessKeyId == ExampleKeyId ? new AccessKey(ExampleKeyId, Secret, AccessPolicy.AllowAll) : null;
    }

    [Fact]
    public void Changing_the_host_breaks_the_signature() =>
        AssertFails(Verify(Vanilla.WithHeader("Host", "evil.example.com")), SigV4ErrorCode.InvalidSignature);

    [Fact]
    public void Changing_the_path_or_query_breaks_the_signature()
    {
        AssertFails(Verify(Vanilla with { RawPath = "/other" }), SigV4ErrorCode.InvalidSignature);
        AssertFails(Verify(Vanilla with { RawQuery = "a=1" }), SigV4ErrorCode.InvalidSignature);
        AssertFails(Verify(Vanilla with { Method = "POST" }), SigV4ErrorCode.InvalidSignature);
    }

    [Fact]
    public void Two_authorization_headers_are_rejected()
    {
        var doubled = Vanilla with
        {
            Headers = SigV4Request.HeaderMap(Vanilla.Headers.SelectMany(h => h.Value.Select(v => (h.Key, (string?)v)))
                .Append(("Authorization", Vanilla.Header("Authorization")))),
        };

        AssertFails(Verify(doubled), SigV4ErrorCode.IncompleteSignature);
    }

    [Fact]
    public void Disabled_mode_accepts_anything_as_anonymous()
    {
        var result = SigV4Verifier.Disabled.Verify(Vanilla.WithoutHeader("Authorization"));

        Assert.True(SigV4Verifier.Disabled.IsDisabled);
        Assert.True(result.Succeeded);
        Assert.True(result.Principal.IsAnonymous);
        Assert.True(result.Principal.Policy.Allows("TerminateWorkflowExecution", "any-domain"));
    }

    [Fact]
    public void FromOptions_is_disabled_only_when_no_keys_are_configured()
    {
        Assert.Same(SigV4Verifier.Disabled, SigV4Verifier.FromOptions(null, TimeProvider.System));
        Assert.Same(SigV4Verifier.Disabled, SigV4Verifier.FromOptions([], TimeProvider.System));

        var configured = SigV4Verifier.FromOptions(
            [new AccessKeyOptions { AccessKeyId = "AKIDEXAMPLE", SecretAccessKey = ExampleSecret }], ManualTime.At(Now));
        Assert.False(configured.IsDisabled);
        AssertFails(configured.Verify(Vanilla.WithoutHeader("Authorization")), SigV4ErrorCode.MissingAuthenticationToken);
    }

    [Theory]
    [InlineData("", "secret")]          // e.g. a misspelt AccessKeyId setting
    [InlineData("AKID", "")]
    public void Incomplete_key_configuration_fails_at_startup(string id, string secret) =>
        Assert.Throws<ArgumentException>(() => SigV4Verifier.FromOptions(
            [new AccessKeyOptions { AccessKeyId = id, SecretAccessKey = secret }], TimeProvider.System));

    [Fact]
    public void Duplicate_keys_fail_at_startup() =>
        Assert.Throws<ArgumentException>(() => AccessKeyStore.FromOptions(
        [
            new AccessKeyOptions { AccessKeyId = "AKID", SecretAccessKey = "a" },
            new AccessKeyOptions { AccessKeyId = "AKID", SecretAccessKey = "b" },
        ]));

    [Fact]
    public void The_secret_does_not_leak_through_ToString() =>
        Assert.DoesNotContain(ExampleSecret, new AccessKey(ExampleKeyId, ExampleSecret, AccessPolicy.AllowAll).ToString());
}
