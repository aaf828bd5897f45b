using System.Net.Http.Headers;
using System.Text.Json;
using Azure;

namespace SwfServerless.AzureStorage;

/// <summary>What every Table service request and answer share: OData headers, query options, ETags, JSON bodies.</summary>
internal static class TableRequests
{
    private const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";

    public static HttpRequestMessage Request(HttpMethod method, Uri uri, byte[]? jsonBody = null, bool preferNoContent = false)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Accept", JsonMinimalMetadata);
        request.Headers.TryAddWithoutValidation("DataServiceVersion", "3.0");
        request.Headers.TryAddWithoutValidation("MaxDataServiceVersion", "3.0;NetFx");
        if (preferNoContent)
            request.Headers.TryAddWithoutValidation("Prefer", "return-no-content");
        if (jsonBody is not null)
        {
            request.Content = new ByteArrayContent(jsonBody);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return request;
    }

    public static HttpRequestMessage IfMatch(HttpRequestMessage request, ETag etag)
    {
        // Table ETags (W/"datetime'...'") are sent verbatim; HttpClient's typed header would reject some.
        request.Headers.TryAddWithoutValidation("If-Match", etag.ToString());
        return request;
    }

    public static string QueryString(string? filter, int? top, IEnumerable<string>? select)
    {
        var parts = new List<string>(3);
        if (!string.IsNullOrEmpty(filter))
            parts.Add("$filter=" + Uri.EscapeDataString(filter));
        if (top is { } t)
            parts.Add("$top=" + t);
        if (select is not null)
        {
            // The service leaves the keys out unless selected; a row without them cannot be updated, so always ask.
            var columns = select.Where(c => c is not ("PartitionKey" or "RowKey")).Prepend("RowKey").Prepend("PartitionKey");
            parts.Add("$select=" + Uri.EscapeDataString(string.Join(',', columns)));
        }
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    public static string? ErrorCode(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;

    public static ETag ResponseETag(HttpResponseMessage response) =>
        response.Headers.TryGetValues("ETag", out var values) ? new ETag(values.First()) : default;

    public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public static byte[] EntityJson(TableEntity entity) => Json(w => TableEntityJson.Write(w, entity));

    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
            write(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
