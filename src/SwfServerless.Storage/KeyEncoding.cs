using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace SwfServerless.Storage;

/// <summary>
/// Makes free text safe for PartitionKey/RowKey. Azure forbids / \ # ? and control characters in keys; SWF
/// names may hold \ # ? (and task lists or signal names almost anything). '%' escapes them, so '%' is escaped too.
/// LOAD-BEARING: stored keys use this format; changing it orphans existing rows.
/// </summary>
public static class KeyEncoding
{
    public static string Escape(string text)
    {
        var needs = false;
        foreach (var c in text) if (MustEscape(c)) { needs = true; break; }
        if (!needs) return text;

        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (MustEscape(c)) sb.Append('%').Append(((int)c).ToString("X4"));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The longest key Azure Tables take: 1 KiB of UTF-16.</summary>
    public const int MaxKeyChars = 512;

    /// <summary><see cref="Escape"/>d, and <see cref="Bounded"/>: a key for any text, however long or odd.</summary>
    public static string EscapeKey(string text) => Bounded(Escape(text), text);

    /// <summary>
    /// <paramref name="key"/> if Azure can store it; if it is longer, <c>~</c> and a SHA-256 of <paramref name="source"/>
    /// (64 hex digits). A key that long could never be written, so no stored row has one: this changes no existing key.
    /// (A 256-character name of characters that escape to 5 each would be 1,280; SWF names can be 256.)
    /// </summary>
    public static string Bounded(string key, string source) =>
        key.Length <= MaxKeyChars ? key : "~" + Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(source.AsSpan())));

    private static bool MustEscape(char c) =>
        c is '/' or '\\' or '#' or '?' or '%' or '\'' || c < 0x20 || c is >= '\u007f' and <= '\u009f';
}
