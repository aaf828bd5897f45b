using System.Text.RegularExpressions;

namespace SwfServerless.AzureStorage;

/// <summary>
/// Limits Azure Table storage enforces but Azurite does not (or not all): checked before sending, so code
/// that passes its tests against Azurite does not fail in production. Sizes follow the service's own accounting
/// (strings as UTF-16: 2 bytes a char).
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
        if (entity.Count > MaxCustomProperties)
            throw new ArgumentException($"The entity has {entity.Count} properties; the limit is {MaxCustomProperties}.", nameof(entity));

        // The service's size estimate: 4 + 2 * keys + per property (8 + 2 * name + value).
        long size = 4 + 2L * (entity.PartitionKey.Length + entity.RowKey.Length);
        foreach (var (name, value) in entity.Properties)
        {
            if (name.Length > MaxPropertyNameChars)
                throw new ArgumentException($"Property name '{name[..40]}...' is longer than {MaxPropertyNameChars} characters.", nameof(entity));
            size += 8 + 2L * name.Length + ValueSize(name, value);
        }
        if (size > MaxEntityBytes)
            throw new ArgumentException($"The entity is about {size} bytes; the limit is {MaxEntityBytes} (1 MiB).", nameof(entity));
    }

    private static long ValueSize(string name, object value) => value switch
    {
        string s when s.Length > MaxStringChars =>
            throw new ArgumentException($"String property '{name}' is {s.Length} characters; the limit is {MaxStringChars} (64 KiB).", nameof(value)),
        string s => 4 + 2L * s.Length,
        byte[] b when b.Length > MaxBinaryBytes =>
            throw new ArgumentException($"Binary property '{name}' is {b.Length} bytes; the limit is {MaxBinaryBytes} (64 KiB).", nameof(value)),
        byte[] b => 4 + b.Length,
        int => 4,
        bool => 1,
        Guid => 16,
        _ => 8, // long, double, DateTimeOffset
    };

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}
