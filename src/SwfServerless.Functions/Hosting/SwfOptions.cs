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

    /// <summary>Access keys clients sign with, each with its policy. None configured: signatures are not checked.</summary>
    public List<AccessKeyOptions> AccessKeys { get; set; } = [];
}
