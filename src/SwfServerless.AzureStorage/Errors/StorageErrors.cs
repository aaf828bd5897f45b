using System.Text.Json;
using System.Xml;

namespace SwfServerless.AzureStorage;

/// <summary>The one place where a failed answer becomes an exception; typed for the races callers handle.</summary>
internal static class StorageErrors
{
    public static async Task<StorageRequestFailedException> FromResponseAsync(
        HttpResponseMessage response, StorageOperation operation, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var (bodyCode, message) = ParseBody(body);
        var headerCode = response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;
        return Create((int)response.StatusCode, headerCode ?? bodyCode, message ?? response.ReasonPhrase, operation.Name, failedActionIndex: null);
    }

    public static StorageRequestFailedException Create(int status, string? code, string? serviceMessage, string operation, int? failedActionIndex)
    {
        var text = $"{operation} failed: {status} {code}: {FirstLine(serviceMessage)}";
        if (failedActionIndex is { } index)
            text += $" (transaction action {index})";

        return status switch
        {
            412 => new ConcurrencyConflictException(code, text, failedActionIndex),
            409 when code == StorageErrorCodes.EntityAlreadyExists => new EntityAlreadyExistsException(text, failedActionIndex),
            _ => new StorageRequestFailedException(status, code, text, failedActionIndex),
        };
    }

    /// <summary>Table errors are OData JSON ({"odata.error":{"code","message":{"value"}}}); queue errors are XML (&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;).</summary>
    public static (string? Code, string? Message) ParseBody(string body)
    {
        var trimmed = body.AsSpan().TrimStart();
        try
        {
            if (trimmed.StartsWith("{"))
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.TryGetProperty("odata.error", out var error))
                {
                    var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                    string? message = null;
                    if (error.TryGetProperty("message", out var m))
                        message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString();
                    return (code, message);
                }
            }
            else if (trimmed.StartsWith("<"))
            {
                var xml = new XmlDocument { XmlResolver = null };
                xml.LoadXml(body);
                return (xml.SelectSingleNode("/Error/Code")?.InnerText, xml.SelectSingleNode("/Error/Message")?.InnerText);
            }
        }
        catch (Exception e) when (e is JsonException or XmlException)
        {
            // An unparseable error body still carries the status; fall through.
        }
        return (null, body.Length > 0 ? body : null);
    }

    private static string? FirstLine(string? text)
    {
        if (text is null)
            return null;
        var newline = text.IndexOf('\n');
        return newline < 0 ? text : text[..newline];
    }
}
