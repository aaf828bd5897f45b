using System.Text.Json;
using System.Text.Json.Nodes;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Model;

public class SerializationTests
{
    private static string Serialize<T>(T value) =>
        JsonSerializer.Serialize(value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)SwfJsonContext.Default.GetTypeInfo(typeof(T))!);

    [Fact]
    public void RegisterDomainInput_round_trips_with_wire_names_and_nulls_omitted()
    {
        var input = new RegisterDomainInput
        {
            Name = "orders",
            WorkflowExecutionRetentionPeriodInDays = "30",
            Tags = [new ResourceTag { Key = "team", Value = "payments" }, new ResourceTag { Key = "flag" }],
        };

        string json = JsonSerializer.Serialize(input, SwfJsonContext.Default.RegisterDomainInput);

        Assert.Equal(
            """{"name":"orders","workflowExecutionRetentionPeriodInDays":"30","tags":[{"key":"team","value":"payments"},{"key":"flag"}]}""",
            json);
        RegisterDomainInput back = JsonSerializer.Deserialize(json, SwfJsonContext.Default.RegisterDomainInput)!;
        Assert.Equal("orders", back.Name);
        Assert.Null(back.Description);
        Assert.Equal("30", back.WorkflowExecutionRetentionPeriodInDays);
        Assert.Equal(2, back.Tags!.Count);
        Assert.Null(back.Tags[1].Value);
    }

    [Fact]
    public void Unknown_members_are_ignored_when_reading()
    {
        const string json = """
            {"name":"orders","futureMember":{"nested":[1,2,3]},"workflowExecutionRetentionPeriodInDays":"1","Name":"wrong-case"}
            """;

        RegisterDomainInput input = JsonSerializer.Deserialize(json, SwfJsonContext.Default.RegisterDomainInput)!;

        Assert.Equal("orders", input.Name); // member names are case-sensitive, like AWS's
        Assert.Equal("1", input.WorkflowExecutionRetentionPeriodInDays);
    }

    [Fact]
    public void DomainInfos_uses_the_renamed_property_for_the_domainInfos_member()
    {
        var infos = new DomainInfos
        {
            DomainInfoList =
            [
                new DomainInfo { Name = "a", Status = RegistrationStatus.Registered, Arn = "arn:aws:swf:us-east-1:123456789012:/domain/a" },
                new DomainInfo { Name = "b", Status = RegistrationStatus.Deprecated, Description = "old" },
            ],
            NextPageToken = "tok",
        };

        string json = JsonSerializer.Serialize(infos, SwfJsonContext.Default.DomainInfos);

        JsonNode node = JsonNode.Parse(json)!;
        Assert.Equal("REGISTERED", (string?)node["domainInfos"]![0]!["status"]);
        Assert.Equal("old", (string?)node["domainInfos"]![1]!["description"]);
        Assert.Null(node["domainInfos"]![1]!["arn"]);
        Assert.Equal("tok", (string?)node["nextPageToken"]);
        DomainInfos back = JsonSerializer.Deserialize(json, SwfJsonContext.Default.DomainInfos)!;
        Assert.Equal(["a", "b"], back.DomainInfoList!.Select(d => d.Name));
    }

    [Fact]
    public void HistoryEvent_with_attributes_round_trips()
    {
        var started = new HistoryEvent
        {
            EventId = 1,
            EventType = EventType.WorkflowExecutionStarted,
            EventTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
            WorkflowExecutionStartedEventAttributes = new WorkflowExecutionStartedEventAttributes
            {
                ChildPolicy = ChildPolicy.Terminate,
                TaskList = new TaskList { Name = "deciders" },
                WorkflowType = new WorkflowType { Name = "order", Version = "1" },
                TagList = ["x", "y"],
                ExecutionStartToCloseTimeout = "3600",
                ParentInitiatedEventId = 7,
            },
        };
        var scheduled = new HistoryEvent
        {
            EventId = 5,
            EventType = EventType.ActivityTaskScheduled,
            EventTimestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_010),
            ActivityTaskScheduledEventAttributes = new ActivityTaskScheduledEventAttributes
            {
                ActivityId = "a1",
                ActivityType = new ActivityType { Name = "charge", Version = "2" },
                TaskList = new TaskList { Name = "workers" },
                DecisionTaskCompletedEventId = 4,
                HeartbeatTimeout = "NONE",
            },
        };
        var history = new History { Events = [started, scheduled], NextPageToken = null };

        string json = JsonSerializer.Serialize(history, SwfJsonContext.Default.History);

        Assert.Contains("\"eventTimestamp\":1700000000.123,", json);
        Assert.Contains("\"eventTimestamp\":1700000010,", json);
        Assert.DoesNotContain("nextPageToken", json);
        Assert.DoesNotContain("activityTaskScheduledEventAttributes\":null", json);
        Assert.Contains(
            "\"workflowExecutionStartedEventAttributes\":" + """{"executionStartToCloseTimeout":"3600","childPolicy":"TERMINATE","taskList":{"name":"deciders"},"workflowType":{"name":"order","version":"1"},"tagList":["x","y"],"parentInitiatedEventId":7}""",
            json);

        History back = JsonSerializer.Deserialize(json, SwfJsonContext.Default.History)!;
        Assert.Equal(2, back.Events!.Count);
        Assert.Equal(started.EventTimestamp, back.Events[0].EventTimestamp);
        Assert.Equal(TimeSpan.Zero, back.Events[0].EventTimestamp!.Value.Offset);
        Assert.Equal("deciders", back.Events[0].WorkflowExecutionStartedEventAttributes!.TaskList!.Name);
        Assert.Equal(4, back.Events[1].ActivityTaskScheduledEventAttributes!.DecisionTaskCompletedEventId);
        Assert.Null(back.Events[1].WorkflowExecutionStartedEventAttributes);
    }

    [Fact]
    public void Decision_list_round_trips()
    {
        const string json = """
            {"taskToken":"t","decisions":[
              {"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{"name":"charge","version":"1"},"activityId":"a1","input":"{}","scheduleToCloseTimeout":"300","taskList":{"name":"workers"}}},
              {"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t1","startToFireTimeout":"60"}},
              {"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":"done"}}
            ],"executionContext":"ctx"}
            """;

        RespondDecisionTaskCompletedInput input = JsonSerializer.Deserialize(json, SwfJsonContext.Default.RespondDecisionTaskCompletedInput)!;

        Assert.Equal(
            [DecisionType.ScheduleActivityTask, DecisionType.StartTimer, DecisionType.CompleteWorkflowExecution],
            input.Decisions!.Select(d => d.DecisionType));
        List<Decision> parsed = input.Decisions!;
        Assert.Equal("a1", parsed[0].ScheduleActivityTaskDecisionAttributes!.ActivityId);
        Assert.Equal("workers", parsed[0].ScheduleActivityTaskDecisionAttributes!.TaskList!.Name);
        Assert.Equal("60", parsed[1].StartTimerDecisionAttributes!.StartToFireTimeout);
        Assert.Equal("done", parsed[2].CompleteWorkflowExecutionDecisionAttributes!.Result);

        string again = JsonSerializer.Serialize(parsed, SwfJsonContext.Default.ListDecision);
        List<Decision> decisions = JsonSerializer.Deserialize(again, SwfJsonContext.Default.ListDecision)!;
        Assert.Equal(3, decisions.Count);
        Assert.Equal(JsonNode.Parse(json)!["decisions"]!.ToJsonString(), JsonNode.Parse(again)!.ToJsonString());
    }

    [Theory]
    [InlineData("1700000000", 1_700_000_000_000L, 0L)]
    [InlineData("1700000000.5", 1_700_000_000_500L, 0L)]
    [InlineData("1700000000.123", 1_700_000_000_123L, 0L)]
    [InlineData("1.7000000001234567E9", 1_700_000_000_123L, 4567L)]
    [InlineData("0", 0L, 0L)]
    [InlineData("-1.5", -1_500L, 0L)]
    public void Timestamps_are_read_from_integer_or_fractional_epoch_seconds(string number, long unixMilliseconds, long extraTicks)
    {
        ExecutionTimeFilter filter = JsonSerializer.Deserialize($$"""{"oldestDate":{{number}}}""", SwfJsonContext.Default.ExecutionTimeFilter)!;

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).AddTicks(extraTicks), filter.OldestDate);
        Assert.Equal(TimeSpan.Zero, filter.OldestDate!.Value.Offset);
        Assert.Null(filter.LatestDate);
    }

    [Theory]
    [InlineData(1_700_000_000_000L, "1700000000")]
    [InlineData(1_700_000_000_500L, "1700000000.5")]
    [InlineData(1_700_000_000_120L, "1700000000.12")]
    [InlineData(1_700_000_000_007L, "1700000000.007")]
    [InlineData(-1_500L, "-1.5")]
    public void Timestamps_are_written_as_epoch_seconds_with_millisecond_fractions(long unixMilliseconds, string expected)
    {
        var filter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds) };

        Assert.Equal($$"""{"oldestDate":{{expected}}}""", JsonSerializer.Serialize(filter, SwfJsonContext.Default.ExecutionTimeFilter));
    }

    [Fact]
    public void Timestamps_in_other_offsets_are_written_as_the_same_instant()
    {
        var info = new WorkflowExecutionInfo { StartTimestamp = new DateTimeOffset(2023, 11, 14, 23, 13, 20, TimeSpan.FromHours(1)) };

        string json = JsonSerializer.Serialize(info, SwfJsonContext.Default.WorkflowExecutionInfo);

        Assert.Equal("""{"startTimestamp":1700000000}""", json); // 2023-11-14T22:13:20Z
    }

    [Theory]
    [InlineData("\"2023-01-01T00:00:00Z\"")]
    [InlineData("true")]
    [InlineData("1e300")]
    public void Timestamps_that_are_not_epoch_numbers_fail_to_read(string value)
    {
        Assert.ThrowsAny<JsonException>(() =>
            JsonSerializer.Deserialize($$"""{"oldestDate":{{value}}}""", SwfJsonContext.Default.ExecutionTimeFilter));
    }

    [Fact]
    public void Faults_serialize_their_message()
    {
        string json = JsonSerializer.Serialize(new UnknownResourceFault { Message = "Unknown domain: x" }, SwfJsonContext.Default.UnknownResourceFault);

        Assert.Equal("""{"message":"Unknown domain: x"}""", json);
    }

    [Fact]
    public void Empty_output_shapes_serialize_as_empty_objects()
    {
        Assert.Equal("{}", JsonSerializer.Serialize(new Run(), SwfJsonContext.Default.Run));
        Assert.Equal("{}", Serialize(new PendingTaskCount()));
    }
}
