using SwfServerless.Core.Faults;

namespace SwfServerless.Core.Time;

/// <summary>SWF durations travel as strings: whole seconds, or <c>NONE</c> for no limit.</summary>
public static class SwfDuration
{
    public const string None = "NONE";

    /// <summary>Parses a duration; null means NONE (no deadline). Throws a ValidationException naming the field.</summary>
    public static TimeSpan? Parse(string value, string field)
    {
        if (value == None) return null;
        if (value.Length > 0 && value.All(char.IsAsciiDigit) && long.TryParse(value, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        throw SwfFault.Validation($"Invalid duration '{value}' at '{field}': must be a whole number of seconds or NONE.");
    }

    /// <summary>Checks a duration if present and returns it unchanged, so callers can validate and keep the wire form.</summary>
    public static string? Check(string? value, string field)
    {
        if (value is not null) Parse(value, field);
        return value;
    }

    /// <summary>Task priorities are strings holding a signed 32-bit integer.</summary>
    public static string? CheckPriority(string? value, string field)
    {
        if (value is not null && !int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out _))
            throw SwfFault.Validation($"Invalid task priority '{value}' at '{field}': must be an integer between -2147483648 and 2147483647.");
        return value;
    }
}
