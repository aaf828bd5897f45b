using System.Collections;
using Azure;

namespace SwfServerless.AzureStorage;

/// <summary>
/// A table row: its keys, its ETag and a bag of typed properties. Property values are string, int, long, bool,
/// double, DateTimeOffset, byte[] or Guid (a DateTime is stored as a UTC DateTimeOffset); setting null removes one.
/// </summary>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object>>
{
    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public TableEntity()
    {
    }

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    /// <summary>Set by reads; what a conditional update or delete passes as If-Match.</summary>
    public ETag ETag { get; set; }

    /// <summary>Set by reads; maintained by the service, never written.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>Custom properties only (not PartitionKey, RowKey, Timestamp).</summary>
    public IReadOnlyDictionary<string, object> Properties => _properties;

    public int Count => _properties.Count;

    public object? this[string name]
    {
        get => name switch
        {
            nameof(PartitionKey) => PartitionKey,
            nameof(RowKey) => RowKey,
            nameof(Timestamp) => Timestamp,
            _ => _properties.GetValueOrDefault(name),
        };
        set
        {
            switch (name)
            {
                case nameof(PartitionKey):
                    PartitionKey = value as string ?? throw new ArgumentException("PartitionKey must be a string.", nameof(value));
                    break;
                case nameof(RowKey):
                    RowKey = value as string ?? throw new ArgumentException("RowKey must be a string.", nameof(value));
                    break;
                case nameof(Timestamp):
                    Timestamp = value is null ? null : (DateTimeOffset)Normalize(name, value);
                    break;
                default:
                    ArgumentException.ThrowIfNullOrEmpty(name);
                    if (value is null)
                        _properties.Remove(name);
                    else
                        _properties[name] = Normalize(name, value);
                    break;
            }
        }
    }

    /// <summary>For collection initializers: <c>new TableEntity(pk, rk) { { "Name", value } }</c>.</summary>
    public void Add(string name, object value) => this[name] = value;

    public bool ContainsKey(string name) => _properties.ContainsKey(name);

    public bool Remove(string name) => _properties.Remove(name);

    public string? GetString(string name) => Get<string>(name);

    public byte[]? GetBinary(string name) => Get<byte[]>(name);

    public bool? GetBoolean(string name) => GetValue<bool>(name);

    public Guid? GetGuid(string name) => GetValue<Guid>(name);

    public DateTimeOffset? GetDateTimeOffset(string name) => GetValue<DateTimeOffset>(name);

    public int? GetInt32(string name) => GetValue<int>(name);

    /// <summary>Also reads an Int32 value (a small number written without a type annotation comes back as one).</summary>
    public long? GetInt64(string name) => _properties.GetValueOrDefault(name) is int i ? i : GetValue<long>(name);

    /// <summary>Also reads integer values: a whole double may come back from the service as a plain JSON integer.</summary>
    public double? GetDouble(string name) => _properties.GetValueOrDefault(name) switch
    {
        int i => i,
        long l => l,
        _ => GetValue<double>(name),
    };

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private T? Get<T>(string name) where T : class => _properties.GetValueOrDefault(name) switch
    {
        null => null,
        T value => value,
        var other => throw WrongType(name, typeof(T), other),
    };

    private T? GetValue<T>(string name) where T : struct => _properties.GetValueOrDefault(name) switch
    {
        null => null,
        T value => value,
        var other => throw WrongType(name, typeof(T), other),
    };

    private static InvalidOperationException WrongType(string name, Type wanted, object actual) =>
        new($"Property '{name}' holds a {actual.GetType().Name}, not a {wanted.Name}.");

    private static object Normalize(string name, object value) => value switch
    {
        string or int or long or bool or double or DateTimeOffset or byte[] or Guid => value,
        DateTime dt => new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime()),
        _ => throw new ArgumentException(
            $"Property '{name}' has unsupported type {value.GetType().Name}; use string, int, long, bool, double, DateTimeOffset, byte[] or Guid.", nameof(value)),
    };
}
