using SwfServerless.Service.Auth;

namespace SwfServerless.Api.Tests.Auth;

public sealed class AccessPolicyTests
{
    [Fact]
    public void Defaults_allow_every_action_and_domain()
    {
        var policy = AccessPolicy.FromOptions(new AccessKeyOptions { AccessKeyId = "AKID", SecretAccessKey = "s" });

        Assert.True(policy.IsUnrestricted);
        Assert.True(policy.Allows("RegisterDomain", "anything"));
        Assert.True(policy.Allows("PollForActivityTask", "orders")); // no task list given: nothing restricts it
        Assert.True(policy.AllowsDecision("ScheduleActivityTask", "orders"));
    }

    [Fact]
    public void Actions_are_an_allow_list()
    {
        var worker = new AccessPolicy(actions: ["PollForActivityTask", "RespondActivityTaskCompleted", "RecordActivityTaskHeartbeat"]);

        Assert.True(worker.Allows("PollForActivityTask", "orders"));
        Assert.True(worker.Allows("RespondActivityTaskCompleted", "orders"));
        Assert.False(worker.Allows("TerminateWorkflowExecution", "orders"));
        Assert.False(worker.Allows("RespondDecisionTaskCompleted", "orders"));
        Assert.False(worker.AllowsDecision("CompleteWorkflowExecution", "orders"));
    }

    [Theory]
    [InlineData("swf:PollForActivityTask")]       // IAM spelling
    [InlineData("pollforactivitytask")]           // IAM action names ignore case
    [InlineData("Poll*")]
    [InlineData("swf:*")]
    [InlineData("PollFor?ctivityTask")]
    [InlineData("RespondActivityTaskCompleted, PollForActivityTask")] // several in one setting
    public void Action_patterns_match_like_iam(string pattern) =>
        Assert.True(new AccessPolicy(actions: [pattern]).Allows("PollForActivityTask", "d"));

    [Fact]
    public void Wildcards_do_not_overmatch()
    {
        var policy = new AccessPolicy(actions: ["Respond*Completed"]);

        Assert.True(policy.Allows("RespondActivityTaskCompleted", "d"));
        Assert.True(policy.Allows("RespondDecisionTaskCompleted", "d"));
        Assert.False(policy.Allows("RespondActivityTaskFailed", "d"));
        Assert.False(policy.Allows("PollForActivityTask", "d"));
    }

    [Fact]
    public void Unknown_action_names_fail_when_the_configuration_is_loaded()
    {
        var error = Assert.Throws<ArgumentException>(() => new AccessPolicy(actions: ["PollForActivityTasks"]));
        Assert.Contains("PollForActivityTasks", error.Message);
    }

    [Fact]
    public void Unknown_operations_are_never_allowed() =>
        Assert.False(AccessPolicy.AllowAll.Allows("DropAllTables", "d"));

    [Fact]
    public void Domains_are_an_allow_list_matched_case_sensitively()
    {
        var policy = new AccessPolicy(domains: ["orders", "billing-*"]);

        Assert.True(policy.Allows("StartWorkflowExecution", "orders"));
        Assert.True(policy.Allows("StartWorkflowExecution", "billing-eu"));
        Assert.False(policy.Allows("StartWorkflowExecution", "Orders"));
        Assert.False(policy.Allows("StartWorkflowExecution", "shipping"));
        Assert.False(policy.AllowsDecision("StartTimer", "shipping"));
    }

    [Fact]
    public void A_missing_domain_is_denied_when_domains_are_restricted() =>
        Assert.False(new AccessPolicy(domains: ["orders"]).Allows("DescribeWorkflowExecution", null));

    [Fact]
    public void ListDomains_has_no_domain_resource() =>
        Assert.True(new AccessPolicy(domains: ["orders"]).Allows("ListDomains", null));

    [Fact]
    public void RegisterDomain_is_checked_against_the_name_being_registered()
    {
        var policy = new AccessPolicy(actions: ["RegisterDomain"], domains: ["team-a-*"]);

        Assert.True(policy.Allows("RegisterDomain", "team-a-orders"));
        Assert.False(policy.Allows("RegisterDomain", "team-b-orders"));
    }

    [Fact]
    public void Task_list_condition_applies_to_operations_with_that_key()
    {
        var policy = new AccessPolicy(taskLists: ["activities-*"]);

        Assert.True(policy.Allows("PollForActivityTask", "d", taskList: "activities-eu"));
        Assert.False(policy.Allows("PollForActivityTask", "d", taskList: "deciders"));
        Assert.False(policy.Allows("PollForActivityTask", "d")); // StringEquals semantics: absent value → denied
        Assert.True(policy.Allows("CountPendingActivityTasks", "d", taskList: "activities-1"));
        Assert.False(policy.Allows("RegisterActivityType", "d", taskList: "other", typeName: "Charge")); // defaultTaskList
        Assert.True(policy.Allows("RespondActivityTaskCompleted", "d"));                                  // no such key
        Assert.True(policy.Allows("DescribeDomain", "d"));
    }

    [Fact]
    public void Type_conditions_apply_to_the_matching_type_family()
    {
        var policy = new AccessPolicy(activityTypes: ["Charge*"], workflowTypes: ["OrderWorkflow"]);

        Assert.True(policy.Allows("DescribeActivityType", "d", typeName: "ChargeCard"));
        Assert.False(policy.Allows("DescribeActivityType", "d", typeName: "Refund"));
        Assert.True(policy.Allows("RegisterActivityType", "d", taskList: "any", typeName: "ChargeCard")); // swf:name
        Assert.True(policy.Allows("StartWorkflowExecution", "d", taskList: "x", typeName: "OrderWorkflow"));
        Assert.False(policy.Allows("StartWorkflowExecution", "d", taskList: "x", typeName: "ChargeCard"));
        Assert.True(policy.Allows("ListOpenWorkflowExecutions", "d", typeName: "OrderWorkflow"));   // swf:typeFilter.name
        Assert.False(policy.Allows("ListOpenWorkflowExecutions", "d"));                            // no typeFilter given
        Assert.True(policy.Allows("GetWorkflowExecutionHistory", "d"));                             // no such key
    }

    [Fact]
    public void Decisions_are_pseudo_api_actions_with_their_own_conditions()
    {
        var decider = new AccessPolicy(
            actions: ["PollForDecisionTask", "RespondDecisionTaskCompleted", "ScheduleActivityTask", "CompleteWorkflowExecution", "StartTimer"],
            domains: ["orders"],
            taskLists: ["deciders", "activities"],
            activityTypes: ["ChargeCard"]);

        Assert.True(decider.Allows("RespondDecisionTaskCompleted", "orders"));
        Assert.True(decider.AllowsDecision("ScheduleActivityTask", "orders", taskList: "activities", typeName: "ChargeCard"));
        Assert.False(decider.AllowsDecision("ScheduleActivityTask", "orders", taskList: "elsewhere", typeName: "ChargeCard"));
        Assert.False(decider.AllowsDecision("ScheduleActivityTask", "orders", taskList: "activities", typeName: "Refund"));
        Assert.True(decider.AllowsDecision("CompleteWorkflowExecution", "orders"));
        Assert.True(decider.AllowsDecision("StartTimer", "orders"));
        Assert.False(decider.AllowsDecision("FailWorkflowExecution", "orders"));        // not granted
        Assert.False(decider.AllowsDecision("StartChildWorkflowExecution", "orders", "deciders", "X"));
        Assert.False(decider.AllowsDecision("CompleteWorkflowExecution", "billing"));   // other domain
    }

    [Fact]
    public void Operations_and_decisions_are_not_interchangeable()
    {
        Assert.False(AccessPolicy.AllowAll.AllowsDecision("StartWorkflowExecution", "d"));
        Assert.False(AccessPolicy.AllowAll.Allows("ScheduleActivityTask", "d"));
    }

    [Fact]
    public void Names_with_commas_are_taken_verbatim() =>
        Assert.True(new AccessPolicy(taskLists: ["eu,fast"]).Allows("PollForDecisionTask", "d", taskList: "eu,fast"));
}

public sealed class AccessPolicyConditionValuesTests
{
    private static (string?, string?) Values(string operation, string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return AccessPolicy.ConditionValues(operation, doc.RootElement);
    }

    [Theory]
    [InlineData("PollForActivityTask", """{"domain":"d","taskList":{"name":"tl"}}""", "tl", null)]
    [InlineData("CountPendingDecisionTasks", """{"domain":"d","taskList":{"name":"tl"}}""", "tl", null)]
    [InlineData("DescribeActivityType", """{"domain":"d","activityType":{"name":"A","version":"1"}}""", null, "A")]
    [InlineData("DeprecateWorkflowType", """{"domain":"d","workflowType":{"name":"W","version":"1"}}""", null, "W")]
    [InlineData("RegisterActivityType", """{"domain":"d","name":"A","version":"1","defaultTaskList":{"name":"tl"}}""", "tl", "A")]
    [InlineData("RegisterWorkflowType", """{"domain":"d","name":"W","version":"1"}""", null, "W")]
    [InlineData("StartWorkflowExecution", """{"domain":"d","workflowId":"x","workflowType":{"name":"W","version":"1"},"taskList":{"name":"tl"}}""", "tl", "W")]
    [InlineData("ListOpenWorkflowExecutions", """{"domain":"d","typeFilter":{"name":"W"}}""", null, "W")]
    [InlineData("ListClosedWorkflowExecutions", """{"domain":"d","tagFilter":{"tag":"t"}}""", null, null)]
    [InlineData("PollForActivityTask", """{"domain":"d","taskList":"not-an-object"}""", null, null)]
    [InlineData("TerminateWorkflowExecution", """{"domain":"d","workflowId":"x"}""", null, null)]
    public void Reads_the_values_each_operation_is_constrained_by(string operation, string json, string? taskList, string? typeName) =>
        Assert.Equal((taskList, typeName), Values(operation, json));

    [Fact]
    public void Feeds_Allows()
    {
        var policy = new AccessPolicy(taskLists: ["activities"]);
        var (taskList, typeName) = Values("PollForActivityTask", """{"domain":"d","taskList":{"name":"activities"}}""");

        Assert.True(policy.Allows("PollForActivityTask", "d", taskList, typeName));
    }
}
