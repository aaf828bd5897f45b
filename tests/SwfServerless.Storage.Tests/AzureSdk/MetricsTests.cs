using Azure;
using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>The request counters the benchmark and the cost tests read: one per attempt, by operation, as reads or writes.</summary>
public sealed class MetricsTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    [Fact]
    public async Task Every_request_is_counted_by_kind_and_as_read_or_write()
    {
        var table = await NewTableAsync();
        var queue = await NewQueueAsync();
        var before = Metrics.Snapshot();

        await table.AddRowAsync(new TableEntity("p", "a"));
        await table.UpsertRowAsync(new TableEntity("p", "b"));
        await table.UpdateRowAsync(new TableEntity("p", "a"), ETag.All);
        await table.GetRowAsync("p", "a");
        await table.GetRowAsync("p", "missing");
        await table.QueryPageAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"p"}"), 10);
        await table.TransactAsync([new(TableTransactionActionType.Add, new TableEntity("p", "c"))]);
        await table.DeleteRowAsync("p", "b");
        await queue.SendCheckedAsync("m");
        await queue.PeekMessagesAsync();
        var message = (await queue.ReceiveMessagesAsync()).Value[0];
        var update = await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(30));
        await queue.DeleteIfOwnedAsync(message.MessageId, update.Value.PopReceipt);
        await queue.GetPropertiesAsync();

        var diff = Metrics.Snapshot().Minus(before);

        Assert.Equal(new Dictionary<string, long>
        {
            ["queue.count"] = 1,
            ["queue.delete"] = 1,
            ["queue.get"] = 1,
            ["queue.peek"] = 1,
            ["queue.put"] = 1,
            ["queue.update"] = 1,
            ["table.batch"] = 1,
            ["table.delete"] = 1,
            ["table.get"] = 2,
            ["table.insert"] = 1,
            ["table.query"] = 1,
            ["table.update"] = 1,
            ["table.upsert"] = 1,
        }, diff.ByOperation);
        Assert.Equal(5, diff.Reads);   // 2 gets, query, peek, count
        Assert.Equal(9, diff.Writes);
        Assert.Equal(14, diff.Total);
        Assert.Equal(0, diff.Retries);
    }

    [Fact]
    public async Task Creating_and_deleting_tables_and_queues_is_counted()
    {
        var before = Metrics.Snapshot();
        var table = await NewTableAsync();
        var queue = await NewQueueAsync();
        await table.DeleteAsync();
        await queue.DeleteIfExistsAsync();

        Assert.Equal(new Dictionary<string, long> { ["queue.create"] = 1, ["queue.deletequeue"] = 1, ["table.create"] = 1, ["table.deletetable"] = 1 },
            Metrics.Snapshot().Minus(before).ByOperation);
    }

    [Theory]
    [InlineData("Table", "POST", "/Tables", "", false, "table.create")]
    [InlineData("Table", "DELETE", "/Tables('t1')", "", false, "table.deletetable")]
    [InlineData("Table", "POST", "/$batch", "", false, "table.batch")]
    [InlineData("Table", "POST", "/t1", "?$format=x", false, "table.insert")]
    [InlineData("Table", "GET", "/t1()", "?$filter=x", false, "table.query")]
    [InlineData("Table", "GET", "/t1(PartitionKey='a',RowKey='()')", "", false, "table.get")]
    [InlineData("Table", "PUT", "/t1(PartitionKey='a',RowKey='b')", "", false, "table.upsert")]
    [InlineData("Table", "PATCH", "/t1(PartitionKey='a',RowKey='b')", "", true, "table.update")]
    [InlineData("Table", "DELETE", "/t1(PartitionKey='a',RowKey='b')", "", true, "table.delete")]
    [InlineData("Queue", "PUT", "/q1", "", false, "queue.create")]
    [InlineData("Queue", "GET", "/q1", "?comp=metadata", false, "queue.count")]
    [InlineData("Queue", "DELETE", "/q1", "", false, "queue.deletequeue")]
    [InlineData("Queue", "POST", "/q1/messages", "?messagettl=-1", false, "queue.put")]
    [InlineData("Queue", "GET", "/q1/messages", "?numofmessages=1", false, "queue.get")]
    [InlineData("Queue", "GET", "/q1/messages", "?peekonly=true", false, "queue.peek")]
    [InlineData("Queue", "PUT", "/q1/messages/id", "?popreceipt=r", false, "queue.update")]
    [InlineData("Queue", "DELETE", "/q1/messages/id", "?popreceipt=r", false, "queue.delete")]
    [InlineData("Queue", "GET", "/", "?comp=list", false, "queue.other")]
    public void Operations_are_told_apart_by_method_and_address(string service, string method, string path, string query, bool ifMatch, string expected)
    {
        Assert.Equal(expected, StorageOperation.Classify(Enum.Parse<StorageService>(service), method, path, query, ifMatch).Name);
    }

    [Fact]
    public async Task Snapshots_are_immutable_and_counting_is_thread_safe()
    {
        var metrics = new StorageMetrics();
        var empty = metrics.Snapshot();

        await Parallel.ForAsync(0, 10_000, (i, _) =>
        {
            metrics.RecordAttempt(i % 2 == 0 ? StorageOperation.TableGet : StorageOperation.QueuePut, isRetry: false);
            return ValueTask.CompletedTask;
        });

        var after = metrics.Snapshot();
        Assert.Equal(0, empty.Total);
        Assert.Equal(5_000, after["table.get"]);
        Assert.Equal(5_000, after.Reads);
        Assert.Equal(5_000, after.Writes);
    }
}
