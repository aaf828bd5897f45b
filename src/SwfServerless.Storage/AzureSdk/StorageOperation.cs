namespace SwfServerless.Storage.AzureSdk;

/// <summary>Which service a request goes to.</summary>
internal enum StorageService
{
    Table,
    Queue,
}

/// <summary>
/// The kind of one storage request, as counted by <see cref="StorageMetrics"/>. A write is anything that changes stored
/// state (a queue receive does: it hides the message and bumps its dequeue count).
/// LOAD-BEARING: the names are read by bench/ and by the cost tests.
/// </summary>
public readonly record struct StorageOperation(string Name, bool IsWrite)
{
    public static readonly StorageOperation TableCreate = new("table.create", true);
    public static readonly StorageOperation TableDeleteTable = new("table.deletetable", true);
    public static readonly StorageOperation TableInsert = new("table.insert", true);
    public static readonly StorageOperation TableUpsert = new("table.upsert", true);
    public static readonly StorageOperation TableUpdate = new("table.update", true);
    public static readonly StorageOperation TableDelete = new("table.delete", true);
    public static readonly StorageOperation TableGet = new("table.get", false);
    public static readonly StorageOperation TableQuery = new("table.query", false);
    public static readonly StorageOperation TableBatch = new("table.batch", true);

    public static readonly StorageOperation QueueCreate = new("queue.create", true);
    public static readonly StorageOperation QueueDeleteQueue = new("queue.deletequeue", true);
    public static readonly StorageOperation QueuePut = new("queue.put", true);
    public static readonly StorageOperation QueueGet = new("queue.get", true);
    public static readonly StorageOperation QueuePeek = new("queue.peek", false);
    public static readonly StorageOperation QueueDelete = new("queue.delete", true);
    public static readonly StorageOperation QueueUpdate = new("queue.update", true);
    public static readonly StorageOperation QueueCount = new("queue.count", false);

    public override string ToString() => Name;

    /// <summary>
    /// The operation of a request from its method and address, as the services define them (Table service REST API,
    /// Queue service REST API). Requests this project does not send are counted as "table.other" / "queue.other".
    /// </summary>
    /// <param name="path">The escaped path below the service root: "/Tables", "/$batch", "/t1(PartitionKey='a',RowKey='b')",
    /// "/q1/messages/{id}".</param>
    /// <param name="query">The escaped query string, with or without its '?'.</param>
    /// <param name="hasIfMatch">Whether the request is conditional: a table update sends If-Match, an upsert does not.</param>
    internal static StorageOperation Classify(StorageService service, string method, string path, string query, bool hasIfMatch) =>
        service == StorageService.Table ? ClassifyTable(method, path.Trim('/'), hasIfMatch) : ClassifyQueue(method, path.Trim('/'), query);

    private static StorageOperation ClassifyTable(string method, string resource, bool hasIfMatch)
    {
        if (resource == "$batch")
            return TableBatch;
        // The table set: "Tables" (create, list) or "Tables('name')" (delete).
        if (resource.StartsWith("Tables", StringComparison.Ordinal) && (resource.Length == 6 || resource[6] == '('))
            return method switch { "POST" => TableCreate, "DELETE" => TableDeleteTable, _ => TableQuery };
        // "t1" (insert), "t1()" (query), "t1(PartitionKey='..',RowKey='..')" (one entity).
        var isEntity = resource.Contains('(') && !resource.EndsWith("()", StringComparison.Ordinal);
        return method switch
        {
            "GET" => isEntity ? TableGet : TableQuery,
            "POST" => TableInsert,
            "PUT" or "PATCH" or "MERGE" => hasIfMatch ? TableUpdate : TableUpsert,
            "DELETE" => TableDelete,
            _ => Other("table", method),
        };
    }

    private static StorageOperation ClassifyQueue(string method, string resource, string query)
    {
        if (resource.Length == 0)
            return Other("queue", method); // the account: list queues, service properties
        var segments = resource.Split('/');
        return (segments.Length, method) switch
        {
            (1, "PUT") when !HasParameter(query, "comp=metadata") => QueueCreate,
            (1, "DELETE") => QueueDeleteQueue,
            (1, "GET" or "HEAD") when HasParameter(query, "comp=metadata") => QueueCount,
            (2, "POST") => QueuePut,
            (2, "GET") => HasParameter(query, "peekonly=true") ? QueuePeek : QueueGet,
            (3, "DELETE") => QueueDelete,
            (3, "PUT") => QueueUpdate,
            _ => Other("queue", method),
        };
    }

    private static bool HasParameter(string query, string parameter) => query.Contains(parameter, StringComparison.OrdinalIgnoreCase);

    private static StorageOperation Other(string service, string method) => new(service + ".other", method is not ("GET" or "HEAD"));
}
