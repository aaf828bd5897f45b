using System.Reflection;
using System.Text.Json;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Model;

/// <summary>The generated code against the model it was generated from (the embedded service-2.json).</summary>
public class ModelShapeTests
{
    private static readonly JsonElement ServiceModel = LoadModel();
    private static readonly Assembly Core = typeof(SwfJsonContext).Assembly;

    private static JsonElement LoadModel()
    {
        using Stream stream = typeof(SwfJsonContext).Assembly.GetManifestResourceStream("service-2.json")!;
        using JsonDocument document = JsonDocument.Parse(stream);
        return document.RootElement.Clone();
    }

    private static IEnumerable<(string Name, JsonElement Shape)> Shapes(string type) =>
        ServiceModel.GetProperty("shapes").EnumerateObject()
            .Where(p => p.Value.GetProperty("type").GetString() == type)
            .Select(p => (p.Name, p.Value));

    private static Type? ModelType(string name) => Core.GetType("SwfServerless.Core.Model." + name);

    [Fact]
    public void All_39_operations_are_listed_with_their_input_output_and_errors()
    {
        var operations = ServiceModel.GetProperty("operations").EnumerateObject().ToList();
        Assert.Equal(39, operations.Count);
        Assert.Equal(39, SwfOperations.All.Count);

        foreach (JsonProperty operation in operations)
        {
            Assert.True(SwfOperations.All.TryGetValue(operation.Name, out SwfOperation? op), operation.Name);
            Assert.Equal(operation.Name, op.Name);
            Assert.Equal(operation.Value.GetProperty("input").GetProperty("shape").GetString(), op.InputShape);
            string? output = operation.Value.TryGetProperty("output", out JsonElement o) ? o.GetProperty("shape").GetString() : null;
            Assert.Equal(output, op.OutputShape);
            Assert.Equal(
                operation.Value.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("shape").GetString()!),
                op.Errors);
            Assert.Equal(op.InputShape, op.InputType.Name);
            Assert.Equal(op.OutputShape, op.OutputType?.Name);
        }
    }

    [Theory]
    [InlineData(SwfOperations.RegisterDomain, "RegisterDomainInput", null)]
    [InlineData(SwfOperations.StartWorkflowExecution, "StartWorkflowExecutionInput", "Run")]
    [InlineData(SwfOperations.ListDomains, "ListDomainsInput", "DomainInfos")]
    [InlineData(SwfOperations.PollForDecisionTask, "PollForDecisionTaskInput", "DecisionTask")]
    [InlineData(SwfOperations.GetWorkflowExecutionHistory, "GetWorkflowExecutionHistoryInput", "History")]
    [InlineData(SwfOperations.RespondDecisionTaskCompleted, "RespondDecisionTaskCompletedInput", null)]
    [InlineData(SwfOperations.CountPendingActivityTasks, "CountPendingActivityTasksInput", "PendingTaskCount")]
    [InlineData(SwfOperations.DeleteWorkflowType, "DeleteWorkflowTypeInput", null)]
    public void Representative_operations(string name, string input, string? output)
    {
        SwfOperation op = SwfOperations.All[name];

        Assert.Equal(input, op.InputShape);
        Assert.Equal(output, op.OutputShape);
        Assert.Contains(SwfFaults.OperationNotPermittedFault, op.Errors);
    }

    [Fact]
    public void StartWorkflowExecution_lists_its_six_faults()
    {
        Assert.Equal(
            ["UnknownResourceFault", "TypeDeprecatedFault", "WorkflowExecutionAlreadyStartedFault", "LimitExceededFault", "OperationNotPermittedFault", "DefaultUndefinedFault"],
            SwfOperations.All[SwfOperations.StartWorkflowExecution].Errors);
        Assert.Equal("SimpleWorkflowService", SwfOperations.TargetPrefix);
    }

    [Fact]
    public void Every_structure_shape_has_a_class_covered_by_the_json_context()
    {
        var structures = Shapes("structure").ToList();
        Assert.Equal(154, structures.Count);

        foreach ((string name, JsonElement shape) in structures)
        {
            Type? type = ModelType(name);
            Assert.True(type is { IsClass: true, IsSealed: true, IsAbstract: false }, $"{name} is not a sealed class");
            Assert.NotNull(SwfJsonContext.Default.GetTypeInfo(type!));

            var wireNames = type!.GetProperties()
                .Select(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name)
                .ToList();
            Assert.Equal(shape.GetProperty("members").EnumerateObject().Select(m => m.Name), wireNames);
        }
    }

    [Fact]
    public void Faults_are_the_eleven_exception_shapes()
    {
        var faults = Shapes("structure")
            .Where(s => s.Shape.TryGetProperty("exception", out JsonElement e) && e.GetBoolean())
            .Select(s => s.Name)
            .Order(StringComparer.Ordinal);

        Assert.Equal(faults, SwfFaults.All);
        Assert.Equal(11, SwfFaults.All.Count);
    }

    [Fact]
    public void Every_enum_shape_has_a_constants_class_with_all_values_in_model_order()
    {
        var enums = Shapes("string").Where(s => s.Shape.TryGetProperty("enum", out _)).ToList();
        Assert.NotEmpty(enums);

        foreach ((string name, JsonElement shape) in enums)
        {
            Type? type = ModelType(name);
            Assert.True(type is { IsAbstract: true, IsSealed: true }, $"{name} is not a static class");
            var all = (IReadOnlyList<string>)type!.GetField("All")!.GetValue(null)!;
            Assert.Equal(shape.GetProperty("enum").EnumerateArray().Select(v => v.GetString()!), all);
            var constants = type.GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
            Assert.Equal(all.Order(StringComparer.Ordinal), constants.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Enum_constants_are_named_in_pascal_case()
    {
        Assert.Equal("REGISTERED", RegistrationStatus.Registered);
        Assert.Equal("DEPRECATED", RegistrationStatus.Deprecated);
        Assert.Equal(["REGISTERED", "DEPRECATED"], RegistrationStatus.All);
        Assert.Equal("START_TO_CLOSE", ActivityTaskTimeoutType.StartToClose);
        Assert.Equal("CONTINUED_AS_NEW", CloseStatus.ContinuedAsNew);
        Assert.Equal("ScheduleActivityTask", DecisionType.ScheduleActivityTask);
        Assert.Equal("WorkflowExecutionStarted", EventType.WorkflowExecutionStarted);
    }

    [Fact]
    public void Timestamp_members_are_DateTimeOffset_with_the_epoch_converter()
    {
        var timestampMembers = Shapes("structure")
            .SelectMany(s => s.Shape.GetProperty("members").EnumerateObject()
                .Where(m => m.Value.GetProperty("shape").GetString() == "Timestamp")
                .Select(m => (s.Name, Member: m.Name)))
            .ToList();
        Assert.Equal(10, timestampMembers.Count);

        foreach ((string shape, string member) in timestampMembers)
        {
            PropertyInfo property = ModelType(shape)!.GetProperties()
                .Single(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()!.Name == member);
            Assert.Equal(typeof(DateTimeOffset?), property.PropertyType);
            Assert.Equal(
                typeof(EpochSecondsJsonConverter),
                property.GetCustomAttribute<System.Text.Json.Serialization.JsonConverterAttribute>()?.ConverterType);
        }
    }
}
