using System.Diagnostics;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>Queues against Azurite, through <see cref="QueueOperations"/>. Visibility is in whole seconds, so some tests wait, briefly.</summary>
public sealed class QueueTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    private static async Task<QueueMessage[]> ReceiveWithinAsync(QueueClient queue, TimeSpan patience, TimeSpan? visibility = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            QueueMessage[] messages = await queue.ReceiveMessagesAsync(32, visibility);
            if (messages.Length > 0 || clock.Elapsed > patience)
                return messages;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Send_receive_delete()
    {
        var queue = await NewQueueAsync();

        SendReceipt receipt = await queue.SendCheckedAsync("hello ünïcode <xml> & \"quotes\"");
        var received = Assert.Single((await queue.ReceiveMessagesAsync(maxMessages: 5)).Value);

        Assert.Equal(receipt.MessageId, received.MessageId);
        Assert.Equal("hello ünïcode <xml> & \"quotes\"", received.Body.ToString());
        Assert.Equal(1, received.DequeueCount);
        Assert.True(received.NextVisibleOn > DateTimeOffset.UtcNow);
        Assert.True(await queue.DeleteIfOwnedAsync(received.MessageId, received.PopReceipt));
        Assert.Empty((await queue.ReceiveMessagesAsync()).Value);
        Assert.False(await queue.DeleteIfOwnedAsync(received.MessageId, received.PopReceipt));
    }

    [Fact]
    public async Task A_delayed_message_stays_invisible_until_due()
    {
        var queue = await NewQueueAsync();

        await queue.SendCheckedAsync("later", visibilityTimeout: TimeSpan.FromSeconds(2));

        Assert.Empty((await queue.ReceiveMessagesAsync()).Value);
        var message = Assert.Single(await ReceiveWithinAsync(queue, TimeSpan.FromSeconds(6)));
        Assert.Equal("later", message.Body.ToString());
    }

    [Fact]
    public async Task Azurite_quirk_a_stale_pop_receipt_is_400_PopReceiptMismatch_where_Azure_answers_404()
    {
        var queue = await NewQueueAsync();
        await queue.SendCheckedAsync("work");

        var first = Assert.Single((await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromSeconds(1))).Value);
        var second = Assert.Single(await ReceiveWithinAsync(queue, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(30)));
        Assert.Equal((first.MessageId, 2L), (second.MessageId, second.DequeueCount));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteMessageAsync(first.MessageId, first.PopReceipt));
        Assert.True((e.Status, e.ErrorCode) is (400, "PopReceiptMismatch") or (404, "MessageNotFound"), $"{e.Status} {e.ErrorCode}");
        Assert.False(await queue.DeleteIfOwnedAsync(first.MessageId, first.PopReceipt));
        Assert.True(await queue.DeleteIfOwnedAsync(second.MessageId, second.PopReceipt));
    }

    [Fact]
    public async Task Update_changes_visibility_and_text_and_issues_a_new_pop_receipt()
    {
        var queue = await NewQueueAsync();
        await queue.SendCheckedAsync("v1");
        var received = Assert.Single((await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromMinutes(5))).Value);

        UpdateReceipt update = await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, "v2", TimeSpan.Zero);

        Assert.NotEqual(received.PopReceipt, update.PopReceipt);
        var again = Assert.Single((await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromMinutes(5))).Value);
        Assert.Equal("v2", again.Body.ToString());
        UpdateReceipt hidden = await queue.UpdateMessageAsync(again.MessageId, again.PopReceipt, visibilityTimeout: TimeSpan.FromMinutes(10));
        Assert.True(hidden.NextVisibleOn > DateTimeOffset.UtcNow.AddMinutes(9));
        Assert.Empty((await queue.ReceiveMessagesAsync()).Value);
        Assert.True(await queue.DeleteIfOwnedAsync(again.MessageId, hidden.PopReceipt));
    }

    [Fact]
    public async Task Time_to_live_expires_messages_or_never()
    {
        var queue = await NewQueueAsync();

        SendReceipt forever = await queue.SendCheckedAsync("forever", timeToLive: TimeSpan.FromSeconds(-1));
        await queue.SendCheckedAsync("brief", timeToLive: TimeSpan.FromSeconds(1));

        Assert.True(forever.ExpirationTime > DateTimeOffset.UtcNow.AddYears(100));
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        PeekedMessage[] left = await queue.PeekMessagesAsync(32);
        Assert.Equal(["forever"], left.Select(m => m.Body.ToString()));
    }

    [Fact]
    public async Task Approximate_count_and_peek()
    {
        var queue = await NewQueueAsync();
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        for (var i = 0; i < 3; i++)
            await queue.SendCheckedAsync("m" + i);

        Assert.Equal(3, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        PeekedMessage[] peeked = await queue.PeekMessagesAsync(32);
        Assert.Equal(["m0", "m1", "m2"], peeked.Select(m => m.Body.ToString()));
        Assert.All(peeked, m => Assert.Equal(0, m.DequeueCount));
        Assert.Equal(3, (await queue.ReceiveMessagesAsync(32)).Value.Length);
    }

    [Fact]
    public async Task Base64_is_the_encoding_on_the_wire()
    {
        var queue = await NewQueueAsync();

        await queue.SendCheckedAsync("{\"task\":1}");

        PeekedMessage[] onTheWire = await Raw(queue).PeekMessagesAsync();
        Assert.Equal(Convert.ToBase64String("{\"task\":1}"u8.ToArray()), onTheWire.Single().Body.ToString());
    }

    [Fact]
    public async Task SDK_difference_a_message_that_is_not_base64_is_left_out_of_the_answer_and_dropped()
    {
        // The old client handed such text back as it was; the SDK fails the whole receive unless told what to do with it.
        var queue = await NewQueueAsync();
        await Raw(queue).SendMessageAsync("not base64 !");
        await queue.SendCheckedAsync("ours");

        var received = Assert.Single((await queue.ReceiveMessagesAsync(32)).Value);
        Assert.Equal("ours", received.Body.ToString());
        Assert.True(await queue.DeleteIfOwnedAsync(received.MessageId, received.PopReceipt));

        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Create_and_delete_report_whether_they_did_anything()
    {
        var queue = Clients.GetQueueClient(TestNames.Unique("lifecycle"));

        Assert.NotNull(await queue.CreateIfNotExistsAsync());
        Assert.Null(await queue.CreateIfNotExistsAsync());
        Assert.True(await queue.DeleteIfExistsAsync());
        Assert.False(await queue.DeleteIfExistsAsync());
    }

    [Fact]
    public async Task Using_a_missing_queue_is_404_QueueNotFound()
    {
        var queue = Clients.GetQueueClient(TestNames.Unique("missing"));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.ReceiveMessagesAsync());

        Assert.Equal((404, "QueueNotFound"), (e.Status, e.ErrorCode));
        Assert.True(e.IsNotFound());
    }
}
