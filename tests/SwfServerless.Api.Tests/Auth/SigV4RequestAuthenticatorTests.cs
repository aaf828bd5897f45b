using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using SwfServerless.Core.Faults;
using SwfServerless.Service.Auth;

using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Auth;

/// <summary>The ASP.NET Core adapter: a captured request replayed through an <see cref="HttpRequest"/>.</summary>
public sealed class SigV4RequestAuthenticatorTests
{
    private static HttpRequest AsHttpRequest(CapturedRequest captured, string? rawTarget = "/")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = captured.Request.Method;
        context.Request.Path = "/";
        if (rawTarget is not null)
            context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        foreach (var (name, values) in captured.Request.Headers)
            context.Request.Headers.Append(name, values.ToArray());
        return context.Request;
    }

    [Theory]
    [InlineData("/")]
    [InlineData(null)] // no raw target (in-memory servers): rebuilt from PathBase, Path and QueryString
    public void A_valid_signature_yields_the_key_policy(string? rawTarget)
    {
        var captured = CapturedRequest.Load("js-v3-start-workflow-execution.json");
        var policy = new AccessPolicy(actions: ["StartWorkflowExecution"], domains: ["orders"]);
        var verifier = new SigV4Verifier(new AccessKeyStore([new AccessKey(captured.AccessKeyId, captured.SecretAccessKey, policy)]),
            ManualTime.At(captured.AmzDate));

        var granted = new SigV4RequestAuthenticator(verifier).Authenticate(AsHttpRequest(captured, rawTarget), captured.Request.Body.ToArray());

        Assert.Same(policy, granted);
    }

    [Fact]
    public void A_bad_signature_throws_the_aws_fault()
    {
        var captured = CapturedRequest.Load("botocore-poll-for-activity-task.json");
        var body = captured.Request.Body.ToArray();
        body[0] = (byte)' ';

        var fault = Assert.Throws<SwfFault>(() =>
            new SigV4RequestAuthenticator(captured.Verifier()).Authenticate(AsHttpRequest(captured), body));

        Assert.Equal("InvalidSignatureException", fault.Type);
        Assert.Equal("com.amazon.coral.service#InvalidSignatureException", fault.WireType);
        Assert.Equal(400, fault.StatusCode);
    }

    [Fact]
    public void Disabled_authentication_returns_no_policy()
    {
        var captured = CapturedRequest.Load("awscli-list-domains.json");

        Assert.Null(new SigV4RequestAuthenticator(SigV4Verifier.Disabled).Authenticate(AsHttpRequest(captured), []));
    }
}
