using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Faults;
using SwfServerless.Service.Hosting;

namespace SwfServerless.Service.Protocol;

/// <summary>
/// SWF's API throttling: token buckets per operation, one set for each access key and one for the whole instance. A call
/// takes a token from its key's bucket and from the instance's; when either is empty it gets ThrottlingException (HTTP
/// 400), which the AWS SDKs retry with back-off. So one runaway client cannot flood the storage account, and all clients
/// together cannot either. Buckets live in this instance's memory: every instance has its own.
/// </summary>
/// <remarks>
/// The key is the access key id the request is signed with (the signature is checked before this runs); with no keys
/// configured, whatever key id the request names, or "-" for an unsigned one: the instance's buckets still hold then.
/// Buckets are <see cref="System.Threading.RateLimiting"/> token buckets, refilled continuously by one timer for all.
/// </remarks>
public sealed class Throttle : IAsyncDisposable
{
    /// <summary>
    /// Amazon SWF's per-account figures (developer guide, "Amazon SWF throttling quotas", throttling quotas for all Regions):
    /// bucket size and refill rate per second of every operation.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (int BucketSize, double RefillPerSecond)> SwfBuckets =
        new Dictionary<string, (int, double)>(StringComparer.Ordinal)
        {
            ["CountClosedWorkflowExecutions"] = (2000, 6), ["CountOpenWorkflowExecutions"] = (2000, 6),
            ["CountPendingActivityTasks"] = (200, 6), ["CountPendingDecisionTasks"] = (200, 6),
            ["DeleteActivityType"] = (200, 6), ["DeleteWorkflowType"] = (200, 6),
            ["DeprecateActivityType"] = (200, 6), ["DeprecateDomain"] = (100, 6), ["DeprecateWorkflowType"] = (200, 6),
            ["DescribeActivityType"] = (2000, 6), ["DescribeDomain"] = (200, 6),
            ["DescribeWorkflowExecution"] = (2000, 6), ["DescribeWorkflowType"] = (2000, 6),
            ["GetWorkflowExecutionHistory"] = (2000, 60),
            ["ListActivityTypes"] = (200, 6), ["ListClosedWorkflowExecutions"] = (200, 6), ["ListDomains"] = (100, 6),
            ["ListOpenWorkflowExecutions"] = (200, 48), ["ListTagsForResource"] = (50, 30), ["ListWorkflowTypes"] = (200, 6),
            ["PollForActivityTask"] = (2000, 200), ["PollForDecisionTask"] = (2000, 200),
            ["RecordActivityTaskHeartbeat"] = (2000, 160),
            ["RegisterActivityType"] = (200, 60), ["RegisterDomain"] = (100, 6), ["RegisterWorkflowType"] = (200, 60),
            ["RequestCancelWorkflowExecution"] = (2000, 30),
            ["RespondActivityTaskCanceled"] = (2000, 200), ["RespondActivityTaskCompleted"] = (2000, 200),
            ["RespondActivityTaskFailed"] = (2000, 200), ["RespondDecisionTaskCompleted"] = (2000, 200),
            ["SignalWorkflowExecution"] = (2000, 30), ["StartWorkflowExecution"] = (2000, 200),
            ["TagResource"] = (50, 30), ["TerminateWorkflowExecution"] = (2000, 60),
            ["UndeprecateActivityType"] = (200, 6), ["UndeprecateDomain"] = (100, 6), ["UndeprecateWorkflowType"] = (200, 6),
            ["UntagResource"] = (50, 30),
        };

    private readonly ThrottlingOptions options;
    private readonly PartitionedRateLimiter<(string Key, string Operation)> perKey;
    private readonly PartitionedRateLimiter<string> perInstance;

    public Throttle(IOptions<SwfOptions> options)
    {
        this.options = options.Value.Throttling;
        perKey = PartitionedRateLimiter.Create<(string Key, string Operation), (string, string)>(
            call => RateLimitPartition.GetTokenBucketLimiter(call, c => Bucket(c.Operation, 1)));
        perInstance = PartitionedRateLimiter.Create<string, string>(
            operation => RateLimitPartition.GetTokenBucketLimiter(operation, op => Bucket(op, Math.Max(this.options.InstanceMultiplier, 0.000001))));
    }

    /// <summary>Takes a token for one call of <paramref name="operation"/> (a known one); ThrottlingException when there is none.</summary>
    public void Take(HttpRequest request, string operation)
    {
        if (!options.Enabled) return;
        var key = AccessKeyOf(request);
        using (var lease = perKey.AttemptAcquire((key, operation)))
        {
            if (!lease.IsAcquired) throw Throttled(operation, $"for access key {key}");
        }
        using (var lease = perInstance.AttemptAcquire(operation))
        {
            if (!lease.IsAcquired) throw Throttled(operation, "on this instance");
        }
    }

    /// <summary>The bucket of an operation: the configured override, else SWF's figure, times <paramref name="scale"/>.</summary>
    public (int BucketSize, double RefillPerSecond) Figures(string operation, double scale = 1)
    {
        var (size, refill) = SwfBuckets.TryGetValue(operation, out var swf) ? swf : (200, 6);
        if (options.Operations.TryGetValue(operation, out var configured))
        {
            size = configured.BucketSize ?? size;
            refill = configured.RefillPerSecond ?? refill;
        }
        return (Math.Max(1, (int)Math.Round(size * scale)), Math.Max(refill * scale, 0.001));
    }

    private TokenBucketRateLimiterOptions Bucket(string operation, double scale)
    {
        var (size, refill) = Figures(operation, scale);
        // Whole tokens per period, the period as long as they take to refill: 200/s is 200 a second, 0.5/s 1 every 2 s.
        var tokens = Math.Max(1, (int)Math.Round(refill));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = size,
            TokensPerPeriod = Math.Min(tokens, size),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Min(tokens, size) / refill),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static SwfFault Throttled(string operation, string scope) =>
        SwfFault.Throttling($"Rate exceeded: too many {operation} calls {scope}; retry with back-off.");

    /// <summary>The access key id of <c>Credential=AKID/date/region/swf/aws4_request</c> (header or presigned query), or "-".</summary>
    public static string AccessKeyOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var at = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        var credential = at >= 0 ? authorization.AsSpan(at + "Credential=".Length) : request.Query["X-Amz-Credential"].ToString().AsSpan();
        var end = credential.IndexOfAny('/', ',');
        var key = (end >= 0 ? credential[..end] : credential).Trim();
        return key.Length is > 0 and <= 128 ? key.ToString() : "-";
    }

    public async ValueTask DisposeAsync()
    {
        await perKey.DisposeAsync();
        await perInstance.DisposeAsync();
    }
}
