using System.Net;
using System.Text;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>The AWS JSON 1.0 envelope: every bad request is a 400 with the right __type and a message naming the problem.</summary>
[Collection("api")]
public sealed class ProtocolTests(AzuriteFixture azurite) : ApiTest(azurite)
{
    protected override Dictionary<string, string?> Settings() => new() { ["Swf:MaxRequestBytes"] = "2048" };

    private static void AssertFault(SwfResponse response, string type, string mentions)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(type, response.FaultType);
        Assert.Contains(mentions, response.Message);
        Assert.False(string.IsNullOrEmpty(response.RequestId));
    }

    [Fact]
    public async Task A_successful_answer_is_json_with_a_request_id()
    {
        var response = await App.CallAsync("ListDomains", new { registrationStatus = "REGISTERED" });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.False(string.IsNullOrEmpty(response.RequestId));
        Assert.Equal(0, response.Json.GetProperty("domainInfos").GetArrayLength());
    }

    [Fact]
    public async Task Operations_without_output_answer_an_empty_object()
    {
        var response = await App.CallAsync("RegisterDomain", new { name = "empty", workflowExecutionRetentionPeriodInDays = "1" });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("{}", response.Text);
    }

    [Fact]
    public async Task Malformed_json_is_a_SerializationException()
    {
        AssertFault(await App.SendAsync("ListDomains", "{\"registrationStatus\": "), "com.amazon.coral.service#SerializationException", "JSON");
        AssertFault(await App.SendAsync("ListDomains", "[1,2]"), "com.amazon.coral.service#SerializationException", "object");
    }

    [Fact]
    public async Task A_member_of_the_wrong_json_type_is_a_SerializationException()
    {
        var response = await App.SendAsync("ListDomains", "{\"registrationStatus\": \"REGISTERED\", \"maximumPageSize\": \"ten\"}");
        AssertFault(response, "com.amazon.coral.service#SerializationException", "maximumPageSize");
    }

    [Fact]
    public async Task A_missing_required_member_is_a_ValidationException_naming_it()
    {
        var response = await App.SendAsync("RegisterDomain", "{\"name\": \"x\"}");
        AssertFault(response, "com.amazon.coral.validate#ValidationException", "workflowExecutionRetentionPeriodInDays");
    }

    [Fact]
    public async Task An_invalid_enum_value_is_a_ValidationException_naming_it()
    {
        var response = await App.SendAsync("ListDomains", "{\"registrationStatus\": \"ACTIVE\"}");
        AssertFault(response, "com.amazon.coral.validate#ValidationException", "registrationStatus");
    }

    [Fact]
    public async Task A_wrong_content_type_is_rejected_naming_it()
    {
        var response = await App.SendAsync("ListDomains", "{\"registrationStatus\": \"REGISTERED\"}", "text/plain");
        AssertFault(response, "com.amazon.coral.service#UnknownOperationException", "text/plain");
    }

    [Theory]
    [InlineData("", "X-Amz-Target")]
    [InlineData("NoSuchOperation", "NoSuchOperation")]
    public async Task An_unknown_or_missing_target_is_UnknownOperationException(string operation, string mentions)
    {
        var response = await App.SendAsync(operation, "{}");
        AssertFault(response, "com.amazon.coral.service#UnknownOperationException", mentions);
    }

    [Fact]
    public async Task A_foreign_target_prefix_is_UnknownOperationException()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810.ListTables");
        var response = await SwfResponse.ReadAsync(await App.Http.SendAsync(request));
        AssertFault(response, "com.amazon.coral.service#UnknownOperationException", "DynamoDB_20120810.ListTables");
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_rejected_before_parsing()
    {
        var description = new string('x', 4000);
        var response = await App.SendAsync("RegisterDomain", $"{{\"name\":\"big\",\"workflowExecutionRetentionPeriodInDays\":\"1\",\"description\":\"{description}\"}}");
        AssertFault(response, "com.amazon.coral.validate#ValidationException", "2048 bytes");
        var missing = await App.CallAsync("DescribeDomain", new { name = "big" });
        Assert.Equal("com.amazonaws.swf.base.model#UnknownResourceFault", missing.FaultType);
    }

    [Fact]
    public async Task Unknown_members_are_ignored_as_AWS_does()
    {
        var response = await App.SendAsync("ListDomains", "{\"registrationStatus\": \"REGISTERED\", \"futureMember\": {\"a\": 1}}");
        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task The_catch_all_route_the_Functions_host_forwards_is_served_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/swf") { Content = new StringContent("{\"registrationStatus\":\"REGISTERED\"}", Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "SimpleWorkflowService.ListDomains");
        var response = await SwfResponse.ReadAsync(await App.Http.SendAsync(request));
        Assert.Equal(HttpStatusCode.OK, response.Status);
    }
}
