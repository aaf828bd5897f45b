using Azure;
using SwfServerless.Testing;

namespace SwfServerless.AzureStorage.Tests;

public sealed class MetricsTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    [Fact]
    public async Task Every_request_is_counted_by_kind_and_as_read_or_write()
    {
        var table = await NewTableAsync();
        var queue = await NewQueueAsync();
        var before = Metrics.Snapshot();

        var etag = await table.AddEntityAsync(new TableEntity("p", "a"));
        await table.UpsertEntityAsync(new TableEntity("p", "b"));
        await table.UpdateEntityAsync(new TableEntity("p", "a"), ETag.All);
        await table.GetEntityIfExistsAsync("p", "a");
        await table.GetEntityIfExistsAsync("p", "missing");
        await table.QueryAsync(TableFilter.Create($"PartitionKey eq {"p"}"));
        await table.SubmitTransactionAsync([new(TableTransactionActionType.Add, new TableEntity("p", "c"))]);
        await table.DeleteEntityAsync("p", "b");
        await queue.SendMessageAsync("m");
        await queue.PeekMessagesAsync();
        var message = (await queue.ReceiveMessagesAsync())[0];
        var update = await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(30));
        await queue.DeleteMessageAsync(message.MessageId, update.PopReceipt);
        await queue.GetApproximateMessagesCountAsync();

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
        Assert.NotEqual(default, etag);
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
