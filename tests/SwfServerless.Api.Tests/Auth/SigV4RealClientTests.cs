using System.Text;
using SwfServerless.Service.Auth;
using static SwfServerless.Api.Tests.Auth.SigV4TestSupport;

using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Auth;

/// <summary>
/// Requests signed by real AWS clients, captured verbatim by a recording HTTP server (Fixtures/*.json):
/// the AWS SDK for JavaScript v3 (signs its x-amz-content-sha256, content-length and amz-sdk-* headers),
/// botocore (signs a session token) and the AWS CLI v2. The clock is frozen at each capture's date.
/// </summary>
public sealed class SigV4RealClientTests
{
    public static TheoryData<string> Fixtures =>
    [
        "js-v3-start-workflow-execution.json",
        "botocore-poll-for-activity-task.json",
        "awscli-list-domains.json",
    ];

    [Theory, MemberData(nameof(Fixtures))]
    public void Captured_request_verifies(string fixture)
    {
        var captured = CapturedRequest.Load(fixture);

        var result = captured.Verifier().Verify(captured.Request);

        Assert.True(result.Succeeded, $"{captured.Client}: {result.Error?.Message}\n{result.CanonicalRequest}");
        Assert.Equal(captured.AccessKeyId, result.Principal.AccessKeyId);
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void Tampered_body_is_rejected(string fixture)
    {
        var captured = CapturedRequest.Load(fixture);
        var body = captured.Request.Body.ToArray();
        body[^2] ^= 0x01; // flip one bit near the end of the JSON

        var result = captured.Verifier().Verify(captured.Request with { Body = body });

        // JS v3 also sends x-amz-content-sha256, which now disagrees with the body; either way: InvalidSignature.
        AssertFails(result, SigV4ErrorCode.InvalidSignature);
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void Tampered_signed_header_is_rejected(string fixture)
    {
        var captured = CapturedRequest.Load(fixture);
        var request = captured.Request.WithHeader("X-Amz-Target", "SimpleWorkflowService.TerminateWorkflowExecution");

        var result = captured.Verifier().Verify(request);

        AssertFails(result, SigV4ErrorCode.InvalidSignature, "The request signature we calculated does not match");
        Assert.Contains("x-amz-target:SimpleWorkflowService.TerminateWorkflowExecution", result.CanonicalRequest);
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void Tampered_date_is_rejected(string fixture)
    {
        var captured = CapturedRequest.Load(fixture);
        var later = ManualTime.At(captured.AmzDate).GetUtcNow().AddSeconds(1).ToString("yyyyMMdd'T'HHmmss'Z'");

        var result = captured.Verifier().Verify(captured.Request.WithHeader("X-Amz-Date", later));

        AssertFails(result, SigV4ErrorCode.InvalidSignature, "The request signature we calculated does not match");
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void Wrong_secret_is_rejected(string fixture)
    {
        var captured = CapturedRequest.Load(fixture);
        var verifier = new SigV4Verifier(Keys((captured.AccessKeyId, captured.SecretAccessKey + "x", null)), ManualTime.At(captured.AmzDate));

        AssertFails(verifier.Verify(captured.Request), SigV4ErrorCode.InvalidSignature);
    }

    [Fact]
    public void Unsigned_headers_may_change_in_transit()
    {
        // botocore does not sign User-Agent or Accept-Encoding; proxies may rewrite those freely.
        var captured = CapturedRequest.Load("botocore-poll-for-activity-task.json");
        var request = captured.Request.WithHeader("User-Agent", "rewritten").WithHeader("X-Forwarded-For", "10.0.0.1");

        Assert.True(captured.Verifier().Verify(request).Succeeded);
    }

    [Fact]
    public void Header_names_are_matched_case_insensitively_and_values_trimmed()
    {
        var captured = CapturedRequest.Load("awscli-list-domains.json");
        var request = captured.Request
            .WithoutHeader("X-Amz-Target")
            .WithHeader("x-AMZ-target", "  SimpleWorkflowService.ListDomains ");

        Assert.True(captured.Verifier().Verify(request).Succeeded);
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void Within_fifteen_minutes_of_the_server_clock_is_accepted(string fixture)
    {
        var captured = CapturedRequest.Load(fixture);
        var t = ManualTime.At(captured.AmzDate).GetUtcNow();

        foreach (var now in new[] { t.AddMinutes(15), t.AddMinutes(-15) })
            Assert.True(new SigV4Verifier(Keys((captured.AccessKeyId, captured.SecretAccessKey, null)), new ManualTime(now))
                .Verify(captured.Request).Succeeded);
    }

    [Fact]
    public void A_request_older_than_fifteen_minutes_has_an_expired_signature()
    {
        var captured = CapturedRequest.Load("awscli-list-domains.json"); // signed at 20261121T105005Z

        var error = AssertFails(captured.Verifier(now: "20261121T110506Z").Verify(captured.Request), SigV4ErrorCode.InvalidSignature);

        Assert.Equal(
            "Signature expired: 20261121T105005Z is now earlier than 20261121T105006Z (20261121T110506Z - 15 min.)",
            error.Message);
    }

    [Fact]
    public void A_request_more_than_fifteen_minutes_ahead_is_not_yet_current()
    {
        var captured = CapturedRequest.Load("awscli-list-domains.json");

        var error = AssertFails(captured.Verifier(now: "20261121T103504Z").Verify(captured.Request), SigV4ErrorCode.InvalidSignature);

        Assert.Equal(
            "Signature not yet current: 20261121T105005Z is still later than 20261121T105004Z (20261121T103504Z + 15 min.)",
            error.Message);
    }

    [Fact]
    public void Js_sdk_body_hash_header_must_match_the_body()
    {
        var captured = CapturedRequest.Load("js-v3-start-workflow-execution.json");
        var forged = Encoding.UTF8.GetBytes("{\"domain\":\"other\"}");

        var result = captured.Verifier().Verify(captured.Request with { Body = forged });

        AssertFails(result, SigV4ErrorCode.InvalidSignature, "The provided 'x-amz-content-sha256' header does not match");
    }
}
