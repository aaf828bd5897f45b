using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using SwfServerless.Service.WebConsole;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>
/// The web console's static files as the standalone server serves them over real HTTP: the build embedded in the
/// service (scripts/test.sh runs `npm run build:console` before building). What the console does in a browser is
/// tested by tests/console/ with Chromium.
/// </summary>
[Collection("api")]
public sealed partial class ConsoleTests(AzuriteFixture azurite)
{
    private static readonly HttpClientHandler NoRedirects = new() { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None };

    private static void AssertBuilt() =>
        Assert.True(ConsoleAssets.Embedded.Paths.Contains("index.html"),
            "The console is not embedded in this build: run `npm run build:console` before `dotnet build` (scripts/test.sh does).");

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(ConsoleAssets.ContentSecurityPolicy, csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("default-src 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Index_is_html_revalidated_on_every_load_under_a_strict_CSP_with_no_inline_script()
    {
        AssertBuilt();
        await using var app = await TestApp.StartAsync(azurite);
        using var http = new HttpClient(NoRedirects, disposeHandler: false) { BaseAddress = new Uri(app.Url) };
        var response = await http.GetAsync("/console/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.NotNull(response.Headers.ETag);
        AssertSecurityHeaders(response);

        var html = await response.Content.ReadAsStringAsync();
        var scripts = ScriptTag().Matches(html);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, s => Assert.Matches("src=\"/console/assets/[^\"]+\\.js\"", s.Value));
        Assert.DoesNotMatch("<script[^>]*>[^<]+</script>", html); // every script is a file, none inline
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain(" style=", html);

        // Revalidation: the same ETag answers 304 with no body.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/");
        again.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.ToString());
        var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(html, await http.GetStringAsync("/console/index.html"));
    }

    [Fact]
    public async Task Hashed_assets_are_cached_for_a_year_as_immutable_with_their_content_types()
    {
        AssertBuilt();
        await using var app = await TestApp.StartAsync(azurite);
        using var http = new HttpClient(NoRedirects, disposeHandler: false) { BaseAddress = new Uri(app.Url) };
        var html = await http.GetStringAsync("/console/");
        var urls = AssetUrl().Matches(html).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains(urls, u => u.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(urls, u => u.EndsWith(".css", StringComparison.Ordinal));
        foreach (var url in urls)
        {
            var response = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(ConsoleAssets.ImmutableCacheControl, response.Headers.CacheControl!.ToString());
            AssertSecurityHeaders(response);
            var expected = Path.GetExtension(url) switch
            {
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                var other => throw new Xunit.Sdk.XunitException($"unexpected asset type {other} in {url}"),
            };
            Assert.Equal(expected, response.Content.Headers.ContentType!.ToString());
            Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Scripts_are_sent_compressed_when_the_browser_accepts_it()
    {
        AssertBuilt();
        await using var app = await TestApp.StartAsync(azurite);
        using var http = new HttpClient(NoRedirects, disposeHandler: false) { BaseAddress = new Uri(app.Url) };
        var script = AssetUrl().Matches(await http.GetStringAsync("/console/")).Select(m => m.Groups[1].Value).First(u => u.EndsWith(".js"));
        var identity = await http.GetByteArrayAsync(script);

        foreach (var (coding, decode) in new (string, Func<Stream, Stream>)[]
                 { ("br", s => new BrotliStream(s, CompressionMode.Decompress)), ("gzip", s => new GZipStream(s, CompressionMode.Decompress)) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, script);
            request.Headers.TryAddWithoutValidation("Accept-Encoding", coding);
            var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(coding, response.Content.Headers.ContentEncoding.Single());
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            var compressed = await response.Content.ReadAsByteArrayAsync();
            Assert.True(compressed.Length < identity.Length / 2, $"{coding}: {compressed.Length} of {identity.Length} bytes");
            using var decoded = new MemoryStream();
            await using (var stream = decode(new MemoryStream(compressed))) await stream.CopyToAsync(decoded);
            Assert.Equal(identity, decoded.ToArray());
        }
    }

    [Fact]
    public async Task The_bare_path_redirects_unknown_files_are_404_and_posts_stay_SWF_calls()
    {
        AssertBuilt();
        await using var app = await TestApp.StartAsync(azurite);
        using var http = new HttpClient(NoRedirects, disposeHandler: false) { BaseAddress = new Uri(app.Url) };

        var bare = await http.GetAsync("/console");
        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal("/console/", bare.Headers.Location!.OriginalString);

        var missing = await http.GetAsync("/console/assets/nope-12345678.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        AssertSecurityHeaders(missing);

        using var head = new HttpRequestMessage(HttpMethod.Head, "/console/");
        var headResponse = await http.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Empty(await headResponse.Content.ReadAsByteArrayAsync());

        // The console adds no API: a POST anywhere is an SWF call, as before.
        var post = await http.PostAsync("/console/", new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.0"));
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Contains("UnknownOperationException", await post.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_build_without_the_console_says_how_to_build_it_and_content_types_follow_the_extension()
    {
        var none = new ConsoleAssets([]);
        var (status, text, _) = await ServeAsync(none, "GET", "/console/");
        Assert.Equal(404, status);
        Assert.Contains("npm run build:console", text);

        var some = new ConsoleAssets(new Dictionary<string, byte[]>
        {
            ["index.html"] = "<!doctype html>"u8.ToArray(),
            ["assets/a-1.js"] = "x"u8.ToArray(),
            ["assets/b-2.svg"] = "<svg/>"u8.ToArray(),
            ["assets/c-3.woff2"] = [1, 2],
            ["robots.txt"] = "no"u8.ToArray(),
        });
        Assert.Equal("text/javascript; charset=utf-8", (await ServeAsync(some, "GET", "/console/assets/a-1.js")).Headers.ContentType.ToString());
        Assert.Equal("image/svg+xml", (await ServeAsync(some, "GET", "/console/assets/b-2.svg")).Headers.ContentType.ToString());
        Assert.Equal("font/woff2", (await ServeAsync(some, "GET", "/console/assets/c-3.woff2")).Headers.ContentType.ToString());
        var robots = await ServeAsync(some, "GET", "/console/robots.txt");
        Assert.Equal("no-cache", robots.Headers.CacheControl.ToString()); // not hashed: revalidated
        var put = await ServeAsync(some, "PUT", "/console/");
        Assert.Equal(405, put.Status);
        Assert.Equal("GET, HEAD", put.Headers.Allow.ToString());
        Assert.False(ConsoleAssets.IsConsolePath("/consoles"));
        Assert.True(ConsoleAssets.IsConsolePath("/console"));
        Assert.False(ConsoleAssets.Accepts("gzip;q=0, deflate", "gzip"));
        Assert.True(ConsoleAssets.Accepts("deflate, gzip;q=0.5", "gzip"));
    }

    private static async Task<(int Status, string Text, IHeaderDictionary Headers)> ServeAsync(ConsoleAssets assets, string method, string path)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        http.Response.Body = new MemoryStream();
        await assets.ServeAsync(http);
        http.Response.Body.Position = 0;
        return (http.Response.StatusCode, await new StreamReader(http.Response.Body).ReadToEndAsync(), http.Response.Headers);
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex("(?:src|href)=\"(/console/assets/[^\"]+)\"")]
    private static partial Regex AssetUrl();
}
