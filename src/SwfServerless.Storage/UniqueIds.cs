namespace SwfServerless.Storage;

/// <summary>
/// Ids that must be unique, not secret: commit ids, request ids. <see cref="Guid.NewGuid"/> asks the kernel for
/// random bytes (a read of /dev/urandom, one system call per id, in the runtime built for Linux here); under load
/// that was 2.7% of the app's CPU, most of it the storage SDK's request ids. These come from <see cref="Random.Shared"/>
/// (122 random bits per id, seeded from the kernel once per thread): as unlikely to collide, no system call.
/// </summary>
public static class UniqueIds
{
    /// <summary>A version 4 (random) GUID.</summary>
    public static Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (the GUID's little-endian layout puts it in byte 7)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes);
    }
}
