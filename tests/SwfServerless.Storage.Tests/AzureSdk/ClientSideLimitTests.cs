using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>Limits Azure enforces and Azurite (and the SDK) do not: rejected before anything is sent (size limits as <see cref="StorageSizeLimitException"/>, a storage failure retrying cannot fix).</summary>
public sealed class ClientSideLimitTests : IDisposable
{
    private readonly StorageClients _clients =
        StorageClients.FromConnectionString("UseDevelopmentStorage=true", new StorageClientOptions { HttpClient = new HttpClient(InterceptingHandler.NoRequests()) });
    private readonly TableClient _table;

    public ClientSideLimitTests() => _table = _clients.GetTableClient("limits");

    private static TableTransactionAction Add(string pk, string rk) => new(TableTransactionActionType.Add, new TableEntity(pk, rk));

    [Fact]
    public async Task Transaction_of_101_actions()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _table.TransactAsync(Enumerable.Range(0, 101).Select(i => Add("p", "r" + i)).ToList()));
        Assert.Contains("100", e.Message);
    }

    [Fact]
    public async Task Transaction_across_partitions()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _table.TransactAsync([Add("p", "1"), Add("q", "2")]));
        Assert.Contains("partition", e.Message);
    }

    [Fact]
    public async Task Transaction_touching_a_row_twice()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _table.TransactAsync([
            Add("p", "1"),
            new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("p", "1")),
        ]));
    }

    [Fact]
    public async Task Empty_transaction()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _table.TransactAsync([]));
    }

    [Fact]
    public async Task Transaction_over_4_MiB_as_sent()
    {
        // The SDK writes non-ASCII text as \u escapes: 32K characters become ~192 KB, 50 of them ~9.6 MB.
        var actions = Enumerable.Range(0, 50)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r" + i) { ["S"] = new string('é', 32 * 1024) }))
            .ToList();

        var e = await Assert.ThrowsAsync<StorageSizeLimitException>(() => _table.TransactAsync(actions));
        Assert.Contains("4 MiB", e.Message);
    }

    [Fact]
    public void A_full_transaction_of_plain_text_rows_is_within_the_limits()
    {
        // 100 history-sized rows of ASCII text (what a big commit writes) must not be refused by the estimate.
        TableLimits.ValidateTransaction(Enumerable.Range(0, 100)
            .Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", $"r|{i:D10}") { ["E"] = new string('x', 30_000) }))
            .ToList());
    }

    [Fact]
    public async Task String_property_over_32K_characters()
    {
        var entity = new TableEntity("p", "r") { ["S"] = new string('x', 32 * 1024 + 1) };

        await Assert.ThrowsAsync<StorageSizeLimitException>(() => _table.AddRowAsync(entity));
        await Assert.ThrowsAsync<StorageSizeLimitException>(() => _table.TransactAsync([new(TableTransactionActionType.UpsertMerge, entity)]));
    }

    [Fact]
    public async Task Binary_property_over_64_KiB()
    {
        await Assert.ThrowsAsync<StorageSizeLimitException>(() => _table.UpsertRowAsync(new TableEntity("p", "r") { ["B"] = new byte[64 * 1024 + 1] }));
    }

    [Fact]
    public async Task More_than_252_properties_not_counting_keys_and_nulls()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 252; i++)
            entity["P" + i] = i;
        entity["Null"] = null; // not stored, not counted
        TableLimits.ValidateEntity(entity);

        entity["P252"] = 252;
        await Assert.ThrowsAsync<StorageSizeLimitException>(() => _table.AddRowAsync(entity));
    }

    [Fact]
    public async Task Entity_over_1_MiB()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 17; i++)
            entity["S" + i] = new string('x', 32 * 1024); // 17 x 64 KiB

        var e = await Assert.ThrowsAsync<StorageSizeLimitException>(() => _table.AddRowAsync(entity));
        Assert.Contains("1 MiB", e.Message);
        // A storage failure retrying cannot fix, which the service answers with the limit (LimitExceededFault).
        Assert.True(StorageFailure.IsStorageFailure(e));
        Assert.False(StorageFailure.IsTransient(e));
        Assert.True(StorageFailure.IsSizeLimit(e));
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
        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddRowAsync(new TableEntity("p", key)));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddRowAsync(new TableEntity(key, "r")));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.GetRowAsync("p", key));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.DeleteRowAsync(key, "r"));
        await Assert.ThrowsAsync<ArgumentException>(() => _table.TransactAsync([new(TableTransactionActionType.Delete, new TableEntity("p", key))]));
    }

    [Fact]
    public async Task Keys_over_1_KiB()
    {
        TableLimits.ValidateKey(new string('k', 512), "RowKey"); // 1 KiB of UTF-16: still legal
        await Assert.ThrowsAsync<ArgumentException>(() => _table.AddRowAsync(new TableEntity("p", new string('k', 513))));
    }

    [Fact]
    public async Task Queue_message_over_64_KiB_as_sent()
    {
        // 48 KiB of text is 64 KiB in base64: just fits; one more block does not.
        QueueLimits.ValidateMessage(new string('x', 48 * 1024));
        await Assert.ThrowsAsync<StorageSizeLimitException>(() => _clients.GetQueueClient("limits").SendCheckedAsync(new string('x', 48 * 1024 + 3)));
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
