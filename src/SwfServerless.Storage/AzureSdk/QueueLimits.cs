using System.Text;
using System.Text.RegularExpressions;

namespace SwfServerless.Storage.AzureSdk;

/// <summary>Queue limits Azure enforces and Azurite does not, checked before sending (<see cref="QueueOperations"/>).</summary>
public static partial class QueueLimits
{
    /// <summary>64 KiB of message text as sent: after base64, the encoding of every queue of ours (<see cref="StorageClients"/>).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    public static void ValidateQueueName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!QueueNamePattern().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a valid queue name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", nameof(name));
    }

    public static void ValidateMessage(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sent = (Encoding.UTF8.GetByteCount(text) + 2) / 3 * 4;
        if (sent > MaxMessageBytes)
            throw new StorageSizeLimitException($"The message is {sent} bytes as sent (base64); the limit is {MaxMessageBytes} (64 KiB).", nameof(text));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNamePattern();
}
