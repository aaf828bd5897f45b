using System.Security.Cryptography;
using System.Text;

namespace SwfServerless.Testing;

/// <summary>
/// Signs test requests with AWS Signature Version 4 (service swf), as the AWS SDKs do. Independent of the
/// service's verifier, which is itself checked against AWS's published vectors and real clients' requests.
/// </summary>
public static class TestSigner
{
    public static void Sign(HttpRequestMessage request, byte[] body, string accessKeyId, string secret, string region = "us-east-1")
    {
        var now = DateTimeOffset.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'");
        var day = now.ToString("yyyyMMdd");
        var host = request.RequestUri!.Authority;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        var target = request.Headers.GetValues("X-Amz-Target").First();
        var payloadHash = Hex(SHA256.HashData(body));

        const string signedHeaders = "host;x-amz-date;x-amz-target";
        var canonical = $"POST\n{request.RequestUri.AbsolutePath}\n\nhost:{host}\nx-amz-date:{amzDate}\nx-amz-target:{target}\n\n{signedHeaders}\n{payloadHash}";
        var scope = $"{day}/{region}/swf/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), day), region), "swf"), "aws4_request");
        var signature = Hex(Hmac(key, toSign));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
