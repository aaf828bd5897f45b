namespace SwfServerless.AzureStorage;

/// <summary>
/// The kind of one storage request, as counted by <see cref="StorageMetrics"/>.
/// A write is anything that changes stored state (a queue receive does: it hides the message and bumps its dequeue count).
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
}
