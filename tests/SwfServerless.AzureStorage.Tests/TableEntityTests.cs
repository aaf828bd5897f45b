using Azure;
using SwfServerless.Testing;

namespace SwfServerless.AzureStorage.Tests;

public sealed class TableEntityTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    private static readonly DateTimeOffset When = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.Zero).AddTicks(1234567);
    private static readonly Guid Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    [Fact]
    public async Task Every_property_type_round_trips_with_its_type()
    {
        var table = await NewTableAsync();
        var entity = new TableEntity("p", "r")
        {
            ["Text"] = "héllo 'quoted' \"double\" \n line 日本",
            ["Empty"] = "",
            ["Int"] = -42,
            ["Long"] = 9_007_199_254_740_993L, // 2^53 + 1: survives only as a string on the wire
            ["SmallLong"] = 7L,
            ["True"] = true,
            ["False"] = false,
            ["Double"] = 3.25,
            ["WholeDouble"] = 2.0,
            ["NaN"] = double.NaN,
            ["NegInf"] = double.NegativeInfinity,
            ["When"] = When,
            ["Bytes"] = new byte[] { 0, 1, 2, 254, 255 },
            ["Id"] = Id,
        };

        var etag = await table.AddEntityAsync(entity);
        var read = await table.GetEntityIfExistsAsync("p", "r");

        Assert.NotNull(read);
        Assert.NotEqual(default, etag);
        Assert.Equal(etag, read.ETag);
        Assert.NotNull(read.Timestamp);
        Assert.Equal("héllo 'quoted' \"double\" \n line 日本", read.GetString("Text"));
        Assert.Equal("", read.GetString("Empty"));
        Assert.Equal(-42, read.GetInt32("Int"));
        Assert.Equal(9_007_199_254_740_993L, read.GetInt64("Long"));
        Assert.IsType<long>(read["SmallLong"]);
        Assert.True(read.GetBoolean("True"));
        Assert.False(read.GetBoolean("False"));
        Assert.Equal(3.25, read.GetDouble("Double"));
        Assert.IsType<double>(read["WholeDouble"]);
        Assert.True(double.IsNaN(read.GetDouble("NaN")!.Value));
        Assert.Equal(double.NegativeInfinity, read.GetDouble("NegInf"));
        Assert.Equal(When, read.GetDateTimeOffset("When"));
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, read.GetBinary("Bytes"));
        Assert.Equal(Id, read.GetGuid("Id"));
        Assert.Null(read.GetString("Missing"));
        Assert.Equal(entity.Count, read.Count);
    }

    [Fact]
    public async Task Typed_getter_of_the_wrong_type_throws()
    {
        var entity = new TableEntity("p", "r") { ["Int"] = 1 };

        Assert.Throws<InvalidOperationException>(() => entity.GetString("Int"));
        Assert.Equal(1L, entity.GetInt64("Int"));
        Assert.Throws<ArgumentException>(() => entity["Bad"] = 1.5f);
    }

    [Fact]
    public async Task Add_of_an_existing_row_is_a_typed_409()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r"));

        var e = await Assert.ThrowsAsync<EntityAlreadyExistsException>(() => table.AddEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(409, e.Status);
        Assert.Equal("EntityAlreadyExists", e.ErrorCode);
        Assert.IsAssignableFrom<RequestFailedException>(e);
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_a_typed_412_and_ETag_All_wins()
    {
        var table = await NewTableAsync();
        var first = await table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 1 });
        var second = await table.UpdateEntityAsync(new TableEntity("p", "r") { ["N"] = 2 }, first);

        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "r") { ["N"] = 3 }, first, TableUpdateMode.Replace));
        Assert.Equal(412, e.Status);
        Assert.Equal(2, (await table.GetEntityIfExistsAsync("p", "r"))!.GetInt32("N"));

        var third = await table.UpdateEntityAsync(new TableEntity("p", "r") { ["N"] = 4 }, ETag.All);
        Assert.NotEqual(second, third);
        Assert.Equal(4, (await table.GetEntityIfExistsAsync("p", "r"))!.GetInt32("N"));
    }

    [Fact]
    public async Task Update_of_a_missing_row_is_404()
    {
        var table = await NewTableAsync();

        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "missing"), ETag.All));

        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_is_a_typed_412_and_missing_rows_return_false()
    {
        var table = await NewTableAsync();
        var stale = await table.AddEntityAsync(new TableEntity("p", "r"));
        var current = await table.UpsertEntityAsync(new TableEntity("p", "r") { ["X"] = 1 });

        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => table.DeleteEntityAsync("p", "r", stale));
        Assert.Equal(412, e.Status);

        Assert.True(await table.DeleteEntityAsync("p", "r", current));
        Assert.False(await table.DeleteEntityAsync("p", "r", ETag.All));
        Assert.Null(await table.GetEntityIfExistsAsync("p", "r"));
    }

    [Fact]
    public async Task Upsert_merges_or_replaces()
    {
        var table = await NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = 1, ["B"] = 1 });

        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["B"] = 2, ["C"] = 2 }, TableUpdateMode.Merge);
        var merged = (await table.GetEntityIfExistsAsync("p", "r"))!;
        Assert.Equal((1, 2, 2), (merged.GetInt32("A"), merged.GetInt32("B"), merged.GetInt32("C")));

        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["D"] = 3 }, TableUpdateMode.Replace);
        var replaced = (await table.GetEntityIfExistsAsync("p", "r"))!;
        Assert.Equal(["D"], replaced.Properties.Keys);
    }

    [Fact]
    public async Task Point_read_of_a_missing_row_is_null_and_select_limits_properties()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b", ["C"] = 3L });

        Assert.Null(await table.GetEntityIfExistsAsync("p", "nope"));
        Assert.Null(await table.GetEntityIfExistsAsync("nope", "r"));

        var selected = (await table.GetEntityIfExistsAsync("p", "r", select: ["B", "C"]))!;
        Assert.Equal(["B", "C"], selected.Properties.Keys.Order());
        Assert.Equal(3L, selected.GetInt64("C"));
        Assert.NotEqual(default, selected.ETag);
    }

    [Fact]
    public async Task Point_read_in_a_missing_table_throws_instead_of_returning_null()
    {
        var table = Clients.GetTableClient(TestNames.Unique("missing"));

        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.GetEntityIfExistsAsync("p", "r"));

        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task Table_create_and_delete_report_whether_they_did_anything()
    {
        var table = Clients.GetTableClient(TestNames.Unique("lifecycle"));

        Assert.True(await table.CreateIfNotExistsAsync());
        Assert.False(await table.CreateIfNotExistsAsync());
        Assert.True(await table.DeleteAsync());
        Assert.False(await table.DeleteAsync());
    }

    public static TheoryData<string> AwkwardKeys => new()
    {
        "with space",
        "it's",
        "''",
        "100%",
        "%41%2F",
        "plus+sign",
        "amp&eq=semi;",
        "comma,(paren)",
        "ünïcødé 日本語 😀",
        "star*tilde~bang!",
        "$dollar@at:colon",
        "[brackets]{braces}|pipe",
        "<angle>\"dq\"",
        " leading and trailing ",
        ".",
        "..",
        "",
    };

    [Theory]
    [MemberData(nameof(AwkwardKeys))]
    public async Task Keys_with_awkward_but_legal_characters_work_everywhere(string key)
    {
        var table = await NewTableAsync();
        var pk = "pk " + key;

        var etag = await table.AddEntityAsync(new TableEntity(pk, key) { ["V"] = 1 });
        Assert.Equal(1, (await table.GetEntityIfExistsAsync(pk, key))!.GetInt32("V"));

        var updated = await table.UpdateEntityAsync(new TableEntity(pk, key) { ["V"] = 2 }, etag);
        var found = await table.QueryAllAsync(TableFilter.Create($"PartitionKey eq {pk} and RowKey eq {key}")).ToListAsync();
        var row = Assert.Single(found);
        Assert.Equal((pk, key, 2, updated), (row.PartitionKey, row.RowKey, row.GetInt32("V"), row.ETag));

        await table.SubmitTransactionAsync([
            new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(pk, key) { ["V"] = 3 }, updated),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, key + "-2")),
        ]);
        Assert.Equal(3, (await table.GetEntityIfExistsAsync(pk, key))!.GetInt32("V"));

        Assert.True(await table.DeleteEntityAsync(pk, key));
        Assert.Null(await table.GetEntityIfExistsAsync(pk, key));
    }
}
