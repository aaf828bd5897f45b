using System.Text.Json;
using SwfServerless.Core.Model;
using SwfServerless.Core.Validation;

namespace SwfServerless.Core.Tests.Validation;

public class SwfNameRuleTests
{
    private static ValidationResult RegisterDomain(string name)
    {
        using JsonDocument body = JsonDocument.Parse(JsonSerializer.Serialize(
            new RegisterDomainInput { Name = name, WorkflowExecutionRetentionPeriodInDays = "1" },
            SwfJsonContext.Default.RegisterDomainInput));
        return ModelValidator.Validate(SwfOperations.RegisterDomain, body.RootElement);
    }

    [Theory]
    [InlineData(" orders", SwfNameRule.WhitespaceMessage)]
    [InlineData("orders ", SwfNameRule.WhitespaceMessage)]
    [InlineData("\torders", SwfNameRule.WhitespaceMessage)]
    [InlineData("orders\u00a0", SwfNameRule.WhitespaceMessage)]
    [InlineData("a:b", SwfNameRule.CharacterMessage)]
    [InlineData("a/b", SwfNameRule.CharacterMessage)]
    [InlineData("a|b", SwfNameRule.CharacterMessage)]
    [InlineData("a\u0001b", SwfNameRule.CharacterMessage)]
    [InlineData("a\u001fb", SwfNameRule.CharacterMessage)]
    [InlineData("a\u007fb", SwfNameRule.CharacterMessage)]
    [InlineData("a\u0085b", SwfNameRule.CharacterMessage)]
    [InlineData("a\u009fb", SwfNameRule.CharacterMessage)]
    [InlineData("arn", SwfNameRule.ArnMessage)]
    public void Invalid_names_are_rejected(string name, string constraint)
    {
        Assert.Equal(constraint, SwfNameRule.Check(name));

        ValidationViolation violation = Assert.Single(RegisterDomain(name).Violations);
        Assert.Equal("name", violation.Path);
        Assert.Equal(name, violation.Value);
        Assert.Equal(constraint, violation.Constraint);
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("arn1")]
    [InlineData("xarn")]
    [InlineData("Arn")] // the documentation names the literal lower-case string; the comparison is ordinal
    [InlineData("ARN")]
    [InlineData("a b")] // inner whitespace is allowed
    [InlineData("a.b-c_d@e")]
    [InlineData("a\u00a0b")]
    [InlineData("\u00e9t\u00e9")]
    public void Valid_names_pass(string name)
    {
        Assert.Null(SwfNameRule.Check(name));
        Assert.True(RegisterDomain(name).IsValid);
    }

    [Fact]
    public void The_rule_applies_only_to_members_whose_documentation_declares_it()
    {
        // RegisterDomain's description and DescribeDomain's name do not carry the rule.
        using JsonDocument register = JsonDocument.Parse("""{"name":"n","workflowExecutionRetentionPeriodInDays":"1","description":"a:b/c|arn"}""");
        using JsonDocument describe = JsonDocument.Parse("""{"name":"arn"}""");

        Assert.True(ModelValidator.Validate(SwfOperations.RegisterDomain, register.RootElement).IsValid);
        Assert.True(ModelValidator.Validate(SwfOperations.DescribeDomain, describe.RootElement).IsValid);
    }

    [Fact]
    public void The_members_carrying_the_rule_are_read_from_the_model()
    {
        var flagged = SwfServiceModel.Instance.Shapes.Values
            .SelectMany(s => s.Members.Where(m => m.NameRule).Select(m => $"{s.Name}.{m.Name}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "PollForActivityTaskInput.taskList",
                "PollForDecisionTaskInput.taskList",
                "RegisterActivityTypeInput.name",
                "RegisterActivityTypeInput.version",
                "RegisterDomainInput.name",
                "RegisterWorkflowTypeInput.name",
                "RegisterWorkflowTypeInput.version",
                "ScheduleActivityTaskDecisionAttributes.activityId",
                "ScheduleActivityTaskDecisionAttributes.taskList",
                "StartChildWorkflowExecutionDecisionAttributes.taskList",
                "StartChildWorkflowExecutionDecisionAttributes.workflowId",
                "StartTimerDecisionAttributes.timerId",
                "StartWorkflowExecutionInput.domain",
                "StartWorkflowExecutionInput.taskList",
                "StartWorkflowExecutionInput.workflowId",
            ],
            flagged);
    }

    [Theory]
    [InlineData(SwfOperations.StartWorkflowExecution, """{"domain":"d","workflowId":"w","workflowType":{"name":"t","version":"1"},"taskList":{"name":"a/b"}}""", "taskList.name")]
    [InlineData(SwfOperations.StartWorkflowExecution, """{"domain":"d","workflowId":"arn","workflowType":{"name":"t","version":"1"}}""", "workflowId")]
    [InlineData(SwfOperations.StartWorkflowExecution, """{"domain":" d","workflowId":"w","workflowType":{"name":"t","version":"1"}}""", "domain")]
    [InlineData(SwfOperations.PollForDecisionTask, """{"domain":"d","taskList":{"name":"tl "}}""", "taskList.name")]
    [InlineData(SwfOperations.RegisterActivityType, """{"domain":"d","name":"n","version":"1:0"}""", "version")]
    [InlineData(SwfOperations.RespondDecisionTaskCompleted, """{"taskToken":"t","decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{"name":"n","version":"1"},"activityId":"a|1"}}]}""", "decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId")]
    [InlineData(SwfOperations.RespondDecisionTaskCompleted, """{"taskToken":"t","decisions":[{"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"arn","startToFireTimeout":"1"}}]}""", "decisions.1.member.startTimerDecisionAttributes.timerId")]
    public void The_rule_is_applied_wherever_the_model_declares_it(string operation, string json, string path)
    {
        using JsonDocument body = JsonDocument.Parse(json);

        ValidationResult result = ModelValidator.Validate(operation, body.RootElement);

        Assert.Equal(path, Assert.Single(result.Violations).Path);
    }

    [Fact]
    public void Names_inside_a_task_list_of_a_type_registration_are_not_checked()
    {
        // defaultTaskList of RegisterActivityType does not declare the rule in the model.
        using JsonDocument body = JsonDocument.Parse("""{"domain":"d","name":"n","version":"1","defaultTaskList":{"name":"a:b"}}""");

        Assert.True(ModelValidator.Validate(SwfOperations.RegisterActivityType, body.RootElement).IsValid);
    }
}
