namespace SwfServerless.AzureStorage.Tests;

/// <summary>Limits Azure enforces and Azurite does not: rejected before anything is sent.</summary>
public sealed class ClientSideLimitTests : IDisposable
{
    private readonly InterceptingHandler _handler = InterceptingHandler.NoRequests();
    private readonly StorageClients _clients;
    private readonly TableClient _table;
    private readonly QueueClient _queue;

    public ClientSideLimitTests()
    {
        _clients = new StorageClients(StorageAccount.Parse("UseDevelopmentStorage=true"), new HttpClient(_handler));
        _table = _clients.GetTableClient("limits");
        _queue = _clients.GetQueueClient("limits");
    }

    private static TableTransactionAction Add(string pk, string rk) => new(TableTransactionActionType.Add, new TableEntity(pk, rk));

    [Fact]
    public async Task Transaction_of_101_actions()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(
            () => _table.SubmitTransactionAsync(Enumerable.Range(0, 101).Select(i => Add("p", "r" + i)).ToList()));
        Assert.Contains("100", e.Message);
    }

    [Fact]
    public async Task Transaction_across_partitions()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync([Add("p", "1"), Add("q", "2")]));
        Assert.Contains("partition", e.Message);
    }

    [Fact]
    public async Task Transaction_touching_a_row_twice()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync([
            Add("p", "1"),
            new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("p", "1")),
        ]));
    }

    [Fact]
    public async Task Empty_transaction()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync([]));
    }

    [Fact]
    public async Task Transaction_over_4_MiB()
    {
        // Non-ASCII text is \u-escaped in JSON: 32K characters become ~192 KB, 50 of them ~9.6 MB.
        var actions = Enumerable.Range(0, 50)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r" + i) { ["S"] = new string('é', 32 * 1024) }))
            .ToList();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync(actions));
        Assert.Contains("4 MiB", e.Message);
    }

    [Fact]
    public async Task String_property_over_32K_characters()
    {
        var entity = new TableEntity("p", "r") { ["S"] = new string('x', 32 * 1024 + 1) };

        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddEntityAsync(entity));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync([new(TableTransactionActionType.UpsertMerge, entity)]));
    }

    [Fact]
    public async Task Binary_property_over_64_KiB()
    {
        await Assert.ThrowsAsync<ArgumentException>(
            () => _table.UpsertEntityAsync(new TableEntity("p", "r") { ["B"] = new byte[64 * 1024 + 1] }));
    }

    [Fact]
    public async Task More_than_252_properties()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++)
            entity["P" + i] = i;

        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddEntityAsync(entity));
    }

    [Fact]
    public async Task Entity_over_1_MiB()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 17; i++)
            entity["S" + i] = new string('x', 32 * 1024); // 17 x 64 KiB

        var e = await Assert.ThrowsAsync<ArgumentException>(() => _table.AddEntityAsync(entity));
        Assert.Contains("1 MiB", e.Message);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    [InlineData("del\u007f")]
    [InlineData("c1\u0085")]
    public async Task Keys_with_forbidden_characters(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddEntityAsync(new TableEntity("p", key)));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddEntityAsync(new TableEntity(key, "r")));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.GetEntityIfExistsAsync("p", key));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.DeleteEntityAsync(key, "r"));
    }

    [Fact]
    public async Task Keys_over_1_KiB()
    {
        TableLimits.ValidateKey(new string('k', 512), "RowKey"); // 1 KiB of UTF-16: still legal
        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddEntityAsync(new TableEntity("p", new string('k', 513))));
    }

    [Fact]
    public async Task Queue_message_over_64_KiB_after_encoding()
    {
        // 48 KiB of text is 64 KiB in base64: just fits; one more block does not.
        var fits = new string('x', 48 * 1024);
        var tooBig = new string('x', 48 * 1024 + 3);

        await Assert.ThrowsAsync<ArgumentException>(() => _queue.SendMessageAsync(tooBig));
        await Assert.ThrowsAsync<ArgumentException>(
            () => _clients.GetQueueClient("limits", QueueMessageEncoding.None).SendMessageAsync(new string('x', 64 * 1024 + 1)));
        Assert.Equal(64 * 1024, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(fits)).Length);
    }

    [Fact]
    public void Invalid_table_and_queue_names()
    {
        Assert.Throws<ArgumentException>(() => _clients.GetTableClient("1abc"));
        Assert.Throws<ArgumentException>(() => _clients.GetTableClient("ab"));
        Assert.Throws<ArgumentException>(() => _clients.GetTableClient("with-dash"));
        Assert.Throws<ArgumentException>(() => _clients.GetQueueClient("UPPER"));
        Assert.Throws<ArgumentException>(() => _clients.GetQueueClient("double--hyphen"));
        Assert.Throws<ArgumentException>(() => _clients.GetQueueClient("-edge"));
    }

    public void Dispose() => _clients.Dispose();
}
