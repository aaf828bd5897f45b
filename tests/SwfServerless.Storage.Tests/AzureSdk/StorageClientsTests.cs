using System.Net;
using Azure.Core;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Storage.Tests.AzureSdk;

/// <summary>Construction from a connection string or a token credential; no server needed (a recording handler answers).</summary>
public sealed class StorageClientsTests
{
    private sealed class CountingCredential : TokenCredential
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
            return ValueTask.FromResult(new AccessToken($"token-{n}", DateTimeOffset.UtcNow.AddHours(1)));
        }
    }

    [Fact]
    public void Development_storage_means_Azurite_defaults()
    {
        using var clients = StorageClients.FromConnectionString("UseDevelopmentStorage=true");

        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", clients.Tables.Uri.ToString().TrimEnd('/'));
        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1", clients.Queues.Uri.ToString().TrimEnd('/'));
    }

    [Fact]
    public void Account_key_with_suffix_builds_the_service_endpoints()
    {
        using var clients = StorageClients.FromConnectionString(
            "DefaultEndpointsProtocol=https;AccountName=swf;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal("https://swf.table.core.chinacloudapi.cn", clients.Tables.Uri.ToString().TrimEnd('/'));
        Assert.Equal("https://swf.queue.core.chinacloudapi.cn", clients.Queues.Uri.ToString().TrimEnd('/'));
    }

    [Fact]
    public async Task Explicit_path_style_endpoints_are_used_and_counted_without_their_account_segment()
    {
        var handler = new RecordingHandler(r => new HttpResponseMessage(HttpStatusCode.Created) { RequestMessage = r });
        using var clients = StorageClients.FromConnectionString(
            "AccountName=devstoreaccount1;AccountKey=a2V5;DefaultEndpointsProtocol=http;" +
            "TableEndpoint=http://127.0.0.1:5002/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:5001/devstoreaccount1",
            new StorageClientOptions { HttpClient = new HttpClient(handler) });

        await clients.GetQueueClient("messages").CreateIfNotExistsAsync(); // a queue named like the messages resource

        Assert.Equal("http://127.0.0.1:5001/devstoreaccount1/messages", handler.Requests.Single().RequestUri!.ToString());
        Assert.StartsWith("SharedKey devstoreaccount1:", handler.Requests.Single().Headers.Authorization!.ToString());
        Assert.Equal(1, clients.Metrics.Snapshot()["queue.create"]);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("AccountName=x")]
    public void Broken_connection_strings_fail_at_startup_not_at_the_first_request(string connectionString)
    {
        Assert.ThrowsAny<Exception>(() => StorageClients.FromConnectionString(connectionString));
    }

    [Fact]
    public async Task Bearer_tokens_are_fetched_once_per_service_and_sent_on_every_request()
    {
        var credential = new CountingCredential();
        var handler = new RecordingHandler(r => new HttpResponseMessage(r.Method == HttpMethod.Put ? HttpStatusCode.Created : HttpStatusCode.NoContent) { RequestMessage = r });
        using var clients = StorageClients.FromCredential(credential,
            new Uri("https://acct.table.core.usgovcloudapi.net"), new Uri("https://acct.queue.core.usgovcloudapi.net"),
            new StorageClientOptions { HttpClient = new HttpClient(handler) });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => clients.GetQueueClient("work").CreateIfNotExistsAsync()));
        await clients.GetTableClient("history").CreateIfMissingAsync();

        Assert.Equal(2, credential.Calls);
        Assert.All(credential.Scopes, s => Assert.Equal(["https://storage.azure.com/.default"], s));
        Assert.All(handler.Requests, r => Assert.Equal("Bearer", r.Headers.Authorization!.Scheme));
        Assert.Equal(20, handler.Requests.Count(r => r.RequestUri!.ToString() == "https://acct.queue.core.usgovcloudapi.net/work"));
        Assert.Equal("https://acct.table.core.usgovcloudapi.net/Tables", handler.Requests[^1].RequestUri!.GetLeftPart(UriPartial.Path));
    }

    [Fact]
    public void SDK_difference_bearer_tokens_are_never_sent_over_plain_http()
    {
        // Why the managed-identity test puts its gateway behind HTTPS. The Queues SDK refuses at construction (so at startup).
        var e = Assert.Throws<ArgumentException>(() => StorageClients.FromCredential(new CountingCredential(),
            new Uri("https://127.0.0.1:5002/acct"), new Uri("http://127.0.0.1:5001/acct")));
        Assert.Contains("HTTPS", e.Message);
    }
}
