using System.Globalization;
using System.Text.RegularExpressions;
using Azure;

namespace SwfServerless.AzureStorage;

/// <summary>
/// Reads the multipart answer to a $batch. Success: one part per action, in order, each with its ETag.
/// Failure: the whole changeset was rolled back and a single part carries the error, whose message starts with
/// the zero-based index of the failing action ("2:The specified entity already exists.").
/// </summary>
internal static partial class TableBatchResponse
{
    internal sealed record Part(int Status, string? ETag, string? ContentId, string Body);

    public static IReadOnlyList<ETag> Interpret(string body, IReadOnlyList<TableTransactionAction> actions)
    {
        var parts = Parse(body);
        var failed = parts.FirstOrDefault(p => p.Status >= 300);
        if (failed is null && parts.Count == actions.Count)
            return parts.Select(p => p.ETag is null ? default : new ETag(p.ETag)).ToArray();

        if (failed is null)
            throw new StorageRequestFailedException(0, null, $"table.batch: expected {actions.Count} responses, got {parts.Count}.");

        var (code, message) = StorageErrors.ParseBody(failed.Body);
        var index = FailedIndex(message, failed, parts, actions.Count, out var cleanMessage);
        throw StorageErrors.Create(failed.Status, code, cleanMessage, StorageOperation.TableBatch.Name, index);
    }

    internal static List<Part> Parse(string body)
    {
        var boundary = ChangesetBoundary().Match(body);
        IEnumerable<string> chunks = boundary.Success
            ? body.Split("--" + boundary.Groups[1].Value).Skip(1)
            : [body];

        var parts = new List<Part>();
        foreach (var chunk in chunks)
        {
            var statusLine = StatusLine().Match(chunk);
            if (!statusLine.Success)
                continue;

            // Headers end at the first blank line; the leading CRLF makes "no headers at all" look the same.
            var afterStatus = "\r\n" + chunk[(statusLine.Index + statusLine.Length)..];
            var blank = afterStatus.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var headers = blank < 0 ? afterStatus : afterStatus[..blank];
            var content = blank < 0 ? "" : afterStatus[(blank + 4)..].Trim();
            parts.Add(new Part(
                int.Parse(statusLine.Groups[1].Value, CultureInfo.InvariantCulture),
                HeaderValue(headers, "ETag"),
                HeaderValue(headers, "Content-ID"),
                content));
        }
        return parts;
    }

    private static int? FailedIndex(string? message, Part failed, List<Part> parts, int actionCount, out string? cleanMessage)
    {
        cleanMessage = message;
        if (message is not null && IndexPrefix().Match(message) is { Success: true } prefix)
        {
            cleanMessage = message[prefix.Length..];
            var index = int.Parse(prefix.Groups[1].Value, CultureInfo.InvariantCulture);
            return index < actionCount ? index : null;
        }
        // Content-ID is 1-based, when the service echoes one.
        if (int.TryParse(failed.ContentId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var contentId) && contentId >= 1 && contentId <= actionCount)
            return contentId - 1;
        return parts.Count == actionCount ? parts.IndexOf(failed) : null;
    }

    private static string? HeaderValue(string headers, string name)
    {
        foreach (var line in headers.Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                return line[(colon + 1)..].Trim();
        }
        return null;
    }

    [GeneratedRegex(@"boundary=(changesetresponse_[^\s;""]+)")]
    private static partial Regex ChangesetBoundary();

    [GeneratedRegex(@"HTTP/1\.[01] (\d{3})[^\r\n]*\r?\n")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex IndexPrefix();
}
