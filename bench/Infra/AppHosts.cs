using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Service.Executions;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Server;

namespace SwfServerless.Bench.Infra;

/// <summary>
/// The app in this process (SwfServer.Build on a real Kestrel port), so the bench can read its storage counters:
/// StorageClients is a DI singleton and owns the StorageMetrics every table and queue request is counted in.
/// </summary>
public sealed class InProcessApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private InProcessApp(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
        Metrics = app.Services.GetRequiredService<StorageClients>().Metrics;
    }

    public string Url { get; }
    public StorageMetrics Metrics { get; }

    /// <summary>Since start: tasks started for a poller waiting here by their scheduling commit, and tasks queued here and
    /// handed to a poller here without a receive (<see cref="TaskDispatch"/>'s counters).</summary>
    public (long Matched, long HandedOver) Dispatch
    {
        get
        {
            var dispatch = app.Services.GetRequiredService<TaskDispatch>();
            return (dispatch.Matched, dispatch.HandedOver);
        }
    }

    public static async Task<InProcessApp> StartAsync(string connection, string prefix, IDictionary<string, string?>? extra = null)
    {
        var url = $"http://127.0.0.1:{Ports.Free(1)[0]}";
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connection,
            ["Swf:StoragePrefix"] = prefix,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:SwfServerless.Auth"] = "Error", // "no access keys configured": the bench runs unsigned on purpose
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        var app = SwfServer.Build(["--urls", url], settings);
        await app.StartAsync();
        return new InProcessApp(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await app.StopAsync(stop.Token); } catch (OperationCanceledException) { }
        await app.DisposeAsync();
    }
}

/// <summary>
/// The app as its own process (a build the project ships: `dotnet SwfServerless.Server.dll` or a self-contained publish),
/// for cold start and peak RSS. Storage counters are not visible from here.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process process;

    private AppProcess(Process process, string url, long startedAt)
    {
        this.process = process;
        Url = url;
        StartedAt = startedAt;
    }

    public string Url { get; }
    public int Pid => process.Id;
    public long StartedAt { get; }

    /// <summary>Starts the app: <paramref name="command"/> is the executable, <paramref name="args"/> come before --urls.</summary>
    public static AppProcess Start(string command, IEnumerable<string> args, string connection, string prefix)
    {
        var url = $"http://127.0.0.1:{Ports.Free(1)[0]}";
        var start = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.Environment["AzureWebJobsStorage"] = connection;
        start.Environment["Swf__StoragePrefix"] = prefix;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__SwfServerless.Auth"] = "Error";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var startedAt = Clock.Now;
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new AppProcess(p, url, startedAt);
    }

    /// <summary>`dotnet <paramref name="dll"/>`, once it answers a ListDomains (tables created, key read).</summary>
    /// <param name="cpus">The CPUs it may run on (<c>taskset -c</c>, which execs: the pid is the app's), or null for all.</param>
    public static async Task<AppProcess> StartReadyAsync(string dll, string connection, string prefix, string? cpus = null)
    {
        var app = cpus is null ? Start("dotnet", [dll], connection, prefix) : Start("taskset", ["-c", cpus, "dotnet", dll], connection, prefix);
        try
        {
            await Ports.WaitAsync(new Uri(app.Url).Port, TimeSpan.FromSeconds(30), "the app");
            using var warm = new SwfServerless.Bench.Client.SwfClient(app.Url);
            for (var i = 0; ; i++)
            {
                try { await warm.CallAsync("ListDomains", new System.Text.Json.Nodes.JsonObject { ["registrationStatus"] = "REGISTERED", ["maximumPageSize"] = 1 }); break; }
                catch (HttpRequestException) when (i < 500) { await Task.Delay(20); }
            }
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public bool HasExited => process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
