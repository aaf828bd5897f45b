using System.Globalization;
using System.Text;

namespace SwfServerless.Core.Validation;

/// <summary>One broken constraint, the way AWS reports it.</summary>
/// <param name="Path">
/// AWS-style path of the member: <c>name</c>, <c>taskList.name</c>,
/// <c>decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId</c> (list positions are 1-based).
/// </param>
/// <param name="Value">The offending value as text (already shortened), or null when the value is null/missing.</param>
/// <param name="Constraint">The constraint, e.g. <c>Member must have length greater than or equal to 1</c>.</param>
public sealed record ValidationViolation(string Path, string? Value, string Constraint)
{
    /// <summary><c>Value 'x' at 'path' failed to satisfy constraint: Member must ...</c></summary>
    public override string ToString()
    {
        string value = Value is null ? "null" : "'" + Value + "'";
        return $"Value {value} at '{Path}' failed to satisfy constraint: {Constraint}";
    }
}

/// <summary>The outcome of <see cref="ModelValidator.Validate(string, System.Text.Json.JsonElement)"/>.</summary>
public sealed class ValidationResult
{
    public const string SerializationExceptionType = "SerializationException";
    public const string ValidationExceptionType = "ValidationException";

    internal static readonly ValidationResult Valid = new(null, []);

    internal ValidationResult(string? serializationError, IReadOnlyList<ValidationViolation> violations)
    {
        SerializationError = serializationError;
        Violations = violations;
        Message = violations.Count == 0 ? null : FormatMessage(violations);
    }

    public bool IsValid => SerializationError is null && Violations.Count == 0;

    /// <summary>
    /// The first JSON type mismatch (a string where a number is expected, an object where a string is, ...), or null.
    /// AWS fails such a request with a <c>SerializationException</c> before looking at constraints, so it takes
    /// precedence over <see cref="Violations"/>.
    /// </summary>
    public string? SerializationError { get; }

    /// <summary>Constraint violations, in model member order (members that failed to deserialize are not checked).</summary>
    public IReadOnlyList<ValidationViolation> Violations { get; }

    /// <summary>
    /// The <c>ValidationException</c> message for <see cref="Violations"/>
    /// (<c>2 validation errors detected: ...; ...</c>), or null when there are none.
    /// </summary>
    public string? Message { get; }

    /// <summary>The AWS error type to answer with: SerializationException, ValidationException, or null when valid.</summary>
    public string? ErrorType =>
        SerializationError is not null ? SerializationExceptionType
        : Violations.Count > 0 ? ValidationExceptionType
        : null;

    /// <summary>The message that goes with <see cref="ErrorType"/>.</summary>
    public string? ErrorMessage => SerializationError ?? Message;

    /// <summary>
    /// Formats violations the way AWS does:
    /// <c>1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null</c>.
    /// </summary>
    public static string FormatMessage(IReadOnlyList<ValidationViolation> violations)
    {
        ArgumentOutOfRangeException.ThrowIfZero(violations.Count);
        var message = new StringBuilder();
        message.Append(violations.Count.ToString(CultureInfo.InvariantCulture))
            .Append(violations.Count == 1 ? " validation error detected: " : " validation errors detected: ");
        for (int i = 0; i < violations.Count; i++)
        {
            if (i > 0)
            {
                message.Append("; ");
            }
            message.Append(violations[i].ToString());
        }
        return message.ToString();
    }

    public override string ToString() => ErrorType is null ? "Valid" : $"{ErrorType}: {ErrorMessage}";
}
