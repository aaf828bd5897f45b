using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SwfServerless.Core.Validation;

/// <summary>
/// Checks a request body against an operation's input shape in the SWF model, as AWS does before it runs the
/// operation: JSON types first (a mismatch is a <c>SerializationException</c>), then the model's constraints
/// (required, min/max length or value, enum, pattern) and SWF's name rule (a <c>ValidationException</c>).
/// </summary>
/// <remarks>
/// Members the model does not know are ignored, as AWS ignores them. A JSON <c>null</c> counts as absent.
/// String lengths are counted in Unicode characters (a surrogate pair is one character).
/// Validation never throws for bad input; it is safe to run before deserializing with
/// <see cref="Model.SwfJsonContext"/>, which will then not fail on types either.
/// </remarks>
public static class ModelValidator
{
    /// <summary>Quoted values longer than this are cut (with "...") in messages; a request may carry 32 KB fields.</summary>
    public const int MaxQuotedValueLength = 128;

    /// <summary>Validates <paramref name="body"/> against the input shape of <paramref name="operationName"/>.</summary>
    /// <param name="operationName">An SWF operation name, e.g. <c>RegisterDomain</c> (ordinal).</param>
    /// <param name="body">The parsed request body. An undefined element (no body) is treated as <c>{}</c>.</param>
    /// <exception cref="ArgumentException">The operation is not in the model; check the target first.</exception>
    public static ValidationResult Validate(string operationName, JsonElement body)
    {
        ArgumentNullException.ThrowIfNull(operationName);
        if (!SwfServiceModel.Instance.OperationInputs.TryGetValue(operationName, out ShapeModel? input))
        {
            throw new ArgumentException($"'{operationName}' is not an operation of the SWF model.", nameof(operationName));
        }
        return Validate(input, body);
    }

    /// <summary>Validates <paramref name="value"/> against any shape of the model, e.g. <c>Decision</c>.</summary>
    /// <exception cref="ArgumentException">The shape is not in the model.</exception>
    public static ValidationResult ValidateShape(string shapeName, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(shapeName);
        if (!SwfServiceModel.Instance.Shapes.TryGetValue(shapeName, out ShapeModel? shape))
        {
            throw new ArgumentException($"'{shapeName}' is not a shape of the SWF model.", nameof(shapeName));
        }
        return Validate(shape, value);
    }

    private static ValidationResult Validate(ShapeModel shape, JsonElement value)
    {
        var walker = new Walker();
        if (value.ValueKind == JsonValueKind.Undefined && shape.Kind == ShapeKind.Structure)
        {
            using JsonDocument empty = JsonDocument.Parse("{}");
            walker.Structure(shape, empty.RootElement, prefix: "", nameRuleOnStrings: false);
        }
        else if (shape.Kind == ShapeKind.Structure)
        {
            // At the top level there is no member to put a path on: the body itself must be an object.
            if (value.ValueKind != JsonValueKind.Object)
            {
                walker.Mismatch(value, shape, path: "");
            }
            else
            {
                walker.Structure(shape, value, prefix: "", nameRuleOnStrings: false);
            }
        }
        else
        {
            walker.Value(shape, value, path: "", nameRule: false);
        }
        return walker.Result();
    }

    private sealed class Walker
    {
        private readonly List<ValidationViolation> _violations = [];
        private string? _serializationError;

        public ValidationResult Result() =>
            _serializationError is null && _violations.Count == 0
                ? ValidationResult.Valid
                : new ValidationResult(_serializationError, _violations.ToArray());

        public void Structure(ShapeModel shape, JsonElement obj, string prefix, bool nameRuleOnStrings)
        {
            foreach (MemberModel member in shape.Members)
            {
                string path = prefix + member.Name;
                if (!obj.TryGetProperty(member.Name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
                {
                    if (member.Required)
                    {
                        Violation(path, null, "Member must not be null");
                    }
                    continue;
                }
                // A name rule documented on a structure member (taskList) applies to the names inside it (taskList.name).
                bool nameRule = member.NameRule || (nameRuleOnStrings && member.Shape.Kind == ShapeKind.String);
                Value(member.Shape, value, path, nameRule);
            }
        }

        public void Value(ShapeModel shape, JsonElement value, string path, bool nameRule)
        {
            switch (shape.Kind)
            {
                case ShapeKind.Structure:
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        Mismatch(value, shape, path);
                        return;
                    }
                    Structure(shape, value, path + ".", nameRule);
                    return;

                case ShapeKind.List:
                    if (value.ValueKind != JsonValueKind.Array)
                    {
                        Mismatch(value, shape, path);
                        return;
                    }
                    CheckCount(shape, value.GetArrayLength(), value, path);
                    int position = 0;
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        string itemPath = path + "." + (++position).ToString(CultureInfo.InvariantCulture) + ".member";
                        if (item.ValueKind == JsonValueKind.Null)
                        {
                            Violation(itemPath, null, "Member must not be null");
                            continue;
                        }
                        Value(shape.ListMember!, item, itemPath, nameRule);
                    }
                    return;

                case ShapeKind.Map:
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        Mismatch(value, shape, path);
                        return;
                    }
                    int entries = 0;
                    foreach (JsonProperty entry in value.EnumerateObject())
                    {
                        entries++;
                        foreach (string constraint in StringConstraints(shape.MapKey!, entry.Name, nameRule: false))
                        {
                            Violation(path, Render(value), $"Map keys must satisfy constraint: [{constraint}]");
                        }
                        string entryPath = path + "." + entry.Name;
                        if (entry.Value.ValueKind == JsonValueKind.Null)
                        {
                            Violation(entryPath, null, "Member must not be null");
                            continue;
                        }
                        Value(shape.MapValue!, entry.Value, entryPath, nameRule: false);
                    }
                    CheckCount(shape, entries, value, path);
                    return;

                case ShapeKind.String:
                    if (value.ValueKind != JsonValueKind.String || !TryGetString(value, out string? text))
                    {
                        Mismatch(value, shape, path);
                        return;
                    }
                    foreach (string constraint in StringConstraints(shape, text, nameRule))
                    {
                        Violation(path, Quote(text), constraint);
                    }
                    return;

                case ShapeKind.Integer:
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int int32))
                    {
                        Mismatch(value, shape, path);
                        return;
                    }
                    CheckRange(shape, int32, value, path);
                    return;

                case ShapeKind.Long:
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long int64))
                    {
                        Mismatch(value, shape, path);
                        return;
                    }
                    CheckRange(shape, int64, value, path);
                    return;

                case ShapeKind.Double:
                case ShapeKind.Float:
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number))
                    {
                        Mismatch(value, shape, path);
                        return;
                    }
                    if (value.TryGetDecimal(out decimal exact))
                    {
                        CheckRange(shape, exact, value, path);
                    }
                    return;

                case ShapeKind.Boolean:
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        Mismatch(value, shape, path);
                    }
                    return;

                case ShapeKind.Timestamp:
                    // Epoch seconds, fractions allowed; anything a DateTimeOffset cannot hold is not a timestamp.
                    if (value.ValueKind != JsonValueKind.Number
                        || !value.TryGetDecimal(out decimal seconds)
                        || seconds < UnixSecondsMin || seconds >= UnixSecondsMax)
                    {
                        Mismatch(value, shape, path);
                    }
                    return;

                case ShapeKind.Blob:
                    if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out _))
                    {
                        Mismatch(value, shape, path);
                    }
                    return;
            }
        }

        public void Mismatch(JsonElement value, ShapeModel expected, string path)
        {
            if (_serializationError is not null)
            {
                return; // AWS stops at the first one; keep it.
            }
            string message = value.ValueKind switch
            {
                JsonValueKind.Object => "Start of structure or map found where not expected",
                JsonValueKind.Array => "Start of list found where not expected",
                JsonValueKind.String => $"STRING_VALUE cannot be converted to {TargetName(expected)}",
                JsonValueKind.Number => $"NUMBER_VALUE cannot be converted to {TargetName(expected)}",
                JsonValueKind.True or JsonValueKind.False => $"BOOLEAN_VALUE cannot be converted to {TargetName(expected)}",
                _ => $"Unexpected JSON value where {TargetName(expected)} was expected",
            };
            _serializationError = path.Length == 0 ? message : $"{message} at '{path}'";
        }

        private void Violation(string path, string? value, string constraint) =>
            _violations.Add(new ValidationViolation(path, value, constraint));

        private void CheckCount(ShapeModel shape, int count, JsonElement value, string path)
        {
            if (shape.Min is { } min && count < min)
            {
                Violation(path, Render(value), $"Member must have length greater than or equal to {Format(min)}");
            }
            if (shape.Max is { } max && count > max)
            {
                Violation(path, Render(value), $"Member must have length less than or equal to {Format(max)}");
            }
        }

        private void CheckRange(ShapeModel shape, decimal number, JsonElement value, string path)
        {
            if (shape.Min is { } min && number < min)
            {
                Violation(path, Render(value), $"Member must have value greater than or equal to {Format(min)}");
            }
            if (shape.Max is { } max && number > max)
            {
                Violation(path, Render(value), $"Member must have value less than or equal to {Format(max)}");
            }
        }
    }

    private static readonly decimal UnixSecondsMin = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly decimal UnixSecondsMax = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private static IEnumerable<string> StringConstraints(ShapeModel shape, string text, bool nameRule)
    {
        int length = CharacterCount(text);
        if (shape.Min is { } min && length < min)
        {
            yield return $"Member must have length greater than or equal to {Format(min)}";
        }
        if (shape.Max is { } max && length > max)
        {
            yield return $"Member must have length less than or equal to {Format(max)}";
        }
        if (shape.PatternRegex is { } pattern && !Matches(pattern, text))
        {
            yield return $"Member must satisfy regular expression pattern: {shape.Pattern}";
        }
        if (shape.Enum is { } values && !values.Contains(text, StringComparer.Ordinal))
        {
            yield return $"Member must satisfy enum value set: [{string.Join(", ", values)}]";
        }
        if (nameRule && SwfNameRule.Check(text) is { } broken)
        {
            yield return broken;
        }
    }

    private static bool Matches(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // A value that takes the pattern this long to judge is not one we accept.
        }
    }

    /// <summary>Length in Unicode characters: a well-formed surrogate pair counts once.</summary>
    internal static int CharacterCount(string text)
    {
        int count = text.Length;
        for (int i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                count--;
                i++;
            }
        }
        return count;
    }

    private static bool TryGetString(JsonElement value, out string text)
    {
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = ""; // Escaped lone surrogates: not a string .NET (or Java) can hold faithfully.
            return false;
        }
    }

    private static string TargetName(ShapeModel shape) => shape.Kind switch
    {
        ShapeKind.String => "String",
        ShapeKind.Integer => "Integer",
        ShapeKind.Long => "Long",
        ShapeKind.Double => "Double",
        ShapeKind.Float => "Float",
        ShapeKind.Boolean => "Boolean",
        ShapeKind.Timestamp => "Date",
        ShapeKind.Blob => "ByteBuffer",
        ShapeKind.List => "List",
        ShapeKind.Map => "Map",
        _ => shape.Name,
    };

    private static string Format(decimal number) => number.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string text) => Shorten(text);

    /// <summary>A value as AWS quotes it: strings raw, lists as <c>[a, b]</c>, structures as compact JSON.</summary>
    private static string Render(JsonElement value)
    {
        var builder = new StringBuilder();
        Append(builder, value);
        return Shorten(builder.ToString());

        static void Append(StringBuilder builder, JsonElement value)
        {
            if (builder.Length > MaxQuotedValueLength)
            {
                return;
            }
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    builder.Append(TryGetString(value, out string text) ? text : value.GetRawText());
                    break;
                case JsonValueKind.Array:
                    builder.Append('[');
                    bool first = true;
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        if (!first)
                        {
                            builder.Append(", ");
                        }
                        first = false;
                        Append(builder, item);
                        if (builder.Length > MaxQuotedValueLength)
                        {
                            return;
                        }
                    }
                    builder.Append(']');
                    break;
                case JsonValueKind.Object:
                    using (var stream = new MemoryStream())
                    {
                        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                        {
                            value.WriteTo(writer);
                        }
                        builder.Append(Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
                    }
                    break;
                default:
                    builder.Append(value.GetRawText());
                    break;
            }
        }
    }

    private static string Shorten(string text)
    {
        if (text.Length <= MaxQuotedValueLength)
        {
            return text;
        }
        int cut = MaxQuotedValueLength;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--; // Never split a surrogate pair.
        }
        return string.Concat(text.AsSpan(0, cut), "...");
    }
}
