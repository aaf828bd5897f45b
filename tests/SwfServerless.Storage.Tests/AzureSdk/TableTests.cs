using Azure;
using Azure.Data.Tables;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>
/// Single-row operations against Azurite, through <see cref="TableOperations"/>, and the places where the SDK behaves
/// differently from the hand-written client it replaced (each pinned here, not found in production).
/// </summary>
public sealed class TableTests(AzuriteFixture azurite) : AzuriteTest(azurite)
{
    private static readonly DateTimeOffset When = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.Zero).AddTicks(1234567);
    private static readonly Guid Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    [Fact]
    public async Task Every_property_type_we_store_round_trips_with_its_type()
    {
        var table = await NewTableAsync();
        var entity = new TableEntity("p", "r")
        {
            ["Text"] = "héllo 'quoted' \"double\" \n line 日本 <&+>",
            ["Empty"] = "",
            ["Int"] = -42,
            ["Long"] = 9_007_199_254_740_993L, // 2^53 + 1: survives only as a string on the wire
            ["SmallLong"] = 7L,
            ["True"] = true,
            ["WholeDouble"] = 2.0,
            ["When"] = When,
            ["Offset"] = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(7),
            ["Bytes"] = new byte[] { 0, 1, 2, 254, 255 },
            ["Id"] = Id,
        };

        var etag = await table.AddRowAsync(entity);
        var read = await table.GetRowAsync("p", "r");

        Assert.NotNull(read);
        Assert.NotEqual(default, etag);
        Assert.Equal(etag, read.ETag);
        Assert.NotNull(read.Timestamp);
        Assert.Equal("héllo 'quoted' \"double\" \n line 日本 <&+>", read.GetString("Text"));
        Assert.Equal("", read.GetString("Empty"));
        Assert.Equal(-42, read.GetInt32("Int"));
        Assert.Equal(9_007_199_254_740_993L, read.GetInt64("Long"));
        Assert.IsType<long>(read["SmallLong"]);
        Assert.True(read.GetBoolean("True"));
        Assert.IsType<double>(read["WholeDouble"]);
        Assert.Equal(When, read.GetDateTimeOffset("When"));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 1, 4, 5, TimeSpan.Zero).AddTicks(7), read.GetDateTimeOffset("Offset")); // the instant, in UTC
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, read.GetBinary("Bytes")); // byte[], not BinaryData
        Assert.Equal(Id, read.GetGuid("Id"));
        Assert.Null(read.GetString("Missing"));
    }

    [Fact]
    public async Task SDK_difference_typed_getters_do_not_widen_so_longs_must_be_written_as_long()
    {
        // The old client's GetInt64 read an Int32 too; the SDK's throws. Every Int64 we read (ticks, event ids) is written as long.
        var table = await NewTableAsync();
        await table.AddRowAsync(new TableEntity("p", "r") { ["Int"] = 1, ["Long"] = 1L });
        var read = (await table.GetRowAsync("p", "r"))!;

        Assert.Throws<InvalidOperationException>(() => read.GetInt64("Int"));
        Assert.Throws<InvalidOperationException>(() => read.GetInt32("Long"));
        Assert.Throws<InvalidOperationException>(() => read.GetString("Int"));
        Assert.Equal(1L, read.GetInt64("Long"));
    }

    [Fact]
    public async Task Null_properties_are_not_stored_and_merge_keeps_the_stored_value()
    {
        // The SDK sends "Name": null; the service (and Azurite) store nothing for it, as the old client, which left nulls out.
        var table = await NewTableAsync();
        await table.AddRowAsync(new TableEntity("p", "r") { ["Kept"] = "k", ["Null"] = null });
        Assert.False((await table.GetRowAsync("p", "r"))!.ContainsKey("Null"));

        await table.UpsertRowAsync(new TableEntity("p", "r") { ["Kept"] = null }, TableUpdateMode.Merge);
        Assert.Equal("k", (await table.GetRowAsync("p", "r"))!.GetString("Kept"));

        await table.UpsertRowAsync(new TableEntity("p", "r") { ["Kept"] = null, ["Other"] = 1 }, TableUpdateMode.Replace);
        Assert.False((await table.GetRowAsync("p", "r"))!.ContainsKey("Kept"));
    }

    [Fact]
    public async Task Add_of_an_existing_row_is_409_EntityAlreadyExists()
    {
        var table = await NewTableAsync();
        await table.AddRowAsync(new TableEntity("p", "r"));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddRowAsync(new TableEntity("p", "r")));

        Assert.Equal((409, "EntityAlreadyExists"), (e.Status, e.ErrorCode));
        Assert.True(e.IsEntityAlreadyExists());
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_412_and_ETag_All_wins()
    {
        var table = await NewTableAsync();
        var first = await table.AddRowAsync(new TableEntity("p", "r") { ["N"] = 1 });
        var second = await table.UpdateRowAsync(new TableEntity("p", "r") { ["N"] = 2 }, first);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateRowAsync(new TableEntity("p", "r") { ["N"] = 3 }, first, TableUpdateMode.Replace));
        Assert.True(e.IsConcurrencyConflict());
        Assert.Equal(2, (await table.GetRowAsync("p", "r"))!.GetInt32("N"));

        var third = await table.UpdateRowAsync(new TableEntity("p", "r") { ["N"] = 4 }, ETag.All);
        Assert.NotEqual(second, third);
        Assert.Equal(4, (await table.GetRowAsync("p", "r"))!.GetInt32("N"));
    }

    [Fact]
    public async Task Update_of_a_missing_row_is_404()
    {
        var table = await NewTableAsync();

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateRowAsync(new TableEntity("p", "missing"), ETag.All));

        Assert.True(e.IsNotFound());
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_is_412_and_a_missing_row_is_false()
    {
        var table = await NewTableAsync();
        var stale = await table.AddRowAsync(new TableEntity("p", "r"));
        var current = await table.UpsertRowAsync(new TableEntity("p", "r") { ["X"] = 1 });

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteRowAsync("p", "r", stale));
        Assert.True(e.IsConcurrencyConflict());

        Assert.True(await table.DeleteRowAsync("p", "r", current));
        Assert.False(await table.DeleteRowAsync("p", "r"));
        Assert.False(await table.DeleteRowAsync("p", "r", current)); // a missing row is a 404 whatever the ETag
        Assert.Null(await table.GetRowAsync("p", "r"));
    }

    [Fact]
    public async Task SDK_difference_a_delete_of_a_missing_row_answers_404_without_throwing()
    {
        var table = await NewTableAsync();

        var response = await table.DeleteEntityAsync("p", "missing");

        Assert.Equal(404, response.Status);
    }

    [Fact]
    public async Task SDK_difference_a_missing_table_reads_like_a_missing_row_so_GetRow_throws()
    {
        var table = Clients.GetTableClient(TestNames.Unique("missing"));

        var sdk = await table.GetEntityIfExistsAsync<TableEntity>("p", "r");
        Assert.False(sdk.HasValue); // the SDK does not tell TableNotFound from ResourceNotFound

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetRowAsync("p", "r"));
        Assert.Equal((404, "TableNotFound"), (e.Status, e.ErrorCode));
        await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteRowAsync("p", "r"));
    }

    [Fact]
    public async Task SDK_difference_a_selection_always_includes_the_keys_and_an_empty_one_means_keys_only()
    {
        var table = await NewTableAsync();
        await table.AddRowAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b", ["C"] = 3L });

        // The SDK as is: the service returns only what is selected (no keys), and "$select=" returns everything.
        var bare = (await table.GetEntityIfExistsAsync<TableEntity>("p", "r", ["B"])).Value!;
        Assert.Null(bare.RowKey);
        var all = await table.QueryAsync<TableEntity>($"PartitionKey eq 'p'", select: []).SingleAsync();
        Assert.Equal("a", all.GetString("A"));

        var selected = (await table.GetRowAsync("p", "r", ["B", "C"]))!;
        Assert.Equal(("p", "r", "b", 3L, (string?)null), (selected.PartitionKey, selected.RowKey, selected.GetString("B"), selected.GetInt64("C"), selected.GetString("A")));
        Assert.NotEqual(default, selected.ETag);
        var keysOnly = await table.QueryRowsAsync($"PartitionKey eq 'p'", select: []).SingleAsync();
        Assert.Equal(("p", "r", false), (keysOnly.PartitionKey, keysOnly.RowKey, keysOnly.ContainsKey("A")));
    }

    [Fact]
    public async Task Point_read_of_a_missing_row_is_null()
    {
        var table = await NewTableAsync();
        await table.AddRowAsync(new TableEntity("p", "r"));

        Assert.Null(await table.GetRowAsync("p", "nope"));
        Assert.Null(await table.GetRowAsync("nope", "r"));
    }

    [Fact]
    public async Task Upsert_merges_or_replaces()
    {
        var table = await NewTableAsync();
        await table.UpsertRowAsync(new TableEntity("p", "r") { ["A"] = 1, ["B"] = 1 });

        await table.UpsertRowAsync(new TableEntity("p", "r") { ["B"] = 2, ["C"] = 2 }, TableUpdateMode.Merge);
        var merged = (await table.GetRowAsync("p", "r"))!;
        Assert.Equal((1, 2, 2), (merged.GetInt32("A"), merged.GetInt32("B"), merged.GetInt32("C")));

        await table.UpsertRowAsync(new TableEntity("p", "r") { ["D"] = 3 }, TableUpdateMode.Replace);
        var replaced = (await table.GetRowAsync("p", "r"))!;
        Assert.Equal((false, 3), (replaced.ContainsKey("A"), replaced.GetInt32("D")));
    }

    [Fact]
    public async Task Table_create_and_delete_report_whether_they_did_anything()
    {
        var table = Clients.GetTableClient(TestNames.Unique("lifecycle"));

        Assert.True(await table.CreateIfMissingAsync());
        Assert.False(await table.CreateIfMissingAsync());
        Assert.Equal(204, (await table.DeleteAsync()).Status);
        Assert.Equal(404, (await table.DeleteAsync()).Status);
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

        var etag = await table.AddRowAsync(new TableEntity(pk, key) { ["V"] = 1 });
        Assert.Equal(1, (await table.GetRowAsync(pk, key))!.GetInt32("V"));

        var updated = await table.UpdateRowAsync(new TableEntity(pk, key) { ["V"] = 2 }, etag);
        var row = await table.QueryRowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey eq {key}")).SingleAsync();
        Assert.Equal((pk, key, 2, updated), (row.PartitionKey, row.RowKey, row.GetInt32("V"), row.ETag));

        await table.TransactAsync([
            new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(pk, key) { ["V"] = 3 }, updated),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, key + "-2")),
        ]);
        Assert.Equal(3, (await table.GetRowAsync(pk, key))!.GetInt32("V"));

        Assert.True(await table.DeleteRowAsync(pk, key));
        Assert.Null(await table.GetRowAsync(pk, key));
    }
}
