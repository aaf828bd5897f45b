using System.Text.Json;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

[Collection("api")]
public sealed class TagTests(AzuriteFixture azurite) : ApiTest(azurite)
{
    private const string Arn = "arn:aws:swf:us-east-1:123456789012:/domain/tagged";

    private async Task<Dictionary<string, string>> TagsAsync(string arn = Arn) =>
        (await App.OkAsync("ListTagsForResource", new { resourceArn = arn })).GetProperty("tags").EnumerateArray()
            .ToDictionary(t => t.GetProperty("key").GetString()!, t => t.TryGetProperty("value", out var v) ? v.GetString()! : "");

    [Fact]
    public async Task Tags_given_at_registration_are_listed_then_added_overwritten_and_removed()
    {
        await App.OkAsync("RegisterDomain", new { name = "tagged", workflowExecutionRetentionPeriodInDays = "1",
            tags = new[] { new { key = "team", value = "payments" }, new { key = "env", value = "dev" } } });
        Assert.Equal(new Dictionary<string, string> { ["env"] = "dev", ["team"] = "payments" }, await TagsAsync());

        await App.OkAsync("TagResource", new { resourceArn = Arn, tags = new[] { new { key = "env", value = "prod" }, new { key = "cost-center", value = "42" } } });
        Assert.Equal(new Dictionary<string, string> { ["cost-center"] = "42", ["env"] = "prod", ["team"] = "payments" }, await TagsAsync());

        await App.OkAsync("UntagResource", new { resourceArn = Arn, tagKeys = new[] { "team", "not-there" } });
        Assert.Equal(new Dictionary<string, string> { ["cost-center"] = "42", ["env"] = "prod" }, await TagsAsync());
    }

    [Fact]
    public async Task More_than_50_tags_is_TooManyTagsFault_and_changes_nothing()
    {
        var fifty = Enumerable.Range(0, 50).Select(i => new { key = $"k{i}", value = "v" }).ToArray();
        await App.OkAsync("RegisterDomain", new { name = "tagged", workflowExecutionRetentionPeriodInDays = "1", tags = fifty });
        await App.FaultAsync("TagResource", new { resourceArn = Arn, tags = new[] { new { key = "one-more", value = "v" } } }, "TooManyTagsFault");
        Assert.Equal(50, (await TagsAsync()).Count);
        await App.OkAsync("TagResource", new { resourceArn = Arn, tags = new[] { new { key = "k0", value = "overwritten" } } });
        Assert.Equal("overwritten", (await TagsAsync())["k0"]);

        var fiftyOne = Enumerable.Range(0, 51).Select(i => new { key = $"k{i}", value = "v" }).ToArray();
        await App.FaultAsync("RegisterDomain", new { name = "too-many", workflowExecutionRetentionPeriodInDays = "1", tags = fiftyOne }, "TooManyTagsFault");
        await App.FaultAsync("DescribeDomain", new { name = "too-many" }, "UnknownResourceFault");
    }

    [Fact]
    public async Task Tags_with_forbidden_characters_are_ValidationExceptions()
    {
        await App.OkAsync("RegisterDomain", new { name = "tagged", workflowExecutionRetentionPeriodInDays = "1" });
        var message = await App.FaultAsync("TagResource", new { resourceArn = Arn, tags = new[] { new { key = "bad*key", value = "v" } } }, "ValidationException");
        Assert.Contains("key", message);
        Assert.Empty(await TagsAsync());
    }

    [Theory]
    [InlineData("arn:aws:swf:us-east-1:123456789012:/domain/absent")]
    [InlineData("arn:aws:swf:eu-west-1:123456789012:/domain/tagged")]
    [InlineData("arn:aws:swf:us-east-1:999999999999:/domain/tagged")]
    [InlineData("arn:aws:s3:::bucket")]
    public async Task Unknown_resources_are_UnknownResourceFault(string arn)
    {
        await App.OkAsync("RegisterDomain", new { name = "tagged", workflowExecutionRetentionPeriodInDays = "1" });
        await App.FaultAsync("ListTagsForResource", new { resourceArn = arn }, "UnknownResourceFault");
        await App.FaultAsync("TagResource", new { resourceArn = arn, tags = new[] { new { key = "k", value = "v" } } }, "UnknownResourceFault");
    }
}
