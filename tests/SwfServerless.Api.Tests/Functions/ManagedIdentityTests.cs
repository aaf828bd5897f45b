using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Functions;

/// <summary>
/// The token path with no connection string, as in Azure: <c>AzureWebJobsStorage__clientId</c> and the service URIs set,
/// <c>AzureWebJobsStorage</c> unset. The managed identity endpoint is a local fake of the App Service protocol that
/// <c>ManagedIdentityCredential</c> (Azure.Identity 1.21, through MSAL's <c>AppServiceManagedIdentitySource</c>) uses when
/// <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> are set: <c>GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&amp;resource=...&amp;client_id=...</c>
/// with header <c>X-IDENTITY-HEADER</c>. Storage is Azurite behind a recording gateway that accepts only that bearer
/// token and re-signs each request with Shared Key, because Azurite's own OAuth mode needs HTTPS. The gateway itself
/// speaks HTTPS with a certificate made for the test, because the Azure SDKs send bearer tokens over HTTPS only; the
/// app's storage clients get an HTTP client that trusts exactly that certificate (<see cref="StorageClientOptions.HttpClient"/>),
/// everything else about them comes from <see cref="SwfServiceSetup.CreateStorageClients"/> and the settings, as in Azure.
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
        await using var identity = await FakeIdentityEndpoint.StartAsync(IdentityHeader);
        await using var gateway = await BearerGateway.StartAsync(azurite.ConnectionString, identity.IssuedTokens);

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
            }, services => services.AddSingleton(sp => SwfServiceSetup.CreateStorageClients(
                sp.GetRequiredService<IConfiguration>(), new StorageClientOptions { HttpClient = gateway.TrustingClient() })));

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
    internal sealed class FakeIdentityEndpoint : IAsyncDisposable
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

    /// <summary>
    /// HTTPS with a certificate of its own; accepts only issued bearer tokens, records each request, and forwards it to
    /// Azurite signed with Shared Key.
    /// </summary>
    private sealed class BearerGateway : IAsyncDisposable
    {
        public sealed record Call(string Service, string Method, string Path);

        private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
            { "Host", "Authorization", "Connection", "Transfer-Encoding", "Content-Length", "Expect" };

        private readonly WebApplication _app;
        private readonly X509Certificate2 _certificate;
        private readonly HttpClient _http = new();
        public string TableUrl { get; }
        public string QueueUrl { get; }
        public ConcurrentQueue<Call> Forwarded { get; } = new();
        public ConcurrentQueue<string> Rejected { get; } = new();

        private BearerGateway(WebApplication app, X509Certificate2 certificate, string tableUrl, string queueUrl)
        {
            _app = app;
            _certificate = certificate;
            TableUrl = tableUrl;
            QueueUrl = queueUrl;
        }

        /// <summary>A client that trusts this gateway's certificate and no other untrusted one.</summary>
        public HttpClient TrustingClient() => new(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None || certificate?.GetCertHashString() == _certificate.GetCertHashString() },
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        public static async Task<BearerGateway> StartAsync(string backingConnectionString, ConcurrentDictionary<string, bool> tokens)
        {
            var backing = ConnectionSettings(backingConnectionString);
            var account = backing["AccountName"];
            var signer = new SharedKeySigner(account, Convert.FromBase64String(backing["AccountKey"]));
            var (tableRoot, queueRoot) = (new Uri(backing["TableEndpoint"]), new Uri(backing["QueueEndpoint"]));
            int tablePort = TestApp.FreePort(), queuePort = TestApp.FreePort();
            var certificate = SelfSignedCertificate();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(IPAddress.Loopback, tablePort, l => l.UseHttps(certificate));
                kestrel.Listen(IPAddress.Loopback, queuePort, l => l.UseHttps(certificate));
            });
            var app = builder.Build();
            var gateway = new BearerGateway(app, certificate, $"https://127.0.0.1:{tablePort}/{account}", $"https://127.0.0.1:{queuePort}/{account}");
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
                await gateway.ForwardAsync(http, isTable ? tableRoot : queueRoot, isTable, signer);
            });
            await app.StartAsync();
            return gateway;
        }

        private async Task ForwardAsync(HttpContext http, Uri serviceRoot, bool isTable, SharedKeySigner signer)
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
            signer.Sign(request, isTable);

            using var response = await _http.SendAsync(request, http.RequestAborted);
            http.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                    http.Response.Headers[name] = values.ToArray();
            await response.Content.CopyToAsync(http.Response.Body);
        }

        private static Dictionary<string, string> ConnectionSettings(string connectionString) =>
            connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(part => part.Split('=', 2))
                .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim(), StringComparer.OrdinalIgnoreCase);

        private static X509Certificate2 SelfSignedCertificate()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server auth
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            // Through PFX, so the private key is usable by the TLS stack on every platform.
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), password: null);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            _certificate.Dispose();
        }
    }
}
