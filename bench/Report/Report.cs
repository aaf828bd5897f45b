using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SwfServerless.Storage.AzureSdk;

namespace SwfServerless.Bench;

/// <summary>One line of the summary table.</summary>
public sealed record Row(string Part, string Metric, string Value, string Target = "", string Ratio = "", string Note = "");

/// <summary>Everything measured: the JSON document written to bench/results and the summary table.</summary>
public sealed class Report
{
    public JsonObject Json { get; } = new();
    public List<Row> Rows { get; } = [];

    public void Add(Row row)
    {
        Rows.Add(row);
        Console.WriteLine($"  = {row.Metric}: {row.Value}" + (row.Target.Length > 0 ? $"  (target {row.Target}, {row.Ratio})" : "") + (row.Note.Length > 0 ? $"  [{row.Note}]" : ""));
    }

    public void Section(string name, JsonNode node) => Json[name] = node;

    /// <summary>A number for the JSON, or null where it could not be measured (JSON has no NaN).</summary>
    public static JsonNode? N(double v, int digits = 3) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, digits)) : null;

    public static string F(double v, string format = "0.##") => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>"x1.7 of target (met)" for lower-is-better values.</summary>
    public static string AtMost(double value, double target) =>
        double.IsNaN(value) ? "n/a" : $"{F(value / target, "0.##")}x of limit, " + (value <= target ? "met" : $"missed by {F(value / target, "0.#")}x");

    /// <summary>For higher-is-better values.</summary>
    public static string AtLeast(double value, double target) =>
        double.IsNaN(value) ? "n/a" : $"{F(value / target, "0.##")}x of target, " + (value >= target ? "met" : $"missed by {F(target / value, "0.#")}x");

    public string Table()
    {
        var headers = new[] { "Part", "Metric", "Value", "Target", "Ratio", "Note" };
        var cells = Rows.Select(r => new[] { r.Part, r.Metric, r.Value, r.Target, r.Ratio, r.Note }).ToList();
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", headers) + " |");
        sb.AppendLine("|" + string.Join("|", headers.Select(_ => "---")) + "|");
        foreach (var c in cells) sb.AppendLine("| " + string.Join(" | ", c.Select(x => x.Replace("|", "/"))) + " |");
        return sb.ToString();
    }

    public string Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Json["table"] = new JsonArray(Rows.Select(r => (JsonNode)new JsonObject
        {
            ["part"] = r.Part, ["metric"] = r.Metric, ["value"] = r.Value, ["target"] = r.Target, ["ratio"] = r.Ratio, ["note"] = r.Note,
        }).ToArray());
        File.WriteAllText(path, Json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.ChangeExtension(path, ".md"), Table());
        return path;
    }

    public static JsonNode? ToJson(Distribution? d) => d is null ? null : new JsonObject
    {
        ["count"] = d.Count, ["min"] = Math.Round(d.Min, 2), ["p50"] = Math.Round(d.P50, 2), ["p90"] = Math.Round(d.P90, 2),
        ["p99"] = Math.Round(d.P99, 2), ["max"] = Math.Round(d.Max, 2), ["mean"] = Math.Round(d.Mean, 2),
    };
}

/// <summary>Storage requests split the way they are billed: Table vs Queue, reads vs writes.</summary>
public sealed record StorageSplit(double TableReads, double TableWrites, double QueueReads, double QueueWrites, IReadOnlyDictionary<string, double> ByOperation)
{
    public double Table => TableReads + TableWrites;
    public double Queue => QueueReads + QueueWrites;
    public double Total => Table + Queue;
    public double Writes => TableWrites + QueueWrites;

    // A queue receive changes state (hides the message, bumps its dequeue count): a write, as StorageMetrics counts it.
    private static readonly HashSet<string> Reads = new(StringComparer.Ordinal) { "table.get", "table.query", "queue.peek", "queue.count" };

    public static StorageSplit From(StorageMetricsSnapshot s, double per = 1)
    {
        double tr = 0, tw = 0, qr = 0, qw = 0;
        foreach (var (op, n) in s.ByOperation)
        {
            var read = Reads.Contains(op);
            if (op.StartsWith("table.", StringComparison.Ordinal)) { if (read) tr += n; else tw += n; }
            else { if (read) qr += n; else qw += n; }
        }
        return new StorageSplit(tr / per, tw / per, qr / per, qw / per, s.ByOperation.ToDictionary(p => p.Key, p => p.Value / per));
    }

    public JsonObject ToJson() => new()
    {
        ["total"] = R(Total), ["tableReads"] = R(TableReads), ["tableWrites"] = R(TableWrites), ["queueReads"] = R(QueueReads), ["queueWrites"] = R(QueueWrites),
        ["byOperation"] = new JsonObject(ByOperation.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)R(p.Value)))),
    };

    public string Short() =>
        $"{Report.F(Total, "0.#")} (table {Report.F(TableReads, "0.#")}r+{Report.F(TableWrites, "0.#")}w, queue {Report.F(QueueReads, "0.#")}r+{Report.F(QueueWrites, "0.#")}w)";

    private static double R(double v) => Math.Round(v, 3);
}
