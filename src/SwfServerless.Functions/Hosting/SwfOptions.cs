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

    /// <summary>
    /// How long an intent taken from the intents queue stays hidden while it is carried out: after a crash it comes
    /// back this much later. Carrying one out takes milliseconds; a parent's child policy over 1,000 children, seconds.
    /// </summary>
    public int IntentVisibilitySeconds { get; set; } = 30;

    /// <summary>Intents this instance carries out at once.</summary>
    public int IntentConcurrency { get; set; } = 16;

    /// <summary>Base64 HMAC key for task tokens, shared by all instances. Unset: one is generated and kept in the service's storage.</summary>
    public string? TaskTokenKey { get; set; }

    /// <summary>Access keys clients sign with, each with its policy. None configured: signatures are not checked.</summary>
    public List<AccessKeyOptions> AccessKeys { get; set; } = [];
}
