using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SwfServerless.Server;
using SwfServerless.Testing;

namespace SwfServerless.Reliability.Tests;

/// <summary>The settings every scenario's app instances share: one storage prefix, one access key, short waits.</summary>
public static class InstanceSettings
{
    public const string AccessKeyId = "AKIDRELIABILITY";
    public const string Secret = "reliability-secret";

    public static Dictionary<string, string?> For(string connection, string prefix) => new()
    {
        ["AzureWebJobsStorage"] = connection,
        ["Swf:StoragePrefix"] = prefix,
        ["Swf:AccessKeys:0:AccessKeyId"] = AccessKeyId,
        ["Swf:AccessKeys:0:SecretAccessKey"] = Secret,
        ["Swf:Throttling:Enabled"] = "false",
        ["Swf:TaskTokenKey"] = "cmVsaWFiaWxpdHktdGVzdC10YXNrLXRva2VuLWtleS0zMmI=",
        // Short waits so that what a crash leaves behind comes back within the scenario: long polls, the sweep,
        // the index repair and intent redelivery.
        ["Swf:LongPollSeconds"] = "5",
        ["Swf:SweepIntervalSeconds"] = "2",
        ["Swf:VisibilityRepairSeconds"] = "3",
        ["Swf:IntentVisibilitySeconds"] = "5",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:SwfServerless"] = "Warning",
    };

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitForPortAsync(int port, TimeSpan timeout, Func<bool> exited)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using (var client = new TcpClient())
            {
                try { await client.ConnectAsync(IPAddress.Loopback, port); return; }
                catch (SocketException) { }
            }
            if (exited()) throw new InvalidOperationException($"The app on port {port} exited before listening");
            if (clock.Elapsed > timeout) throw new TimeoutException($"The app did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// The standalone server as built (<c>src/SwfServerless.Server/bin/&lt;configuration&gt;/net10.0/SwfServerless.Server.dll</c>)
/// in its own process on a fixed 127.0.0.1 port, which it keeps across restarts; its output goes to a log file per run.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string?> settings;
    private readonly string logDirectory;
    private readonly int port;
    private Process? process;
    private StreamWriter? log;

    public ServerProcess(int index, Dictionary<string, string?> settings, string logDirectory)
    {
        Index = index;
        this.settings = settings;
        this.logDirectory = logDirectory;
        port = InstanceSettings.FreePort();
    }

    public int Index { get; }
    public string Url => $"http://127.0.0.1:{port}";
    public int Starts { get; private set; }

    /// <summary>Kills by the process itself at a test-only crash point, by point name.</summary>
    public ConcurrentDictionary<string, int> CrashPointKills { get; } = new();

    public bool HasExited => process is null || process.HasExited;

    /// <summary>Started and listening (set once its port accepts connections, cleared when it is killed).</summary>
    public bool Listening { get; private set; }

    public static string Dll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            var dll = RepoRoot.Path("src", "SwfServerless.Server", "bin", configuration, "net10.0", "SwfServerless.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the server first: dotnet build src/SwfServerless.Server -c {configuration}", dll);
        }
    }

    /// <summary>Starts the server and waits until it listens (its storage is initialised by then).</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(Url);
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        Starts++;
        log?.Dispose();
        log = new StreamWriter(Path.Combine(logDirectory, $"instance{Index}-run{Starts}.log")) { AutoFlush = true };
        var writer = log;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Log(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Log(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = process;
        await InstanceSettings.WaitForPortAsync(port, TimeSpan.FromSeconds(60), () => started.HasExited);
        Listening = true;
    }

    /// <summary>SIGKILL: no shutdown, no flush, connections reset mid-request.</summary>
    public async Task KillAsync()
    {
        Listening = false;
        if (process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
    }

    private void Log(StreamWriter writer, string? line)
    {
        if (line is null) return;
        const string marker = "TEST-ONLY crash point ";
        if (line.StartsWith(marker, StringComparison.Ordinal)) CrashPointKills.AddOrUpdate(line[marker.Length..].Split(':')[0], 1, (_, n) => n + 1);
        lock (writer)
        {
            try { writer.WriteLine(line); } catch (ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        log?.Dispose();
    }
}

/// <summary>The app in this process (where a test passes it services, e.g. storage clients with a fault policy), on its own port.</summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private InProcessServer(WebApplication app, string url) { this.app = app; Url = url; }

    public string Url { get; }

    /// <param name="logFile">Where this instance's log goes (what a stuck run went through), instead of the test's console.</param>
    public static async Task<InProcessServer> StartAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? configureServices,
        string? logFile = null)
    {
        var url = $"http://127.0.0.1:{InstanceSettings.FreePort()}";
        var app = SwfServer.Build(["--urls", url], settings, services =>
        {
            configureServices?.Invoke(services);
            if (logFile is not null) services.AddLogging(logging => logging.ClearProviders().AddProvider(new FileLoggerProvider(logFile)));
        });
        await app.StartAsync();
        return new InProcessServer(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await app.StopAsync(stop.Token); } catch (OperationCanceledException) { }
        await app.DisposeAsync();
    }
}

/// <summary>Log lines to a file, one per entry, with the time, level and category (an in-process instance's log).</summary>
public sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private readonly StreamWriter writer = new(path, append: false) { AutoFlush = true };

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (writer) writer.Dispose();
    }

    private void Write(string line)
    {
        lock (writer)
        {
            try { writer.WriteLine(line); } catch (ObjectDisposedException) { }
        }
    }

    private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
    }
}
