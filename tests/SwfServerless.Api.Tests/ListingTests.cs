using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>Listing and paging; each test gets an app with its own tables, so it sees only its own domains.</summary>
[Collection("api")]
public sealed class ListingTests(AzuriteFixture azurite) : ApiTest(azurite)
{
    private static List<string> Names(JsonElement page, string list, Func<JsonElement, string> name) =>
        page.GetProperty(list).EnumerateArray().Select(name).ToList();

    [Fact]
    public async Task ListDomains_filters_by_status_and_sorts_by_name_in_both_orders()
    {
        foreach (var n in new[] { "charlie", "alpha", "echo", "bravo", "delta" })
            await App.OkAsync("RegisterDomain", new { name = n, workflowExecutionRetentionPeriodInDays = "1" });
        await App.OkAsync("DeprecateDomain", new { name = "delta" });

        var registered = await App.OkAsync("ListDomains", new { registrationStatus = "REGISTERED" });
        Assert.Equal(["alpha", "bravo", "charlie", "echo"], Names(registered, "domainInfos", d => d.GetProperty("name").GetString()!));
        Assert.False(registered.TryGetProperty("nextPageToken", out _));

        var reversed = await App.OkAsync("ListDomains", new { registrationStatus = "REGISTERED", reverseOrder = true });
        Assert.Equal(["echo", "charlie", "bravo", "alpha"], Names(reversed, "domainInfos", d => d.GetProperty("name").GetString()!));

        var deprecated = await App.OkAsync("ListDomains", new { registrationStatus = "DEPRECATED" });
        Assert.Equal(["delta"], Names(deprecated, "domainInfos", d => d.GetProperty("name").GetString()!));
        Assert.Equal("DEPRECATED", deprecated.GetProperty("domainInfos")[0].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Paging_never_skips_or_repeats_even_when_domains_are_added_between_pages(bool reverseOrder)
    {
        var expected = Enumerable.Range(0, 23).Select(i => $"d{i:D2}").ToList();
        foreach (var n in expected) await App.OkAsync("RegisterDomain", new { name = n, workflowExecutionRetentionPeriodInDays = "1" });

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await App.OkAsync("ListDomains", new { registrationStatus = "REGISTERED", maximumPageSize = 5, nextPageToken = token, reverseOrder });
            var names = Names(page, "domainInfos", d => d.GetProperty("name").GetString()!);
            Assert.True(names.Count <= 5);
            seen.AddRange(names);
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
            if (pages++ == 1) // a domain registered mid-listing, sorting after every name seen so far in either order
                await App.OkAsync("RegisterDomain", new { name = reverseOrder ? "a-late" : "z-late", workflowExecutionRetentionPeriodInDays = "1" });
        } while (token is not null);

        var inOrder = reverseOrder ? expected.AsEnumerable().Reverse().Append("a-late").ToList() : expected.Append("z-late").ToList();
        Assert.Equal(inOrder, seen);
        Assert.Equal(5, pages);
    }

    [Fact]
    public async Task MaximumPageSize_zero_means_the_default_and_over_1000_is_invalid()
    {
        await App.OkAsync("RegisterDomain", new { name = "one", workflowExecutionRetentionPeriodInDays = "1" });
        var page = await App.OkAsync("ListDomains", new { registrationStatus = "REGISTERED", maximumPageSize = 0 });
        Assert.Single(page.GetProperty("domainInfos").EnumerateArray());
        var message = await App.FaultAsync("ListDomains", new { registrationStatus = "REGISTERED", maximumPageSize = 1001 }, "ValidationException");
        Assert.Contains("maximumPageSize", message);
    }

    [Fact]
    public async Task A_forged_or_foreign_page_token_is_a_ValidationException()
    {
        for (var i = 0; i < 3; i++) await App.OkAsync("RegisterDomain", new { name = $"p{i}", workflowExecutionRetentionPeriodInDays = "1" });
        var page = await App.OkAsync("ListDomains", new { registrationStatus = "REGISTERED", maximumPageSize = 1 });
        var token = page.GetProperty("nextPageToken").GetString();

        await App.FaultAsync("ListDomains", new { registrationStatus = "DEPRECATED", maximumPageSize = 1, nextPageToken = token }, "ValidationException");
        await App.FaultAsync("ListDomains", new { registrationStatus = "REGISTERED", nextPageToken = "bm90IGEgdG9rZW4=" }, "ValidationException");
        await App.FaultAsync("ListDomains", new { registrationStatus = "REGISTERED", nextPageToken = "%%%" }, "ValidationException");
    }

    [Fact]
    public async Task ListActivityTypes_filters_by_name_and_status_sorts_by_name_then_version_and_pages()
    {
        await App.OkAsync("RegisterDomain", new { name = "types", workflowExecutionRetentionPeriodInDays = "1" });
        foreach (var (n, v) in new[] { ("b", "1"), ("a", "2"), ("a", "1"), ("c", "1"), ("a b", "1") })
            await App.OkAsync("RegisterActivityType", new { domain = "types", name = n, version = v });
        await App.OkAsync("DeprecateActivityType", new { domain = "types", activityType = new { name = "c", version = "1" } });

        string Key(JsonElement t) => t.GetProperty("activityType").GetProperty("name").GetString() + "@" + t.GetProperty("activityType").GetProperty("version").GetString();

        var all = new List<string>();
        string? token = null;
        do
        {
            var page = await App.OkAsync("ListActivityTypes", new { domain = "types", registrationStatus = "REGISTERED", maximumPageSize = 2, nextPageToken = token });
            all.AddRange(Names(page, "typeInfos", Key));
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        Assert.Equal(["a@1", "a@2", "a b@1", "b@1"], all);

        var named = await App.OkAsync("ListActivityTypes", new { domain = "types", registrationStatus = "REGISTERED", name = "a", reverseOrder = true });
        Assert.Equal(["a@2", "a@1"], Names(named, "typeInfos", Key));

        var deprecated = await App.OkAsync("ListActivityTypes", new { domain = "types", registrationStatus = "DEPRECATED" });
        Assert.Equal(["c@1"], Names(deprecated, "typeInfos", Key));

        await App.FaultAsync("ListActivityTypes", new { domain = "missing", registrationStatus = "REGISTERED" }, "UnknownResourceFault");
    }
}
