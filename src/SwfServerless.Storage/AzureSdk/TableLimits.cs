using System.Text.RegularExpressions;
using Azure.Data.Tables;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// Limits Azure Table storage enforces but Azurite does not (or not all), and the SDK does not check: checked before
/// sending (<see cref="TableOperations"/>), so code that passes its tests against Azurite does not fail in production.
/// Entity sizes follow the service's own accounting (strings as UTF-16: 2 bytes a char).
/// </summary>
public static partial class TableLimits
{
    public const int MaxTransactionActions = 100;
    public const int MaxTransactionPayloadBytes = 4 * 1024 * 1024;
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxCustomProperties = 252;
    public const int MaxStringChars = 32 * 1024;
    public const int MaxBinaryBytes = 64 * 1024;
    public const int MaxKeyChars = 512; // 1 KiB of UTF-16
    public const int MaxPropertyNameChars = 255;

    // A sub-request's envelope in a $batch body (boundaries, request line, headers), besides its entity and keys.
    private const int TransactionActionOverheadBytes = 512;

    public static void ValidateTableName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TableNamePattern().IsMatch(name))
            throw new ArgumentException($"'{name}' is not a valid table name: 3-63 letters and digits, starting with a letter.", nameof(name));
    }

    public static void ValidateKey(string value, string keyName)
    {
        ArgumentNullException.ThrowIfNull(value, keyName);
        if (value.Length > MaxKeyChars)
            throw new ArgumentException($"{keyName} is {value.Length} characters; the limit is {MaxKeyChars} (1 KiB).", keyName);
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
                throw new ArgumentException($"{keyName} '{value}' contains '{Printable(c)}'; keys may not contain / \\ # ? or control characters.", keyName);
        }
    }

    public static void ValidateEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ValidateKey(entity.PartitionKey, nameof(entity.PartitionKey));
        ValidateKey(entity.RowKey, nameof(entity.RowKey));

        // The service's size estimate: 4 + 2 * keys + per property (8 + 2 * name + value). Null values are not stored.
        long size = 4 + 2L * (entity.PartitionKey.Length + entity.RowKey.Length);
        var count = 0;
        foreach (var (name, value) in CustomProperties(entity))
        {
            if (name.Length > MaxPropertyNameChars)
                throw new ArgumentException($"Property name '{name[..40]}...' is longer than {MaxPropertyNameChars} characters.", nameof(entity));
            size += 8 + 2L * name.Length + ValueSize(name, value);
            count++;
        }
        if (count > MaxCustomProperties)
            throw new StorageSizeLimitException($"The entity has {count} properties; the limit is {MaxCustomProperties}.", nameof(entity));
        if (size > MaxEntityBytes)
            throw new StorageSizeLimitException($"The entity is about {size} bytes; the limit is {MaxEntityBytes} (1 MiB).", nameof(entity));
    }

    /// <summary>
    /// An entity-group transaction: 1 to 100 actions on one partition, each row once, valid entities (keys only for
    /// deletes), at most 4 MiB as sent (estimated from above: the SDK writes non-ASCII text as \u escapes).
    /// </summary>
    public static void ValidateTransaction(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
            throw new ArgumentException("A transaction needs at least one action.", nameof(actions));
        if (actions.Count > MaxTransactionActions)
            throw new ArgumentException($"A transaction holds at most {MaxTransactionActions} actions; got {actions.Count}.", nameof(actions));

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        long payload = 0;
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = actions[i].Entity;
            ValidateKey(entity.PartitionKey, nameof(entity.PartitionKey));
            ValidateKey(entity.RowKey, nameof(entity.RowKey));
            if (actions[i].ActionType != TableTransactionActionType.Delete && entity is TableEntity properties)
                ValidateEntity(properties);
            if (!string.Equals(entity.PartitionKey, partitionKey, StringComparison.Ordinal))
                throw new ArgumentException($"Action {i} is in partition '{entity.PartitionKey}', action 0 in '{partitionKey}'; a transaction spans one partition.", nameof(actions));
            if (!rowKeys.Add(entity.RowKey))
                throw new ArgumentException($"Action {i} touches row '{entity.RowKey}' again; a transaction may touch each row once.", nameof(actions));
            payload += TransactionActionOverheadBytes + 3 * JsonBytes(entity.PartitionKey + entity.RowKey) // in the URL and the body
                       + (actions[i].ActionType == TableTransactionActionType.Delete ? 0 : EntityJsonBytes(entity));
        }
        if (payload > MaxTransactionPayloadBytes)
            throw new StorageSizeLimitException($"The transaction is up to {payload} bytes as sent; the limit is {MaxTransactionPayloadBytes} (4 MiB).", nameof(actions));
    }

    /// <summary>The properties an entity stores: not its keys, ETag or Timestamp (which the SDK keeps in the same dictionary), not nulls.</summary>
    private static IEnumerable<KeyValuePair<string, object>> CustomProperties(TableEntity entity) =>
        entity.Where(p => p.Value is not null && p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"));

    private static long ValueSize(string name, object value) => value switch
    {
        string s when s.Length > MaxStringChars =>
            throw new StorageSizeLimitException($"String property '{name}' is {s.Length} characters; the limit is {MaxStringChars} (64 KiB).", nameof(value)),
        string s => 4 + 2L * s.Length,
        byte[] b when b.Length > MaxBinaryBytes =>
            throw new StorageSizeLimitException($"Binary property '{name}' is {b.Length} bytes; the limit is {MaxBinaryBytes} (64 KiB).", nameof(value)),
        byte[] b => 4 + b.Length,
        int => 4,
        bool => 1,
        Guid => 16,
        _ => 8, // long, double, DateTimeOffset, DateTime
    };

    // An upper bound of the entity's JSON: each property with its type annotation.
    private static long EntityJsonBytes(ITableEntity entity) => entity is not TableEntity properties
        ? 0
        : CustomProperties(properties).Sum(p => 2 * JsonBytes(p.Key) + 40 + p.Value switch
        {
            string s => JsonBytes(s),
            byte[] b => (b.Length + 2) / 3 * 4,
            _ => 40,
        });

    // As the SDK's JSON writer escapes text: ASCII letters, digits and most punctuation as is, anything else as \uXXXX.
    private static long JsonBytes(string text)
    {
        long bytes = 2;
        foreach (var c in text)
            bytes += c is >= ' ' and < '\u007f' and not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`') ? 1 : 6;
        return bytes;
    }

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}
