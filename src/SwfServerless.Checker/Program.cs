using System.Diagnostics;
using Azure;
using SwfServerless.Checker;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage;

// swf-check: the consistency checker against a live store (README "Reliability"). Storage settings as the app reads
// them (environment or --Name=value): AzureWebJobsStorage (a connection string), or AzureWebJobsStorage__accountName /
// __tableServiceUri (+ __clientId) for managed identity; Swf__StoragePrefix. Read-only.
// Exit codes: 0 no violation, 1 violations, 2 usage or storage errors.

const string Usage = """
    usage: swf-check [--AzureWebJobsStorage=<connection string>] [--Swf:StoragePrefix=<prefix>] [--settle-seconds=<s>] [--progress-every=<n>]
      Storage and prefix also come from the environment as the app reads them (AzureWebJobsStorage, AzureWebJobsStorage__accountName,
      AzureWebJobsStorage__clientId, Swf__StoragePrefix). Exit: 0 consistent, 1 violations, 2 usage or storage error.
    """;

if (args.Any(a => a is "-h" or "--help"))
{
    Console.WriteLine(Usage);
    return 0;
}

// Options are --Name=value only; anything else is a usage error (exit 2), not a silent default.
string[] known = ["AzureWebJobsStorage", "Swf:StoragePrefix", "Swf__StoragePrefix", "settle-seconds", "progress-every"];
var bad = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) || !a.Contains('=')
    || !known.Any(k => a[2..a.IndexOf('=')].Equals(k, StringComparison.OrdinalIgnoreCase) || a[2..].StartsWith("AzureWebJobsStorage__", StringComparison.OrdinalIgnoreCase)));
IConfiguration config = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
if (bad is not null || !int.TryParse(config["settle-seconds"] ?? "300", out var settleSeconds) || !int.TryParse(config["progress-every"] ?? "1000", out var progressEvery))
{
    Console.Error.WriteLine($"swf-check: bad option {bad ?? "value"}\n{Usage}");
    return 2;
}

var prefix = config["Swf:StoragePrefix"] ?? new SwfOptions().StoragePrefix;
try
{
    using var clients = SwfServiceSetup.CreateStorageClients(config);
    var tables = new SwfTables(clients, prefix);
    Console.Error.WriteLine($"swf-check: checking the store with prefix '{prefix}' at {clients.Tables.Uri} (read-only)");

    // Progress on stderr every progressEvery executions or 10 s, whichever comes first.
    var clock = Stopwatch.StartNew();
    long lastShown = 0;
    var lastAt = TimeSpan.Zero;
    var progress = new Synchronous<CheckProgress>(p =>
    {
        if (p.Executions - lastShown < progressEvery && clock.Elapsed - lastAt < TimeSpan.FromSeconds(10)) return;
        (lastShown, lastAt) = (p.Executions, clock.Elapsed);
        Console.Error.WriteLine($"swf-check: {p.Executions} executions, {p.Events} events, {p.Rows} rows ({clock.Elapsed.TotalSeconds:F0} s)");
    });

    var report = await new ConsistencyChecker(tables).CheckAsync(new CheckOptions { Settle = TimeSpan.FromSeconds(settleSeconds) }, progress, CancellationToken.None);
    foreach (var row in report.Unrecognised) Console.WriteLine($"unrecognised {row.Table} {row.PartitionKey}/{row.RowKey}");
    foreach (var violation in report.Violations) Console.WriteLine($"violation {violation}");
    Console.WriteLine($"swf-check: {report.Summary()} in {clock.Elapsed.TotalSeconds:F1} s");
    return report.Violations.Count == 0 ? 0 : 1;
}
catch (RequestFailedException e) when (e.ErrorCode == "TableNotFound")
{
    Console.Error.WriteLine($"swf-check: no tables with the prefix '{prefix}' in this account ({e.Message.Split('\n')[0]})");
    return 2;
}
catch (Exception e) when (e is RequestFailedException or AggregateException or InvalidOperationException or FormatException or ArgumentException
                              or Azure.Identity.AuthenticationFailedException or Azure.Identity.CredentialUnavailableException)
{
    Console.Error.WriteLine($"swf-check: cannot read the store: {e.Message.Split('\n')[0]}");
    return 2;
}

/// <summary>Reports on the checker's own thread (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
internal sealed class Synchronous<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
