using System.Text.Json.Serialization;

namespace SwfServerless.Storage;

/// <summary>Source-generated JSON for what repositories keep in string columns.</summary>
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Tasks.TaskMessage))]
[JsonSerializable(typeof(Intents.IntentMessage))]
internal partial class StorageJsonContext : JsonSerializerContext;
