using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SwfServerless.Infra.Tests;

/// <summary>
/// infra/main.bicep compiled by the Bicep CLI to one ARM template (each module a nested deployment), once per test
/// run. Facts are read from it rather than from the Bicep text: formatting, spreads and quoting cannot hide a
/// property, and what is checked is what Azure Resource Manager receives.
/// </summary>
internal static partial class CompiledInfra
{
    private static readonly Lazy<JsonObject> main = new(() =>
    {
        // Only a failed build stops the facts; warnings are BicepCompileTests' to report, so that a warning does not
        // hide which fact a change broke.
        var run = BicepCli.Build("infra/main.bicep");
        if (run.ExitCode != 0) throw new InvalidOperationException(run.Problem());
        return JsonNode.Parse(run.StdOut)!.AsObject();
    });

    public static JsonObject Main => main.Value;

    /// <summary>The module deployment <paramref name="name"/> (the <c>name:</c> of a <c>module</c> in main.bicep).</summary>
    public static JsonObject Deployment(string name) =>
        Resources(Main).Single(r => Type(r) == "Microsoft.Resources/deployments" && (string?)r["name"] == name);

    /// <summary>The template of the module deployment <paramref name="name"/>.</summary>
    public static JsonObject Module(string name) => Deployment(name)["properties"]!["template"]!.AsObject();

    /// <summary>What main.bicep passes to module parameter <paramref name="parameter"/>, as ARM expression text.</summary>
    public static string ModuleArgument(string module, string parameter) =>
        ValueExpression(Deployment(module)["properties"]!["parameters"]![parameter]!["value"]);

    /// <summary>Resources declared (not merely referenced as <c>existing</c>) in a template.</summary>
    public static IEnumerable<JsonObject> Resources(JsonObject template)
    {
        IEnumerable<JsonNode?> nodes = template["resources"] switch
        {
            JsonArray list => list,
            JsonObject symbolic => symbolic.Select(p => p.Value), // languageVersion 2.0 keys resources by symbolic name
            _ => [],
        };
        return nodes.Select(n => n!.AsObject()).Where(r => r["existing"]?.GetValue<bool>() != true);
    }

    public static JsonObject Resource(JsonObject template, string type) => Resources(template).Single(r => Type(r) == type);

    public static string? Type(JsonObject resource) => (string?)resource["type"];

    /// <summary>
    /// App setting name → value as ARM expression text (a literal is <c>'text'</c>), from a setting object that is either
    /// a JSON object or an expression building one with <c>createObject</c>/<c>union</c> (every <c>createObject</c> in it
    /// counts, so settings added only under a condition are included).
    /// </summary>
    public static Dictionary<string, string> Settings(JsonNode? settings)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (settings is JsonObject literal)
        {
            foreach (var (name, value) in literal) result[name] = ValueExpression(value);
            return result;
        }
        foreach (var (name, value) in ArmExpression.CreateObjectPairs(ValueExpression(settings)))
            result[name] = value;
        return result;
    }

    /// <summary>A template value as ARM expression text: <c>"[expr]"</c> → <c>expr</c>, <c>"text"</c> → <c>'text'</c>.</summary>
    public static string ValueExpression(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue(out string? s) && s.StartsWith('[') && !s.StartsWith("[[") && s.EndsWith(']') => s[1..^1],
        JsonValue v when v.TryGetValue(out string? s) => "'" + s.Replace("'", "''") + "'",
        null => "null",
        _ => value.ToJsonString(),
    };

    /// <summary>Role assignments of a template, with <c>variables('x')</c> / <c>variables('x').y</c> replaced by their literal values.</summary>
    public static IEnumerable<(string Scope, string RoleDefinitionId, string PrincipalId)> RoleAssignments(JsonObject template)
    {
        var variables = template["variables"] as JsonObject;
        string Resolve(JsonNode? node) => ArmExpression.ResolveVariables(ValueExpression(node), variables);
        return Resources(template)
            .Where(r => Type(r) == "Microsoft.Authorization/roleAssignments")
            .Select(r => (Resolve(r["scope"]), Resolve(r["properties"]!["roleDefinitionId"]), Resolve(r["properties"]!["principalId"])))
            .ToList();
    }
}

/// <summary>Just enough of the ARM template expression language to read what Bicep generated: calls, literals, nesting.</summary>
internal static partial class ArmExpression
{
    /// <summary>The (name, value) argument pairs of every <c>createObject(...)</c> call in <paramref name="expression"/>, nested ones too.</summary>
    public static IEnumerable<(string Name, string Value)> CreateObjectPairs(string expression)
    {
        const string call = "createObject(";
        for (var i = 0; i < expression.Length; i++)
        {
            if (expression[i] == '\'')
            {
                i = EndOfString(expression, i);
                continue;
            }
            if (string.CompareOrdinal(expression, i, call, 0, call.Length) != 0 || (i > 0 && char.IsLetterOrDigit(expression[i - 1])))
                continue;
            var args = Arguments(expression, i + call.Length - 1);
            for (var k = 0; k + 1 < args.Count; k += 2)
                if (args[k].Length >= 2 && args[k][0] == '\'' && EndOfString(args[k], 0) == args[k].Length - 1)
                    yield return (args[k][1..^1].Replace("''", "'"), args[k + 1]);
            // The scan goes on inside the arguments, so createObject calls nested in values are found as well.
        }
    }

    /// <summary>Top-level arguments of the call whose '(' is at <paramref name="open"/>, trimmed.</summary>
    public static List<string> Arguments(string expression, int open)
    {
        var args = new List<string>();
        var depth = 0;
        var start = open + 1;
        for (var i = open + 1; i < expression.Length; i++)
        {
            switch (expression[i])
            {
                case '\'':
                    i = EndOfString(expression, i);
                    break;
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']' when depth > 0:
                    depth--;
                    break;
                case ')':
                    if (i > start || args.Count > 0) args.Add(expression[start..i].Trim());
                    return args;
                case ',' when depth == 0:
                    args.Add(expression[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }
        throw new FormatException("unbalanced call in ARM expression: " + expression);
    }

    /// <summary>Replaces <c>variables('x')</c> and <c>variables('x').y</c> whose value is a plain string by that string as a literal.</summary>
    public static string ResolveVariables(string expression, JsonObject? variables) =>
        VariableReference().Replace(expression, m =>
        {
            var value = variables?[m.Groups["name"].Value];
            if (m.Groups["member"].Success) value = (value as JsonObject)?[m.Groups["member"].Value];
            return value is JsonValue v && v.TryGetValue(out string? s) && !s.StartsWith('[') ? "'" + s.Replace("'", "''") + "'" : m.Value;
        });

    /// <summary>Index of the quote that closes the string literal opened at <paramref name="open"/> ('' is an escaped quote).</summary>
    private static int EndOfString(string s, int open)
    {
        for (var i = open + 1; i < s.Length; i++)
        {
            if (s[i] != '\'') continue;
            if (i + 1 < s.Length && s[i + 1] == '\'') i++;
            else return i;
        }
        throw new FormatException("unterminated string in ARM expression: " + s);
    }

    [GeneratedRegex(@"variables\('(?<name>\w+)'\)(?:\.(?<member>\w+))?")]
    private static partial Regex VariableReference();
}
