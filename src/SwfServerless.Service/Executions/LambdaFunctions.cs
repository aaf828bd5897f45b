using System.Net.Http.Headers;
using Azure.Core;
using Azure.Identity;
using SwfServerless.Storage.AzureSdk;
using Microsoft.Extensions.Options;
using SwfServerless.Service.Hosting;

namespace SwfServerless.Service.Executions;

/// <summary>One function a Lambda task may name: <c>Swf__LambdaFunctions__N__Name/Url/Key/Audience</c>.</summary>
public sealed class LambdaFunctionOptions
{
    /// <summary>The name deciders use (also matched in the ARN form <c>arn:aws:lambda:region:account:function:name[:qualifier]</c>).</summary>
    public string Name { get; set; } = "";
    /// <summary>The endpoint the service POSTs the input to.</summary>
    public string Url { get; set; } = "";
    /// <summary>Sent as <c>x-functions-key</c> (an Azure Functions key; in Azure a Key Vault reference).</summary>
    public string? Key { get; set; }
    /// <summary>Sent as a managed-identity bearer token for this audience (e.g. an app behind App Service authentication).</summary>
    public string? Audience { get; set; }
}

/// <summary>What one invocation came to.</summary>
public abstract record LambdaOutcome
{
    public sealed record Completed(string Result) : LambdaOutcome;
    public sealed record Failed(string Reason, string? Details) : LambdaOutcome;
    /// <summary>No answer within the task's START_TO_CLOSE: the alarm records the timeout; nothing to report.</summary>
    public sealed record TimedOut : LambdaOutcome;
}

/// <summary>
/// Calls the configured HTTP functions of Lambda tasks. Only configured functions are ever called: a decision names a
/// function, never an address. One request per invocation and no retries (a retry could reach the function twice in one
/// attempt); the intent's redelivery after a crash is the only repeat, which the README's contract allows.
/// </summary>
public sealed class LambdaInvoker(IHttpClientFactory clients, IOptions<SwfOptions> options, IConfiguration configuration)
{
    public const string HttpClientName = "swf-lambda";

    /// <summary>The model's limits: FailureReason 256, Data 32,768 characters.</summary>
    private const int MaxReason = 256, MaxData = 32768;

    // The app's own managed identity, the one its storage uses (the deployment's user-assigned identity).
    // DefaultAzureCredential would not pick a user-assigned one by itself.
    private readonly Lazy<TokenCredential> credential = new(() => StorageClients.ManagedIdentity(configuration["AzureWebJobsStorage:clientId"]));

    /// <summary>The configured function a Lambda task's name (or its ARN form) names, or null.</summary>
    public LambdaFunctionOptions? Find(string name)
    {
        var bare = BareName(name);
        return options.Value.LambdaFunctions.FirstOrDefault(f => string.Equals(f.Name, bare, StringComparison.Ordinal) && !string.IsNullOrEmpty(f.Url));
    }

    /// <summary><c>arn:aws:lambda:region:account:function:name[:qualifier]</c> names <c>name</c>; anything else is the name itself.</summary>
    public static string BareName(string name)
    {
        var parts = name.Split(':');
        return parts.Length is 7 or 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" ? parts[6] : name;
    }

    public async Task<LambdaOutcome> InvokeAsync(LambdaFunctionOptions function, string? input, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, function.Url)
            {
                Content = new StringContent(input ?? "", System.Text.Encoding.UTF8, "application/json"),
            };
            if (!string.IsNullOrEmpty(function.Key)) request.Headers.Add("x-functions-key", function.Key);
            if (!string.IsNullOrEmpty(function.Audience))
            {
                var scope = function.Audience.EndsWith("/.default", StringComparison.Ordinal) ? function.Audience : function.Audience.TrimEnd('/') + "/.default";
                var token = await credential.Value.GetTokenAsync(new TokenRequestContext([scope]), limit.Token);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            }
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token);
            var body = await response.Content.ReadAsStringAsync(limit.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new LambdaOutcome.Failed(Cut($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd(), MaxReason), body.Length == 0 ? null : Cut(body, MaxData));
            }
            return body.Length > MaxData
                ? new LambdaOutcome.Failed($"The result has {body.Length} characters; at most {MaxData} are allowed.", null)
                : new LambdaOutcome.Completed(body);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new LambdaOutcome.TimedOut();
        }
        catch (HttpRequestException e)
        {
            return new LambdaOutcome.Failed(Cut($"The HTTP request failed: {e.Message}", MaxReason), null);
        }
        catch (AuthenticationFailedException e)
        {
            return new LambdaOutcome.Failed(Cut($"No token for the audience: {e.Message}", MaxReason), null);
        }
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max];
}
