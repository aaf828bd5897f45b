using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace SwfServerless.Api.Tests.Functions;

/// <summary>
/// "Authorize with Shared Key", for the test gateway that re-signs what it forwards to Azurite. The Table service signs
/// VERB, Content-MD5, Content-Type, date and the resource; the Queue service signs the full header set, the x-ms-* headers
/// and every query parameter. The canonicalized resource is "/" + account + the request's path, so a path-style address
/// (/devstoreaccount1/table) signs "/devstoreaccount1/devstoreaccount1/table", as Azurite expects.
/// </summary>
internal sealed class SharedKeySigner(string accountName, byte[] key)
{
    public void Sign(HttpRequestMessage request, bool isTable)
    {
        var stringToSign = isTable ? TableStringToSign(request) : QueueStringToSign(request);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", $"{accountName}:{signature}");
    }

    private string TableStringToSign(HttpRequestMessage request)
    {
        var resource = "/" + accountName + request.RequestUri!.AbsolutePath;
        // Of the query, only comp takes part for the Table service.
        var comp = QueryParameters(request.RequestUri).FirstOrDefault(p => p.Name == "comp");
        if (comp.Name is not null)
            resource += "?comp=" + comp.Value;
        return string.Join('\n', request.Method.Method, ContentHeader(request, "Content-MD5"), ContentHeader(request, "Content-Type"),
            Header(request, "x-ms-date"), resource);
    }

    private string QueueStringToSign(HttpRequestMessage request)
    {
        var sb = new StringBuilder();
        sb.Append(request.Method.Method).Append('\n');
        sb.Append(ContentHeader(request, "Content-Encoding")).Append('\n');
        sb.Append(ContentHeader(request, "Content-Language")).Append('\n');
        sb.Append(request.Content?.Headers.ContentLength is > 0 and var n ? n.ToString() : "").Append('\n'); // a zero length signs as empty
        sb.Append(ContentHeader(request, "Content-MD5")).Append('\n');
        sb.Append(ContentHeader(request, "Content-Type")).Append('\n');
        sb.Append('\n'); // Date: x-ms-date is signed with the x-ms-* headers instead
        foreach (var name in new[] { "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range" })
            sb.Append(Header(request, name)).Append('\n');
        foreach (var (name, value) in request.Headers
                     .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(',', h.Value).Trim()))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            sb.Append(name).Append(':').Append(value).Append('\n');
        }
        sb.Append('/').Append(accountName).Append(request.RequestUri!.AbsolutePath);
        foreach (var group in QueryParameters(request.RequestUri).GroupBy(p => p.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.Append('\n').Append(group.Key).Append(':').Append(string.Join(',', group.Select(p => p.Value).Order(StringComparer.Ordinal)));
        return sb.ToString();
    }

    /// <summary>Query parameters with lower-cased names and decoded values.</summary>
    private static IEnumerable<(string Name, string Value)> QueryParameters(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var eq = pair.IndexOf('=');
            return (Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant(), Uri.UnescapeDataString(eq < 0 ? "" : pair[(eq + 1)..]));
        });

    private static string Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(',', values) : "";

    // As sent on the wire, so the signature matches what Azurite reads.
    private static string ContentHeader(HttpRequestMessage request, string name) =>
        request.Content is not null && request.Content.Headers.TryGetValues(name, out var values) ? string.Join(',', values) : "";
}
