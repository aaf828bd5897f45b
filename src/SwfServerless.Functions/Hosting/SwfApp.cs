using Azure.Identity;
using Microsoft.Extensions.Options;
using SwfServerless.AzureStorage;
using SwfServerless.Functions.Executions;
using SwfServerless.Functions.Operations;
using SwfServerless.Functions.Protocol;
using SwfServerless.Functions.Time;
using SwfServerless.Storage;
using SwfServerless.Storage.Intents;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Functions.Hosting;

/// <summary>Builds the app: configuration, storage, the SWF endpoint.</summary>
public static class SwfApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <param name="configureServices">Runs after the app's own registrations: tests replace seams here (e.g. <see cref="IIntentCrashPoints"/>).</param>
    public static WebApplication Build(string[] args, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        ConfigureUrls(builder);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        // One structured line per SWF call comes from the endpoint; the framework's per-request lines would repeat it.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.Services.Configure<SwfOptions>(builder.Configuration.GetSection("Swf"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => CreateStorageClients(builder.Configuration));
        builder.Services.AddSingleton(sp => new SwfTables(sp.GetRequiredService<StorageClients>(),
            sp.GetRequiredService<IOptions<SwfOptions>>().Value.StoragePrefix));
        builder.Services.AddSingleton(sp => new TaskQueues(sp.GetRequiredService<StorageClients>(), sp.GetRequiredService<SwfTables>(),
            sp.GetRequiredService<IOptions<SwfOptions>>().Value.StoragePrefix.ToLowerInvariant(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => TriggerSettings.From(builder.Configuration,
            sp.GetRequiredService<IOptions<SwfOptions>>().Value.StoragePrefix));
        // The queue the Intents function's trigger binding reads (%SWF_INTENT_QUEUE%): what is queued here is what it gets.
        builder.Services.AddSingleton(sp => new IntentQueue(sp.GetRequiredService<StorageClients>(), sp.GetRequiredService<TriggerSettings>().IntentQueue));
        builder.Services.AddHostedService<StorageInitializer>();
        builder.Services.AddSwfOperations();
        builder.Services.AddSwfIntents();
        builder.Services.AddSwfAuthentication();
        builder.Services.AddSwfTime();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapSwfEndpoint();
        app.MapTriggerEndpoint();
        return app;
    }

    // Under the Functions host the handler must listen where FUNCTIONS_CUSTOMHANDLER_PORT says; standalone,
    // on the Functions local port unless --urls / ASPNETCORE_URLS say otherwise. Loopback only.
    private static void ConfigureUrls(WebApplicationBuilder builder)
    {
        var port = builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"];
        if (!string.IsNullOrEmpty(port)) builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        else if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);
    }

    /// <summary>
    /// Storage from the Functions conventions: <c>AzureWebJobsStorage</c> as a connection string, or an identity-based
    /// connection: <c>AzureWebJobsStorage__accountName</c> (endpoints <c>https://{name}.table|queue.core.windows.net</c>)
    /// and/or <c>AzureWebJobsStorage__tableServiceUri</c> + <c>__queueServiceUri</c>, with bearer tokens from
    /// <see cref="ManagedIdentityCredential"/> (<c>__clientId</c> selects a user-assigned identity). The same settings
    /// drive the Functions host's own storage use and the queue trigger (<c>"connection": "AzureWebJobsStorage"</c>).
    /// </summary>
    internal static StorageClients CreateStorageClients(IConfiguration config)
    {
        var connection = config["AzureWebJobsStorage"];
        if (!string.IsNullOrEmpty(connection)) return new StorageClients(StorageAccount.Parse(connection));

        var section = config.GetSection("AzureWebJobsStorage");
        var accountName = section["accountName"];
        var tableUri = section["tableServiceUri"];
        var queueUri = section["queueServiceUri"];
        if (string.IsNullOrEmpty(accountName) && (string.IsNullOrEmpty(tableUri) || string.IsNullOrEmpty(queueUri)))
            throw new InvalidOperationException(
                "No storage configured: set AzureWebJobsStorage to a connection string (UseDevelopmentStorage=true for Azurite), " +
                "or AzureWebJobsStorage__accountName (or __tableServiceUri and __queueServiceUri) for managed identity.");
        var clientId = section["clientId"];
        var credential = new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
            ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));
        var table = new Uri(string.IsNullOrEmpty(tableUri) ? $"https://{accountName}.table.core.windows.net" : tableUri);
        var queue = new Uri(string.IsNullOrEmpty(queueUri) ? $"https://{accountName}.queue.core.windows.net" : queueUri);
        return new StorageClients(StorageAccount.WithTokenCredential(accountName ?? AccountNameOf(table), credential, table, queue));
    }

    // https://acct.table.core.windows.net -> acct; path-style (emulators, http://127.0.0.1:10002/acct) -> acct.
    private static string AccountNameOf(Uri endpoint) =>
        endpoint.HostNameType == UriHostNameType.Dns && endpoint.Host.Contains('.')
            ? endpoint.Host[..endpoint.Host.IndexOf('.')]
            : endpoint.AbsolutePath.Trim('/').Split('/')[0];
}

/// <summary>Creates the tables and loads the task-token key before the first request is served.</summary>
internal sealed class StorageInitializer(SwfTables tables, IntentQueue intents, TaskTokenService tokens, IOptions<SwfOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await tables.CreateIfNotExistsAsync(ct);
        await intents.CreateIfNotExistsAsync(ct);
        tokens.Initialize(await ServiceSecrets.TaskTokenKeyAsync(tables, options.Value.TaskTokenKey, ct));
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
