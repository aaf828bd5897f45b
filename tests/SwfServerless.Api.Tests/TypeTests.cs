using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

[Collection("api")]
public sealed class TypeTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        app = await TestApp.StartAsync(azurite);
        await app.OkAsync("RegisterDomain", new { name = "d", workflowExecutionRetentionPeriodInDays = "1" });
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task RegisterActivityType_keeps_every_default_and_describe_shows_them()
    {
        await app.OkAsync("RegisterActivityType", new
        {
            domain = "d", name = "resize", version = "1.0", description = "Resizes images",
            defaultTaskStartToCloseTimeout = "300", defaultTaskHeartbeatTimeout = "NONE", defaultTaskList = new { name = "images" },
            defaultTaskPriority = "-5", defaultTaskScheduleToStartTimeout = "60", defaultTaskScheduleToCloseTimeout = "360",
        });

        var detail = await app.OkAsync("DescribeActivityType", new { domain = "d", activityType = new { name = "resize", version = "1.0" } });

        var info = detail.GetProperty("typeInfo");
        Assert.Equal("resize", info.GetProperty("activityType").GetProperty("name").GetString());
        Assert.Equal("1.0", info.GetProperty("activityType").GetProperty("version").GetString());
        Assert.Equal("REGISTERED", info.GetProperty("status").GetString());
        Assert.Equal("Resizes images", info.GetProperty("description").GetString());
        var created = info.GetProperty("creationDate").GetDouble();
        Assert.InRange(created, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        Assert.False(info.TryGetProperty("deprecationDate", out _));
        var config = detail.GetProperty("configuration");
        Assert.Equal("300", config.GetProperty("defaultTaskStartToCloseTimeout").GetString());
        Assert.Equal("NONE", config.GetProperty("defaultTaskHeartbeatTimeout").GetString());
        Assert.Equal("images", config.GetProperty("defaultTaskList").GetProperty("name").GetString());
        Assert.Equal("-5", config.GetProperty("defaultTaskPriority").GetString());
        Assert.Equal("60", config.GetProperty("defaultTaskScheduleToStartTimeout").GetString());
        Assert.Equal("360", config.GetProperty("defaultTaskScheduleToCloseTimeout").GetString());
    }

    [Fact]
    public async Task RegisterWorkflowType_keeps_every_default()
    {
        await app.OkAsync("RegisterWorkflowType", new
        {
            domain = "d", name = "order", version = "2", defaultTaskStartToCloseTimeout = "30",
            defaultExecutionStartToCloseTimeout = "3600", defaultTaskList = new { name = "deciders" }, defaultTaskPriority = "3",
            defaultChildPolicy = "REQUEST_CANCEL", defaultLambdaRole = "arn:aws:iam::123456789012:role/lambda",
        });

        var detail = await app.OkAsync("DescribeWorkflowType", new { domain = "d", workflowType = new { name = "order", version = "2" } });

        var config = detail.GetProperty("configuration");
        Assert.Equal("30", config.GetProperty("defaultTaskStartToCloseTimeout").GetString());
        Assert.Equal("3600", config.GetProperty("defaultExecutionStartToCloseTimeout").GetString());
        Assert.Equal("deciders", config.GetProperty("defaultTaskList").GetProperty("name").GetString());
        Assert.Equal("3", config.GetProperty("defaultTaskPriority").GetString());
        Assert.Equal("REQUEST_CANCEL", config.GetProperty("defaultChildPolicy").GetString());
        Assert.Equal("arn:aws:iam::123456789012:role/lambda", config.GetProperty("defaultLambdaRole").GetString());
        Assert.Equal("order", detail.GetProperty("typeInfo").GetProperty("workflowType").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("defaultTaskStartToCloseTimeout", "ten")]
    [InlineData("defaultTaskHeartbeatTimeout", "-1")]
    [InlineData("defaultTaskPriority", "high")]
    public async Task Invalid_activity_defaults_are_ValidationExceptions_naming_the_field(string field, string value)
    {
        var body = new Dictionary<string, object> { ["domain"] = "d", ["name"] = "bad", ["version"] = "1", [field] = value };
        var message = await app.FaultAsync("RegisterActivityType", body, "ValidationException");
        Assert.Contains(field, message);
        await app.FaultAsync("DescribeActivityType", new { domain = "d", activityType = new { name = "bad", version = "1" } }, "UnknownResourceFault");
    }

    [Theory]
    [InlineData("NONE")]
    [InlineData("31536001")]
    public async Task Execution_timeout_default_cannot_be_NONE_or_over_a_year(string value)
    {
        var message = await app.FaultAsync("RegisterWorkflowType",
            new { domain = "d", name = "w", version = "1", defaultExecutionStartToCloseTimeout = value }, "ValidationException");
        Assert.Contains("defaultExecutionStartToCloseTimeout", message);
    }

    [Fact]
    public async Task The_type_lifecycle_follows_SWF_faults()
    {
        var type = new { name = "t", version = "1" };
        await app.OkAsync("RegisterActivityType", new { domain = "d", name = "t", version = "1" });
        await app.FaultAsync("RegisterActivityType", new { domain = "d", name = "t", version = "1" }, "TypeAlreadyExistsFault");
        await app.FaultAsync("DeleteActivityType", new { domain = "d", activityType = type }, "TypeNotDeprecatedFault");
        await app.FaultAsync("UndeprecateActivityType", new { domain = "d", activityType = type }, "TypeAlreadyExistsFault");

        await app.OkAsync("DeprecateActivityType", new { domain = "d", activityType = type });
        var info = (await app.OkAsync("DescribeActivityType", new { domain = "d", activityType = type })).GetProperty("typeInfo");
        Assert.Equal("DEPRECATED", info.GetProperty("status").GetString());
        Assert.True(info.TryGetProperty("deprecationDate", out _));
        await app.FaultAsync("DeprecateActivityType", new { domain = "d", activityType = type }, "TypeDeprecatedFault");
        await app.FaultAsync("RegisterActivityType", new { domain = "d", name = "t", version = "1" }, "TypeAlreadyExistsFault");

        await app.OkAsync("UndeprecateActivityType", new { domain = "d", activityType = type });
        await app.OkAsync("DeprecateActivityType", new { domain = "d", activityType = type });
        await app.OkAsync("DeleteActivityType", new { domain = "d", activityType = type });
        await app.FaultAsync("DescribeActivityType", new { domain = "d", activityType = type }, "UnknownResourceFault");
        await app.OkAsync("RegisterActivityType", new { domain = "d", name = "t", version = "1" });
    }

    [Fact]
    public async Task The_workflow_type_lifecycle_follows_SWF_faults()
    {
        var type = new { name = "w", version = "1" };
        await app.OkAsync("RegisterWorkflowType", new { domain = "d", name = "w", version = "1" });
        await app.FaultAsync("RegisterWorkflowType", new { domain = "d", name = "w", version = "1" }, "TypeAlreadyExistsFault");
        await app.FaultAsync("DeleteWorkflowType", new { domain = "d", workflowType = type }, "TypeNotDeprecatedFault");
        await app.OkAsync("DeprecateWorkflowType", new { domain = "d", workflowType = type });
        await app.FaultAsync("DeprecateWorkflowType", new { domain = "d", workflowType = type }, "TypeDeprecatedFault");
        await app.OkAsync("DeleteWorkflowType", new { domain = "d", workflowType = type });
        await app.FaultAsync("DescribeWorkflowType", new { domain = "d", workflowType = type }, "UnknownResourceFault");
        await app.FaultAsync("DeleteWorkflowType", new { domain = "d", workflowType = type }, "UnknownResourceFault");
    }

    [Fact]
    public async Task Types_need_a_known_domain_and_a_registered_one_to_register()
    {
        await app.FaultAsync("RegisterActivityType", new { domain = "nowhere", name = "t", version = "1" }, "UnknownResourceFault");
        await app.FaultAsync("DescribeWorkflowType", new { domain = "nowhere", workflowType = new { name = "w", version = "1" } }, "UnknownResourceFault");

        await app.OkAsync("RegisterDomain", new { name = "old", workflowExecutionRetentionPeriodInDays = "1" });
        await app.OkAsync("DeprecateDomain", new { name = "old" });
        await app.FaultAsync("RegisterActivityType", new { domain = "old", name = "t", version = "1" }, "DomainDeprecatedFault");
        await app.FaultAsync("RegisterWorkflowType", new { domain = "old", name = "w", version = "1" }, "DomainDeprecatedFault");
    }

    [Fact]
    public async Task Deprecating_a_domain_deprecates_its_types_and_undeprecating_it_leaves_them_deprecated()
    {
        await app.OkAsync("RegisterDomain", new { name = "shop", workflowExecutionRetentionPeriodInDays = "1" });
        for (var i = 0; i < 3; i++)
        {
            await app.OkAsync("RegisterActivityType", new { domain = "shop", name = $"a{i}", version = "1" });
            await app.OkAsync("RegisterWorkflowType", new { domain = "shop", name = $"w{i}", version = "1" });
        }

        await app.OkAsync("DeprecateDomain", new { name = "shop" });

        var activities = await app.OkAsync("ListActivityTypes", new { domain = "shop", registrationStatus = "DEPRECATED" });
        var workflows = await app.OkAsync("ListWorkflowTypes", new { domain = "shop", registrationStatus = "DEPRECATED" });
        Assert.Equal(3, activities.GetProperty("typeInfos").GetArrayLength());
        Assert.Equal(3, workflows.GetProperty("typeInfos").GetArrayLength());
        Assert.Equal(0, (await app.OkAsync("ListActivityTypes", new { domain = "shop", registrationStatus = "REGISTERED" })).GetProperty("typeInfos").GetArrayLength());

        await app.OkAsync("UndeprecateDomain", new { name = "shop" });
        Assert.Equal(3, (await app.OkAsync("ListWorkflowTypes", new { domain = "shop", registrationStatus = "DEPRECATED" })).GetProperty("typeInfos").GetArrayLength());
    }

    [Fact]
    public async Task Activity_and_workflow_types_of_one_name_are_separate()
    {
        await app.OkAsync("RegisterActivityType", new { domain = "d", name = "same", version = "1" });
        await app.OkAsync("RegisterWorkflowType", new { domain = "d", name = "same", version = "1" });
        await app.OkAsync("DeprecateActivityType", new { domain = "d", activityType = new { name = "same", version = "1" } });
        var workflow = await app.OkAsync("DescribeWorkflowType", new { domain = "d", workflowType = new { name = "same", version = "1" } });
        Assert.Equal("REGISTERED", workflow.GetProperty("typeInfo").GetProperty("status").GetString());
    }
}
