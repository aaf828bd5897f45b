namespace SwfServerless.AzureStorage;

/// <summary>Resource addresses of the Table service, keys escaped the way the service parses them.</summary>
internal sealed class TableUris(Uri endpoint, string table)
{
    private readonly string _root = endpoint.OriginalString;

    public Uri Tables => new(_root + "/Tables");

    public Uri Table => new($"{_root}/Tables('{table}')");

    public Uri Batch => new(_root + "/$batch");

    public string EntitySet => $"{_root}/{table}";

    public string Query => $"{_root}/{table}()";

    /// <summary>OData key literal: quotes doubled, then percent-encoded (so ' # ? % and spaces survive the URL).</summary>
    public string Entity(string partitionKey, string rowKey) =>
        $"{_root}/{table}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));
}
