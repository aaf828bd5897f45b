using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

[Collection("api")]
public sealed class TypeTests(AzuriteFixture azurite) : ApiTest(azurite)
{
    protected override Task SetUpAsync() => App.OkAsync("RegisterDomain", new { name = "d", workflowExecutionRetentionPeriodInDays = "1" });

    [Fact]
    public async Task RegisterActivityType_keeps_every_default_and_describe_shows_them()
    {
        await App.OkAsync("RegisterActivityType", new
        {
            domain = "d", name = "resize", version = "1.0", description = "Resizes images",
            defaultTaskStartToCloseTimeout = "300", defaultTaskHeartbeatTimeout = "NONE", defaultTaskList = new { name = "images" },
            defaultTaskPriority = "-5", defaultTaskScheduleToStartTimeout = "60", defaultTaskScheduleToCloseTimeout = "360",
        });

        var detail = await App.OkAsync("DescribeActivityType", new { domain = "d", activityType = new { name = "resize", version = "1.0" } });

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
        await App.OkAsync("RegisterWorkflowType", new
        {
            domain = "d", name = "order", version = "2", defaultTaskStartToCloseTimeout = "30",
            defaultExecutionStartToCloseTimeout = "3600", defaultTaskList = new { name = "deciders" }, defaultTaskPriority = "3",
            defaultChildPolicy = "REQUEST_CANCEL", defaultLambdaRole = "arn:aws:iam::123456789012:role/lambda",
        });

        var detail = await App.OkAsync("DescribeWorkflowType", new { domain = "d", workflowType = new { name = "order", version = "2" } });

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
        var message = await App.FaultAsync("RegisterActivityType", body, "ValidationException");
        Assert.Contains(field, message);
        await App.FaultAsync("DescribeActivityType", new { domain = "d", activityType = new { name = "bad", version = "1" } }, "UnknownResourceFault");
    }

    [Theory]
    [InlineData("NONE")]
    [InlineData("31536001")]
    public async Task Execution_timeout_default_cannot_be_NONE_or_over_a_year(string value)
    {
        var message = await App.FaultAsync("RegisterWorkflowType",
            new { domain = "d", name = "w", version = "1", defaultExecutionStartToCloseTimeout = value }, "ValidationException");
        Assert.Contains("defaultExecutionStartToCloseTimeout", message);
    }

    [Fact]
    public async Task The_type_lifecycle_follows_SWF_faults()
    {
        var type = new { name = "t", version = "1" };
        await App.OkAsync("RegisterActivityType", new { domain = "d", name = "t", version = "1" });
        await App.FaultAsync("RegisterActivityType", new { domain = "d", name = "t", version = "1" }, "TypeAlreadyExistsFault");
        await App.FaultAsync("DeleteActivityType", new { domain = "d", activityType = type }, "TypeNotDeprecatedFault");
        await App.FaultAsync("UndeprecateActivityType", new { domain = "d", activityType = type }, "TypeAlreadyExistsFault");

        await App.OkAsync("DeprecateActivityType", new { domain = "d", activityType = type });
        var info = (await App.OkAsync("DescribeActivityType", new { domain = "d", activityType = type })).GetProperty("typeInfo");
        Assert.Equal("DEPRECATED", info.GetProperty("status").GetString());
        Assert.True(info.TryGetProperty("deprecationDate", out _));
        await App.FaultAsync("DeprecateActivityType", new { domain = "d", activityType = type }, "TypeDeprecatedFault");
        await App.FaultAsync("RegisterActivityType", new { domain = "d", name = "t", version = "1" }, "TypeAlreadyExistsFault");

        await App.OkAsync("UndeprecateActivityType", new { domain = "d", activityType = type });
        await App.OkAsync("DeprecateActivityType", new { domain = "d", activityType = type });
        await App.OkAsync("DeleteActivityType", new { domain = "d", activityType = type });
        await App.FaultAsync("DescribeActivityType", new { domain = "d", activityType = type }, "UnknownResourceFault");
        await App.OkAsync("RegisterActivityType", new { domain = "d", name = "t", version = "1" });
    }

    [Fact]
    public async Task The_workflow_type_lifecycle_follows_SWF_faults()
    {
        var type = new { name = "w", version = "1" };
        await App.OkAsync("RegisterWorkflowType", new { domain = "d", name = "w", version = "1" });
        await App.FaultAsync("RegisterWorkflowType", new { domain = "d", name = "w", version = "1" }, "TypeAlreadyExistsFault");
        await App.FaultAsync("DeleteWorkflowType", new { domain = "d", workflowType = type }, "TypeNotDeprecatedFault");
        await App.OkAsync("DeprecateWorkflowType", new { domain = "d", workflowType = type });
        await App.FaultAsync("DeprecateWorkflowType", new { domain = "d", workflowType = type }, "TypeDeprecatedFault");
        await App.OkAsync("DeleteWorkflowType", new { domain = "d", workflowType = type });
        await App.FaultAsync("DescribeWorkflowType", new { domain = "d", workflowType = type }, "UnknownResourceFault");
        await App.FaultAsync("DeleteWorkflowType", new { domain = "d", workflowType = type }, "UnknownResourceFault");
    }

    [Fact]
    public async Task Types_need_a_known_domain_and_a_registered_one_to_register()
    {
        await App.FaultAsync("RegisterActivityType", new { domain = "nowhere", name = "t", version = "1" }, "UnknownResourceFault");
        await App.FaultAsync("DescribeWorkflowType", new { domain = "nowhere", workflowType = new { name = "w", version = "1" } }, "UnknownResourceFault");

        await App.OkAsync("RegisterDomain", new { name = "old", workflowExecutionRetentionPeriodInDays = "1" });
        await App.OkAsync("DeprecateDomain", new { name = "old" });
        await App.FaultAsync("RegisterActivityType", new { domain = "old", name = "t", version = "1" }, "DomainDeprecatedFault");
        await App.FaultAsync("RegisterWorkflowType", new { domain = "old", name = "w", version = "1" }, "DomainDeprecatedFault");
    }

    [Fact]
    public async Task Deprecating_a_domain_deprecates_its_types_and_undeprecating_it_leaves_them_deprecated()
    {
        await App.OkAsync("RegisterDomain", new { name = "shop", workflowExecutionRetentionPeriodInDays = "1" });
        for (var i = 0; i < 3; i++)
        {
            await App.OkAsync("RegisterActivityType", new { domain = "shop", name = $"a{i}", version = "1" });
            await App.OkAsync("RegisterWorkflowType", new { domain = "shop", name = $"w{i}", version = "1" });
        }

        await App.OkAsync("DeprecateDomain", new { name = "shop" });

        var activities = await App.OkAsync("ListActivityTypes", new { domain = "shop", registrationStatus = "DEPRECATED" });
        var workflows = await App.OkAsync("ListWorkflowTypes", new { domain = "shop", registrationStatus = "DEPRECATED" });
        Assert.Equal(3, activities.GetProperty("typeInfos").GetArrayLength());
        Assert.Equal(3, workflows.GetProperty("typeInfos").GetArrayLength());
        Assert.Equal(0, (await App.OkAsync("ListActivityTypes", new { domain = "shop", registrationStatus = "REGISTERED" })).GetProperty("typeInfos").GetArrayLength());

        await App.OkAsync("UndeprecateDomain", new { name = "shop" });
        Assert.Equal(3, (await App.OkAsync("ListWorkflowTypes", new { domain = "shop", registrationStatus = "DEPRECATED" })).GetProperty("typeInfos").GetArrayLength());
    }

    [Fact]
    public async Task Activity_and_workflow_types_of_one_name_are_separate()
    {
        await App.OkAsync("RegisterActivityType", new { domain = "d", name = "same", version = "1" });
        await App.OkAsync("RegisterWorkflowType", new { domain = "d", name = "same", version = "1" });
        await App.OkAsync("DeprecateActivityType", new { domain = "d", activityType = new { name = "same", version = "1" } });
        var workflow = await App.OkAsync("DescribeWorkflowType", new { domain = "d", workflowType = new { name = "same", version = "1" } });
        Assert.Equal("REGISTERED", workflow.GetProperty("typeInfo").GetProperty("status").GetString());
    }
}
