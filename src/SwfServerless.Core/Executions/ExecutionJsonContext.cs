using System.Text.Json;
using System.Text.Json.Serialization;

namespace SwfServerless.Core.Executions;

/// <summary>
/// Source-generated JSON for the state row. Defaults (0, false, null) are left out to keep the row small; reading
/// ignores members it does not know, so a newer writer's extra fields do not break an older reader.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(ExecutionState))]
[JsonSerializable(typeof(OpenActivity))]
[JsonSerializable(typeof(OpenTimer))]
[JsonSerializable(typeof(OpenChild))]
[JsonSerializable(typeof(PendingExternal))]
public partial class ExecutionJsonContext : JsonSerializerContext
{
    public static string Serialize(ExecutionState state) => JsonSerializer.Serialize(state, Default.ExecutionState);

    public static ExecutionState Deserialize(string json) =>
        JsonSerializer.Deserialize(json, Default.ExecutionState) ?? throw new JsonException("The execution state is null.");
}
