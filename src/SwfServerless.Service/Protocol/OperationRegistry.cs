using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;

namespace SwfServerless.Service.Protocol;

/// <summary>Operation name → how to deserialize its input, run its handler and serialize its output.</summary>
public sealed class OperationRegistry
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();
    private readonly Dictionary<string, Func<JsonElement, IServiceProvider, SwfCall, CancellationToken, Task<byte[]>>> invokers = new(StringComparer.Ordinal);

    public bool Contains(string operation) => invokers.ContainsKey(operation);

    public void Add<TInput, TOutput, THandler>(string operation)
        where THandler : ISwfOperation<TInput, TOutput>
    {
        var input = (JsonTypeInfo<TInput>)SwfJsonContext.Default.GetTypeInfo(typeof(TInput))!;
        var output = typeof(TOutput) == typeof(NoOutput) ? null : (JsonTypeInfo<TOutput>)SwfJsonContext.Default.GetTypeInfo(typeof(TOutput))!;
        invokers.Add(operation, async (body, services, call, ct) =>
        {
            TInput request;
            try { request = body.Deserialize(input)!; }
            catch (JsonException e) { throw SwfFault.Serialization($"Could not read the {operation} request: {e.Message}"); }
            var handler = services.GetRequiredService<THandler>();
            var result = await handler.HandleAsync(request, call, ct);
            return output is null ? EmptyObject : JsonSerializer.SerializeToUtf8Bytes(result, output);
        });
    }

    public Task<byte[]> InvokeAsync(string operation, JsonElement body, IServiceProvider services, SwfCall call, CancellationToken ct) =>
        invokers[operation](body, services, call, ct);
}
