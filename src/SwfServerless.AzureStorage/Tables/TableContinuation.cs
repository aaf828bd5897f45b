using System.Text;

namespace SwfServerless.AzureStorage;

/// <summary>
/// The service continues a query from NextPartitionKey/NextRowKey (response headers, then query parameters);
/// callers get both as one opaque string.
/// </summary>
internal static class TableContinuation
{
    public static string? FromResponse(HttpResponseMessage response)
    {
        var partition = Header(response, "x-ms-continuation-NextPartitionKey");
        var row = Header(response, "x-ms-continuation-NextRowKey");
        if (partition is null && row is null)
            return null;
        return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{partition}\n{row}"));
    }

    public static string ToQuery(string token)
    {
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token)); }
        catch (FormatException e) { throw new ArgumentException("Not a continuation token from this client.", nameof(token), e); }

        var newline = decoded.IndexOf('\n');
        if (newline < 0)
            throw new ArgumentException("Not a continuation token from this client.", nameof(token));
        var query = "";
        if (newline > 0)
            query += "&NextPartitionKey=" + Uri.EscapeDataString(decoded[..newline]);
        if (newline < decoded.Length - 1)
            query += "&NextRowKey=" + Uri.EscapeDataString(decoded[(newline + 1)..]);
        return query;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
