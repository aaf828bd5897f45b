using System.Net;
using Azure.Core;

namespace SwfServerless.AzureStorage.Tests;

/// <summary>Azurite's OAuth mode needs HTTPS, so this records what would be sent instead of talking to a server.</summary>
public sealed class TokenCredentialTests
{
    private sealed class CountingCredential(ManualTimeProvider time, TimeSpan lifetime) : TokenCredential
    {
        public int Calls;
        public List<string[]> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref Calls);
            lock (Scopes)
                Scopes.Add(requestContext.Scopes);
            return ValueTask.FromResult(new AccessToken($"token-{n}", time.GetUtcNow() + lifetime));
        }
    }

    [Fact]
    public async Task Bearer_tokens_are_sent_cached_and_refreshed_before_expiry()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var credential = new CountingCredential(time, TimeSpan.FromHours(1));
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.Created));
        var account = StorageAccount.WithTokenCredential("myaccount", credential);
        using var clients = new StorageClients(account, new HttpClient(handler), options: new StorageClientOptions { TimeProvider = time });
        var queue = clients.GetQueueClient("work");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => queue.CreateIfNotExistsAsync()));
        time.Advance(TimeSpan.FromMinutes(50));
        await queue.CreateIfNotExistsAsync();
        time.Advance(TimeSpan.FromMinutes(6)); // within 5 minutes of expiry
        await queue.CreateIfNotExistsAsync();

        Assert.Equal(2, credential.Calls);
        Assert.All(credential.Scopes, s => Assert.Equal(["https://storage.azure.com/.default"], s));
        var auth = handler.Requests.Select(r => r.Headers.Authorization!.ToString()).ToList();
        Assert.Equal(Enumerable.Repeat("Bearer token-1", 21).Append("Bearer token-2"), auth);
        Assert.All(handler.Requests, r => Assert.Equal("https://myaccount.queue.core.windows.net/work", r.RequestUri!.ToString()));
    }

    [Fact]
    public async Task Table_requests_use_the_same_token_and_the_account_endpoint()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var credential = new CountingCredential(time, TimeSpan.FromHours(1));
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.NoContent));
        var account = StorageAccount.WithTokenCredential("acct", credential, "core.usgovcloudapi.net");
        using var clients = new StorageClients(account, new HttpClient(handler), options: new StorageClientOptions { TimeProvider = time });

        await clients.GetTableClient("history").CreateIfNotExistsAsync();
        await clients.GetQueueClient("tasks").DeleteIfExistsAsync();

        Assert.Equal(1, credential.Calls);
        Assert.Equal("https://acct.table.core.usgovcloudapi.net/Tables", handler.Requests[0].RequestUri!.ToString());
        Assert.All(handler.Requests, r => Assert.Equal("Bearer token-1", r.Headers.Authorization!.ToString()));
    }
}
