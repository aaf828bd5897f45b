using System.Globalization;

namespace SwfServerless.AzureStorage;

/// <summary>
/// Builds OData filters from interpolated strings with every value formatted as a literal, so callers never
/// concatenate user data into a query: <c>TableFilter.Create($"PartitionKey eq {pk} and RowKey ge {lo}")</c>.
/// </summary>
public static class TableFilter
{
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var literals = new object?[filter.ArgumentCount];
        for (var i = 0; i < literals.Length; i++)
            literals[i] = Literal(filter.GetArgument(i));
        return string.Format(CultureInfo.InvariantCulture, filter.Format, literals);
    }

    /// <summary>One value as an OData literal.</summary>
    public static string Literal(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        char c => Quote(c.ToString()),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => FormatDouble(d),
        DateTimeOffset dto => $"datetime'{TableEntityJson.FormatDateTime(dto)}'",
        DateTime dt => $"datetime'{TableEntityJson.FormatDateTime(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime()))}'",
        Guid g => $"guid'{g:D}'",
        byte[] bytes => $"X'{Convert.ToHexStringLower(bytes)}'",
        _ => throw new ArgumentException($"Cannot use a {value.GetType().Name} in a table filter.", nameof(value)),
    };

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    // A double literal must not read back as an integer.
    private static string FormatDouble(double d)
    {
        if (!double.IsFinite(d))
            throw new ArgumentException("NaN and infinities cannot be used in a table filter.", nameof(d));
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }
}
