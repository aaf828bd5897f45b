using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>Queries against Azurite: pages and their continuation, selections, and filters built by the SDK.</summary>
public sealed class TableQueryTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    private static string Row(int i) => i.ToString("D4");

    private async Task<TableClient> TableWithRowsAsync(string partition, int count)
    {
        var table = await NewTableAsync();
        for (var start = 0; start < count; start += 100)
        {
            await table.TransactAsync(Enumerable.Range(start, Math.Min(100, count - start))
                .Select(i => new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity(partition, Row(i)) { ["N"] = i, ["Big"] = (long)i << 40, ["Tag"] = "t" + i }))
                .ToList());
        }
        // A neighbouring partition the filters must exclude.
        await table.AddRowAsync(new TableEntity(partition + "x", Row(0)));
        return table;
    }

    [Fact]
    public async Task Pages_continue_without_skipping_or_repeating()
    {
        var table = await TableWithRowsAsync("p", 25);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"p"}");

        var sizes = new List<int>();
        var seen = new List<string>();
        string? token = null;
        do
        {
            var (rows, next) = await table.QueryPageAsync(filter, 10, token);
            sizes.Add(rows.Count);
            seen.AddRange(rows.Select(e => e.RowKey));
            token = next;
        }
        while (token is not null);

        Assert.Equal([10, 10, 5], sizes);
        Assert.Equal(Enumerable.Range(0, 25).Select(Row), seen);
    }

    [Fact]
    public async Task QueryRows_walks_every_page()
    {
        var table = await TableWithRowsAsync("p", 25);
        var before = Metrics.Snapshot();

        var rows = await table.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"p"}"), maxPerPage: 7).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 25).Select(Row), rows.Select(r => r.RowKey));
        Assert.All(rows, r => Assert.NotEqual(default, r.ETag));
        Assert.All(rows, r => Assert.NotNull(r.Timestamp));
        Assert.Equal(4, Metrics.Snapshot().Minus(before)["table.query"]);
    }

    [Fact]
    public async Task RowKey_range_with_select_and_page_size()
    {
        var table = await TableWithRowsAsync("p", 25);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"p"} and RowKey ge {Row(5)} and RowKey lt {Row(15)}");

        var (page, next) = await table.QueryPageAsync(filter, 4, select: ["N", "Big"]);
        var all = await table.QueryRowsAsync(filter, select: ["N"]).ToListAsync();

        Assert.Equal([Row(5), Row(6), Row(7), Row(8)], page.Select(e => e.RowKey));
        Assert.NotNull(next);
        Assert.All(page, e => Assert.False(e.ContainsKey("Tag")));
        Assert.Equal(5L << 40, page[0].GetInt64("Big"));
        Assert.Equal(Enumerable.Range(5, 10), all.Select(e => e.GetInt32("N")!.Value));
    }

    [Fact]
    public async Task Filters_on_typed_values_use_the_right_literals()
    {
        var table = await NewTableAsync();
        var when = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var id = Guid.NewGuid();
        for (var i = 0; i < 5; i++)
        {
            await table.AddRowAsync(new TableEntity("p", Row(i))
            {
                ["Big"] = 5_000_000_000L + i,
                ["When"] = when.AddDays(i),
                ["Id"] = i == 3 ? id : Guid.NewGuid(),
                ["Flag"] = i % 2 == 0,
                ["Name"] = i == 4 ? "O'Brien" : "other",
            });
        }

        async Task<IEnumerable<string>> Rows(FormattableString filter) =>
            (await table.QueryRowsAsync(TableClient.CreateQueryFilter(filter)).ToListAsync()).Select(e => e.RowKey);

        Assert.Equal([Row(3), Row(4)], await Rows($"PartitionKey eq {"p"} and Big ge {5_000_000_003L}"));
        Assert.Equal([Row(0), Row(1)], await Rows($"PartitionKey eq {"p"} and When lt {when.AddDays(2)}"));
        Assert.Equal([Row(3)], await Rows($"PartitionKey eq {"p"} and Id eq {id}"));
        Assert.Equal([Row(1), Row(3)], await Rows($"PartitionKey eq {"p"} and Flag eq {false}"));
        Assert.Equal([Row(4)], await Rows($"PartitionKey eq {"p"} and Name eq {"O'Brien"}"));
        Assert.Empty(await Rows($"PartitionKey eq {"x' or RowKey ne '"}")); // an injection stays inside the literal
    }

    [Fact]
    public async Task Empty_result_has_no_continuation()
    {
        var table = await NewTableAsync();

        var (rows, next) = await table.QueryPageAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"nothing"}"), 10);

        Assert.Empty(rows);
        Assert.Null(next);
    }
}
