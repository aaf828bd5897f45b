using System.Globalization;

namespace SwfServerless.Bench;

/// <summary>Command line. Suites set defaults; any flag overrides them.</summary>
public sealed class BenchOptions
{
    public string Suite { get; set; } = "standard";
    /// <summary>Run against this storage instead of starting a private Azurite.</summary>
    public string? Storage { get; set; }
    /// <summary>Drive an app that is already running (no in-process counters: storage and cross-instance parts are skipped).</summary>
    public string? Endpoint { get; set; }
    public string? Out { get; set; }
    public string Configuration { get; set; } = "Release";
    /// <summary>Throughput, fan-out and memory runs share one Azurite instead of a fresh one each.</summary>
    public bool SharedStorage { get; set; }
    public HashSet<string> Only { get; } = new(StringComparer.OrdinalIgnoreCase);
    public HashSet<string> Skip { get; } = new(StringComparer.OrdinalIgnoreCase);

    public int Runs { get; set; } = 3;
    public int Workflows { get; set; } = 100;
    public int Steps { get; set; } = 5;
    public int[] Sweep { get; set; } = [1, 4, 16, 64];
    /// <summary>Cap on workflows for the W/D=1 point (sequential polling makes it the slowest).</summary>
    public int WorkflowsAtOne { get; set; } = 50;

    /// <summary>Compare mode: workflows run (W=D=16, not timed) on each fresh app before the timed run, so that its JIT is paid.</summary>
    public int CompareWarmup { get; set; } = 2;

    /// <summary>
    /// Compare mode: the CPUs the app runs on (<c>taskset -c</c>), e.g. "1" while the bench and Azurite run on CPU 0: the
    /// deployment's shape, a Flex Consumption instance of 2,048 MB having one core of its own, storage elsewhere.
    /// </summary>
    public string? AppCpus { get; set; }
    public int[] FanOutSizes { get; set; } = [100, 500];
    public int FanOutWorkers { get; set; } = 16;
    public int FanOutRuns { get; set; } = 2;
    public int FanOutBoundSeconds { get; set; } = 120;
    /// <summary>The big cases (part "big"): activities in one decision, and events in one history.</summary>
    public int BigFanOut { get; set; } = 1000;
    public int BigHistory { get; set; } = 25_000;
    public int DispatchSamples { get; set; } = 20;
    /// <summary>How long a poller has been waiting when the scheduling call is made (plus 0-50% random).</summary>
    public int DispatchWaitMs { get; set; } = 1000;
    public int Timers { get; set; } = 500;
    public int TimersPerWorkflow { get; set; } = 10;
    public int TimerMaxSeconds { get; set; } = 10;
    /// <summary>How long to wait past the last due time for TimerFired before reporting "not available".</summary>
    public int TimerGraceSeconds { get; set; } = 15;
    public int DownSeconds { get; set; } = 30;
    public int IdleSeconds { get; set; } = 30;
    public int ColdStartRuns { get; set; } = 5;
    public bool PublishSelfContained { get; set; } = true;
    public double CeilingSeconds { get; set; } = 5;
    public int CeilingConcurrency { get; set; } = 16;
    public int MemoryWorkers { get; set; } = 16;
    public int SequentialWorkflows { get; set; } = 5;
    /// <summary>Two builds of the app (directories holding SwfServerless.Server.dll, or the dlls): before and after.</summary>
    public string[]? Compare { get; set; }

    public bool Runs_(string part) => (Only.Count == 0 || Only.Contains(part)) && !Skip.Contains(part);

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        var suite = Value(args, "--suite") ?? "standard";
        o.Suite = suite;
        switch (suite)
        {
            case "standard": break;
            case "smoke":
                // Seconds, not minutes: one workflow, one step, each part exercised once (scripts/test.sh).
                o.Runs = 1; o.Workflows = 1; o.Steps = 1; o.Sweep = [1]; o.WorkflowsAtOne = 1; o.FanOutSizes = [3]; o.FanOutWorkers = 2; o.FanOutRuns = 1;
                o.DispatchSamples = 1; o.DispatchWaitMs = 100; o.Timers = 2; o.TimersPerWorkflow = 2; o.TimerMaxSeconds = 1; o.TimerGraceSeconds = 1; o.DownSeconds = 1;
                o.IdleSeconds = 1; o.ColdStartRuns = 1; o.PublishSelfContained = false; o.CeilingSeconds = 0.3; o.CeilingConcurrency = 2;
                o.MemoryWorkers = 1; o.SequentialWorkflows = 1; o.SharedStorage = true; o.BigFanOut = 5; o.BigHistory = 1_050;
                o.Skip.Add("memory"); o.Skip.Add("big");
                break;
            case "full":
                o.Runs = 5; o.DispatchSamples = 50; o.FanOutBoundSeconds = 600; o.IdleSeconds = 60; o.ColdStartRuns = 10; o.CeilingSeconds = 10; o.FanOutRuns = 3;
                break;
            default: throw new ArgumentException($"Unknown suite '{suite}': standard, full or smoke.");
        }
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--suite": i++; break;
                case "--storage": o.Storage = Next(); break;
                case "--endpoint": o.Endpoint = Next(); break;
                case "--out": o.Out = Next(); break;
                case "--configuration": o.Configuration = Next(); break;
                case "--shared-storage": o.SharedStorage = true; break;
                case "--only": foreach (var p in Next().Split(',')) o.Only.Add(p.Trim()); break;
                case "--skip": foreach (var p in Next().Split(',')) o.Skip.Add(p.Trim()); break;
                case "--runs": o.Runs = Int(); break;
                case "--workflows": o.Workflows = Int(); break;
                case "--steps": o.Steps = Int(); break;
                case "--sweep": o.Sweep = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--workflows-at-one": o.WorkflowsAtOne = Int(); break;
                case "--warmup": o.CompareWarmup = Int(); break;
                case "--app-cpus": o.AppCpus = Next(); break;
                case "--fanout": o.FanOutSizes = Next().Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--fanout-workers": o.FanOutWorkers = Int(); break;
                case "--fanout-runs": o.FanOutRuns = Int(); break;
                case "--fanout-bound": o.FanOutBoundSeconds = Int(); break;
                case "--big-fanout": o.BigFanOut = Int(); break;
                case "--big-history": o.BigHistory = Int(); break;
                case "--dispatch-samples": o.DispatchSamples = Int(); break;
                case "--dispatch-wait-ms": o.DispatchWaitMs = Int(); break;
                case "--timers": o.Timers = Int(); break;
                case "--timer-max": o.TimerMaxSeconds = Int(); break;
                case "--timer-grace": o.TimerGraceSeconds = Int(); break;
                case "--down": o.DownSeconds = Int(); break;
                case "--idle": o.IdleSeconds = Int(); break;
                case "--cold-runs": o.ColdStartRuns = Int(); break;
                case "--no-publish": o.PublishSelfContained = false; break;
                case "--ceiling-seconds": o.CeilingSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--ceiling-concurrency": o.CeilingConcurrency = Int(); break;
                case "--memory-workers": o.MemoryWorkers = Int(); break;
                case "--compare":
                    o.Compare = Next().Split(',');
                    if (o.Compare.Length != 2) throw new ArgumentException("--compare needs two builds: <before>,<after>");
                    break;
                case "-h" or "--help": throw new ArgumentException("help");
                default: throw new ArgumentException($"Unknown option {args[i]}");
            }
        }
        // A compare run is its own thing: only the parts asked for by name run beside it.
        if (o.Compare is not null && o.Only.Count == 0) o.Only.Add("compare");
        return o;
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public const string Usage = """
        dotnet run -c Release --project bench -- [--suite standard|full|smoke] [options]
          --storage <conn>      use this storage account instead of starting a private Azurite
          --endpoint <url>      drive an already running app (storage counters, cross-instance and restart parts are skipped)
          --shared-storage      one Azurite for everything (default: a fresh Azurite + app per throughput/fan-out/memory run)
          --out <file.json>     where to write the JSON (default bench/results/<UTC date-time>.json)
          --only a,b / --skip a,b   parts: ceiling, storage, throughput, fanout, big, dispatch, timers, idle, coldstart, memory
          --big-fanout F  --big-history H   the big part: F activities in one decision, a history of H events (app as its own process)
          --runs N  --workflows N  --steps K  --sweep 1,4,16,64  --workflows-at-one N
          --fanout 100,500  --fanout-workers W  --dispatch-samples N  --dispatch-wait-ms MS  --timers N  --timer-max S  --down S  --idle S
          --cold-runs N  --no-publish  --ceiling-seconds S  --ceiling-concurrency C  --memory-workers W
          --compare <before>,<after>   the chain workload against two builds (dirs with SwfServerless.Server.dll), interleaved;
                                uses --runs, --workflows, --steps, --sweep (scripts/bench-compare.sh builds the "before" commit);
                                --warmup N runs N workflows untimed on each fresh app first (default 2; 200 measures a warm app);
                                --app-cpus 1 runs each app on CPU 1 only (taskset); run the bench itself under `taskset -c 0`
        """;
}
