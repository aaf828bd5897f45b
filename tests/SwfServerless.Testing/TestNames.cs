namespace SwfServerless.Testing;

public static class TestNames
{
    /// <summary>
    /// A short unique lowercase name valid both as a table name (letters and digits, starting with a letter)
    /// and as a queue name: up to 14 characters of the prefix and 12 random hex digits.
    /// </summary>
    public static string Unique(string prefix)
    {
        var clean = new string((prefix ?? "").ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(14).ToArray());
        if (clean.Length == 0 || !char.IsAsciiLetter(clean[0]))
            clean = "t" + clean;
        return clean + Guid.NewGuid().ToString("N")[..12];
    }
}
