using System.Diagnostics;
using System.Text.Json.Nodes;
using SwfServerless.Bench.Client;
using SwfServerless.Bench.Infra;

namespace SwfServerless.Bench.Suites;

/// <summary>Idle cost: storage requests per minute of one idle long poller, and of an app with nothing to do (its sweep, if any).</summary>
public static class IdleSuite
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        Console.WriteLine($"# Idle cost: {o.IdleSeconds} s, one idle long poller on app P; app S with no callers (its background work only)");
        await using var p = await InProcessApp.StartAsync(ctx.Connection, ctx.Prefix, ctx.AppSettings);
        await using var s = await InProcessApp.StartAsync(ctx.Connection, ctx.Prefix, ctx.AppSettings);
        using var client = new SwfClient(p.Url);
        var domain = await Workloads.NewDomainAsync(client, "idle");
        await Task.Delay(1000); // startup requests out of the window
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { await client.PollDecisionAsync(domain, "nobody-schedules-here", stop.Token); }
                catch (OperationCanceledException) { }
            }
        });
        await Task.Delay(200); // the poll is in
        var p0 = p.Metrics.Snapshot();
        var s0 = s.Metrics.Snapshot();
        var t0 = Clock.Now;
        await Task.Delay(TimeSpan.FromSeconds(o.IdleSeconds));
        var minutes = Clock.SinceMs(t0) / 60000;
        var pd = p.Metrics.Snapshot().Minus(p0);
        var sd = s.Metrics.Snapshot().Minus(s0);
        stop.Cancel();
        await poller;
        var perPoller = StorageSplit.From(pd, minutes);
        var sweep = StorageSplit.From(sd, minutes);
        ctx.Report.Section("idle", new JsonObject
        {
            ["seconds"] = o.IdleSeconds, ["longPollSeconds"] = 60,
            ["onePollerPerMinute"] = perPoller.ToJson(), ["appWithNothingDuePerMinute"] = sweep.ToJson(),
        });
        ctx.Report.Add(new Row("6 idle", "one idle long poller, storage requests/min", perPoller.Short(),
            Note: string.Join(" ", perPoller.ByOperation.Select(x => $"{x.Key}={Report.F(x.Value, "0")}")) + $"; measured over {o.IdleSeconds} s"));
        ctx.Report.Add(new Row("6 idle", "app with nothing due (sweep), storage requests/min", sweep.Short(),
            Note: sweep.Total == 0 ? "no background sweep in this build yet" : string.Join(" ", sweep.ByOperation.Select(x => $"{x.Key}={Report.F(x.Value, "0")}"))));
    }
}

/// <summary>Cold start: process start to the first answered SWF call, for each build the project ships.</summary>
public static class ColdStartSuite
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var builds = new List<(string Name, string Command, string[] Args)>();
        var fdd = Path.Combine(ctx.RepoRoot, "src", "SwfServerless.Server", "bin", o.Configuration, "net10.0", "SwfServerless.Server.dll");
        builds.Add(("framework-dependent (dotnet SwfServerless.Server.dll)", "dotnet", [fdd]));
        var json = new JsonObject();
        if (o.PublishSelfContained)
        {
            await PublishAsync("self-contained linux-x64 ReadyToRun", "linux-x64-r2r", "r2rPublishLog", ["--self-contained", "-p:PublishReadyToRun=true"]);
            // Native AOT needs a C toolchain (clang) to link: measured where one is installed (apt-get install clang zlib1g-dev).
            if (OnPath("clang") is null)
                ctx.Report.Add(new Row("7 cold start", "Native AOT linux-x64", "not available", Note: "no clang on PATH (apt-get install clang zlib1g-dev)"));
            else await PublishAsync("Native AOT linux-x64", "linux-x64-aot", "aotPublishLog", ["-p:PublishAot=true"]);
        }

        // Publishes the server into artifacts/bench/<folder> (not timed) and adds it to the builds, or reports why not.
        async Task PublishAsync(string name, string folder, string logKey, string[] properties)
        {
            var outDir = Path.Combine(ctx.RepoRoot, "artifacts", "bench", folder);
            Console.WriteLine($"# Publishing {name} to {outDir} (not timed)");
            var (ok, log) = await RunAsync("dotnet", ["publish", Path.Combine(ctx.RepoRoot, "src", "SwfServerless.Server"), "-c", "Release", "-r", "linux-x64",
                .. properties, "-o", outDir, "--nologo", "-v", "q"]);
            if (ok) builds.Add((name, Path.Combine(outDir, "SwfServerless.Server"), []));
            else
            {
                ctx.Report.Add(new Row("7 cold start", name, "not available", Note: "publish failed here"));
                json[logKey] = log[^Math.Min(log.Length, 2000)..];
            }
        }

        Console.WriteLine($"# Cold start: {o.ColdStartRuns} runs per build, interleaved");
        var samples = builds.ToDictionary(b => b.Name, _ => new List<double>());
        var rss = builds.ToDictionary(b => b.Name, _ => new List<double>());
        for (var run = 0; run < o.ColdStartRuns; run++)
        {
            foreach (var (name, command, args) in builds)
            {
                if (!File.Exists(command) && command != "dotnet") continue;
                if (command == "dotnet" && !File.Exists(args[0])) { Console.WriteLine($"  {args[0]} missing: build with -c {o.Configuration}"); continue; }
                await using var app = AppProcess.Start(command, args, ctx.Connection, ctx.Prefix);
                using var client = new SwfClient(app.Url);
                double ms = double.NaN;
                var deadline = Clock.Now + 30 * Stopwatch.Frequency;
                while (Clock.Now < deadline && !app.HasExited)
                {
                    try
                    {
                        await client.CallAsync("ListDomains", new JsonObject { ["registrationStatus"] = "REGISTERED", ["maximumPageSize"] = 1 });
                        ms = Clock.SinceMs(app.StartedAt);
                        break;
                    }
                    catch (HttpRequestException) { await Task.Delay(2); }
                }
                samples[name].Add(ms);
                rss[name].Add(ProcStats.StatusMiB(app.Pid, "VmRSS"));
                Console.WriteLine($"  {name}: {ms:0} ms");
            }
        }
        foreach (var (name, list) in samples)
        {
            if (list.Count == 0) continue;
            var d = Distribution.Of(list);
            json[name] = new JsonObject { ["ms"] = Report.ToJson(d), ["rssAfterFirstCallMiB"] = Report.N(Distribution.Median(rss[name]), 1) };
            ctx.Report.Add(new Row("7 cold start", name, $"{Report.F(d?.P50 ?? double.NaN, "0")} ms", "<= 300 ms", Report.AtMost(d?.P50 ?? double.NaN, 300),
                $"median of {list.Count} (min {Report.F(d?.Min ?? double.NaN, "0")}, max {Report.F(d?.Max ?? double.NaN, "0")}); process start → first ListDomains answer, tables already exist; RSS then {Report.F(Distribution.Median(rss[name]), "0")} MiB"));
        }
        ctx.Report.Section("coldStart", json);
    }

    private static string? OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    private static async Task<(bool Ok, string Log)> RunAsync(string command, string[] args)
    {
        var start = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode == 0, await stdout + await stderr);
    }
}

/// <summary>Peak RSS of the app as its own process (framework-dependent build) under a throughput run.</summary>
public static class MemorySuite
{
    public static async Task<ChainResult?> RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var dll = Path.Combine(ctx.RepoRoot, "src", "SwfServerless.Server", "bin", o.Configuration, "net10.0", "SwfServerless.Server.dll");
        if (!File.Exists(dll)) { ctx.Report.Add(new Row("8 memory", "peak RSS", "not available", Note: $"{dll} missing")); return null; }
        Console.WriteLine($"# Memory: app as its own process, {o.Workflows} workflows x {o.Steps} steps, W=D={o.MemoryWorkers}");
        // Its own Azurite unless shared storage was asked for (see BenchContext.FreshAsync).
        await using var storage = ctx.Options.SharedStorage || ctx.Options.Storage is not null ? null : await Azurite.StartAsync(ctx.RepoRoot);
        await using var app = await AppProcess.StartReadyAsync(dll, storage?.ConnectionString ?? ctx.Connection, ctx.Prefix);
        var idleRss = ProcStats.StatusMiB(app.Pid, "VmRSS");
        double peakSampled = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakSampled = Math.Max(peakSampled, ProcStats.StatusMiB(app.Pid, "VmRSS"));
                try { await Task.Delay(100, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var r = await Workloads.RunChainAsync(app.Url, o.Workflows, o.Steps, o.MemoryWorkers, o.MemoryWorkers, null, storage?.Pid ?? ctx.AzuritePid, app.Pid, TimeSpan.FromMinutes(5));
        var hwm = ProcStats.StatusMiB(app.Pid, "VmHWM");
        sampling.Cancel();
        await sampler;
        ctx.Report.Section("memory", new JsonObject
        {
            ["rssIdleMiB"] = Report.N(idleRss, 1), ["peakRssMiB"] = Report.N(hwm, 1), ["peakRssSampledMiB"] = Report.N(peakSampled, 1), ["run"] = r.ToJson(),
        });
        ctx.Report.Add(new Row("8 memory", $"peak RSS of the app process (W=D={o.MemoryWorkers}, N={o.Workflows})", $"{Report.F(hwm, "0")} MiB",
            Note: $"VmHWM; {Report.F(idleRss, "0")} MiB after the first call; the same run out of process: {Report.F(r.StepsPerSecond, "0.0")} steps/s, " +
                  $"app CPU {Report.F(r.AppCpuSeconds / Math.Max(1, r.Steps) * 1000, "0.0")} ms/step" +
                  (double.IsNaN(r.AzuriteCpuSeconds) ? "" : $", Azurite CPU {Report.F(r.AzuriteCpuSeconds / Math.Max(1, r.Steps) * 1000, "0.0")} ms/step")));
        return r;
    }
}
