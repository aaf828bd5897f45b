using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SwfServerless.Core.Validation;

namespace SwfServerless.Api.Tests.Fuzz;

/// <summary>One request of the fuzz run, exactly as it is sent (then signed).</summary>
/// <param name="Target">The X-Amz-Target header, or null for none.</param>
/// <param name="ContentType">The Content-Type header, or null for none.</param>
public sealed record FuzzRequest(int Index, string Kind, string Operation, string? Target, string? ContentType, string Path, byte[] Body)
{
    /// <summary>What a failure prints: enough to send it again by hand.</summary>
    public string Describe()
    {
        var text = Encoding.UTF8.GetString(Body);
        var preview = text.Length > 2000 ? text[..2000] + $"… ({Body.Length} bytes)" : text;
        return $"#{Index} {Kind} {Operation}: POST {Path} X-Amz-Target={Target ?? "(none)"} Content-Type={ContentType ?? "(none)"}\n{preview}";
    }
}

/// <summary>
/// Requests for every operation of the SWF model: valid ones built from the model's shapes (with names, types and
/// tokens that exist in the fuzz domains, so they reach the handlers and the execution machine), structure-aware
/// mutations of them (members dropped, wrong types, lengths and numbers past their limits, bad enums, unknown members,
/// odd characters), and raw ones (truncated, random bytes, non-object roots, deep nesting, oversized and wide bodies,
/// wrong targets, content types and paths). Everything comes from the seed: the same seed gives the same requests.
/// </summary>
public sealed class FuzzGenerator(int seed, int maxRequestBytes)
{
    public const string JsonType = "application/x-amz-json-1.0";
    public static readonly string[] Domains = ["fz0", "fz1"];

    /// <summary>Where a real task token goes: replaced when sent (tokens are made by the server, not the seed).</summary>
    public const string DecisionTokenMark = "\u0001decision-token:", ActivityTokenMark = "\u0001activity-token:";

    private readonly Random rng = new(seed);
    private readonly SwfServiceModel model = SwfServiceModel.Instance;
    private string operation = "";

    public List<FuzzRequest> Generate(int count)
    {
        var operations = model.OperationInputs.Keys.OrderBy(o => o, StringComparer.Ordinal).ToArray();
        var requests = new List<FuzzRequest>(count);
        for (var i = 0; i < count; i++)
        {
            operation = operations[i % operations.Length];
            var roll = rng.NextDouble();
            requests.Add(roll < 0.2 ? Valid(i)
                : roll < 0.75 ? Mutated(i)
                : Raw(i));
        }
        return requests;
    }

    private FuzzRequest Json(int index, string kind, JsonNode? body) =>
        new(index, kind, operation, "SimpleWorkflowService." + operation, JsonType, "/", Encoding.UTF8.GetBytes(body?.ToJsonString() ?? "null"));

    private FuzzRequest Valid(int index) => Json(index, "valid", ValidBody());

    private JsonObject ValidBody() => (JsonObject)Value(model.OperationInputs[operation], "", 0)!;

    private FuzzRequest Mutated(int index)
    {
        var body = ValidBody();
        var mutations = 1 + rng.Next(3);
        var applied = new List<string>();
        for (var m = 0; m < mutations; m++) applied.Add(Mutate(body));
        return Json(index, "mutated(" + string.Join(",", applied) + ")", body);
    }

    // ---- valid values from the model ----

    private JsonNode? Value(ShapeModel shape, string member, int depth, string parent = "")
    {
        switch (shape.Kind)
        {
            case ShapeKind.Structure:
                if (shape.Name == "Decision") return Decision(shape, depth);
                var obj = new JsonObject();
                // The visibility calls take one time filter and at most one other filter.
                var timeFilter = Pick("startTimeFilter", "closeTimeFilter");
                var otherFilter = false;
                foreach (var m in shape.Members)
                {
                    bool isTime = m.Name is "startTimeFilter" or "closeTimeFilter", isOther = !isTime && m.Name.EndsWith("Filter", StringComparison.Ordinal);
                    if (isTime && shape.Members.Count(x => x.Name is "startTimeFilter" or "closeTimeFilter") == 2)
                    {
                        if (m.Name == timeFilter) obj[m.Name] = Value(m.Shape, m.Name, depth + 1, shape.Name);
                        continue;
                    }
                    if (isOther && otherFilter) continue;
                    if (m.Required || (depth < 5 && rng.NextDouble() < 0.5))
                    {
                        obj[m.Name] = Value(m.Shape, m.Name, depth + 1, shape.Name);
                        otherFilter |= isOther;
                    }
                }
                return obj;
            case ShapeKind.List:
                var list = new JsonArray();
                var max = (int)Math.Min(shape.Max ?? 4, member == "decisions" ? 6 : 4);
                var n = rng.Next((int)(shape.Min ?? 0), Math.Max((int)(shape.Min ?? 0), max) + 1);
                for (var i = 0; i < n; i++) list.Add(Value(shape.ListMember!, member, depth + 1));
                return list;
            case ShapeKind.Map:
                var map = new JsonObject();
                for (var i = rng.Next(3); i > 0; i--) map[Pick("k1", "k2", "k3")] = Value(shape.MapValue!, member, depth + 1);
                return map;
            case ShapeKind.String:
                return shape.Enum is { } values ? values[rng.Next(values.Count)] : StringFor(shape, member, parent);
            case ShapeKind.Integer:
            case ShapeKind.Long:
                var low = (long)(shape.Min ?? 0);
                return rng.NextInt64(low, Math.Min((long)(shape.Max ?? 1000), low + 1000) + 1);
            case ShapeKind.Double:
            case ShapeKind.Float:
                return rng.NextDouble() * 100;
            case ShapeKind.Boolean:
                return rng.Next(2) == 0;
            case ShapeKind.Timestamp:
                return 1_600_000_000 + rng.Next(200_000_000);
            default:
                return Convert.ToBase64String(Bytes(8));
        }
    }

    /// <summary>A decision of one type with only that type's attributes, as deciders send them.</summary>
    private JsonObject Decision(ShapeModel shape, int depth)
    {
        var type = shape.Members.First(m => m.Name == "decisionType").Shape.Enum!;
        var decisionType = type[rng.Next(type.Count)];
        var attributes = char.ToLowerInvariant(decisionType[0]) + decisionType[1..] + "DecisionAttributes";
        var decision = new JsonObject { ["decisionType"] = decisionType };
        if (shape.Members.FirstOrDefault(m => m.Name == attributes) is { } member) decision[attributes] = Value(member.Shape, attributes, depth + 1);
        return decision;
    }

    private string StringFor(ShapeModel shape, string member, string parent)
    {
        // The types executions use (fw/1, fa/1) and the domain they run in (fz0) are only ever changed by requests that
        // name other versions and domains: the runs the fuzzing starts keep going, so its decisions and tasks reach deep.
        bool changesRegistration = operation.StartsWith("Deprecate", StringComparison.Ordinal)
            || operation.StartsWith("Undeprecate", StringComparison.Ordinal) || operation.StartsWith("Delete", StringComparison.Ordinal);
        switch (member)
        {
            case "domain": return rng.Next(5) == 0 ? "fz1" : "fz0";
            case "name" when operation.EndsWith("Domain", StringComparison.Ordinal):
                return changesRegistration || operation == "RegisterDomain" ? Pick("fz1", "fz-new-" + rng.Next(5)) : Pick(Domains);
            case "name" when parent == "WorkflowType": return rng.Next(5) == 0 ? "fx" : "fw";
            case "name" when parent == "ActivityType": return rng.Next(5) == 0 ? "fx" : "fa";
            case "name" when operation.EndsWith("Type", StringComparison.Ordinal): return Pick("fw", "fa", "fx");
            case "version" when changesRegistration: return "2";
            case "version": case "workflowTypeVersion": return rng.Next(5) == 0 ? "2" : "1";
            case "workflowId": return rng.Next(4) == 0 ? "pre-" + rng.Next(24) : "w" + rng.Next(80);
            case "activityId": case "timerId": case "signalName": case "markerName": return Pick("a", "b", "c") + rng.Next(3);
            case "taskToken": return (operation == "RespondDecisionTaskCompleted" ? DecisionTokenMark : ActivityTokenMark) + rng.Next(1000);
            case "resourceArn": return $"arn:aws:swf:us-east-1:123456789012:/domain/{Pick(Domains)}";
            case "lambdaRole": return "arn:aws:iam::123456789012:role/fuzz";
            case "tag": return Pick("t1", "t2");
            case "key": return Pick("k1", "k2");
            case "nextPageToken": return rng.Next(3) == 0 ? "" : RandomText(1, 40);
        }
        switch (shape.Name)
        {
            case "DurationInSeconds": case "DurationInSecondsOptional": return Pick("NONE", "0", "1", "60", "3600", "31536000");
            case "DurationInDays": return Pick("0", "1", "90");
            case "TaskPriority": return Pick("0", "5", "-3", "2147483647");
        }
        if (member == "name" || shape.Name.EndsWith("Name", StringComparison.Ordinal)) return Pick("deciders", "workers", "tl", "kids");
        var min = (int)(shape.Min ?? 0);
        return RandomText(min, Math.Max(min, (int)Math.Min(shape.Max ?? 24, 24)));
    }

    // ---- structure-aware mutations ----

    private static readonly string[] OddStrings =
    [
        "", " ", "arn", "a:b", "a/b", "a|b", "\u0000", "\u0007bell", "\u007f", "\u0085", "\ud83d\ude00", "\u00e9\u00e8", "\\", "\"",
        "NONE", "-1", "99999999", "1e400", "null", "true", "%00", "../../etc", "<script>", "\u202e", "\ufeff", "\uffff",
        // Names of the model's longest length made of characters that storage keys must escape (to 5 each).
        new string('\'', 256), new string('#', 256), new string('%', 64), "fz0" + new string('?', 253),
    ];

    private string Mutate(JsonObject body)
    {
        var spots = new List<(JsonNode Parent, object Key)>();
        Collect(body, spots);
        if (spots.Count == 0 || rng.Next(10) == 0)
        {
            body[Pick("unknownMember", "Domain", "__type", "domain ")] = Junk(0);
            return "add-member";
        }
        var (parent, key) = spots[rng.Next(spots.Count)];
        var current = Get(parent, key);
        switch (rng.Next(12))
        {
            case 0:
                Remove(parent, key);
                return "drop";
            case 1:
                Set(parent, key, Junk(0));
                return "junk";
            case 2:
                Set(parent, key, current is JsonValue v && v.TryGetValue<string>(out var s) ? s + new string('x', 256 + rng.Next(2000)) : new string('x', 300));
                return "too-long";
            case 3:
                Set(parent, key, Pick(OddStrings));
                return "odd-string";
            case 4:
                Set(parent, key, Pick<JsonNode>(JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(long.MaxValue), JsonValue.Create(long.MinValue),
                    JsonValue.Create(1.5), JsonValue.Create(1e300), JsonValue.Create(-1e300), JsonValue.Create(2147483648L), JsonValue.Create(1001)));
                return "number";
            case 5:
                Set(parent, key, current is JsonValue ? new JsonArray(current.DeepClone()) : (JsonNode)JsonValue.Create(Pick("x", "1")));
                return "wrap";
            case 6:
                Set(parent, key, null);
                return "null";
            case 7:
                if (current is JsonArray array)
                {
                    var element = array.Count > 0 ? array[0]?.DeepClone() : JsonValue.Create("x");
                    for (var i = rng.Next(50, 1100); i > 0; i--) array.Add(element?.DeepClone());
                    return "long-list";
                }
                Set(parent, key, new JsonArray());
                return "empty-list";
            case 8:
                Set(parent, key, Nested(rng.Next(10, 70)));
                return "nested";
            case 9:
                if (current is JsonValue sv && sv.TryGetValue<string>(out var str) && str.Length > 0)
                {
                    var chars = str.ToCharArray();
                    chars[rng.Next(chars.Length)] = (char)rng.Next(32, 0xD7FF);
                    Set(parent, key, new string(chars));
                    return "flip";
                }
                Set(parent, key, RandomText(0, 10));
                return "text";
            case 10:
                // A value from another operation's valid request: right shapes in the wrong place.
                var saved = operation;
                operation = Pick([.. model.OperationInputs.Keys]);
                var other = ValidBody();
                operation = saved;
                Set(parent, key, other.Count > 0 ? other.First().Value?.DeepClone() : null);
                return "swap";
            default:
                Set(parent, key, Pick<JsonNode?>(JsonValue.Create(true), JsonValue.Create(false), new JsonObject(), JsonValue.Create("TRUE"), JsonValue.Create("OPEN")));
                return "type";
        }
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> spots)
    {
        if (node is JsonObject obj)
            foreach (var (k, v) in obj.ToList())
            {
                spots.Add((obj, k));
                if (v is not null) Collect(v, spots);
            }
        else if (node is JsonArray arr)
            for (var i = 0; i < arr.Count; i++)
            {
                spots.Add((arr, i));
                if (arr[i] is { } v) Collect(v, spots);
            }
    }

    private static JsonNode? Get(JsonNode parent, object key) => key is string k ? parent[k] : parent[(int)key];

    private static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (key is string k) parent[k] = value;
        else parent[(int)key] = value;
    }

    private static void Remove(JsonNode parent, object key)
    {
        if (key is string k) ((JsonObject)parent).Remove(k);
        else ((JsonArray)parent).RemoveAt((int)key);
    }

    private JsonNode? Junk(int depth) => rng.Next(depth > 2 ? 4 : 6) switch
    {
        0 => JsonValue.Create(RandomText(0, 30)),
        1 => JsonValue.Create(rng.NextInt64(long.MinValue, long.MaxValue)),
        2 => JsonValue.Create(rng.NextDouble() * Math.Pow(10, rng.Next(-10, 300))),
        3 => null,
        4 => new JsonArray(Junk(depth + 1), Junk(depth + 1)),
        _ => new JsonObject { [RandomText(1, 8)] = Junk(depth + 1) },
    };

    private static JsonNode Nested(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < depth; i++) node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["x"] = node };
        return node;
    }

    // ---- raw requests ----

    private FuzzRequest Raw(int index)
    {
        var valid = Encoding.UTF8.GetBytes(ValidBody().ToJsonString());
        var target = "SimpleWorkflowService." + operation;
        switch (rng.Next(14))
        {
            case 0:
                return new(index, "truncated", operation, target, JsonType, "/", valid[..rng.Next(valid.Length)]);
            case 1:
                return new(index, "random-bytes", operation, target, JsonType, "/", Bytes(rng.Next(0, 600)));
            case 2:
                return new(index, "non-object", operation, target, JsonType, "/", Encoding.UTF8.GetBytes(Pick("[]", "\"x\"", "1", "null", "true", "[{}]", " ", "{}{}", "{\"a\":1}x")));
            case 3:
                // Deeper than the parser allows (64), or far deeper.
                var depth = Pick(65, 200, 5_000, 60_000);
                var open = rng.Next(2) == 0 ? "[" : "{\"a\":";
                var close = open == "[" ? "]" : "}";
                return new(index, "deep", operation, target, JsonType, "/",
                    Encoding.UTF8.GetBytes("{\"domain\":" + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "}"));
            case 4:
                return new(index, "oversized", operation, target, JsonType, "/",
                    Encoding.UTF8.GetBytes("{\"domain\":\"fz0\",\"x\":\"" + new string('a', maxRequestBytes + rng.Next(1, 4096)) + "\"}"));
            case 5:
                // Wide: many members, within the size limit.
                var wide = new StringBuilder("{");
                for (var i = rng.Next(1000, 20000); i > 0; i--) wide.Append("\"m").Append(i).Append("\":").Append(i).Append(',');
                wide.Append("\"domain\":\"fz0\"}");
                return new(index, "wide", operation, target, JsonType, "/", Encoding.UTF8.GetBytes(wide.ToString()));
            case 6:
                return new(index, "unknown-target", operation, "SimpleWorkflowService." + Pick("DeleteDomain", "", "registerdomain", operation.ToUpperInvariant(), operation + "X", "../" + operation),
                    JsonType, "/", valid);
            case 7:
                return new(index, "wrong-target-prefix", operation, Pick("SimpleWorkflowService", "AmazonSWF." + operation, "SimpleWorkflowService " + operation, "swf." + operation, operation),
                    JsonType, "/", valid);
            case 8:
                return new(index, "no-target", operation, null, JsonType, "/", valid);
            case 9:
                // Another operation's target with this body.
                return new(index, "other-target", operation, "SimpleWorkflowService." + Pick([.. model.OperationInputs.Keys]), JsonType, "/", valid);
            case 10:
                return new(index, "content-type", operation, target, Pick<string?>(null, "text/plain", "application/json", "application/x-amz-json-1.1",
                    "application/x-amz-json-1.0; charset=utf-16", "multipart/form-data; boundary=x", "application/xml"), "/", valid);
            case 11:
                return new(index, "path", operation, target, JsonType, Pick("/swf", "/2012-01-25/", "/a/b/c", "/?x=1", "/healthz"), valid);
            case 12:
                // Duplicate members, the last one wrong.
                var text = Encoding.UTF8.GetString(valid);
                return new(index, "duplicate-member", operation, target, JsonType, "/",
                    Encoding.UTF8.GetBytes(text.Length > 2 ? text[..^1] + ",\"domain\":{\"x\":[1]}}" : "{\"domain\":1,\"domain\":2}"));
            default:
                // Invalid UTF-8 inside a string, and a lone surrogate escape.
                var bytes = new List<byte>(Encoding.UTF8.GetBytes("{\"domain\":\"fz0\",\"name\":\""));
                bytes.AddRange(Pick<byte[]>([0xC3, 0x28], [0xFF, 0xFE], [0xED, 0xA0, 0x80], Encoding.UTF8.GetBytes("\\ud800x"), Encoding.UTF8.GetBytes("\\udc00")));
                bytes.AddRange(Encoding.UTF8.GetBytes("\",\"workflowId\":\"\\ud83d\"}"));
                return new(index, "bad-unicode", operation, target, JsonType, "/", [.. bytes]);
        }
    }

    // ---- helpers ----

    private string RandomText(int min, int max)
    {
        var length = rng.Next(min, Math.Max(min, max) + 1);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
            chars[i] = rng.Next(10) switch
            {
                0 => (char)rng.Next(0x80, 0x2000),
                1 => (char)rng.Next(0, 32),
                _ => (char)rng.Next(33, 127),
            };
        return new string(chars);
    }

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(params T[] values) => values[rng.Next(values.Length)];
}
