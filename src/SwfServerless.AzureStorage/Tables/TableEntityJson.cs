using System.Globalization;
using System.Text.Json;
using Azure;

namespace SwfServerless.AzureStorage;

/// <summary>
/// OData JSON for entities. Types JSON cannot express carry an "@odata.type" annotation: Edm.Int64 (as a string,
/// JSON numbers lose precision past 2^53), Edm.DateTime, Edm.Binary (base64), Edm.Guid; doubles are annotated
/// too, or a whole double would read back as an Int32. Responses requested with odata=minimalmetadata carry
/// the same annotations.
/// </summary>
internal static class TableEntityJson
{
    private const string TypeSuffix = "@odata.type";

    public static void Write(Utf8JsonWriter writer, TableEntity entity)
    {
        writer.WriteStartObject();
        writer.WriteString("PartitionKey", entity.PartitionKey);
        writer.WriteString("RowKey", entity.RowKey);
        foreach (var (name, value) in entity.Properties)
            WriteProperty(writer, name, value);
        writer.WriteEndObject();
    }

    private static void WriteProperty(Utf8JsonWriter writer, string name, object value)
    {
        switch (value)
        {
            case string s:
                writer.WriteString(name, s);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case long l:
                writer.WriteString(name + TypeSuffix, "Edm.Int64");
                writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                writer.WriteString(name + TypeSuffix, "Edm.Double");
                if (double.IsFinite(d))
                    writer.WriteNumber(name, d);
                else
                    writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            case DateTimeOffset dto:
                writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                writer.WriteString(name, FormatDateTime(dto));
                break;
            case byte[] bytes:
                writer.WriteString(name + TypeSuffix, "Edm.Binary");
                writer.WriteBase64String(name, bytes);
                break;
            case Guid g:
                writer.WriteString(name + TypeSuffix, "Edm.Guid");
                writer.WriteString(name, g.ToString("D"));
                break;
            default:
                throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}.");
        }
    }

    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <param name="etagHeader">The ETag response header of a point read; query results carry odata.etag instead.</param>
    public static TableEntity Read(JsonElement json, string? etagHeader = null)
    {
        var entity = new TableEntity();
        if (etagHeader is not null)
            entity.ETag = new ETag(etagHeader);

        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (name.Contains('@') || name.StartsWith("odata.", StringComparison.Ordinal))
            {
                if (name == "odata.etag" && etagHeader is null)
                    entity.ETag = new ETag(property.Value.GetString()!);
                continue;
            }

            var type = json.TryGetProperty(name + TypeSuffix, out var t) ? t.GetString() : null;
            switch (name)
            {
                case "PartitionKey":
                    entity.PartitionKey = property.Value.GetString()!;
                    break;
                case "RowKey":
                    entity.RowKey = property.Value.GetString()!;
                    break;
                case "Timestamp":
                    entity.Timestamp = ParseDateTime(property.Value.GetString()!);
                    break;
                default:
                    if (ReadValue(property.Value, type) is { } value)
                        entity[name] = value;
                    break;
            }
        }
        return entity;
    }

    private static object? ReadValue(JsonElement value, string? edmType)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return null;
        return edmType switch
        {
            "Edm.Int64" => value.ValueKind == JsonValueKind.String
                ? long.Parse(value.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture)
                : value.GetInt64(),
            "Edm.Int32" => value.GetInt32(),
            "Edm.Double" => ReadDouble(value),
            "Edm.DateTime" => ParseDateTime(value.GetString()!),
            "Edm.Binary" => value.GetBytesFromBase64(),
            "Edm.Guid" => Guid.Parse(value.GetString()!),
            "Edm.Boolean" => value.GetBoolean(),
            "Edm.String" => value.GetString(),
            _ => value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => ReadUntypedNumber(value),
                _ => throw new FormatException($"Unexpected JSON {value.ValueKind} in an entity."),
            },
        };
    }

    // Without an annotation the service means Edm.Int32 for integers and Edm.Double for anything else.
    private static object ReadUntypedNumber(JsonElement value)
    {
        var raw = value.GetRawText();
        if (raw.AsSpan().IndexOfAny(".eE") < 0 && value.TryGetInt32(out var i))
            return i;
        return value.GetDouble();
    }

    private static double ReadDouble(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
            return value.GetDouble();
        return value.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" or "INF" => double.PositiveInfinity,
            "-Infinity" or "-INF" => double.NegativeInfinity,
            var s => double.Parse(s!, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    private static DateTimeOffset ParseDateTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
