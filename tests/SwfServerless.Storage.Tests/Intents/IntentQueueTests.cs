using System.Text;
using Azure.Storage.Queues;
using SwfServerless.Core.Executions;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Intents;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.Intents;

/// <summary>The intents queue against Azurite: what the Functions queue trigger reads, and the poison queue's re-drive.</summary>
[Collection("azurite")]
public sealed class IntentQueueTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly IntentMessage Message = new(IntentKind.SignalExternal, "partition", "run", 7, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly StorageClients clients = StorageClients.FromConnectionString(azurite.ConnectionString);
    private IntentQueue intents = null!;

    public async Task InitializeAsync()
    {
        intents = new IntentQueue(clients, TestNames.Unique("intents"));
        await intents.CreateIfNotExistsAsync(default);
    }

    public Task DisposeAsync()
    {
        clients.Dispose();
        return Task.CompletedTask;
    }

    private QueueClient Raw(string name) => new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    [Fact]
    public async Task Messages_are_base64_JSON_on_the_wire_as_the_Functions_queue_trigger_expects()
    {
        await intents.EnqueueAsync(Message, default);

        var onTheWire = (await Raw(intents.Name).PeekMessagesAsync()).Value.Single().Body.ToString();
        Assert.Equal(IntentQueue.Serialize(Message), Encoding.UTF8.GetString(Convert.FromBase64String(onTheWire)));
        var received = Assert.Single(await intents.ReceiveAsync(32, TimeSpan.FromSeconds(30), default));
        Assert.Equal((Message, 1L), (received.Message, received.DequeueCount));
        await intents.DeleteAsync(received, default);
        Assert.Equal(0, await intents.CountAsync(default));
    }

    [Fact]
    public async Task Text_that_is_no_intent_is_dropped_on_receive()
    {
        await clients.GetQueueClient(intents.Name).SendCheckedAsync("not JSON");
        await Raw(intents.Name).SendMessageAsync("not even base64 !");
        await intents.EnqueueAsync(Message, default);

        var dropped = new List<string>();
        clients.UndecodableMessageDropped += (_, id) => { lock (dropped) dropped.Add(id); };
        var received = Assert.Single(await intents.ReceiveAsync(32, TimeSpan.FromSeconds(30), default, dropped.Add));

        Assert.Equal(Message, received.Message);
        // Each dropped message is told by its id (what the log says), never by its text.
        Assert.Equal(2, dropped.Distinct().Count());
        Assert.All(dropped, id => Assert.DoesNotContain("JSON", id, StringComparison.Ordinal));
        await intents.DeleteAsync(received, default);
        Assert.Equal(0, await intents.CountAsync(default));
    }

    [Fact]
    public async Task Poison_messages_are_moved_back_into_the_intents_queue()
    {
        // What the Functions host does after maxDequeueCount failed deliveries: the same base64 text, in "<queue>-poison".
        var poison = clients.GetQueueClient(intents.Name + "-poison");
        await poison.CreateIfNotExistsAsync();
        var second = Message with { EventId = 8 };
        await poison.SendCheckedAsync(IntentQueue.Serialize(Message));
        await poison.SendCheckedAsync(IntentQueue.Serialize(second));

        Assert.Equal(2, await intents.RedrivePoisonAsync(10, default));

        var received = await intents.ReceiveAsync(32, TimeSpan.FromSeconds(30), default);
        Assert.Equal([Message, second], received.Select(r => r.Message).OrderBy(m => m.EventId));
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, await intents.RedrivePoisonAsync(10, default));
    }

    [Fact]
    public async Task Without_a_poison_queue_there_is_nothing_to_redrive()
    {
        Assert.Equal(0, await intents.RedrivePoisonAsync(10, default));
    }
}
