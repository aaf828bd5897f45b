using System.Globalization;
using System.Text.Json.Nodes;
using SwfServerless.Bench.Infra;

namespace SwfServerless.Bench.Suites;

/// <summary>
/// The same activity-chain workload against two builds of the app (each `SwfServerless.Server.dll` as its own process,
/// a fresh Azurite per run), interleaved: run 1 of before then after at every W=D, then run 2, ... so the machine's
/// noise falls on both alike. Prints every figure as it comes, then medians side by side and the ratio after/before.
/// Out of process the app's storage counters are not visible; its CPU and peak memory are (/proc).
/// </summary>
public static class CompareSuite
{
    private sealed record Sample(double StepsPerSecond, double AppCpuMsPerStep, double AzuriteCpuMsPerStep, double PeakRssMiB, bool Complete);

    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var builds = new[] { ("before", Dll(o.Compare![0])), ("after", Dll(o.Compare[1])) };
        foreach (var (name, dll) in builds)
            if (!File.Exists(dll)) throw new ArgumentException($"--compare: the {name} build {dll} does not exist (dotnet build its src/SwfServerless.Server -c Release)");
        Console.WriteLine($"# Compare: {o.Workflows} workflows x {o.Steps} steps, W=D in [{string.Join(",", o.Sweep)}], {o.Runs} runs, " +
                          $"{o.CompareWarmup} warm-up workflows per app, before then after each time" +
                          (o.AppCpus is null ? "" : $", each app on CPU {o.AppCpus} only (this process: CPUs {string.Join(",", AllowedCpus())})"));
        foreach (var (name, dll) in builds) Console.WriteLine($"  {name}: {dll}");

        var samples = new Dictionary<(int, string), List<Sample>>();
        for (var run = 1; run <= o.Runs; run++)
        {
            foreach (var p in o.Sweep)
            {
                var n = p == 1 ? Math.Min(o.Workflows, o.WorkflowsAtOne) : o.Workflows;
                foreach (var (name, dll) in builds)
                {
                    var s = await RunOnceAsync(ctx, dll, n, p);
                    (samples.TryGetValue((p, name), out var list) ? list : samples[(p, name)] = []).Add(s);
                    Console.WriteLine($"  run {run} W=D={p} N={n} {name}: {s.StepsPerSecond:0.0} steps/s, app CPU {s.AppCpuMsPerStep:0.00} ms/step, " +
                                      $"Azurite CPU {s.AzuriteCpuMsPerStep:0.00} ms/step, peak RSS {s.PeakRssMiB:0} MiB" + (s.Complete ? "" : " (hit the time bound)"));
                }
            }
        }

        var json = new JsonObject
        {
            ["before"] = builds[0].Item2, ["after"] = builds[1].Item2, ["appCpus"] = o.AppCpus, ["runs"] = o.Runs, ["workflows"] = o.Workflows, ["steps"] = o.Steps,
            ["warmup"] = o.CompareWarmup,
        };
        var points = new JsonArray();
        foreach (var p in o.Sweep)
        {
            var before = samples[(p, "before")];
            var after = samples[(p, "after")];
            double M(List<Sample> l, Func<Sample, double> f) => Distribution.Median(l.Select(f));
            string Figures(List<Sample> l) => string.Join(" ", l.Select(s => s.StepsPerSecond.ToString("0.0", CultureInfo.InvariantCulture)));
            var sb = M(before, s => s.StepsPerSecond);
            var sa = M(after, s => s.StepsPerSecond);
            points.Add(new JsonObject
            {
                ["parallelism"] = p,
                ["before"] = ToJson(before), ["after"] = ToJson(after),
                ["medianStepsPerSecond"] = new JsonObject { ["before"] = Report.N(sb, 2), ["after"] = Report.N(sa, 2), ["ratio"] = Report.N(sa / sb, 3) },
            });
            ctx.Report.Add(new Row("4 compare", $"W=D={p}: steps/s before | after", $"{Report.F(sb, "0.0")} | {Report.F(sa, "0.0")}", "after >= 2x before (W=D=16)",
                $"{Report.F(sa / sb, "0.00")}x",
                $"medians of {before.Count}; before {Figures(before)}; after {Figures(after)}; app CPU ms/step " +
                $"{Report.F(M(before, s => s.AppCpuMsPerStep), "0.00")} | {Report.F(M(after, s => s.AppCpuMsPerStep), "0.00")}; Azurite CPU ms/step " +
                $"{Report.F(M(before, s => s.AzuriteCpuMsPerStep), "0.00")} | {Report.F(M(after, s => s.AzuriteCpuMsPerStep), "0.00")}; peak RSS MiB " +
                $"{Report.F(M(before, s => s.PeakRssMiB), "0")} | {Report.F(M(after, s => s.PeakRssMiB), "0")}"));
        }
        json["points"] = points;
        ctx.Report.Section("compare", json);
    }

    /// <summary>The CPUs this process may run on (Cpus_allowed_list in /proc), as the report states them.</summary>
    private static string[] AllowedCpus() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))?.Split(':')[1].Trim().Split(',') ?? ["?"];

    /// <summary>A directory holding SwfServerless.Server.dll, or the dll itself.</summary>
    private static string Dll(string path) => Directory.Exists(path) ? Path.Combine(path, "SwfServerless.Server.dll") : path;

    private static async Task<Sample> RunOnceAsync(BenchContext ctx, string dll, int n, int p)
    {
        await using var storage = await Azurite.StartAsync(ctx.RepoRoot);
        await using var app = await AppProcess.StartReadyAsync(dll, storage.ConnectionString, ctx.Prefix, ctx.Options.AppCpus);
        // Warm-up, not timed: the first calls of each operation pay for JIT, which a long-running app has long paid. Two
        // workflows JIT each operation once; a few hundred (--warmup) also let the hot methods reach their tier-1 code.
        var warmup = Math.Max(1, ctx.Options.CompareWarmup);
        var pollers = warmup > 2 ? 16 : 1;
        await Workloads.RunChainAsync(app.Url, warmup, ctx.Options.Steps, pollers, pollers, null, null, null, TimeSpan.FromMinutes(5));
        var r = await Workloads.RunChainAsync(app.Url, n, ctx.Options.Steps, p, p, null, storage.Pid, app.Pid, TimeSpan.FromMinutes(5));
        var steps = Math.Max(1, r.Steps);
        return new Sample(r.StepsPerSecond, r.AppCpuSeconds / steps * 1000, r.AzuriteCpuSeconds / steps * 1000, ProcStats.StatusMiB(app.Pid, "VmHWM"), r.Complete);
    }

    private static JsonArray ToJson(List<Sample> samples) => new(samples.Select(s => (JsonNode)new JsonObject
    {
        ["stepsPerSecond"] = Report.N(s.StepsPerSecond, 2), ["appCpuMsPerStep"] = Report.N(s.AppCpuMsPerStep, 3),
        ["azuriteCpuMsPerStep"] = Report.N(s.AzuriteCpuMsPerStep, 3), ["peakRssMiB"] = Report.N(s.PeakRssMiB, 1), ["complete"] = s.Complete,
    }).ToArray());
}
