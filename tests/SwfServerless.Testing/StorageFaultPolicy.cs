using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SwfServerless.Testing;

/// <summary>What <see cref="StorageFaultPolicy"/> did to one storage request attempt.</summary>
public enum StorageFault
{
    /// <summary>Not sent; answered 500 (retryable) as a storage node failure would.</summary>
    Status500,

    /// <summary>Not sent; answered 503 ServerBusy.</summary>
    Status503,

    /// <summary>Timed out: half the time before reaching storage, half after it was applied there.</summary>
    Timeout,

    /// <summary>Sent and applied by storage; the answer is lost (connection reset), so the client cannot know it happened.</summary>
    AppliedAnswerLost,
}

/// <summary>
/// TEST-ONLY: makes a seeded share of storage request attempts fail (see <see cref="StorageFault"/>). Added to the
/// app's table and queue clients per attempt (<c>StorageClientOptions.AdditionalPolicies</c>), after the SDK's retry
/// policy, so the SDK's own retries meet it too: a retried insert may find its row, a retried transaction may find its
/// ETag moved by its own earlier attempt. Off until <see cref="Enabled"/>.
/// </summary>
public sealed class StorageFaultPolicy(int seed, double share) : HttpPipelinePolicy
{
    private readonly Random random = new(seed);
    private readonly long[] counts = new long[Enum.GetValues<StorageFault>().Length];

    private readonly List<(StorageFault Fault, Func<string, bool> Match, Func<Task>? Meanwhile)> forced = [];

    public volatile bool Enabled;

    /// <summary>
    /// Makes the next attempt whose method, path and body (<c>"POST /$batch\n..."</c>) <paramref name="match"/> accepts
    /// fail with <paramref name="fault"/>, after reaching storage where the fault allows it; independent of <see cref="Enabled"/>.
    /// </summary>
    /// <param name="meanwhile">Run after the request reached storage and before its (lost) answer comes back: what
    /// others do while the caller cannot know yet that its request was applied.</param>
    public void FailNext(StorageFault fault, Func<string, bool> match, Func<Task>? meanwhile = null)
    {
        lock (random) forced.Add((fault, match, meanwhile));
    }

    public long Count(StorageFault fault) => Interlocked.Read(ref counts[(int)fault]);

    public long Total => counts.Sum();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: true);

    private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        if (!TryDraw(message.Request, out var fault, out var afterSending, out var meanwhile))
        {
            await Next(message, pipeline, async);
            return;
        }
        Interlocked.Increment(ref counts[(int)fault]);
        switch (fault)
        {
            case StorageFault.Status500:
            case StorageFault.Status503:
                message.Response = new InjectedResponse(fault == StorageFault.Status500 ? 500 : 503, message.Request.ClientRequestId);
                return;
            case StorageFault.Timeout:
                if (afterSending) LoseAnswer(message, await NextAsync(message, pipeline, async), 408);
                // What the SDK sees when an attempt outlives its network timeout (AttemptTimeoutPolicy turns it into status 0).
                throw new TaskCanceledException("Injected storage timeout" + (afterSending ? " after the request was applied" : ""));
            default:
                // Applied, and the answer that comes back says it failed (as a gateway timeout or a reset would).
                var real = await NextAsync(message, pipeline, async);
                if (meanwhile is not null) await meanwhile();
                LoseAnswer(message, real, 503);
                return;
        }
    }

    private static async ValueTask<Response?> NextAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        await Next(message, pipeline, async);
        return message.HasResponse ? message.Response : null;
    }

    private static void LoseAnswer(HttpMessage message, Response? real, int status)
    {
        message.Response = new InjectedResponse(status, message.Request.ClientRequestId);
        real?.Dispose();
    }

    private bool TryDraw(Request request, out StorageFault fault, out bool afterSending, out Func<Task>? meanwhile)
    {
        fault = default;
        afterSending = false;
        meanwhile = null;
        lock (random)
        {
            if (forced.Count > 0)
            {
                var text = Describe(request);
                var i = forced.FindIndex(f => f.Match(text));
                if (i >= 0)
                {
                    fault = forced[i].Fault;
                    meanwhile = forced[i].Meanwhile;
                    afterSending = true;
                    forced.RemoveAt(i);
                    return true;
                }
            }
            if (!Enabled) return false;
            if (random.NextDouble() >= share) return false;
            fault = (StorageFault)random.Next(counts.Length);
            afterSending = random.Next(2) == 0;
            return true;
        }
    }

    private static string Describe(Request request)
    {
        using var body = new MemoryStream();
        request.Content?.WriteTo(body, CancellationToken.None);
        return $"{request.Method} {request.Uri.Path}\n{System.Text.Encoding.UTF8.GetString(body.ToArray())}";
    }

    private static ValueTask Next(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        if (async) return ProcessNextAsync(message, pipeline);
        ProcessNext(message, pipeline);
        return ValueTask.CompletedTask;
    }

    /// <summary>An answer that never came from storage: a status and no body.</summary>
    private sealed class InjectedResponse(int status, string clientRequestId) : Response
    {
        public override int Status => status;
        public override string ReasonPhrase => status == 503 ? "Server Busy (injected)" : "Internal Server Error (injected)";
        public override Stream? ContentStream { get; set; } = new MemoryStream();
        public override string ClientRequestId { get; set; } = clientRequestId;
        public override void Dispose() => ContentStream?.Dispose();
        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) { value = null; return false; }
        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values) { values = null; return false; }
        protected override bool ContainsHeader(string name) => false;
        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];
    }
}
