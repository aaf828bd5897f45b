using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using SwfServerless.AzureStorage;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Functions;

/// <summary>
/// The token path with no connection string, as in Azure: <c>AzureWebJobsStorage__clientId</c> and the service URIs set,
/// <c>AzureWebJobsStorage</c> unset. The managed identity endpoint is a local fake of the App Service protocol that
/// <c>ManagedIdentityCredential</c> (Azure.Identity 1.21, through MSAL's <c>AppServiceManagedIdentitySource</c>) uses when
/// <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> are set: <c>GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&amp;resource=...&amp;client_id=...</c>
/// with header <c>X-IDENTITY-HEADER</c>. Storage is Azurite behind a recording gateway that accepts only that bearer
/// token and re-signs each request with Shared Key, because Azurite's own OAuth mode needs HTTPS.
/// </summary>
/// <remarks>
/// What this proves: the app takes the identity path when no connection string is set, asks the platform's endpoint
/// for a token for <c>https://storage.azure.com</c> as the configured user-assigned identity, and sends that token on
/// every table and queue request it makes, and the service works end to end that way. What it does not prove: that
/// Azure Storage accepts such a token, or that the role assignments in infra/ are sufficient; those are Azure's side
/// (the Bicep's role ids are checked by <c>BicepFactsTests</c>).
/// </remarks>
[Collection("api")]
public sealed class ManagedIdentityTests(AzuriteFixture azurite)
{
    private const string IdentityHeader = "fake-identity-header-secret";
    private const string ClientId = "11111111-2222-3333-4444-555555555555";

    [Fact]
    public async Task Without_a_connection_string_the_app_uses_managed_identity_tokens_for_tables_and_queues()
    {
        var backing = StorageAccount.Parse(azurite.ConnectionString);
        await using var identity = await FakeIdentityEndpoint.StartAsync(IdentityHeader);
        await using var gateway = await BearerGateway.StartAsync(backing, identity.IssuedTokens);

        var previous = (Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT"), Environment.GetEnvironmentVariable("IDENTITY_HEADER"));
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", identity.Url + "/msi/token");
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", IdentityHeader);
        try
        {
            await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = "",
                ["AzureWebJobsStorage:credential"] = "managedidentity",
                ["AzureWebJobsStorage:clientId"] = ClientId,
                ["AzureWebJobsStorage:tableServiceUri"] = gateway.TableUrl,
                ["AzureWebJobsStorage:queueServiceUri"] = gateway.QueueUrl,
            });

            var domain = TestNames.Unique("mi");
            await app.OkAsync("RegisterDomain", new { name = domain, workflowExecutionRetentionPeriodInDays = "1" });
            await app.OkAsync("RegisterWorkflowType", new
            {
                domain, name = "flow", version = "1", defaultTaskList = new { name = "deciders" },
                defaultExecutionStartToCloseTimeout = "600", defaultTaskStartToCloseTimeout = "30", defaultChildPolicy = "TERMINATE",
            });
            // Starting an execution schedules a decision task: a queue message.
            await app.OkAsync("StartWorkflowExecution", new { domain, workflowId = "w1", workflowType = new { name = "flow", version = "1" } });
            var listed = await app.OkAsync("ListDomains", new { registrationStatus = "REGISTERED" });
            Assert.Contains(listed.GetProperty("domainInfos").EnumerateArray(), d => d.GetProperty("name").GetString() == domain);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", previous.Item1);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", previous.Item2);
        }

        var tokenRequest = Assert.Single(identity.Requests.DistinctBy(r => r.Resource));
        Assert.Equal("2019-08-01", tokenRequest.ApiVersion);
        Assert.Equal("https://storage.azure.com", tokenRequest.Resource.TrimEnd('/'));
        Assert.Equal(ClientId, tokenRequest.ClientId);
        Assert.All(identity.Requests, r => Assert.Equal(IdentityHeader, r.Header));

        Assert.Empty(gateway.Rejected);
        Assert.Contains(gateway.Forwarded, f => f.Service == "table");
        Assert.Contains(gateway.Forwarded, f => f.Service == "queue" && f.Method == "POST" && f.Path.EndsWith("/messages"));
    }

    /// <summary>The App Service managed identity protocol, as MSAL's AppServiceManagedIdentitySource speaks it.</summary>
    private sealed class FakeIdentityEndpoint : IAsyncDisposable
    {
        public sealed record TokenRequest(string? ApiVersion, string Resource, string? ClientId, string Header);

        private readonly WebApplication _app;
        public string Url { get; }
        public ConcurrentQueue<TokenRequest> Requests { get; } = new();
        public ConcurrentDictionary<string, bool> IssuedTokens { get; } = new();

        private FakeIdentityEndpoint(WebApplication app, string url) { _app = app; Url = url; }

        public static async Task<FakeIdentityEndpoint> StartAsync(string secret)
        {
            var url = $"http://127.0.0.1:{TestApp.FreePort()}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(url);
            var app = builder.Build();
            var endpoint = new FakeIdentityEndpoint(app, url);
            app.MapGet("/msi/token", (HttpContext http) =>
            {
                var q = http.Request.Query;
                var header = http.Request.Headers["X-IDENTITY-HEADER"].ToString();
                endpoint.Requests.Enqueue(new TokenRequest(q["api-version"], q["resource"].ToString(), q["client_id"], header));
                if (header != secret) return Results.StatusCode(401);
                var token = "mi-token-" + Guid.NewGuid().ToString("N");
                endpoint.IssuedTokens[token] = true;
                return Results.Json(new Dictionary<string, string>
                {
                    ["access_token"] = token,
                    ["expires_on"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(),
                    ["resource"] = q["resource"].ToString(),
                    ["token_type"] = "Bearer",
                    ["client_id"] = q["client_id"].ToString(),
                });
            });
            await app.StartAsync();
            return endpoint;
        }

        public async ValueTask DisposeAsync() { await _app.StopAsync(); await _app.DisposeAsync(); }
    }

    /// <summary>Accepts only issued bearer tokens, records each request, and forwards it to Azurite signed with Shared Key.</summary>
    private sealed class BearerGateway : IAsyncDisposable
    {
        public sealed record Call(string Service, string Method, string Path);

        private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
            { "Host", "Authorization", "Connection", "Transfer-Encoding", "Content-Length", "Expect" };

        private readonly WebApplication _app;
        private readonly HttpClient _http = new();
        public string TableUrl { get; }
        public string QueueUrl { get; }
        public ConcurrentQueue<Call> Forwarded { get; } = new();
        public ConcurrentQueue<string> Rejected { get; } = new();

        private BearerGateway(WebApplication app, string tableUrl, string queueUrl) { _app = app; TableUrl = tableUrl; QueueUrl = queueUrl; }

        public static async Task<BearerGateway> StartAsync(StorageAccount backing, ConcurrentDictionary<string, bool> tokens)
        {
            int tablePort = TestApp.FreePort(), queuePort = TestApp.FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{tablePort}", $"http://127.0.0.1:{queuePort}");
            var app = builder.Build();
            var gateway = new BearerGateway(app,
                $"http://127.0.0.1:{tablePort}/{backing.Name}", $"http://127.0.0.1:{queuePort}/{backing.Name}");
            var signer = new SharedKeyAuthorizer(backing.Name, backing.Key!);
            app.Run(async http =>
            {
                var isTable = http.Connection.LocalPort == tablePort;
                var auth = http.Request.Headers.Authorization.ToString();
                if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !tokens.ContainsKey(auth["Bearer ".Length..]))
                {
                    gateway.Rejected.Enqueue($"{http.Request.Method} {http.Request.Path} Authorization='{auth}'");
                    http.Response.StatusCode = 403;
                    return;
                }
                gateway.Forwarded.Enqueue(new Call(isTable ? "table" : "queue", http.Request.Method, http.Request.Path.ToString()));
                await gateway.ForwardAsync(http, isTable ? backing.TableEndpoint : backing.QueueEndpoint,
                    isTable ? StorageService.Table : StorageService.Queue, signer);
            });
            await app.StartAsync();
            return gateway;
        }

        private async Task ForwardAsync(HttpContext http, Uri serviceRoot, StorageService service, SharedKeyAuthorizer signer)
        {
            // Both roots are path-style (/devstoreaccount1/...), so the request's path carries over as is.
            var target = new Uri($"{serviceRoot.Scheme}://{serviceRoot.Authority}{http.Request.Path}{http.Request.QueryString}");
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), target);
            if (body.Length > 0 || http.Request.ContentType is not null)
                request.Content = new ByteArrayContent(body.ToArray());
            foreach (var (name, values) in http.Request.Headers)
            {
                if (NotForwarded.Contains(name)) continue;
                if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
                    request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            await signer.AuthorizeAsync(request, service, http.RequestAborted);

            using var response = await _http.SendAsync(request, http.RequestAborted);
            http.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                    http.Response.Headers[name] = values.ToArray();
            await response.Content.CopyToAsync(http.Response.Body);
        }

        public async ValueTask DisposeAsync() { _http.Dispose(); await _app.StopAsync(); await _app.DisposeAsync(); }
    }
}
