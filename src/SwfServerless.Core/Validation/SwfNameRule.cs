using System.Net;
using System.Text.RegularExpressions;

namespace SwfServerless.Core.Validation;

/// <summary>
/// SWF's rule for names that become part of resource identifiers (domain, type name and version, workflowId,
/// activityId, timerId, task list names): no leading or trailing whitespace; no <c>:</c>, <c>/</c>, <c>|</c>;
/// no control characters <c>\u0000-\u001f</c>, <c>\u007f-\u009f</c>; and not the literal string <c>arn</c>.
/// </summary>
/// <remarks>
/// Which members carry the rule is read from the model: their documentation says
/// "it must <i>not</i> be the literal string <c>arn</c>". Only some of those texts also mention whitespace
/// (RegisterDomain's name, PollForActivityTask's and StartChildWorkflowExecution's task list); the rule is
/// applied whole to every such member, so that a name accepted in one call (e.g. a task list given to
/// StartWorkflowExecution) is never refused by another (PollForActivityTask).
/// The <c>arn</c> comparison is ordinal, as the documentation names the literal lower-case string:
/// <c>Arn</c> and <c>arn1</c> are valid names.
/// </remarks>
public static partial class SwfNameRule
{
    public const string WhitespaceMessage = "Member must not start or end with whitespace";

    public const string CharacterMessage =
        "Member must not contain ':' (colon), '/' (slash), '|' (vertical bar), or any control characters (\\u0000-\\u001f | \\u007f-\\u009f)";

    public const string ArnMessage = "Member must not be the literal string 'arn'";

    /// <summary>Returns null when <paramref name="value"/> satisfies the rule, else the constraint it breaks.</summary>
    public static string? Check(string value)
    {
        if (value.Length == 0)
        {
            return null; // Emptiness is the length constraint's business.
        }
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return WhitespaceMessage;
        }
        foreach (char c in value)
        {
            if (c is ':' or '/' or '|' or <= '\u001f' or (>= '\u007f' and <= '\u009f'))
            {
                return CharacterMessage;
            }
        }
        return string.Equals(value, "arn", StringComparison.Ordinal) ? ArnMessage : null;
    }

    /// <summary>True when <paramref name="value"/> satisfies the rule.</summary>
    public static bool IsValid(string value) => Check(value) is null;

    /// <summary>Whether a member's documentation (HTML) declares the rule.</summary>
    internal static bool IsDeclaredBy(string? documentation)
    {
        if (string.IsNullOrEmpty(documentation))
        {
            return false;
        }
        string text = Whitespace().Replace(WebUtility.HtmlDecode(Tags().Replace(documentation, "")), " ");
        return text.Contains("must not be the literal string arn", StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
