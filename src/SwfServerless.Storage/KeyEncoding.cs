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

    private static bool MustEscape(char c) =>
        c is '/' or '\\' or '#' or '?' or '%' or '\'' || c < 0x20 || c is >= '\u007f' and <= '\u009f';
}
