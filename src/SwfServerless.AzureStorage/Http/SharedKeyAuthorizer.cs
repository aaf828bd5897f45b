using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace SwfServerless.AzureStorage;

/// <summary>
/// "Authorize with Shared Key": the Table service signs VERB, Content-MD5, Content-Type, date and the resource;
/// the Queue service signs the full header set, the x-ms-* headers and every query parameter.
/// The canonicalized resource is "/" + account + the request's encoded path, so a path-style URI
/// (Azurite: /devstoreaccount1/table) signs "/devstoreaccount1/devstoreaccount1/table", as the service expects.
/// </summary>
internal sealed class SharedKeyAuthorizer(string accountName, byte[] key) : RequestAuthorizer
{
    public override ValueTask AuthorizeAsync(HttpRequestMessage request, StorageService service, CancellationToken cancellationToken)
    {
        var stringToSign = service == StorageService.Table ? TableStringToSign(request) : QueueStringToSign(request);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", $"{accountName}:{signature}");
        return ValueTask.CompletedTask;
    }

    internal string TableStringToSign(HttpRequestMessage request)
    {
        var resource = "/" + accountName + request.RequestUri!.AbsolutePath;
        // Of the query, only comp takes part for the Table service.
        var comp = QueryParameters(request.RequestUri).FirstOrDefault(p => p.Name == "comp");
        if (comp.Name is not null)
            resource += "?comp=" + comp.Value;

        return string.Join('\n',
            request.Method.Method,
            ContentHeader(request, h => h.ContentMD5 is { } md5 ? Convert.ToBase64String(md5) : ""),
            ContentHeader(request, h => h.ContentType?.ToString() ?? ""),
            Header(request, "x-ms-date"),
            resource);
    }

    internal string QueueStringToSign(HttpRequestMessage request)
    {
        var sb = new StringBuilder();
        sb.Append(request.Method.Method).Append('\n');
        sb.Append(ContentHeader(request, h => string.Join(',', h.ContentEncoding))).Append('\n');
        sb.Append(ContentHeader(request, h => string.Join(',', h.ContentLanguage))).Append('\n');
        // Since 2015-02-21 a zero length signs as empty.
        sb.Append(ContentHeader(request, h => h.ContentLength is > 0 and var n ? n.ToString() : "")).Append('\n');
        sb.Append(ContentHeader(request, h => h.ContentMD5 is { } md5 ? Convert.ToBase64String(md5) : "")).Append('\n');
        sb.Append(ContentHeader(request, h => h.ContentType?.ToString() ?? "")).Append('\n');
        sb.Append('\n'); // Date: we send x-ms-date instead, which is signed with the x-ms-* headers.
        sb.Append(Header(request, "If-Modified-Since")).Append('\n');
        sb.Append(Header(request, "If-Match")).Append('\n');
        sb.Append(Header(request, "If-None-Match")).Append('\n');
        sb.Append(Header(request, "If-Unmodified-Since")).Append('\n');
        sb.Append(Header(request, "Range")).Append('\n');

        foreach (var header in request.Headers
                     .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(',', h.Value).Trim()))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            sb.Append(header.Name).Append(':').Append(header.Value).Append('\n');
        }

        sb.Append('/').Append(accountName).Append(request.RequestUri!.AbsolutePath);
        foreach (var group in QueryParameters(request.RequestUri)
                     .GroupBy(p => p.Name)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append('\n').Append(group.Key).Append(':')
              .Append(string.Join(',', group.Select(p => p.Value).Order(StringComparer.Ordinal)));
        }
        return sb.ToString();
    }

    /// <summary>Query parameters with lower-cased names and decoded values.</summary>
    private static IEnumerable<(string Name, string Value)> QueryParameters(Uri uri)
    {
        var query = uri.Query;
        if (query.Length <= 1)
            yield break;
        foreach (var pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            yield return (Uri.UnescapeDataString(name).ToLowerInvariant(), Uri.UnescapeDataString(value));
        }
    }

    private static string Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(',', values) : "";

    private static string ContentHeader(HttpRequestMessage request, Func<HttpContentHeaders, string> read) =>
        request.Content is null ? "" : read(request.Content.Headers);
}
