using System.Diagnostics;
using SwfServerless.Testing;

namespace SwfServerless.AzureStorage.Tests;

/// <summary>Visibility is enforced by the emulator in whole seconds, so these tests wait on real time, briefly.</summary>
public sealed class QueueTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    private static async Task<IReadOnlyList<QueueMessage>> ReceiveWithinAsync(QueueClient queue, TimeSpan patience, TimeSpan? visibility = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var messages = await queue.ReceiveMessagesAsync(32, visibility);
            if (messages.Count > 0 || clock.Elapsed > patience)
                return messages;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Send_receive_delete()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendMessageAsync("hello ünïcode <xml> & \"quotes\"");
        var received = Assert.Single(await queue.ReceiveMessagesAsync(maxMessages: 5));

        Assert.Equal(receipt.MessageId, received.MessageId);
        Assert.Equal("hello ünïcode <xml> & \"quotes\"", received.MessageText);
        Assert.Equal(1, received.DequeueCount);
        Assert.NotNull(received.InsertedOn);
        Assert.True(received.NextVisibleOn > DateTimeOffset.UtcNow);
        Assert.True(await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));
        Assert.Empty(await queue.ReceiveMessagesAsync());
        Assert.False(await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));
    }

    [Fact]
    public async Task A_delayed_message_stays_invisible_until_due()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendMessageAsync("later", visibilityTimeout: TimeSpan.FromSeconds(2));

        Assert.Empty(await queue.ReceiveMessagesAsync());
        Assert.Empty(await queue.PeekMessagesAsync());
        Assert.True(receipt.NextVisibleOn >= receipt.InsertedOn!.Value.AddSeconds(2));
        var message = Assert.Single(await ReceiveWithinAsync(queue, TimeSpan.FromSeconds(6)));
        Assert.Equal("later", message.MessageText);
    }

    [Fact]
    public async Task A_received_message_returns_after_its_visibility_timeout_and_the_old_pop_receipt_is_stale()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("work");

        var first = Assert.Single(await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromSeconds(1)));
        Assert.Empty(await queue.ReceiveMessagesAsync());
        var second = Assert.Single(await ReceiveWithinAsync(queue, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(30)));

        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        Assert.False(await queue.DeleteMessageAsync(first.MessageId, first.PopReceipt));
        Assert.True(await queue.DeleteMessageAsync(second.MessageId, second.PopReceipt));
    }

    [Fact]
    public async Task Update_changes_visibility_and_text_and_issues_a_new_pop_receipt()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("v1");
        var received = Assert.Single(await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromMinutes(5)));

        var update = await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, "v2", TimeSpan.Zero);

        Assert.NotEqual(received.PopReceipt, update.PopReceipt);
        var again = Assert.Single(await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromMinutes(5)));
        Assert.Equal("v2", again.MessageText);
        var hidden = await queue.UpdateMessageAsync(again.MessageId, again.PopReceipt, visibilityTimeout: TimeSpan.FromMinutes(10));
        Assert.True(hidden.NextVisibleOn > DateTimeOffset.UtcNow.AddMinutes(9));
        Assert.Empty(await queue.ReceiveMessagesAsync());
        await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => queue.UpdateMessageAsync(again.MessageId, again.PopReceipt, visibilityTimeout: TimeSpan.Zero));
        Assert.True(await queue.DeleteMessageAsync(again.MessageId, hidden.PopReceipt));
    }

    [Fact]
    public async Task Time_to_live_expires_messages_or_never()
    {
        var queue = await NewQueueAsync();

        var forever = await queue.SendMessageAsync("forever", timeToLive: TimeSpan.FromSeconds(-1));
        await queue.SendMessageAsync("brief", timeToLive: TimeSpan.FromSeconds(1));

        Assert.True(forever.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100));
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var left = await queue.PeekMessagesAsync(32);
        Assert.Equal(["forever"], left.Select(m => m.MessageText));
    }

    [Fact]
    public async Task Approximate_count_and_peek()
    {
        var queue = await NewQueueAsync();
        Assert.Equal(0, await queue.GetApproximateMessagesCountAsync());

        for (var i = 0; i < 3; i++)
            await queue.SendMessageAsync("m" + i);

        Assert.Equal(3, await queue.GetApproximateMessagesCountAsync());
        var peeked = await queue.PeekMessagesAsync(32);
        Assert.Equal(["m0", "m1", "m2"], peeked.Select(m => m.MessageText));
        Assert.All(peeked, m => Assert.Equal(0, m.DequeueCount));
        Assert.Equal(3, (await queue.ReceiveMessagesAsync(32)).Count);
    }

    [Fact]
    public async Task Base64_is_the_default_encoding_on_the_wire()
    {
        var queue = await NewQueueAsync();
        var raw = Clients.GetQueueClient(queue.Name, QueueMessageEncoding.None);

        await queue.SendMessageAsync("{\"task\":1}");
        await raw.SendMessageAsync("plain <text>");

        var seenRaw = await raw.PeekMessagesAsync(32);
        Assert.Equal([Convert.ToBase64String("{\"task\":1}"u8.ToArray()), "plain <text>"], seenRaw.Select(m => m.MessageText));
        Assert.Equal("{\"task\":1}", (await queue.PeekMessagesAsync())[0].MessageText);
    }

    [Fact]
    public async Task Create_and_delete_report_whether_they_did_anything()
    {
        var queue = Clients.GetQueueClient(TestNames.Unique("lifecycle"));

        Assert.True(await queue.CreateIfNotExistsAsync());
        Assert.False(await queue.CreateIfNotExistsAsync());
        Assert.True(await queue.DeleteIfExistsAsync());
        Assert.False(await queue.DeleteIfExistsAsync());
    }

    [Fact]
    public async Task Sending_to_a_missing_queue_is_404()
    {
        var queue = Clients.GetQueueClient(TestNames.Unique("missing"));

        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(() => queue.SendMessageAsync("x"));

        Assert.Equal(404, e.Status);
        Assert.Equal("QueueNotFound", e.ErrorCode);
    }
}
