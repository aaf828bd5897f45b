using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SwfServerless.Bench.Infra;

/// <summary>
/// The storage the bench runs against: a private Azurite from the repo's node_modules (data on /dev/shm, like
/// scripts/test.sh), or an existing account given by connection string (then <see cref="Pid"/> is null and
/// Azurite's own CPU time is not reported).
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private Process? process;
    private string? location;

    public string ConnectionString { get; private set; } = "";
    public int? Pid => process?.Id;
    public string Version { get; private set; } = "external";

    public static Azurite External(string connectionString) => new() { ConnectionString = connectionString };

    public static async Task<Azurite> StartAsync(string repoRoot)
    {
        var script = Path.Combine(repoRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
            throw new InvalidOperationException($"{script} not found: run `npm ci` in {repoRoot}, or pass --storage <connection string>.");
        var a = new Azurite();
        var ports = Ports.Free(3);
        var tmp = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        a.location = Path.Combine(tmp, "swf-bench-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(a.location);
        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // Persistent (not --inMemoryPersistence, which stalls under sustained queue traffic), on tmpfs.
        foreach (var arg in new[]
                 {
                     script, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--location", a.location,
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", ports[0].ToString(), "--queuePort", ports[1].ToString(), "--tablePort", ports[2].ToString(),
                 }) start.ArgumentList.Add(arg);
        a.process = Process.Start(start)!;
        a.process.OutputDataReceived += (_, _) => { };
        a.process.ErrorDataReceived += (_, _) => { };
        a.process.BeginOutputReadLine();
        a.process.BeginErrorReadLine();
        foreach (var port in ports) await Ports.WaitAsync(port, TimeSpan.FromSeconds(30), "Azurite");
        a.ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
                             $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;" +
                             $"TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
        try
        {
            var pkg = Path.Combine(repoRoot, "node_modules", "azurite", "package.json");
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(pkg));
            a.Version = doc.RootElement.GetProperty("version").GetString() ?? "?";
        }
        catch (Exception) { a.Version = "?"; }
        return a;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process?.Dispose();
        if (location is not null) { try { Directory.Delete(location, true); } catch (IOException) { } }
    }
}

public static class Ports
{
    /// <summary>Distinct free loopback ports (all listeners open until all are known).</summary>
    public static int[] Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var l in listeners) l.Start();
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally { foreach (var l in listeners) l.Stop(); }
    }

    public static async Task WaitAsync(int port, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            using var c = new TcpClient();
            try { await c.ConnectAsync(IPAddress.Loopback, port); return; }
            catch (SocketException) { }
            if (sw.Elapsed > timeout) throw new TimeoutException($"{what} did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}

/// <summary>What /proc says about a process: CPU seconds used and resident memory.</summary>
public static class ProcStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>utime + stime in seconds, or NaN when the process or /proc is not there.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond; // fields 14 and 15 of stat
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return double.NaN; }
    }

    /// <summary>A field of /proc/pid/status in MiB (VmRSS, VmHWM), or NaN.</summary>
    public static double StatusMiB(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]) / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return double.NaN;
    }
}
