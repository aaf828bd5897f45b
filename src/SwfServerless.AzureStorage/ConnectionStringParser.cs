namespace SwfServerless.AzureStorage;

internal static class ConnectionStringParser
{
    /// <summary>"Key=Value;Key=Value"; values may contain '=' (base64 keys end with "==").</summary>
    public static Dictionary<string, string> Parse(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
                throw new ArgumentException($"Malformed connection string segment '{part}'.", nameof(connectionString));
            settings[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        return settings;
    }
}
