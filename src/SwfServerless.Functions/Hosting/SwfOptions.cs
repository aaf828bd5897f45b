using SwfServerless.Functions.Auth;

namespace SwfServerless.Functions.Hosting;

/// <summary>The service's own settings, section <c>Swf</c> (environment: <c>Swf__Region</c> and so on).</summary>
public sealed class SwfOptions
{
    /// <summary>Region and account shown in domain ARNs (<c>arn:aws:swf:region:account:/domain/name</c>).</summary>
    public string Region { get; set; } = "us-east-1";
    public string AccountId { get; set; } = "000000000000";

    /// <summary>Prefix of every table and queue name, so deployments can share a storage account.</summary>
    public string StoragePrefix { get; set; } = "swf";

    /// <summary>Requests with a larger body are rejected before parsing.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long PollForDecisionTask / PollForActivityTask wait for a task (SWF: 60 s).</summary>
    public int LongPollSeconds { get; set; } = 60;

    /// <summary>Longest pause between looks at a task list's queue while polling (tasks queued on this instance wake pollers at once).</summary>
    public int PollIntervalMilliseconds { get; set; } = 500;

    /// <summary>Base64 HMAC key for task tokens, shared by all instances. Unset: one is generated and kept in the service's storage.</summary>
    public string? TaskTokenKey { get; set; }

    /// <summary>
    /// Host names clients sign requests for (comma-separated, e.g. <c>myapp.azurewebsites.net,swf.example.com</c>).
    /// Unset: the received Host standalone, the proxy's X-Forwarded-Host under the Functions host (see <see cref="Auth.SignedHost"/>).
    /// </summary>
    public string? PublicHostNames { get; set; }

    /// <summary>Access keys clients sign with, each with its policy. None configured: signatures are not checked.</summary>
    public List<AccessKeyOptions> AccessKeys { get; set; } = [];
}
