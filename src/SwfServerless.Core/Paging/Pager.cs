using System.Text;
using SwfServerless.Core.Faults;

namespace SwfServerless.Core.Paging;

/// <summary>
/// Pages a sorted list with opaque tokens. A token names the last key handed out (not an offset), so items
/// added or removed between calls never make a page skip or repeat an item. Tokens are bound to the query
/// they came from: reusing one with other filters is a ValidationException, not a silent wrong answer.
/// </summary>
public static class Pager
{
    public const int DefaultPageSize = 1000;

    public static (List<T> Page, string? NextPageToken) Page<T>(
        IEnumerable<T> items, Func<T, string> key, int? maximumPageSize, string? nextPageToken, string query, bool reverseOrder)
    {
        var size = maximumPageSize is null or 0 ? DefaultPageSize : maximumPageSize.Value;
        var after = Decode(nextPageToken, query);
        var ordered = reverseOrder
            ? items.OrderByDescending(key, StringComparer.Ordinal)
            : items.OrderBy(key, StringComparer.Ordinal);
        var remaining = after is null
            ? ordered
            : ordered.Where(i => string.CompareOrdinal(key(i), after) * (reverseOrder ? -1 : 1) > 0);
        var page = remaining.Take(size + 1).ToList();
        if (page.Count <= size) return (page, null);
        page.RemoveAt(size);
        return (page, Encode(query, key(page[^1])));
    }

    public static string Encode(string query, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Fingerprint(query)}\n{lastKey}"));

    /// <summary>The key after which the next page starts, or null for the first page.</summary>
    public static string? Decode(string? token, string query)
    {
        if (string.IsNullOrEmpty(token)) return null;
        string text;
        try { text = Encoding.UTF8.GetString(Convert.FromBase64String(token)); }
        catch (FormatException) { throw InvalidToken(); }
        var newline = text.IndexOf('\n');
        if (newline < 0 || text[..newline] != Fingerprint(query)) throw InvalidToken();
        return text[(newline + 1)..];
    }

    // A short hash of the query's filters: enough to catch a token reused with other filters.
    private static string Fingerprint(string query) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(query)), 0, 6);

    private static SwfFault InvalidToken() =>
        SwfFault.Validation("Invalid value at 'nextPageToken': the token is malformed or belongs to a different query.");
}
