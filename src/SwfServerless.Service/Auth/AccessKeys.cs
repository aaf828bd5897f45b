namespace SwfServerless.Service.Auth;

/// <summary>
/// One configured access key, as plain configuration data, e.g. from environment variables:
/// <code>
/// Swf__AccessKeys__0__AccessKeyId=AKIAWORKER1
/// Swf__AccessKeys__0__SecretAccessKey=...
/// Swf__AccessKeys__0__Actions__0=PollForActivityTask
/// Swf__AccessKeys__0__Actions__1=RespondActivityTask*
/// Swf__AccessKeys__0__Domains__0=orders
/// </code>
/// Every list may hold names or IAM-style wildcards (<c>*</c>, <c>?</c>); an Actions entry may also list several
/// actions separated by commas (names of domains and task lists may contain commas, so theirs are taken verbatim).
/// A list left unset means "any".
/// </summary>
/// <remarks>
/// The lists are nullable arrays without defaults on purpose: the configuration binder appends bound items to
/// an array that already has elements, so a default of ["*"] would silently turn ["Foo"] into ["*", "Foo"].
/// </remarks>
public sealed class AccessKeyOptions
{
    public string AccessKeyId { get; set; } = "";
    public string SecretAccessKey { get; set; } = "";

    /// <summary>SWF operations and decision types (IAM action names, optional <c>swf:</c> prefix). Unset = all.</summary>
    public string[]? Actions { get; set; }

    /// <summary>Domain names this key may use. Unset = all.</summary>
    public string[]? Domains { get; set; }

    /// <summary>Condition <c>swf:taskList.name</c> / <c>swf:defaultTaskList.name</c>. Unset = any task list.</summary>
    public string[]? TaskLists { get; set; }

    /// <summary>Condition <c>swf:activityType.name</c> (and <c>swf:name</c> of RegisterActivityType). Unset = any.</summary>
    public string[]? ActivityTypes { get; set; }

    /// <summary>Condition <c>swf:workflowType.name</c>, <c>swf:typeFilter.name</c> (and <c>swf:name</c> of RegisterWorkflowType). Unset = any.</summary>
    public string[]? WorkflowTypes { get; set; }
}

/// <summary>A key the service accepts: its secret and what it may do.</summary>
public sealed record AccessKey(string AccessKeyId, string SecretAccessKey, AccessPolicy Policy)
{
    // Keep the secret out of logs that print the record.
    public override string ToString() => $"AccessKey {{ AccessKeyId = {AccessKeyId} }}";
}

/// <summary>Who made an authenticated request, and the policy that governs it.</summary>
public sealed record SwfPrincipal(string AccessKeyId, AccessPolicy Policy)
{
    /// <summary>The caller when authentication is disabled (no keys configured): may do everything.</summary>
    public static SwfPrincipal Anonymous { get; } = new("anonymous", AccessPolicy.AllowAll);

    public bool IsAnonymous => ReferenceEquals(this, Anonymous);
}

/// <summary>Looks up configured keys. An interface so keys could later come from Key Vault or a table.</summary>
public interface IAccessKeyStore
{
    /// <summary>The key with exactly this id (access key ids are case-sensitive), or null.</summary>
    AccessKey? Find(string accessKeyId);
}

/// <summary>The keys from configuration, validated once at startup.</summary>
public sealed class AccessKeyStore : IAccessKeyStore
{
    private readonly Dictionary<string, AccessKey> _keys = new(StringComparer.Ordinal);

    public AccessKeyStore(IEnumerable<AccessKey> keys)
    {
        foreach (var key in keys)
        {
            // A blank id or secret is a configuration mistake (e.g. a misspelt setting name); failing at startup
            // beats a key that can never authenticate, or worse, one with an empty secret.
            if (string.IsNullOrWhiteSpace(key.AccessKeyId))
                throw new ArgumentException("An access key is configured without an AccessKeyId.");
            if (string.IsNullOrEmpty(key.SecretAccessKey))
                throw new ArgumentException($"Access key '{key.AccessKeyId}' is configured without a SecretAccessKey.");
            if (!_keys.TryAdd(key.AccessKeyId, key))
                throw new ArgumentException($"Access key '{key.AccessKeyId}' is configured more than once.");
        }
    }

    public int Count => _keys.Count;

    public AccessKey? Find(string accessKeyId) => _keys.GetValueOrDefault(accessKeyId);

    /// <summary>Validates and converts bound configuration (throws <see cref="ArgumentException"/> on mistakes).</summary>
    public static AccessKeyStore FromOptions(IEnumerable<AccessKeyOptions> options) =>
        new(options.Select(o => new AccessKey(o.AccessKeyId.Trim(), o.SecretAccessKey, AccessPolicy.FromOptions(o))));
}
