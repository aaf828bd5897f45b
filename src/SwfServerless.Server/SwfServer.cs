using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Service.Protocol;
using SwfServerless.Service.Time;

namespace SwfServerless.Server;

/// <summary>The standalone composition root: the SWF service on Kestrel, with the sweep as a background service.</summary>
public static class SwfServer
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>
    /// Socket completions (Kestrel's and the storage clients') run on the runtime's socket event threads, one per core,
    /// instead of each being queued to the thread pool, which woke a parked worker (futex, context switch) per network
    /// event. Call first in Main: the runtime reads the variable when the first socket is made. A value already in the
    /// environment wins (0 turns it off).
    /// </summary>
    public static void PreferInlineSocketCompletions()
    {
        const string name = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (Environment.GetEnvironmentVariable(name) is null) Environment.SetEnvironmentVariable(name, "1");
    }

    /// <param name="settings">Configuration on top of the environment's (tests, the benchmark).</param>
    /// <param name="configureServices">Runs after the service's own registrations: tests replace seams here (e.g. <see cref="IIntentCrashPoints"/>).</param>
    public static WebApplication Build(string[] args, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        // The content root is the app's own folder, not the working directory: its appsettings.json is read wherever the
        // app is started from, and the settings files' change watcher (recursive on Linux) covers that folder alone. From
        // the repository root it watched every folder below (6,500 inotify watches, node_modules and Azurite's data
        // included), which cost about half a second of startup and woke the app for every file Azurite wrote.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        // Loopback on the Functions local port unless --urls / ASPNETCORE_URLS say otherwise (a container sets them).
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        // One structured line per SWF call comes from the endpoint; the framework's per-request lines would repeat it.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // CPU: while this category logs at all, hosting makes an Activity and a log scope per request (about 1% of the app's
        // CPU under load); it has nothing to say above Information (failures are Kestrel's and the endpoint's to log).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        // CPU: Kestrel runs a request's parsing and the handler on the thread its socket completed on instead of handing
        // them to the thread pool. Nothing on the request path blocks (all storage I/O is async), and each hand-off woke
        // a parked worker: with inline socket completions (PreferInlineSocketCompletions) context switches per chain step
        // fell from about 51 to 25 (bench/README.md, "app CPU per step, part 2").
        builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);

        builder.Services.AddSwfService(builder.Configuration, SwfHostKind.Standalone);
        // What the Functions app's timer trigger does; the intent receiver is part of the service on both hosts.
        builder.Services.AddHostedService<SweepService>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapSwfEndpoint();
        return app;
    }
}
