using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace SwfServerless.Service.WebConsole;

/// <summary>
/// The web console (<c>console/</c>, built by <c>npm run build:console</c>) served at <c>/console/</c>: a static
/// single-page app that talks to the service only through the SWF API, signing with the key its user enters, so it
/// adds no API and no way in. The build output is embedded in this assembly (resources <c>console/...</c>), so both
/// hosts serve the same bytes with no files to deploy beside the app.
/// <list type="bullet">
/// <item>GET (and HEAD) only; <c>/console</c> redirects to <c>/console/</c>, which is <c>index.html</c>.</item>
/// <item><c>index.html</c>: <c>Cache-Control: no-cache</c> (revalidated by ETag, so a new build shows at once);
///   <c>assets/</c>, whose names carry a content hash: <c>public, max-age=31536000, immutable</c>.</item>
/// <item>Every answer: a Content-Security-Policy that allows scripts, styles, images and connections from this origin
///   only (no inline script or style element, no eval), <c>X-Content-Type-Options: nosniff</c>, no framing, no referrer.</item>
/// <item>Brotli or gzip when the browser accepts it, compressed once and kept.</item>
/// </list>
/// </summary>
public sealed class ConsoleAssets
{
    public const string BasePath = "/console";
    public const string ResourcePrefix = "console/";
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".map"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".webp"] = "image/webp",
        [".woff2"] = "font/woff2",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<ConsoleAssets> EmbeddedAssets = new(() => FromAssembly(typeof(ConsoleAssets).Assembly));

    /// <summary>The console built into this assembly (empty when it was built without <c>npm run build:console</c>).</summary>
    public static ConsoleAssets Embedded => EmbeddedAssets.Value;

    private readonly FrozenDictionary<string, Asset> assets;

    /// <param name="files">Path relative to the console's root ("index.html", "assets/index-abc123.js") and content.</param>
    public ConsoleAssets(IEnumerable<KeyValuePair<string, byte[]>> files)
    {
        assets = files.ToFrozenDictionary(f => f.Key.Replace('\\', '/').TrimStart('/'), f => new Asset(f.Key, f.Value), StringComparer.Ordinal);
    }

    public static ConsoleAssets FromAssembly(Assembly assembly)
    {
        var files = new List<KeyValuePair<string, byte[]>>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var path = name.Replace('\\', '/');
            if (!path.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files.Add(new(path[ResourcePrefix.Length..], copy.ToArray()));
        }
        return new ConsoleAssets(files);
    }

    /// <summary>Paths served, relative to <c>/console/</c>.</summary>
    public IReadOnlyCollection<string> Paths => assets.Keys;

    /// <summary>Is this request path the console's (<c>/console</c> or below)?</summary>
    public static bool IsConsolePath(PathString path) => path.StartsWithSegments(BasePath, StringComparison.Ordinal);

    /// <summary>Answers one request for a console path.</summary>
    public async Task ServeAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;
        SecurityHeaders(response);

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            await TextAsync(response, StatusCodes.Status405MethodNotAllowed, "The console is read with GET only.");
            return;
        }
        if (!request.Path.StartsWithSegments(BasePath, StringComparison.Ordinal, out var rest)) { await NotFoundAsync(response); return; }
        if (!rest.HasValue)
        {
            // Relative URLs in index.html resolve against /console/, so the folder's address is the canonical one.
            response.StatusCode = StatusCodes.Status301MovedPermanently;
            response.Headers.Location = BasePath + "/" + request.QueryString;
            response.Headers.CacheControl = "no-cache";
            return;
        }

        var relative = rest.Value!.TrimStart('/');
        if (relative.Length == 0) relative = "index.html";
        if (!assets.TryGetValue(relative, out var asset))
        {
            await NotFoundAsync(response, assets.Count == 0
                ? "The console is not in this build: run `npm run build:console` before building the service."
                : "Not found.");
            return;
        }

        response.Headers.CacheControl = relative.StartsWith("assets/", StringComparison.Ordinal) ? ImmutableCacheControl : "no-cache";
        response.Headers.ETag = asset.ETag;
        response.Headers.Vary = "Accept-Encoding";
        if (request.Headers.IfNoneMatch is { Count: > 0 } ifNoneMatch && Matches(ifNoneMatch, asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var (body, encoding) = asset.For(request.Headers.AcceptEncoding);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        if (encoding is not null) response.Headers.ContentEncoding = encoding;
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(request.Method)) return;
        await response.Body.WriteAsync(body, http.RequestAborted);
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }

    private static Task NotFoundAsync(HttpResponse response, string message = "Not found.")
    {
        response.Headers.CacheControl = "no-cache";
        return TextAsync(response, StatusCodes.Status404NotFound, message);
    }

    private static async Task TextAsync(HttpResponse response, int status, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
    }

    private static bool Matches(StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
            foreach (var tag in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (tag == "*" || tag == etag || tag == "W/" + etag) return true;
        return false;
    }

    /// <summary>Does Accept-Encoding allow this coding (named and not q=0)?</summary>
    internal static bool Accepts(StringValues acceptEncoding, string coding)
    {
        foreach (var value in acceptEncoding)
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                if (!pieces[0].Equals(coding, StringComparison.OrdinalIgnoreCase)) continue;
                var zero = pieces.Skip(1).Any(p => p.Replace(" ", "") is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
                return !zero;
            }
        return false;
    }

    private sealed class Asset
    {
        private readonly byte[] content;
        private readonly Lazy<byte[]?> brotli, gzip;

        public Asset(string path, byte[] content)
        {
            this.content = content;
            ContentType = ContentTypes.TryGetValue(Path.GetExtension(path), out var type) ? type : "application/octet-stream";
            ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16)) + "\"";
            var compressible = ContentType.StartsWith("text/", StringComparison.Ordinal) || ContentType.Contains("json") || ContentType.Contains("svg");
            brotli = new(() => compressible ? Compress(content, s => new BrotliStream(s, CompressionLevel.Optimal, leaveOpen: true)) : null);
            gzip = new(() => compressible ? Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true)) : null);
        }

        public string ContentType { get; }
        public string ETag { get; }

        public (byte[] Body, string? Encoding) For(StringValues acceptEncoding)
        {
            if (Accepts(acceptEncoding, "br") && brotli.Value is { } br) return (br, "br");
            if (Accepts(acceptEncoding, "gzip") && gzip.Value is { } gz) return (gz, "gzip");
            return (content, null);
        }

        // Kept only when it saves something: a tiny file can grow.
        private static byte[]? Compress(byte[] content, Func<Stream, Stream> encoder)
        {
            using var output = new MemoryStream();
            using (var stream = encoder(output)) stream.Write(content);
            return output.Length < content.Length ? output.ToArray() : null;
        }
    }
}
