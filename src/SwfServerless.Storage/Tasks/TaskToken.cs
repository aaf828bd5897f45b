using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SwfServerless.Core.Executions;

namespace SwfServerless.Storage.Tasks;

/// <summary>What a task token names: one started task of one run.</summary>
public sealed record TaskTokenData(TaskKind Kind, string Partition, string RunId, long ScheduledEventId, long StartedEventId);

/// <summary>
/// Task tokens are opaque to clients and HMAC-signed by the service, so a forged or altered token is rejected
/// before anything is read. Layout (base64url): version, kind, partition, runId, scheduled and started event ids, 16-byte MAC.
/// LOAD-BEARING: tokens held by workers must stay readable across deployments.
/// </summary>
public sealed class TaskTokens(byte[] key)
{
    private const byte Version = 1;
    private const int MacBytes = 16;

    public string Issue(TaskTokenData data)
    {
        var partition = Encoding.ASCII.GetBytes(data.Partition);
        var run = Encoding.ASCII.GetBytes(data.RunId);
        var payload = new byte[2 + 1 + partition.Length + 1 + run.Length + 16];
        var at = 0;
        payload[at++] = Version;
        payload[at++] = (byte)data.Kind;
        payload[at++] = (byte)partition.Length; partition.CopyTo(payload, at); at += partition.Length;
        payload[at++] = (byte)run.Length; run.CopyTo(payload, at); at += run.Length;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(at), data.ScheduledEventId); at += 8;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(at), data.StartedEventId);
        return Base64Url(payload.Concat(Mac(payload)).ToArray());
    }

    /// <summary>The token's contents, or null when it is malformed, forged or altered.</summary>
    public TaskTokenData? Read(string token)
    {
        byte[] bytes;
        try { bytes = FromBase64Url(token); }
        catch (FormatException) { return null; }
        // Only the form issued: base64 leaves a few bits of the last character unused, and a token differing there
        // decodes to the same bytes. A token is compared as the string it is.
        if (Base64Url(bytes) != token) return null;
        if (bytes.Length < 2 + MacBytes) return null;
        var payload = bytes.AsSpan(0, bytes.Length - MacBytes);
        if (!CryptographicOperations.FixedTimeEquals(Mac(payload.ToArray()), bytes.AsSpan(bytes.Length - MacBytes))) return null;
        try
        {
            var at = 0;
            if (payload[at++] != Version) return null;
            var kind = (TaskKind)payload[at++];
            var partitionLength = payload[at++];
            var partition = Encoding.ASCII.GetString(payload.Slice(at, partitionLength)); at += partitionLength;
            var runLength = payload[at++];
            var run = Encoding.ASCII.GetString(payload.Slice(at, runLength)); at += runLength;
            var scheduled = BinaryPrimitives.ReadInt64BigEndian(payload[at..]); at += 8;
            var started = BinaryPrimitives.ReadInt64BigEndian(payload[at..]);
            return new TaskTokenData(kind, partition, run, scheduled, started);
        }
        catch (ArgumentOutOfRangeException) { return null; }
    }

    private byte[] Mac(byte[] payload) => HMACSHA256.HashData(key, payload)[..MacBytes];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
