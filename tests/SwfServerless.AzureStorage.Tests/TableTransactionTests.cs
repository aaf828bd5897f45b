using Azure;
using SwfServerless.Testing;

namespace SwfServerless.AzureStorage.Tests;

public sealed class TableTransactionTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    private static TableTransactionAction Action(TableTransactionActionType type, string rowKey, int value = 0, ETag etag = default) =>
        new(type, new TableEntity("p", rowKey) { ["V"] = value }, etag);

    [Fact]
    public async Task Every_action_type_applies_and_returns_its_etag()
    {
        var table = await NewTableAsync();
        var e4 = await table.AddEntityAsync(new TableEntity("p", "r4") { ["V"] = 0, ["Keep"] = "k" });
        await table.AddEntityAsync(new TableEntity("p", "r2") { ["V"] = 0, ["Keep"] = "k" });
        await table.AddEntityAsync(new TableEntity("p", "r3") { ["V"] = 0, ["Keep"] = "k" });
        await table.AddEntityAsync(new TableEntity("p", "r5") { ["V"] = 0, ["Keep"] = "k" });
        await table.AddEntityAsync(new TableEntity("p", "r6"));

        var etags = await table.SubmitTransactionAsync([
            Action(TableTransactionActionType.Add, "r1", 1),
            Action(TableTransactionActionType.UpsertMerge, "r2", 2),
            Action(TableTransactionActionType.UpsertReplace, "r3", 3),
            Action(TableTransactionActionType.UpdateMerge, "r4", 4, e4),
            Action(TableTransactionActionType.UpdateReplace, "r5", 5, ETag.All),
            Action(TableTransactionActionType.Delete, "r6"),
        ]);

        Assert.Equal(6, etags.Count);
        Assert.Equal(default, etags[5]);
        var rows = (await table.QueryAllAsync().ToListAsync()).ToDictionary(e => e.RowKey);
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], rows.Keys.Order());
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(i, rows["r" + i].GetInt32("V"));
            Assert.Equal(etags[i - 1], rows["r" + i].ETag);
        }
        Assert.Equal("k", rows["r2"].GetString("Keep")); // merged
        Assert.Null(rows["r3"].GetString("Keep"));       // replaced
        Assert.Equal("k", rows["r4"].GetString("Keep"));
        Assert.Null(rows["r5"].GetString("Keep"));
    }

    [Fact]
    public async Task A_failing_add_rolls_back_the_whole_transaction_and_names_its_index()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "exists") { ["V"] = 0 });
        await table.AddEntityAsync(new TableEntity("p", "changed") { ["V"] = 0 });

        var e = await Assert.ThrowsAsync<EntityAlreadyExistsException>(() => table.SubmitTransactionAsync([
            Action(TableTransactionActionType.Add, "a", 1),
            Action(TableTransactionActionType.UpsertReplace, "changed", 1),
            Action(TableTransactionActionType.Add, "exists", 1),
            Action(TableTransactionActionType.Add, "c", 1),
        ]));

        Assert.Equal(2, e.FailedActionIndex);
        Assert.Equal(409, e.Status);
        Assert.Equal(["changed", "exists"], (await table.QueryAllAsync().ToListAsync()).Select(r => r.RowKey));
        Assert.Equal(0, (await table.GetEntityIfExistsAsync("p", "changed"))!.GetInt32("V"));
        Assert.Equal(0, (await table.GetEntityIfExistsAsync("p", "exists"))!.GetInt32("V"));
    }

    [Fact]
    public async Task A_stale_etag_rolls_back_the_whole_transaction_and_names_its_index()
    {
        var table = await NewTableAsync();
        var stale = await table.AddEntityAsync(new TableEntity("p", "state") { ["V"] = 0 });
        await table.UpdateEntityAsync(new TableEntity("p", "state") { ["V"] = 1 }, stale);
        await table.AddEntityAsync(new TableEntity("p", "doomed") { ["V"] = 0 });

        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => table.SubmitTransactionAsync([
            Action(TableTransactionActionType.Add, "event1", 1),
            Action(TableTransactionActionType.Delete, "doomed"),
            Action(TableTransactionActionType.UpdateReplace, "state", 2, stale),
            Action(TableTransactionActionType.Add, "event2", 1),
        ]));

        Assert.Equal(2, e.FailedActionIndex);
        Assert.Equal(412, e.Status);
        Assert.Equal(["doomed", "state"], (await table.QueryAllAsync().ToListAsync()).Select(r => r.RowKey));
        Assert.Equal(1, (await table.GetEntityIfExistsAsync("p", "state"))!.GetInt32("V"));
    }

    [Fact]
    public async Task A_full_transaction_of_100_actions_commits()
    {
        var table = await NewTableAsync();

        var etags = await table.SubmitTransactionAsync(
            Enumerable.Range(0, 100).Select(i => Action(TableTransactionActionType.Add, $"r{i:D3}", i)).ToList());

        Assert.Equal(100, etags.Count);
        Assert.Equal(100, (await table.QueryAllAsync().ToListAsync()).Count);
    }
}
