using Azure;
using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>Entity-group transactions against Azurite: all or nothing, and a failure names the action that failed.</summary>
public sealed class TableTransactionTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    private static TableTransactionAction Action(TableTransactionActionType type, string rowKey, int value = 0, ETag etag = default) =>
        new(type, new TableEntity("p", rowKey) { ["V"] = value }, etag);

    private static async Task<List<string>> RowKeysAsync(TableClient table) =>
        await table.QueryRowsAsync(select: []).Select(r => r.RowKey).ToListAsync();

    [Fact]
    public async Task Every_action_type_applies()
    {
        var table = await NewTableAsync();
        var e4 = await table.AddRowAsync(new TableEntity("p", "r4") { ["V"] = 0, ["Keep"] = "k" });
        await table.AddRowAsync(new TableEntity("p", "r2") { ["V"] = 0, ["Keep"] = "k" });
        await table.AddRowAsync(new TableEntity("p", "r3") { ["V"] = 0, ["Keep"] = "k" });
        await table.AddRowAsync(new TableEntity("p", "r5") { ["V"] = 0, ["Keep"] = "k" });
        await table.AddRowAsync(new TableEntity("p", "r6"));

        await table.TransactAsync([
            Action(TableTransactionActionType.Add, "r1", 1),
            Action(TableTransactionActionType.UpsertMerge, "r2", 2),
            Action(TableTransactionActionType.UpsertReplace, "r3", 3),
            Action(TableTransactionActionType.UpdateMerge, "r4", 4, e4),
            Action(TableTransactionActionType.UpdateReplace, "r5", 5, ETag.All),
            Action(TableTransactionActionType.Delete, "r6"),
        ]);

        var rows = await table.QueryRowsAsync().ToDictionaryAsync(e => e.RowKey);
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], rows.Keys.Order());
        for (var i = 1; i <= 5; i++)
            Assert.Equal(i, rows["r" + i].GetInt32("V"));
        Assert.Equal("k", rows["r2"].GetString("Keep")); // merged
        Assert.Null(rows["r3"].GetString("Keep"));       // replaced
        Assert.Equal("k", rows["r4"].GetString("Keep"));
        Assert.Null(rows["r5"].GetString("Keep"));
    }

    [Fact]
    public async Task An_existing_row_rolls_back_the_whole_transaction_and_names_its_index()
    {
        var table = await NewTableAsync();
        await table.AddRowAsync(new TableEntity("p", "exists") { ["V"] = 0 });
        await table.AddRowAsync(new TableEntity("p", "changed") { ["V"] = 0 });

        var e = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.TransactAsync([
            Action(TableTransactionActionType.Add, "a", 1),
            Action(TableTransactionActionType.UpsertReplace, "changed", 1),
            Action(TableTransactionActionType.Add, "exists", 1),
            Action(TableTransactionActionType.Add, "c", 1),
        ]));

        Assert.Equal(2, e.FailedTransactionActionIndex);
        Assert.True(e.IsEntityAlreadyExists());
        Assert.Equal(["changed", "exists"], await RowKeysAsync(table));
        Assert.Equal(0, (await table.GetRowAsync("p", "changed"))!.GetInt32("V"));
    }

    [Fact]
    public async Task A_stale_etag_rolls_back_the_whole_transaction_and_names_its_index()
    {
        var table = await NewTableAsync();
        var stale = await table.AddRowAsync(new TableEntity("p", "state") { ["V"] = 0 });
        await table.UpdateRowAsync(new TableEntity("p", "state") { ["V"] = 1 }, stale);
        await table.AddRowAsync(new TableEntity("p", "doomed") { ["V"] = 0 });

        var e = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.TransactAsync([
            Action(TableTransactionActionType.Add, "event1", 1),
            Action(TableTransactionActionType.Delete, "doomed"),
            Action(TableTransactionActionType.UpdateReplace, "state", 2, stale),
            Action(TableTransactionActionType.Add, "event2", 1),
        ]));

        Assert.Equal(2, e.FailedTransactionActionIndex);
        Assert.True(e.IsConcurrencyConflict());
        Assert.Equal(["doomed", "state"], await RowKeysAsync(table));
        Assert.Equal(1, (await table.GetRowAsync("p", "state"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Deleting_a_missing_row_fails_the_transaction_with_404()
    {
        // Unlike a single delete (a 404 response): removal code relies on it to fall back to deleting one by one.
        var table = await NewTableAsync();
        await table.AddRowAsync(new TableEntity("p", "here"));

        var e = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.TransactAsync([
            new(TableTransactionActionType.Delete, new TableEntity("p", "here"), ETag.All),
            new(TableTransactionActionType.Delete, new TableEntity("p", "gone"), ETag.All),
        ]));

        Assert.True(e.IsNotFound());
        Assert.Equal(1, e.FailedTransactionActionIndex);
        Assert.Equal(["here"], await RowKeysAsync(table));
    }

    [Fact]
    public async Task A_full_transaction_of_100_actions_commits()
    {
        var table = await NewTableAsync();

        await table.TransactAsync(Enumerable.Range(0, 100).Select(i => Action(TableTransactionActionType.Add, $"r{i:D3}", i)).ToList());

        Assert.Equal(100, (await RowKeysAsync(table)).Count);
    }
}
