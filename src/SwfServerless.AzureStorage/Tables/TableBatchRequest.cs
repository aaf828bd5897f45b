using System.Text;
using System.Text.Json;
using Azure;

namespace SwfServerless.AzureStorage;

/// <summary>
/// The multipart/mixed body of an entity-group transaction: one batch holding one changeset, one HTTP request
/// per action ("Performing entity group transactions"). Each JSON body stays on one line, as Azurite's parser needs.
/// </summary>
internal static class TableBatchRequest
{
    private const string Crlf = "\r\n";

    public static (byte[] Body, string Boundary) Build(TableUris uris, IReadOnlyList<TableTransactionAction> actions)
    {
        var batch = "batch_" + Guid.NewGuid().ToString("D");
        var changeset = "changeset_" + Guid.NewGuid().ToString("D");

        using var stream = new MemoryStream();
        Write(stream, $"--{batch}{Crlf}Content-Type: multipart/mixed; boundary={changeset}{Crlf}{Crlf}");
        foreach (var action in actions)
        {
            Write(stream, $"--{changeset}{Crlf}Content-Type: application/http{Crlf}Content-Transfer-Encoding: binary{Crlf}{Crlf}");
            WriteAction(stream, uris, action);
        }
        Write(stream, $"--{changeset}--{Crlf}--{batch}--{Crlf}");
        return (stream.ToArray(), batch);
    }

    private static void WriteAction(MemoryStream stream, TableUris uris, TableTransactionAction action)
    {
        var entity = action.Entity;
        var (method, uri, ifMatch, hasBody) = action.ActionType switch
        {
            TableTransactionActionType.Add => ("POST", uris.EntitySet, (ETag?)null, true),
            TableTransactionActionType.UpsertMerge => ("MERGE", uris.Entity(entity.PartitionKey, entity.RowKey), null, true),
            TableTransactionActionType.UpsertReplace => ("PUT", uris.Entity(entity.PartitionKey, entity.RowKey), null, true),
            TableTransactionActionType.UpdateMerge => ("MERGE", uris.Entity(entity.PartitionKey, entity.RowKey), action.EffectiveIfMatch, true),
            TableTransactionActionType.UpdateReplace => ("PUT", uris.Entity(entity.PartitionKey, entity.RowKey), action.EffectiveIfMatch, true),
            TableTransactionActionType.Delete => ("DELETE", uris.Entity(entity.PartitionKey, entity.RowKey), action.EffectiveIfMatch, false),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action.ActionType, "Unknown transaction action."),
        };

        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(uri).Append(" HTTP/1.1").Append(Crlf);
        head.Append("Accept: application/json;odata=minimalmetadata").Append(Crlf);
        if (hasBody)
            head.Append("Content-Type: application/json").Append(Crlf);
        if (method == "POST")
            head.Append("Prefer: return-no-content").Append(Crlf);
        head.Append("DataServiceVersion: 3.0;").Append(Crlf);
        if (ifMatch is { } etag)
            head.Append("If-Match: ").Append(etag.ToString()).Append(Crlf);
        head.Append(Crlf);
        Write(stream, head.ToString());

        if (hasBody)
        {
            using (var writer = new Utf8JsonWriter(stream))
                TableEntityJson.Write(writer, entity);
            Write(stream, Crlf);
        }
    }

    private static void Write(MemoryStream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));
}
