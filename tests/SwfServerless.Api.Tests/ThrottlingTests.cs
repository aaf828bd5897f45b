using System.Net;
using SwfServerless.Service.Protocol;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>Token buckets per operation, per access key and per instance (<c>Swf__Throttling__*</c>), with small configured buckets.</summary>
[Collection("api")]
public sealed class ThrottlingTests(AzuriteFixture azurite)
{
    private static readonly object NoDomains = new { registrationStatus = "REGISTERED" };

    private static Dictionary<string, string?> Keys(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Swf:AccessKeys:0:AccessKeyId"] = "AKIDFIRST", ["Swf:AccessKeys:0:SecretAccessKey"] = "first-secret",
            ["Swf:AccessKeys:1:AccessKeyId"] = "AKIDSECOND", ["Swf:AccessKeys:1:SecretAccessKey"] = "second-secret",
        };
        foreach (var (key, value) in settings) all[key] = value;
        return all;
    }

    private static async Task AssertThrottledAsync(TestApp app, string operation, object body, string scope)
    {
        var response = await app.CallAsync(operation, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.EndsWith("#ThrottlingException", response.FaultType);
        Assert.Contains(scope, response.Message);
    }

    [Fact]
    public async Task A_key_past_its_bucket_gets_ThrottlingException_while_other_operations_and_keys_go_on()
    {
        await using var app = await TestApp.StartAsync(azurite, Keys(
            ("Swf:Throttling:Operations:ListDomains:BucketSize", "3"), ("Swf:Throttling:Operations:ListDomains:RefillPerSecond", "0.01"),
            ("Swf:Throttling:InstanceMultiplier", "10")));
        app.SigningKey = ("AKIDFIRST", "first-secret");
        for (var i = 0; i < 3; i++) await app.OkAsync("ListDomains", NoDomains);
        await AssertThrottledAsync(app, "ListDomains", NoDomains, "AKIDFIRST");
        await app.FaultAsync("DescribeDomain", new { name = "none" }, "UnknownResourceFault"); // its own bucket

        app.SigningKey = ("AKIDSECOND", "second-secret");
        await app.OkAsync("ListDomains", NoDomains);
    }

    [Fact]
    public async Task The_instance_bucket_holds_all_keys_together()
    {
        // Each key 2 calls, the instance 1.5 times that: 3.
        await using var app = await TestApp.StartAsync(azurite, Keys(
            ("Swf:Throttling:Operations:ListDomains:BucketSize", "2"), ("Swf:Throttling:Operations:ListDomains:RefillPerSecond", "0.01"),
            ("Swf:Throttling:InstanceMultiplier", "1.5")));
        app.SigningKey = ("AKIDFIRST", "first-secret");
        await app.OkAsync("ListDomains", NoDomains);
        await app.OkAsync("ListDomains", NoDomains);
        app.SigningKey = ("AKIDSECOND", "second-secret");
        await app.OkAsync("ListDomains", NoDomains);
        await AssertThrottledAsync(app, "ListDomains", NoDomains, "on this instance");
    }

    [Fact]
    public async Task Buckets_refill_at_their_rate()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Swf:Throttling:Operations:ListDomains:BucketSize"] = "1", ["Swf:Throttling:Operations:ListDomains:RefillPerSecond"] = "5",
        });
        await app.OkAsync("ListDomains", NoDomains);
        await AssertThrottledAsync(app, "ListDomains", NoDomains, "ListDomains");
        await Eventually.TrueAsync(async () => (await app.CallAsync("ListDomains", NoDomains)).Status == HttpStatusCode.OK, "a token came back", 5);
    }

    [Fact]
    public async Task Throttling_can_be_turned_off()
    {
        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Swf:Throttling:Enabled"] = "false", ["Swf:Throttling:Operations:ListDomains:BucketSize"] = "1",
            ["Swf:Throttling:Operations:ListDomains:RefillPerSecond"] = "0.01",
        });
        for (var i = 0; i < 5; i++) await app.OkAsync("ListDomains", NoDomains);
    }

    [Fact]
    public void Every_operation_has_SWFs_figures()
    {
        var operations = SwfServerless.Core.Validation.SwfServiceModel.Instance.OperationInputs.Keys;
        Assert.Equal(operations.OrderBy(o => o), Throttle.SwfBuckets.Keys.OrderBy(o => o));
        Assert.Equal((2000, 200.0), Throttle.SwfBuckets["StartWorkflowExecution"]);
        Assert.Equal((100, 6.0), Throttle.SwfBuckets["RegisterDomain"]);
    }
}
