using System.Net;
using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

[Collection("api")]
public sealed class DomainTests(AzuriteFixture azurite) : ApiTest(azurite)
{
    [Fact]
    public async Task Register_then_describe_shows_every_attribute()
    {
        await App.OkAsync("RegisterDomain", new { name = "orders", description = "Order processing", workflowExecutionRetentionPeriodInDays = "7" });

        var detail = await App.OkAsync("DescribeDomain", new { name = "orders" });

        var info = detail.GetProperty("domainInfo");
        Assert.Equal("orders", info.GetProperty("name").GetString());
        Assert.Equal("REGISTERED", info.GetProperty("status").GetString());
        Assert.Equal("Order processing", info.GetProperty("description").GetString());
        Assert.Equal("arn:aws:swf:us-east-1:123456789012:/domain/orders", info.GetProperty("arn").GetString());
        Assert.Equal("7", detail.GetProperty("configuration").GetProperty("workflowExecutionRetentionPeriodInDays").GetString());
    }

    [Fact]
    public async Task Registering_an_existing_name_is_DomainAlreadyExistsFault_also_when_deprecated()
    {
        await App.OkAsync("RegisterDomain", new { name = "dup", workflowExecutionRetentionPeriodInDays = "1" });
        await App.FaultAsync("RegisterDomain", new { name = "dup", workflowExecutionRetentionPeriodInDays = "1" }, "DomainAlreadyExistsFault");

        await App.OkAsync("DeprecateDomain", new { name = "dup" });
        var message = await App.FaultAsync("RegisterDomain", new { name = "dup", workflowExecutionRetentionPeriodInDays = "2" }, "DomainAlreadyExistsFault");
        Assert.Contains("dup", message);
    }

    [Fact]
    public async Task Unknown_domain_is_UnknownResourceFault()
    {
        var message = await App.FaultAsync("DescribeDomain", new { name = "nope" }, "UnknownResourceFault");
        Assert.Contains("nope", message);
        await App.FaultAsync("DeprecateDomain", new { name = "nope" }, "UnknownResourceFault");
        await App.FaultAsync("UndeprecateDomain", new { name = "nope" }, "UnknownResourceFault");
    }

    [Fact]
    public async Task Deprecate_and_undeprecate_follow_the_registration_status()
    {
        await App.OkAsync("RegisterDomain", new { name = "cycle", workflowExecutionRetentionPeriodInDays = "0" });
        await App.FaultAsync("UndeprecateDomain", new { name = "cycle" }, "DomainAlreadyExistsFault");

        await App.OkAsync("DeprecateDomain", new { name = "cycle" });
        Assert.Equal("DEPRECATED", (await App.OkAsync("DescribeDomain", new { name = "cycle" })).GetProperty("domainInfo").GetProperty("status").GetString());
        await App.FaultAsync("DeprecateDomain", new { name = "cycle" }, "DomainDeprecatedFault");

        await App.OkAsync("UndeprecateDomain", new { name = "cycle" });
        Assert.Equal("REGISTERED", (await App.OkAsync("DescribeDomain", new { name = "cycle" })).GetProperty("domainInfo").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("NONE", "0")]
    [InlineData("0", "0")]
    [InlineData("90", "90")]
    public async Task Retention_accepts_NONE_and_0_to_90_days(string given, string described)
    {
        var name = "ret" + given;
        await App.OkAsync("RegisterDomain", new { name, workflowExecutionRetentionPeriodInDays = given });
        var detail = await App.OkAsync("DescribeDomain", new { name });
        Assert.Equal(described, detail.GetProperty("configuration").GetProperty("workflowExecutionRetentionPeriodInDays").GetString());
    }

    [Theory]
    [InlineData("91")]
    [InlineData("-1")]
    [InlineData("seven")]
    public async Task Retention_outside_0_to_90_is_a_ValidationException_naming_the_field(string given)
    {
        var message = await App.FaultAsync("RegisterDomain", new { name = "bad", workflowExecutionRetentionPeriodInDays = given }, "ValidationException");
        Assert.Contains("workflowExecutionRetentionPeriodInDays", message);
        await App.FaultAsync("DescribeDomain", new { name = "bad" }, "UnknownResourceFault");
    }

    [Theory]
    [InlineData(" lead")]
    [InlineData("trail ")]
    [InlineData("a:b")]
    [InlineData("a/b")]
    [InlineData("a|b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u0085b")]
    [InlineData("arn")]
    [InlineData("")]
    public async Task Invalid_domain_names_are_rejected_with_a_message_naming_the_field(string name)
    {
        var message = await App.FaultAsync("RegisterDomain", new { name, workflowExecutionRetentionPeriodInDays = "1" }, "ValidationException");
        Assert.Contains("name", message);
    }

    [Fact]
    public async Task Long_names_are_rejected_at_257_characters_and_accepted_at_256()
    {
        await App.OkAsync("RegisterDomain", new { name = new string('x', 256), workflowExecutionRetentionPeriodInDays = "1" });
        await App.FaultAsync("RegisterDomain", new { name = new string('y', 257), workflowExecutionRetentionPeriodInDays = "1" }, "ValidationException");
    }

    [Fact]
    public async Task Names_with_characters_storage_keys_forbid_are_stored_and_found()
    {
        const string name = "odd #?\\% name";
        await App.OkAsync("RegisterDomain", new { name, workflowExecutionRetentionPeriodInDays = "1" });
        Assert.Equal(name, (await App.OkAsync("DescribeDomain", new { name })).GetProperty("domainInfo").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Twenty_parallel_registrations_of_one_name_exactly_one_wins()
    {
        var calls = Enumerable.Range(0, 20).Select(i =>
            App.CallAsync("RegisterDomain", new { name = "race", description = $"caller {i}", workflowExecutionRetentionPeriodInDays = "1" }));
        var responses = await Task.WhenAll(calls);

        Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.OK),
            r => Assert.Equal("com.amazonaws.swf.base.model#DomainAlreadyExistsFault", r.FaultType));
        var winner = responses.Select((r, i) => (r, i)).Single(x => x.r.Status == HttpStatusCode.OK).i;
        var stored = await App.OkAsync("DescribeDomain", new { name = "race" });
        Assert.Equal($"caller {winner}", stored.GetProperty("domainInfo").GetProperty("description").GetString());
    }
}
