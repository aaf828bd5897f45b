using System.Text.RegularExpressions;

namespace SwfServerless.AzureStorage;

public static partial class QueueLimits
{
    /// <summary>64 KiB of message text as sent, i.e. after base64 encoding when that is on.</summary>
    public const int MaxMessageBytes = 64 * 1024;
    public const int MaxMessagesPerReceive = 32;
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    public static void ValidateQueueName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!QueueNamePattern().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a valid queue name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", nameof(name));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNamePattern();
}
