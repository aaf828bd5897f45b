using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Api.Tests.Time;

/// <summary>
/// Sits between the app and Azurite: counts requests per table (or "queues", "intents"), and refuses the requests to one
/// table while told to (by default a 403 the client does not retry; <see cref="Refusal"/> says otherwise), which is how
/// a test makes a write get lost or a storage failure reach the caller.
/// </summary>
public sealed class StorageTap : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);
    private readonly string[] tables;

    public StorageTap(string prefix) : base(new SocketsHttpHandler())
    {
        tables = ["Domains", "Types", "Executions", "Visibility", "Secrets", "TaskLists", "Reminders"];
        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>Requests to this table (short name, e.g. "Visibility") fail while set.</summary>
    public volatile string? Refuse;

    /// <summary>The status and error code a refused request gets.</summary>
    public (HttpStatusCode Status, string Code) Refusal { get; set; } = (HttpStatusCode.Forbidden, "AuthorizationFailure");

    /// <summary>Replaces the app's storage clients with ones that go through a new tap.</summary>
    public static Action<IServiceCollection> Install(string connectionString, StorageTap tap) => services =>
        services.AddSingleton(StorageClients.FromConnectionString(connectionString,
            new StorageClientOptions { HttpClient = new HttpClient(tap) { Timeout = Timeout.InfiniteTimeSpan } }));

    public Dictionary<string, int> Snapshot() => new(counts);

    /// <summary>Requests per target since <paramref name="before"/>, e.g. "Executions GET=1 PUT=1".</summary>
    public Dictionary<string, int> Since(Dictionary<string, int> before) =>
        counts.Select(p => (p.Key, Count: p.Value - before.GetValueOrDefault(p.Key))).Where(p => p.Count != 0).ToDictionary(p => p.Key, p => p.Count);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = await TargetAsync(request, cancellationToken);
        counts.AddOrUpdate($"{target} {request.Method}", 1, (_, n) => n + 1);
        if (Refuse is { } refused && target == refused)
        {
            var (status, code) = Refusal;
            var refusal = new HttpResponseMessage(status)
            {
                RequestMessage = request,
                Content = new StringContent("{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"value\":\"refused by the test\"}}}"),
            };
            refusal.Headers.TryAddWithoutValidation("x-ms-error-code", code);
            return refusal;
        }
        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<string> TargetAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var path = request.RequestUri!.AbsolutePath;
        foreach (var table in tables)
        {
            if (path.Contains("/" + Prefix + table, StringComparison.Ordinal)) return table;
        }
        if (path.EndsWith("/$batch", StringComparison.Ordinal) && request.Content is not null)
        {
            // A transaction names its table inside the multipart body, in each action's request line:
            // ".../{table}?$format=..." (insert) or ".../{table}(PartitionKey=...,RowKey=...)..." (any other).
            var body = await request.Content.ReadAsStringAsync(ct);
            foreach (var table in tables)
            {
                var at = "/" + Prefix + table;
                if (body.Contains(at + "(", StringComparison.Ordinal) || body.Contains(at + "?", StringComparison.Ordinal) || body.Contains(at + " ", StringComparison.Ordinal))
                    return table;
            }
        }
        if (path.Contains("/Tables", StringComparison.Ordinal)) return "tables";
        // The intents queue apart from the task queues: the standalone intent executor receives from it in the background.
        return path.Split('/').Contains(Prefix.ToLowerInvariant() + "-intents") ? "intents" : "queues";
    }
}
