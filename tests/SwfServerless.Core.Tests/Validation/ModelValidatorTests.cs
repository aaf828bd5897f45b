using System.Text.Json;
using SwfServerless.Core.Model;
using SwfServerless.Core.Validation;

namespace SwfServerless.Core.Tests.Validation;

public class ModelValidatorTests
{
    private static ValidationResult Validate(string operation, string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return ModelValidator.Validate(operation, document.RootElement);
    }

    private static ValidationViolation Single(ValidationResult result)
    {
        Assert.Null(result.SerializationError);
        return Assert.Single(result.Violations);
    }

    private const string ValidStart = """
        {
          "domain": "orders",
          "workflowId": "order-42",
          "workflowType": {"name": "OrderWorkflow", "version": "1.0"},
          "taskList": {"name": "deciders"},
          "taskPriority": "10",
          "input": "{\"id\":42}",
          "executionStartToCloseTimeout": "3600",
          "tagList": ["a", "b", "c", "d", "e"],
          "taskStartToCloseTimeout": "NONE",
          "childPolicy": "TERMINATE",
          "lambdaRole": "arn:aws:iam::123456789012:role/swf-lambda"
        }
        """;

    private const string ValidDecisions = """
        {
          "taskToken": "token",
          "decisions": [
            {"decisionType": "ScheduleActivityTask",
             "scheduleActivityTaskDecisionAttributes": {
               "activityType": {"name": "Charge", "version": "1"}, "activityId": "charge-1",
               "taskList": {"name": "workers"}, "scheduleToCloseTimeout": "300", "heartbeatTimeout": "NONE"}},
            {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "t1", "startToFireTimeout": "60"}},
            {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "m", "details": "d"}},
            {"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {"result": "ok"}}
          ],
          "executionContext": "ctx"
        }
        """;

    [Fact]
    public void A_valid_full_StartWorkflowExecution_request_passes()
    {
        ValidationResult result = Validate(SwfOperations.StartWorkflowExecution, ValidStart);

        Assert.True(result.IsValid, result.ToString());
        Assert.Empty(result.Violations);
        Assert.Null(result.Message);
        Assert.Null(result.ErrorType);
    }

    [Fact]
    public void A_valid_RespondDecisionTaskCompleted_request_passes()
    {
        Assert.True(Validate(SwfOperations.RespondDecisionTaskCompleted, ValidDecisions).IsValid);
    }

    [Fact]
    public void Missing_required_member_is_reported_like_AWS()
    {
        ValidationResult result = Validate(SwfOperations.RegisterDomain, """{"workflowExecutionRetentionPeriodInDays":"1"}""");

        Assert.False(result.IsValid);
        Assert.Equal(new ValidationViolation("name", null, "Member must not be null"), Single(result));
        Assert.Equal(
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
            result.Message);
        Assert.Equal("ValidationException", result.ErrorType);
        Assert.Equal(result.Message, result.ErrorMessage);
    }

    [Fact]
    public void Explicit_null_counts_as_missing()
    {
        ValidationResult result = Validate(SwfOperations.RegisterDomain, """{"name":null,"workflowExecutionRetentionPeriodInDays":"1","description":null}""");

        Assert.Equal("name", Single(result).Path);
    }

    [Fact]
    public void Empty_body_reports_every_required_member()
    {
        ValidationResult result = ModelValidator.Validate(SwfOperations.StartWorkflowExecution, default);

        Assert.Equal(["domain", "workflowId", "workflowType"], result.Violations.Select(v => v.Path));
        Assert.StartsWith("3 validation errors detected: Value null at 'domain' failed", result.Message);
    }

    [Fact]
    public void Two_violations_are_joined_like_AWS()
    {
        ValidationResult result = Validate(SwfOperations.ListDomains, """{"registrationStatus":"FOO","nextPageToken":""}""");

        Assert.Equal(
            "1 validation error detected: Value 'FOO' at 'registrationStatus' failed to satisfy constraint: Member must satisfy enum value set: [REGISTERED, DEPRECATED]",
            result.Message);

        result = Validate(SwfOperations.RegisterDomain, """{"name":"","workflowExecutionRetentionPeriodInDays":"123456789"}""");

        Assert.Equal(
            "2 validation errors detected: " +
            "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
            "Value '123456789' at 'workflowExecutionRetentionPeriodInDays' failed to satisfy constraint: Member must have length less than or equal to 8",
            result.Message);
    }

    [Theory]
    [InlineData(256, true)]
    [InlineData(257, false)]
    public void Max_length_is_counted_in_characters(int length, bool valid)
    {
        string name = new('n', length);
        ValidationResult result = Validate(SwfOperations.RegisterDomain, $$"""{"name":"{{name}}","workflowExecutionRetentionPeriodInDays":"1"}""");

        Assert.Equal(valid, result.IsValid);
        if (!valid)
        {
            Assert.Equal("Member must have length less than or equal to 256", Single(result).Constraint);
        }
    }

    [Fact]
    public void A_surrogate_pair_is_one_character()
    {
        string emoji = string.Concat(Enumerable.Repeat("\U0001F600", 256)); // 512 UTF-16 units, 256 characters
        using JsonDocument body = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["name"] = emoji,
            ["workflowExecutionRetentionPeriodInDays"] = "1",
        }));

        Assert.True(ModelValidator.Validate(SwfOperations.RegisterDomain, body.RootElement).IsValid);
    }

    [Fact]
    public void Long_values_are_shortened_in_messages()
    {
        string description = new('d', 1025);
        ValidationResult result = Validate(SwfOperations.RegisterDomain, $$"""{"name":"n","workflowExecutionRetentionPeriodInDays":"1","description":"{{description}}"}""");

        ValidationViolation violation = Single(result);
        Assert.Equal("description", violation.Path);
        Assert.Equal(new string('d', ModelValidator.MaxQuotedValueLength) + "...", violation.Value);
        Assert.Equal("Member must have length less than or equal to 1024", violation.Constraint);
    }

    [Theory]
    [InlineData("DEPRECATED", true)]
    [InlineData("REGISTERED", true)]
    [InlineData("registered", false)]
    [InlineData("", false)]
    public void Enum_membership_is_exact(string status, bool valid)
    {
        ValidationResult result = Validate(SwfOperations.ListDomains, $$"""{"registrationStatus":"{{status}}"}""");

        Assert.Equal(valid, result.IsValid);
        if (!valid)
        {
            Assert.Equal("Member must satisfy enum value set: [REGISTERED, DEPRECATED]", Single(result).Constraint);
        }
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("1000", null)]
    [InlineData("-1", "Member must have value greater than or equal to 0")]
    [InlineData("1001", "Member must have value less than or equal to 1000")]
    public void Integer_range_is_checked(string pageSize, string? constraint)
    {
        ValidationResult result = Validate(SwfOperations.ListDomains, $$"""{"registrationStatus":"REGISTERED","maximumPageSize":{{pageSize}}}""");

        if (constraint is null)
        {
            Assert.True(result.IsValid);
        }
        else
        {
            Assert.Equal(new ValidationViolation("maximumPageSize", pageSize, constraint), Single(result));
        }
    }

    [Fact]
    public void List_max_is_checked()
    {
        string body = ValidStart.Replace("""["a", "b", "c", "d", "e"]""", """["a", "b", "c", "d", "e", "f"]""");

        ValidationResult result = Validate(SwfOperations.StartWorkflowExecution, body);

        Assert.Equal(new ValidationViolation("tagList", "[a, b, c, d, e, f]", "Member must have length less than or equal to 5"), Single(result));
    }

    [Fact]
    public void List_elements_are_checked_with_one_based_member_paths()
    {
        string body = ValidStart.Replace("""["a", "b", "c", "d", "e"]""", """["a", null, "", "d"]""");
        string tooLong = new('t', 257);
        string body2 = ValidStart.Replace("""["a", "b", "c", "d", "e"]""", $$"""["a", "{{tooLong}}"]""");

        ValidationResult result = Validate(SwfOperations.StartWorkflowExecution, body);
        ValidationResult result2 = Validate(SwfOperations.StartWorkflowExecution, body2);

        Assert.True(result.IsValid == false);
        Assert.Equal(new ValidationViolation("tagList.2.member", null, "Member must not be null"), Single(result));
        Assert.Equal("tagList.2.member", Single(result2).Path);
        Assert.Equal("Member must have length less than or equal to 256", Single(result2).Constraint);
    }

    [Fact]
    public void Nested_decision_attributes_get_aws_paths()
    {
        string body = ValidDecisions
            .Replace("\"activityId\": \"charge-1\"", "\"activityId\": \"\"")
            .Replace("\"markerName\": \"m\", ", "");

        ValidationResult result = Validate(SwfOperations.RespondDecisionTaskCompleted, body);

        Assert.Null(result.SerializationError);
        Assert.Equal(
            [
                new ValidationViolation("decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId", "", "Member must have length greater than or equal to 1"),
                new ValidationViolation("decisions.3.member.recordMarkerDecisionAttributes.markerName", null, "Member must not be null"),
            ],
            result.Violations);
        Assert.StartsWith(
            "2 validation errors detected: Value '' at 'decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId' failed to satisfy constraint: Member must have length greater than or equal to 1; ",
            result.Message);
    }

    [Fact]
    public void Nested_required_members_and_enums_are_checked()
    {
        const string body = """
            {"taskToken":"t","decisions":[
              {"scheduleActivityTaskDecisionAttributes":{"activityType":{"name":"a"},"activityId":"x"}},
              {"decisionType":"Nope"}
            ]}
            """;

        ValidationResult result = Validate(SwfOperations.RespondDecisionTaskCompleted, body);

        Assert.Equal(
            [
                "decisions.1.member.decisionType",
                "decisions.1.member.scheduleActivityTaskDecisionAttributes.activityType.version",
                "decisions.2.member.decisionType",
            ],
            result.Violations.Select(v => v.Path));
        Assert.StartsWith("Member must satisfy enum value set: [ScheduleActivityTask, RequestCancelActivityTask,", result.Violations[2].Constraint);
    }

    [Fact]
    public void Unknown_members_are_ignored()
    {
        ValidationResult result = Validate(SwfOperations.RegisterDomain, """{"name":"n","workflowExecutionRetentionPeriodInDays":"1","Name":5,"extra":{"a":[1]}}""");

        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData("""{"name":5,"workflowExecutionRetentionPeriodInDays":"1"}""", "NUMBER_VALUE cannot be converted to String at 'name'")]
    [InlineData("""{"name":{"x":1},"workflowExecutionRetentionPeriodInDays":"1"}""", "Start of structure or map found where not expected at 'name'")]
    [InlineData("""{"name":["n"],"workflowExecutionRetentionPeriodInDays":"1"}""", "Start of list found where not expected at 'name'")]
    [InlineData("""{"name":true,"workflowExecutionRetentionPeriodInDays":"1"}""", "BOOLEAN_VALUE cannot be converted to String at 'name'")]
    [InlineData("""{"name":"n","workflowExecutionRetentionPeriodInDays":1}""", "NUMBER_VALUE cannot be converted to String at 'workflowExecutionRetentionPeriodInDays'")]
    [InlineData("""{"name":"n","workflowExecutionRetentionPeriodInDays":"1","tags":{"key":"k"}}""", "Start of structure or map found where not expected at 'tags'")]
    [InlineData("""{"name":"n","workflowExecutionRetentionPeriodInDays":"1","tags":["k"]}""", "STRING_VALUE cannot be converted to ResourceTag at 'tags.1.member'")]
    [InlineData("""["n"]""", "Start of list found where not expected")]
    public void Type_mismatch_is_a_serialization_error(string body, string expected)
    {
        ValidationResult result = Validate(SwfOperations.RegisterDomain, body);

        Assert.False(result.IsValid);
        Assert.Equal(expected, result.SerializationError);
        Assert.Equal("SerializationException", result.ErrorType);
        Assert.Equal(expected, result.ErrorMessage);
    }

    [Theory]
    [InlineData("\"10\"", "STRING_VALUE cannot be converted to Integer at 'maximumPageSize'")]
    [InlineData("1.5", "NUMBER_VALUE cannot be converted to Integer at 'maximumPageSize'")]
    [InlineData("4294967296", "NUMBER_VALUE cannot be converted to Integer at 'maximumPageSize'")]
    public void Numbers_must_be_integral_json_numbers(string pageSize, string expected)
    {
        ValidationResult result = Validate(SwfOperations.ListDomains, $$"""{"registrationStatus":"REGISTERED","maximumPageSize":{{pageSize}}}""");

        Assert.Equal(expected, result.SerializationError);
    }

    [Fact]
    public void Booleans_and_timestamps_are_type_checked()
    {
        Assert.Equal(
            "STRING_VALUE cannot be converted to Boolean at 'reverseOrder'",
            Validate(SwfOperations.ListDomains, """{"registrationStatus":"REGISTERED","reverseOrder":"true"}""").SerializationError);
        Assert.Equal(
            "STRING_VALUE cannot be converted to Date at 'startTimeFilter.oldestDate'",
            Validate(SwfOperations.ListOpenWorkflowExecutions, """{"domain":"d","startTimeFilter":{"oldestDate":"2024-01-01"}}""").SerializationError);
        Assert.True(Validate(SwfOperations.ListOpenWorkflowExecutions, """{"domain":"d","startTimeFilter":{"oldestDate":1700000000.123,"latestDate":1700000001}}""").IsValid);
        Assert.Equal(
            "startTimeFilter.oldestDate",
            Assert.Single(Validate(SwfOperations.ListOpenWorkflowExecutions, """{"domain":"d","startTimeFilter":{"latestDate":1}}""").Violations).Path);
    }

    [Fact]
    public void Serialization_error_keeps_the_first_mismatch_and_type_checked_members_are_not_constraint_checked()
    {
        ValidationResult result = Validate(SwfOperations.RegisterDomain, """{"name":1,"workflowExecutionRetentionPeriodInDays":2}""");

        Assert.Equal("NUMBER_VALUE cannot be converted to String at 'name'", result.SerializationError);
        Assert.Empty(result.Violations);
    }

    [Fact]
    public void Unknown_operation_is_an_argument_error()
    {
        using JsonDocument body = JsonDocument.Parse("{}");

        Assert.Throws<ArgumentException>(() => ModelValidator.Validate("NoSuchOperation", body.RootElement));
    }

    [Fact]
    public void Every_operation_accepts_a_body_with_its_required_members_filled_in()
    {
        // A smoke test over the whole model: nothing throws, and only required members are demanded of {}.
        using JsonDocument empty = JsonDocument.Parse("{}");
        foreach (SwfOperation operation in SwfOperations.All.Values)
        {
            ValidationResult result = ModelValidator.Validate(operation.Name, empty.RootElement);
            Assert.Null(result.SerializationError);
            Assert.All(result.Violations, v => Assert.Equal("Member must not be null", v.Constraint));
        }
    }

    [Fact]
    public void ValidateShape_checks_a_single_decision()
    {
        using JsonDocument decision = JsonDocument.Parse("""{"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"a|b"}}""");

        ValidationResult result = ModelValidator.ValidateShape("Decision", decision.RootElement);

        Assert.Equal(
            ["startTimerDecisionAttributes.timerId", "startTimerDecisionAttributes.startToFireTimeout"],
            result.Violations.Select(v => v.Path));
        Assert.Equal(SwfNameRule.CharacterMessage, result.Violations[0].Constraint);
    }
}
