using System.Security.Cryptography;
using System.Text;
using SwfServerless.Service.Auth;
using static SwfServerless.Api.Tests.Auth.SigV4TestSupport;

namespace SwfServerless.Api.Tests.Auth;

/// <summary>
/// Published AWS vectors, reproduced exactly: the AWS SigV4 test suite (2015 edition, service "service", and the
/// 2011 edition still shipped with botocore/aws-cli under tests/unit/auth/aws4_testsuite, service "host", which
/// dates requests with the HTTP Date header) and the IAM ListUsers example of the SigV4 documentation.
/// A signature cannot match by accident, so each verified vector proves the whole chain.
/// </summary>
public sealed class SigV4TestVectorTests
{
    private const string Date2015 = "20150830T123600Z";

    [Theory]
    // get-vanilla
    [InlineData("GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
        "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    // get-vanilla-query-order-key-case: parameters are sorted before signing
    [InlineData("GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
        "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    // get-utf8: non-ASCII path bytes are percent-encoded
    [InlineData("GET /\u1234 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
        "host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")]
    // post-x-www-form-urlencoded: the body hash is signed
    [InlineData("POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\nParam1=value1",
        "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")]
    public void Aws_test_suite_2015_vectors_verify(string http, string signedHeaders, string signature)
    {
        var request = ParseHttp(http).WithHeader("Authorization",
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}");

        var result = ExampleVerifier("service", Date2015).Verify(request);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(ExampleKeyId, result.Principal.AccessKeyId);
    }

    [Theory]
    // get-vanilla-query-order-key-case (2011): repeated names sorted by value
    [InlineData("GET /?foo=Zoo&foo=aha http/1.1\nDate:Mon, 09 Sep 2011 23:36:00 GMT\nHost:host.foo.com\n" +
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, SignedHeaders=date;host, Signature=be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09\n\n")]
    // get-header-value-trim (2011): upper-case header name, value with surrounding spaces
    [InlineData("POST / http/1.1\nDATE:Mon, 09 Sep 2011 23:36:00 GMT\nhost:host.foo.com\np: phfft \n" +
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, SignedHeaders=date;host;p, Signature=debf546796015d6f6ded8626f5ce98597c33b47b9164cf6b17b4642036fcb592\n\n")]
    // get-vanilla-ut8-query (2011): non-ASCII query name
    [InlineData("GET /?\u1234=bar http/1.1\nDate:Mon, 09 Sep 2011 23:36:00 GMT\nHost:host.foo.com\n" +
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, SignedHeaders=date;host, Signature=6fb359e9a05394cc7074e0feb42573a2601abc0c869a953e8c5c12e4e01f1a8c\n\n")]
    public void Aws_test_suite_2011_vectors_signed_with_the_Date_header_verify(string signedHttp)
    {
        var result = ExampleVerifier("host", "20110909T233600Z").Verify(ParseHttp(signedHttp));

        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public void Iam_ListUsers_example_reproduces_the_documented_canonical_request_signing_key_and_signature()
    {
        var request = ParseHttp(
            "GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\n" +
            "Content-Type:application/x-www-form-urlencoded; charset=utf-8\n" +
            "Host:iam.amazonaws.com\n" +
            "X-Amz-Date:20150830T123600Z\n\n");
        var headers = SigV4Verifier.LowerCaseHeaders(request.Headers);
        var emptyHash = Convert.ToHexStringLower(SHA256.HashData([]));

        var canonical = SigV4Verifier.CanonicalRequest(request, headers, ["content-type", "host", "x-amz-date"], emptyHash);

        Assert.Equal(
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n" +
            "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
            "content-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            canonical);
        Assert.Equal("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        Assert.Equal("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
            Convert.ToHexStringLower(SigV4Verifier.SigningKey(ExampleSecret, "20150830", "us-east-1", "iam")));

        var signed = request.WithHeader("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
        var result = ExampleVerifier("iam", Date2015).Verify(signed);
        Assert.True(result.Succeeded, result.Error?.Message);
    }

    [Fact]
    public void Repeated_headers_are_joined_in_order_and_values_trimmed()
    {
        // get-header-key-duplicate and get-header-value-multiline/trim of the 2015 suite, in one request.
        var request = ParseHttp(
            "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:  value2\nmy-header1:value1\n" +
            "My-Header2: a   b \t c \nX-Amz-Date:20150830T123600Z\n\n");

        var canonical = SigV4Verifier.CanonicalRequest(request, SigV4Verifier.LowerCaseHeaders(request.Headers),
            ["host", "my-header1", "my-header2", "x-amz-date"], "hash");

        Assert.Contains("\nmy-header1:value2,value2,value1\nmy-header2:a b c\n", canonical);
    }

    [Fact]
    public void A_raw_target_splits_into_path_and_query()
    {
        var request = SigV4Request.FromRawTarget("GET", "/a%20b/?x=1&y", [("Host", "h")], default);

        Assert.Equal("/a%20b/", request.RawPath);
        Assert.Equal("x=1&y", request.RawQuery);
        Assert.Equal("h", request.Headers["HOST"][0]);
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    [InlineData("/example/..", "/")]                    // get-relative
    [InlineData("/example1/example2/../..", "/")]       // get-relative-relative
    [InlineData("/./", "/")]                            // get-slash-dot-slash
    [InlineData("//example//", "/example/")]            // get-slashes
    [InlineData("/example%20space/", "/example%2520space/")] // non-S3 services sign the wire path encoded again
    [InlineData("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")]
    public void Canonical_uri_normalizes_and_encodes_like_the_sdks(string rawPath, string expected) =>
        Assert.Equal(expected, SigV4Verifier.CanonicalUri(rawPath));

    [Theory]
    [InlineData(null, "")]
    [InlineData("?", "")]
    [InlineData("?b=2&a=1&A=0", "A=0&a=1&b=2")]
    [InlineData("Param1=value2&Param1=Value1", "Param1=Value1&Param1=value2")] // get-vanilla-query-order-value
    [InlineData("Param1=value1&Param2=value2&Param1=", "Param1=&Param1=value1&Param2=value2")]
    [InlineData("flag&x=%2F%20y", "flag=&x=%2F%20y")]
    [InlineData("a=b+c", "a=b%2Bc")]
    public void Canonical_query_decodes_reencodes_and_sorts(string? rawQuery, string expected) =>
        Assert.Equal(expected, SigV4Verifier.CanonicalQuery(rawQuery));
}
