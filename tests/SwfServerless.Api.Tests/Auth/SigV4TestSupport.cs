using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using SwfServerless.Service.Auth;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Auth;

internal static class SigV4TestSupport
{
    // The example credentials of the AWS documentation and the SigV4 test suite.
    public const string ExampleKeyId = "AKIDEXAMPLE";
    public const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    public static IAccessKeyStore Keys(params (string Id, string Secret, AccessPolicy? Policy)[] keys) =>
        new AccessKeyStore(keys.Select(k => new AccessKey(k.Id, k.Secret, k.Policy ?? AccessPolicy.AllowAll)));

    public static SigV4Verifier ExampleVerifier(string service, string now) =>
        new(Keys((ExampleKeyId, ExampleSecret, null)), ManualTime.At(now), service);

    /// <summary>
    /// Parses a raw HTTP request in the test suite's notation: request line, "Name:value" header lines
    /// (values kept verbatim, including their spaces), a blank line, then the body.
    /// </summary>
    public static SigV4Request ParseHttp(string raw)
    {
        raw = raw.Replace("\r\n", "\n");
        var headerEnd = raw.IndexOf("\n\n", StringComparison.Ordinal);
        var head = headerEnd < 0 ? raw : raw[..headerEnd];
        var body = headerEnd < 0 ? "" : raw[(headerEnd + 2)..];
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ')];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        var headers = lines.Skip(1).Select(l => (l[..l.IndexOf(':')], (string?)l[(l.IndexOf(':') + 1)..]));
        return SigV4Request.FromRawTarget(method, target, headers, Encoding.UTF8.GetBytes(body));
    }

    public static SigV4Request WithHeader(this SigV4Request request, string name, string value)
    {
        var headers = request.Headers
            .Where(h => !h.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Select(v => (h.Key, (string?)v)))
            .Append((name, value));
        return request with { Headers = SigV4Request.HeaderMap(headers) };
    }

    public static SigV4Request WithoutHeader(this SigV4Request request, string name) =>
        request with
        {
            Headers = SigV4Request.HeaderMap(request.Headers
                .Where(h => !h.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
                .SelectMany(h => h.Value.Select(v => (h.Key, (string?)v)))),
        };

    public static string Header(this SigV4Request request, string name) =>
        request.Headers.First(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value[0];

    public static SigV4Error AssertFails(SigV4Result result, SigV4ErrorCode code, string? messageStart = null)
    {
        Assert.False(result.Succeeded, "expected a failure");
        Assert.Equal(code, result.Error.Code);
        if (messageStart is not null)
            Assert.StartsWith(messageStart, result.Error.Message, StringComparison.Ordinal);
        return result.Error;
    }
}

/// <summary>A request captured from a real AWS client (see Fixtures/*.json and how they were made in the report).</summary>
internal sealed record CapturedRequest(
    string Client, string AccessKeyId, string SecretAccessKey, SigV4Request Request, string AmzDate)
{
    public static CapturedRequest Load(string fileName)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath(fileName)));
        var root = doc.RootElement;
        var headers = root.GetProperty("headers").EnumerateArray()
            .Select(h => (h[0].GetString()!, h[1].GetString()))
            .ToList();
        var request = SigV4Request.FromRawTarget(
            root.GetProperty("method").GetString()!,
            root.GetProperty("rawTarget").GetString()!,
            headers,
            Convert.FromBase64String(root.GetProperty("bodyBase64").GetString()!));
        return new CapturedRequest(
            root.GetProperty("client").GetString()!,
            root.GetProperty("accessKeyId").GetString()!,
            root.GetProperty("secretAccessKey").GetString()!,
            request,
            request.Header("x-amz-date"));
    }

    public SigV4Verifier Verifier(string? now = null) =>
        new(SigV4TestSupport.Keys((AccessKeyId, SecretAccessKey, null)), ManualTime.At(now ?? AmzDate));

    // Next to this source file (works without copying fixtures to the output), or in the output directory if a
    // <None CopyToOutputDirectory> item is added to the test project later.
    private static string FixturePath(string fileName, [CallerFilePath] string thisFile = "")
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Auth", "Fixtures", fileName),
            Path.Combine(Path.GetDirectoryName(thisFile) ?? "", "Fixtures", fileName),
        };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"Fixture {fileName} not found in: {string.Join(", ", candidates)}");
    }
}
