namespace SwfServerless.Service.Protocol;

/// <summary>One SWF operation: takes the validated, typed input and returns the output shape.</summary>
public interface ISwfOperation<TInput, TOutput>
{
    Task<TOutput> HandleAsync(TInput input, SwfCall call, CancellationToken ct);
}

/// <summary>What an operation knows about the call beyond its input.</summary>
public sealed record SwfCall(string RequestId, string Operation, Auth.AccessPolicy? Policy);

/// <summary>The output of operations whose model has none: answered as <c>{}</c>.</summary>
public sealed class NoOutput
{
    public static readonly NoOutput Instance = new();
    public static Task<NoOutput> Task { get; } = System.Threading.Tasks.Task.FromResult(Instance);
}
