using Azure.Data.Tables;

namespace SwfServerless.Storage;

/// <summary>
/// Stores text longer than one table property allows (32K UTF-16 characters) across numbered properties
/// <c>D</c>, <c>D1</c>, <c>D2</c>, … of one entity (an entity holds up to 1 MiB).
/// LOAD-BEARING: stored rows use these property names.
/// </summary>
public static class LargeText
{
    private const int ChunkChars = 30_000;

    public static void Write(TableEntity entity, string prefix, string text)
    {
        for (int i = 0, part = 0; i < text.Length || part == 0; i += ChunkChars, part++)
            entity[part == 0 ? prefix : prefix + part] = text.Substring(i, Math.Min(ChunkChars, text.Length - i));
    }

    public static string? Read(TableEntity entity, string prefix)
    {
        var first = entity.GetString(prefix);
        if (first is null || first.Length < ChunkChars) return first;
        var builder = new System.Text.StringBuilder(first);
        for (var part = 1; entity.GetString(prefix + part) is { } next; part++) builder.Append(next);
        return builder.ToString();
    }
}
