using SwfServerless.Core.Faults;

namespace SwfServerless.Core.Domains;

/// <summary>A registered domain as stored: the rules about it live here, storage only keeps it.</summary>
public sealed record Domain(
    string Name,
    string? Description,
    string Status,
    int RetentionPeriodInDays,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? DeprecatedAt)
{
    public const int MaxRetentionDays = 90;
    public const int MaxTags = 50;

    public bool IsDeprecated => Status == Model.RegistrationStatus.Deprecated;

    /// <summary>Domain ARNs are what tags are attached to: <c>arn:aws:swf:region:account:/domain/name</c>.</summary>
    public static string Arn(string region, string accountId, string name) => $"arn:aws:swf:{region}:{accountId}:/domain/{name}";

    /// <summary>The inverse of <see cref="Arn"/>; null when the ARN is not a domain of this region and account.</summary>
    public static string? NameFromArn(string arn, string region, string accountId)
    {
        var prefix = $"arn:aws:swf:{region}:{accountId}:/domain/";
        return arn.StartsWith(prefix, StringComparison.Ordinal) && arn.Length > prefix.Length ? arn[prefix.Length..] : null;
    }

    /// <summary>Retention is "0".."90" days, or NONE (= 0: removed as soon as the execution closes).</summary>
    public static int ParseRetention(string value)
    {
        if (value == "NONE") return 0;
        if (value.Length is > 0 and <= 2 && value.All(char.IsAsciiDigit) && int.Parse(value) <= MaxRetentionDays)
            return int.Parse(value);
        throw SwfFault.Validation(
            $"Invalid value '{value}' at 'workflowExecutionRetentionPeriodInDays': must be NONE or a whole number of days from 0 to {MaxRetentionDays}.");
    }
}
