namespace SwfServerless.Service.Hosting;

/// <summary>
/// API call throttling, section <c>Swf:Throttling</c>: a token bucket per operation for each access key, and one per
/// operation for the whole instance (see <see cref="Protocol.Throttle"/>). Defaults are Amazon SWF's per-account figures
/// ("Amazon SWF throttling quotas", developer guide); a call that finds a bucket empty gets ThrottlingException, which
/// the AWS SDKs retry with back-off. The buckets live in the instance's memory: N instances let N times as much through.
/// </summary>
public sealed class ThrottlingOptions
{
    /// <summary>False: no throttling at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Per-operation overrides of SWF's figures for each access key's buckets, by operation name
    /// (<c>Swf__Throttling__Operations__StartWorkflowExecution__BucketSize</c>, <c>…__RefillPerSecond</c>).
    /// </summary>
    public Dictionary<string, BucketOptions> Operations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The instance's bucket of an operation is this many times a key's (size and refill): what all keys together may
    /// do on one instance. 1: one key at full rate uses the instance's whole allowance, as an account does in SWF.
    /// </summary>
    public double InstanceMultiplier { get; set; } = 1;
}

/// <summary>A token bucket: <see cref="BucketSize"/> calls at once, refilled at <see cref="RefillPerSecond"/>.</summary>
public sealed class BucketOptions
{
    public int? BucketSize { get; set; }
    public double? RefillPerSecond { get; set; }
}
