using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Bench.Infra;
using SwfServerless.Bench.Suites;

namespace SwfServerless.Bench;

/// <summary>What the suites share: options, storage, the in-process apps, the report.</summary>
public sealed class BenchContext(BenchOptions options, string repoRoot, Azurite azurite) : IAsyncDisposable
{
    private InProcessApp? appA;
    private InProcessApp? appB;

    public BenchOptions Options { get; } = options;
    public string RepoRoot { get; } = repoRoot;
    public Report Report { get; } = new();
    public string Connection => azurite.ConnectionString;
    public int? AzuritePid => azurite.Pid;
    public string Prefix { get; } = "bench" + Guid.NewGuid().ToString("N")[..6];
    /// <summary>Production defaults (60 s long polls, 400 ms poll interval): the bench measures the app as shipped.</summary>
    public Dictionary<string, string?> AppSettings { get; } = new();
    public bool CanHostInProcess => Options.Endpoint is null;

    public async Task<InProcessApp> AppAsync() => appA ??= await InProcessApp.StartAsync(Connection, Prefix, AppSettings);

    /// <summary>A second instance on the same storage and StoragePrefix (cross-instance dispatch).</summary>
    public async Task<InProcessApp> SecondAppAsync() => appB ??= await InProcessApp.StartAsync(Connection, Prefix, AppSettings);

    public async Task StopSecondAppAsync()
    {
        if (appB is not null) await appB.DisposeAsync();
        appB = null;
    }

    public async Task<string> EndpointAsync() => Options.Endpoint ?? (await AppAsync()).Url;

    /// <summary>
    /// Azurite slows down as its data grows (its CPU per request roughly doubles over the standard suite), which
    /// Azure Table Storage does not. Runs that compare numbers therefore get a private Azurite and a new app each
    /// (unless --shared-storage, --storage or --endpoint); the shared pair otherwise.
    /// </summary>
    public async Task<Lease> FreshAsync()
    {
        if (!CanHostInProcess) return new Lease(Options.Endpoint!, null, AzuritePid, Connection, null, null);
        if (Options.SharedStorage || Options.Storage is not null)
        {
            var shared = await AppAsync();
            return new Lease(shared.Url, shared.Metrics.Snapshot, AzuritePid, Connection, null, null);
        }
        var storage = await Azurite.StartAsync(RepoRoot);
        var app = await InProcessApp.StartAsync(storage.ConnectionString, Prefix, AppSettings);
        return new Lease(app.Url, app.Metrics.Snapshot, storage.Pid, storage.ConnectionString, app, storage);
    }

    /// <summary>Storage and app for one run; disposing stops what was started for it.</summary>
    public sealed record Lease(string Url, Func<StorageMetricsSnapshot>? Metrics, int? AzuritePid, string Connection, InProcessApp? App, Azurite? Storage) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (App is not null) await App.DisposeAsync();
            if (Storage is not null) await Storage.DisposeAsync();
        }
    }

    /// <summary>App A's storage counters; null when driving an external endpoint.</summary>
    public Func<StorageMetricsSnapshot>? MetricsSnapshot => appA is null ? null : appA.Metrics.Snapshot;

    public async ValueTask DisposeAsync()
    {
        await StopSecondAppAsync();
        if (appA is not null) await appA.DisposeAsync();
    }
}

public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        BenchOptions o;
        try { o = BenchOptions.Parse(args); }
        catch (ArgumentException e)
        {
            if (e.Message != "help") Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return e.Message == "help" ? 0 : 2;
        }
        var root = FindRepoRoot();
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        await using var azurite = o.Storage is not null ? Azurite.External(o.Storage) : await Azurite.StartAsync(root);
        await using var ctx = new BenchContext(o, root, azurite);
        var r = ctx.Report;
        r.Section("run", Describe(o, root, started, azurite));
        Console.WriteLine($"SwfServerless bench, suite {o.Suite}, commit {Git(root, "rev-parse --short HEAD")}, {Environment.ProcessorCount} cores");

        CeilingSuite.Ceiling? ceiling = null;
        StorageProfileSuite.Profile? profile = null;
        List<ThroughputSuite.Point>? throughput = null;
        if (o.Runs_("ceiling")) ceiling = await CeilingSuite.RunAsync(ctx);
        if (o.Runs_("storage") && ctx.CanHostInProcess) profile = await StorageProfileSuite.RunAsync(ctx);
        if (o.Runs_("dispatch")) await DispatchSuite.RunAsync(ctx);
        if (o.Runs_("timers")) await TimerSuite.RunAsync(ctx);
        if (o.Runs_("idle") && ctx.CanHostInProcess) await IdleSuite.RunAsync(ctx);
        if (o.Runs_("throughput")) throughput = await ThroughputSuite.RunAsync(ctx);
        if (o.Runs_("fanout")) await FanOutSuite.RunAsync(ctx);
        if (o.Runs_("big") && ctx.CanHostInProcess) await BigSuite.RunAsync(ctx);
        if (o.Runs_("memory") && ctx.CanHostInProcess) await MemorySuite.RunAsync(ctx);
        if (o.Runs_("coldstart") && ctx.CanHostInProcess) await ColdStartSuite.RunAsync(ctx);
        if (o.Compare is not null && o.Runs_("compare")) await CompareSuite.RunAsync(ctx);
        Targets(ctx, ceiling, profile, throughput);

        r.Json["run"]!["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1);
        var path = o.Out ?? Path.Combine(root, "bench", "results", started.ToString("yyyy-MM-dd'T'HHmmss'Z'") + ".json");
        r.Write(path);
        Console.WriteLine();
        Console.WriteLine(r.Table());
        Console.WriteLine($"Wrote {path} (+ .md) in {total.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    /// <summary>Throughput against Azurite's ceiling, and the cost per million steps against SWF's list price.</summary>
    private static void Targets(BenchContext ctx, CeilingSuite.Ceiling? ceiling, StorageProfileSuite.Profile? profile, List<ThroughputSuite.Point>? points)
    {
        var r = ctx.Report;
        var best = points?.Where(p => !double.IsNaN(p.StepsPerSecond)).MaxBy(p => p.StepsPerSecond);
        var json = new JsonObject();
        if (best?.StoragePerStep is { } loaded)
            r.Add(new Row("5 storage per step", $"under load (W=D={best.Parallelism}, pollers waiting, incl. empty polls)", loaded.Short(), "<= 8", Report.AtMost(loaded.Total, 8)));

        if (ceiling is not null && profile is not null && best is not null)
        {
            // Durable writes: what changes stored data; a queue receive only hides a message, so it is left out here.
            var durable = profile.PerStep.Writes - profile.PerStep.ByOperation.GetValueOrDefault("queue.get");
            var target = 0.5 * ceiling.SingleWrites / durable;
            // A fuller model: every request of a step at the rate Azurite serves its kind alone.
            var seconds = profile.PerStep.ByOperation.Sum(p => p.Value / p.Key switch
            {
                "table.batch" => ceiling.Batches3,
                "table.get" or "table.query" => ceiling.PointReads,
                var k when k.StartsWith("table.", StringComparison.Ordinal) => ceiling.SingleWrites,
                _ => ceiling.QueueCycles * 3,
            });
            json["durableWritesPerStep"] = Report.N(durable, 2);
            json["throughputTarget"] = Report.N(target, 1);
            json["modelledAzuriteBoundStepsPerSecond"] = Report.N(1 / seconds, 1);
            r.Add(new Row("1 throughput", $"best steps/s (W=D={best.Parallelism}) vs 50% of Azurite write ceiling / durable writes per step",
                Report.F(best.StepsPerSecond, "0.0"), $">= {Report.F(target, "0.0")} (0.5 x {Report.F(ceiling.SingleWrites, "0")} / {Report.F(durable, "0.0")})",
                Report.AtLeast(best.StepsPerSecond, target),
                $"if Azurite served only this mix of requests (each kind at its measured rate): {Report.F(1 / seconds, "0")} steps/s"));
        }

        if (best is not null)
        {
            var storage = best.StoragePerStep ?? profile?.PerStep;
            var k = ctx.Options.Steps;
            var swf = 2 * Prices.SwfTask.Usd + Prices.SwfExecutionStarted.Usd / k;
            var swfGov = 2 * Prices.SwfGovCloudTask.Usd + Prices.SwfGovCloudExecutionStarted.Usd / k;
            var table = (storage?.Table ?? double.NaN) * Prices.TableTransaction.Usd;
            var queue = (storage?.Queue ?? double.NaN) * Prices.QueueOperation.Usd;
            var executions = best.CallsPerStep * Prices.FlexExecution.Usd;
            // On demand, an instance is billed for its memory the whole time any execution runs on it; long polls keep
            // one running, so a busy instance is billed all the time: GB-s per step = instance GB / steps per second.
            var gbs = Prices.FlexInstanceGb / best.StepsPerSecond * Prices.FlexGbSecond.Usd;
            var azure = table + queue + executions + gbs;
            const double M = 1_000_000;
            json["costPerMillionSteps"] = new JsonObject
            {
                ["assumptions"] = $"steps of the W=D={best.Parallelism} run (storage and SWF calls per step as measured there, incl. empty polls); " +
                                  $"one {Prices.FlexInstanceGb} GB Flex instance busy all the time at the measured {Report.F(best.StepsPerSecond, "0.0")} steps/s; " +
                                  $"SWF: 2 tasks per step + 1 execution per {k} steps; free grants ignored",
                ["azureTable"] = Report.N(table * M, 4), ["azureQueue"] = Report.N(queue * M, 4), ["flexExecutions"] = Report.N(executions * M, 4),
                ["flexGbSeconds"] = Report.N(gbs * M, 4), ["azureTotal"] = Report.N(azure * M, 4),
                ["swf"] = Report.N(swf * M, 4), ["swfGovCloud"] = Report.N(swfGov * M, 4), ["ratio"] = Report.N(azure / swf, 5),
                ["prices"] = new JsonObject(Prices.All.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)new JsonObject
                {
                    ["usd"] = p.Price.Usd, ["per"] = p.Price.Per, ["source"] = p.Price.Source, ["confirmed"] = p.Price.Confirmed,
                }))),
            };
            r.Add(new Row("9 cost", "per million activity steps: Azure | Amazon SWF", $"${Report.F(azure * M, "0.00")} | ${Report.F(swf * M, "0.00")}",
                "<= 1/20 of SWF", Report.AtMost(azure / swf, 1.0 / 20),
                $"table ${Report.F(table * M, "0.00")}, queue ${Report.F(queue * M, "0.00")}, executions ${Report.F(executions * M, "0.00")} " +
                $"({Report.F(best.CallsPerStep, "0.0")} calls/step), GB-s ${Report.F(gbs * M, "0.00")} ({Prices.FlexInstanceGb} GB at {Report.F(best.StepsPerSecond, "0")} steps/s); " +
                $"SWF GovCloud ${Report.F(swfGov * M, "0.00")}; some prices unconfirmed, see Prices.cs"));
            var idleDay = Prices.FlexInstanceGb * 86400 * Prices.FlexGbSecond.Usd;
            json["idleInstanceUsdPerDay"] = Math.Round(idleDay, 3);
            r.Add(new Row("9 cost", "an idle instance with a waiting long poller, per day", $"${Report.F(idleDay, "0.00")}",
                Note: $"{Prices.FlexInstanceGb} GB x 86,400 s: a long poll is an execution, so on demand the instance is billed while it waits (SWF: $0)"));
        }
        r.Section("targets", json);
    }

    private static JsonObject Describe(BenchOptions o, string root, DateTimeOffset started, Azurite azurite)
    {
        var cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
        var mem = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault()?.Split(':', 2)[1].Trim() : null;
        return new JsonObject
        {
            ["suite"] = o.Suite, ["startedUtc"] = started.ToString("O"),
            ["commit"] = Git(root, "rev-parse HEAD"), ["dirty"] = Git(root, "status --porcelain --untracked-files=no").Length > 0,
            ["machine"] = new JsonObject
            {
                ["cpu"] = cpu, ["cores"] = Environment.ProcessorCount, ["memory"] = mem, ["os"] = RuntimeInformation.OSDescription,
                ["dotnet"] = RuntimeInformation.FrameworkDescription, ["serverGc"] = System.Runtime.GCSettings.IsServerGC,
            },
            ["azurite"] = azurite.Version, ["storage"] = o.Storage is null ? "private Azurite on tmpfs" : "external",
            ["endpoint"] = o.Endpoint ?? "in-process apps (SwfServer.Build) on 127.0.0.1",
            ["options"] = new JsonObject
            {
                ["runs"] = o.Runs, ["workflows"] = o.Workflows, ["steps"] = o.Steps, ["sweep"] = string.Join(",", o.Sweep), ["workflowsAtOne"] = o.WorkflowsAtOne,
                ["fanOut"] = string.Join(",", o.FanOutSizes), ["fanOutWorkers"] = o.FanOutWorkers, ["dispatchSamples"] = o.DispatchSamples, ["dispatchWaitMs"] = o.DispatchWaitMs,
                ["timers"] = o.Timers, ["downSeconds"] = o.DownSeconds, ["idleSeconds"] = o.IdleSeconds, ["coldStartRuns"] = o.ColdStartRuns,
            },
        };
    }

    public static string Git(string root, string args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
            foreach (var a in args.Split(' ')) start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            var text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown"; }
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SwfServerless.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run the bench from inside the SwfServerless repository.");
    }
}
