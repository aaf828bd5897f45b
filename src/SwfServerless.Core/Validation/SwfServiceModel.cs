using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SwfServerless.Core.Validation;

/// <summary>
/// The constraints of the SWF service model (service-2.json, embedded in this assembly), read once at run time.
/// Only what validation needs is kept: shape types, required members, min/max, enum values, patterns and which
/// members carry SWF's name rule.
/// </summary>
public sealed class SwfServiceModel
{
    /// <summary>Logical name of the embedded model resource.</summary>
    public const string ResourceName = "service-2.json";

    private static readonly Lazy<SwfServiceModel> Embedded = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private SwfServiceModel(IReadOnlyDictionary<string, ShapeModel> shapes, IReadOnlyDictionary<string, ShapeModel> operationInputs)
    {
        Shapes = shapes;
        OperationInputs = operationInputs;
    }

    /// <summary>The model embedded in the Core assembly, parsed on first use (thread-safe).</summary>
    public static SwfServiceModel Instance => Embedded.Value;

    public IReadOnlyDictionary<string, ShapeModel> Shapes { get; }

    /// <summary>Input structure of each operation, by operation name (ordinal).</summary>
    public IReadOnlyDictionary<string, ShapeModel> OperationInputs { get; }

    /// <summary>Parses a model document (the botocore service-2.json format).</summary>
    public static SwfServiceModel Parse(JsonElement root)
    {
        JsonElement shapesJson = root.GetProperty("shapes");

        // Two passes: create every shape, then link members, so that shapes may refer to each other in any order.
        var shapes = new Dictionary<string, ShapeModel>(StringComparer.Ordinal);
        foreach (JsonProperty shape in shapesJson.EnumerateObject())
        {
            shapes[shape.Name] = ShapeModel.Create(shape.Name, shape.Value);
        }
        foreach (JsonProperty shape in shapesJson.EnumerateObject())
        {
            shapes[shape.Name].Link(shape.Value, shapes);
        }

        var inputs = new Dictionary<string, ShapeModel>(StringComparer.Ordinal);
        foreach (JsonProperty operation in root.GetProperty("operations").EnumerateObject())
        {
            if (operation.Value.TryGetProperty("input", out JsonElement input))
            {
                inputs[operation.Name] = Resolve(shapes, input.GetProperty("shape").GetString()!);
            }
        }
        return new SwfServiceModel(shapes.AsReadOnly(), inputs.AsReadOnly());
    }

    private static SwfServiceModel LoadEmbedded()
    {
        using Stream stream = typeof(SwfServiceModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing from {typeof(SwfServiceModel).Assembly.GetName().Name}.");
        using JsonDocument document = JsonDocument.Parse(stream);
        return Parse(document.RootElement);
    }

    internal static ShapeModel Resolve(Dictionary<string, ShapeModel> shapes, string name) =>
        shapes.TryGetValue(name, out ShapeModel? shape)
            ? shape
            : throw new InvalidOperationException($"The service model refers to unknown shape '{name}'.");
}

/// <summary>The kinds of shape in a botocore model.</summary>
public enum ShapeKind
{
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Double,
    Float,
    Boolean,
    Timestamp,
    Blob,
}

/// <summary>A shape of the model and its constraints.</summary>
public sealed class ShapeModel
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    private ShapeModel(string name, ShapeKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }

    public ShapeKind Kind { get; }

    /// <summary>Minimum length (strings: characters; lists, maps: entries) or minimum value (numbers).</summary>
    public decimal? Min { get; private set; }

    /// <summary>Maximum length (strings: characters; lists, maps: entries) or maximum value (numbers).</summary>
    public decimal? Max { get; private set; }

    /// <summary>The allowed values of an enum string shape, in model order; null if not an enum.</summary>
    public IReadOnlyList<string>? Enum { get; private set; }

    /// <summary>The <c>pattern</c> of a string shape (a whole-value match), if any.</summary>
    public string? Pattern { get; private set; }

    internal Regex? PatternRegex { get; private set; }

    /// <summary>Members of a structure, in model order; empty for other kinds.</summary>
    public IReadOnlyList<MemberModel> Members { get; private set; } = [];

    /// <summary>Element shape of a list.</summary>
    public ShapeModel? ListMember { get; private set; }

    /// <summary>Key shape of a map.</summary>
    public ShapeModel? MapKey { get; private set; }

    /// <summary>Value shape of a map.</summary>
    public ShapeModel? MapValue { get; private set; }

    internal static ShapeModel Create(string name, JsonElement json)
    {
        string type = json.GetProperty("type").GetString()!;
        ShapeKind kind = type switch
        {
            "structure" => ShapeKind.Structure,
            "list" => ShapeKind.List,
            "map" => ShapeKind.Map,
            "string" => ShapeKind.String,
            "integer" => ShapeKind.Integer,
            "long" => ShapeKind.Long,
            "double" => ShapeKind.Double,
            "float" => ShapeKind.Float,
            "boolean" => ShapeKind.Boolean,
            "timestamp" => ShapeKind.Timestamp,
            "blob" => ShapeKind.Blob,
            _ => throw new InvalidOperationException($"Shape '{name}' has unsupported type '{type}'."),
        };
        var shape = new ShapeModel(name, kind);
        if (json.TryGetProperty("min", out JsonElement min))
        {
            shape.Min = min.GetDecimal();
        }
        if (json.TryGetProperty("max", out JsonElement max))
        {
            shape.Max = max.GetDecimal();
        }
        if (json.TryGetProperty("enum", out JsonElement values))
        {
            shape.Enum = values.EnumerateArray().Select(v => v.GetString()!).ToArray();
        }
        if (json.TryGetProperty("pattern", out JsonElement pattern))
        {
            // Model patterns are Java regular expressions matched against the whole value.
            shape.Pattern = pattern.GetString()!;
            shape.PatternRegex = new Regex(
                @"\A(?:" + shape.Pattern + @")\z",
                RegexOptions.CultureInvariant,
                PatternTimeout);
        }
        return shape;
    }

    internal void Link(JsonElement json, Dictionary<string, ShapeModel> shapes)
    {
        switch (Kind)
        {
            case ShapeKind.Structure:
                var required = new HashSet<string>(StringComparer.Ordinal);
                if (json.TryGetProperty("required", out JsonElement requiredJson))
                {
                    foreach (JsonElement name in requiredJson.EnumerateArray())
                    {
                        required.Add(name.GetString()!);
                    }
                }
                var members = new List<MemberModel>();
                foreach (JsonProperty member in json.GetProperty("members").EnumerateObject())
                {
                    string? documentation = member.Value.TryGetProperty("documentation", out JsonElement doc) ? doc.GetString() : null;
                    members.Add(new MemberModel(
                        member.Name,
                        SwfServiceModel.Resolve(shapes, member.Value.GetProperty("shape").GetString()!),
                        required.Contains(member.Name),
                        SwfNameRule.IsDeclaredBy(documentation)));
                }
                Members = members;
                break;
            case ShapeKind.List:
                ListMember = SwfServiceModel.Resolve(shapes, json.GetProperty("member").GetProperty("shape").GetString()!);
                break;
            case ShapeKind.Map:
                MapKey = SwfServiceModel.Resolve(shapes, json.GetProperty("key").GetProperty("shape").GetString()!);
                MapValue = SwfServiceModel.Resolve(shapes, json.GetProperty("value").GetProperty("shape").GetString()!);
                break;
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} ({Kind})");
}

/// <summary>A member of a structure shape.</summary>
/// <param name="Name">The wire (JSON) name.</param>
/// <param name="Shape">The member's target shape.</param>
/// <param name="Required">Listed in the structure's <c>required</c>.</param>
/// <param name="NameRule">
/// The member's documentation states SWF's name rule (no <c>:</c> <c>/</c> <c>|</c>, no control characters,
/// not the literal <c>arn</c>); see <see cref="SwfNameRule"/>.
/// </param>
public sealed record MemberModel(string Name, ShapeModel Shape, bool Required, bool NameRule);
