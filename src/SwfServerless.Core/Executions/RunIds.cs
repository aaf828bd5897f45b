using System.Security.Cryptography;
using System.Text;

namespace SwfServerless.Core.Executions;

/// <summary>
/// Run ids are version-7 GUIDs as 32 hex characters (time-ordered). A run that a command starts itself (the new run of
/// a ContinueAsNewWorkflowExecution decision) gets one derived from the deciding run and event instead of a random one:
/// the machine stays a pure function of state and arguments, and a command re-run after a lost race names the same run.
/// </summary>
public static class RunIds
{
    /// <summary>
    /// Could this be a run id of ours (at most 64 letters, digits, '-' and '_')? Run ids that callers name go into row keys;
    /// anything else names no run, and must not reach storage, whose keys refuse '/', '\', '#', '?' and control characters.
    /// </summary>
    public static bool IsWellFormed(string? runId) =>
        runId is { Length: > 0 and <= 64 } && runId.AsSpan().IndexOfAnyExcept(WellFormed) < 0;

    private static readonly System.Buffers.SearchValues<char> WellFormed =
        System.Buffers.SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_");

    /// <summary>A version-7 layout: the 48-bit millisecond time of <paramref name="at"/>, then 74 bits of a hash of the run and event.</summary>
    public static string Derive(string runId, long eventId, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{runId}\n{eventId}"));
        Span<byte> bytes = stackalloc byte[16];
        long ms = Math.Max(0, at.ToUnixTimeMilliseconds());
        for (int i = 0; i < 6; i++) bytes[i] = (byte)(ms >> (8 * (5 - i)));
        bytes[6] = (byte)(0x70 | (hash[0] & 0x0F));
        bytes[7] = hash[1];
        bytes[8] = (byte)(0x80 | (hash[2] & 0x3F));
        hash.AsSpan(3, 7).CopyTo(bytes[9..]);
        return Convert.ToHexStringLower(bytes);
    }
}
