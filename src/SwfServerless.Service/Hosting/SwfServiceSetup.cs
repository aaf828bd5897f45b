using Microsoft.Extensions.Options;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Operations;
using SwfServerless.Service.Time;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Intents;
using SwfServerless.Storage.Tasks;

namespace SwfServerless.Service.Hosting;

/// <summary>The SWF service as a set of registrations: what both composition roots (the standalone server, the Functions app) share.</summary>
public static class SwfServiceSetup
{
    /// <summary>
    /// Options, storage, the operations, intents, authentication and time. Hosted services registered here (storage
    /// initialisation first, then in-process timers and this instance's intent receiver) start in that order.
    /// </summary>
    public static IServiceCollection AddSwfService(this IServiceCollection services, IConfiguration configuration, SwfHostKind host)
    {
        services.Configure<SwfOptions>(configuration.GetSection("Swf"));
        services.AddSingleton(new SwfHosting(host));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new CrashSwitch(configuration)); // test-only; off unless Swf:TestOnlyCrash:Points is set
        services.AddSingleton(sp => CreateStorageClients(configuration));
        services.AddSingleton(sp => new SwfTables(sp.GetRequiredService<StorageClients>(),
            sp.GetRequiredService<IOptions<SwfOptions>>().Value.StoragePrefix));
        services.AddSingleton(sp => new TaskQueues(sp.GetRequiredService<StorageClients>(), sp.GetRequiredService<SwfTables>(),
            sp.GetRequiredService<IOptions<SwfOptions>>().Value.StoragePrefix.ToLowerInvariant(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => TriggerSettings.From(configuration, sp.GetRequiredService<IOptions<SwfOptions>>().Value.StoragePrefix));
        // The queue the Intents function's trigger binding reads (%SWF_INTENT_QUEUE%): what is queued here is what it gets.
        services.AddSingleton(sp => new IntentQueue(sp.GetRequiredService<StorageClients>(), sp.GetRequiredService<TriggerSettings>().IntentQueue));
        services.AddHostedService<StorageInitializer>();
        services.AddSwfOperations();
        services.AddSwfIntents();
        services.AddSwfAuthentication();
        services.AddSwfTime();
        return services;
    }

    /// <summary>
    /// Storage from the Functions conventions: <c>AzureWebJobsStorage</c> as a connection string, or an identity-based
    /// connection: <c>AzureWebJobsStorage__accountName</c> (endpoints <c>https://{name}.table|queue.core.windows.net</c>)
    /// and/or <c>AzureWebJobsStorage__tableServiceUri</c> + <c>__queueServiceUri</c>, with bearer tokens of the platform's
    /// managed identity (<c>__clientId</c> selects a user-assigned identity). The same settings drive the Functions host's
    /// own storage use and the queue trigger (<c>Connection = "AzureWebJobsStorage"</c>).
    /// </summary>
    /// <param name="options">Retries and timeouts; tests also pass the HTTP client here.</param>
    public static StorageClients CreateStorageClients(IConfiguration config, StorageClientOptions? options = null)
    {
        var connection = config["AzureWebJobsStorage"];
        if (!string.IsNullOrEmpty(connection)) return StorageClients.FromConnectionString(connection, options);

        var section = config.GetSection("AzureWebJobsStorage");
        var accountName = section["accountName"];
        var tableUri = section["tableServiceUri"];
        var queueUri = section["queueServiceUri"];
        if (string.IsNullOrEmpty(accountName) && (string.IsNullOrEmpty(tableUri) || string.IsNullOrEmpty(queueUri)))
            throw new InvalidOperationException(
                "No storage configured: set AzureWebJobsStorage to a connection string (UseDevelopmentStorage=true for Azurite), " +
                "or AzureWebJobsStorage__accountName (or __tableServiceUri and __queueServiceUri) for managed identity.");
        var table = new Uri(string.IsNullOrEmpty(tableUri) ? $"https://{accountName}.table.core.windows.net" : tableUri);
        var queue = new Uri(string.IsNullOrEmpty(queueUri) ? $"https://{accountName}.queue.core.windows.net" : queueUri);
        return StorageClients.FromManagedIdentity(section["clientId"], table, queue, options);
    }
}

/// <summary>
/// Creates the tables and queues and loads the task-token key before the first request is served; logs the queue
/// messages dropped for not being base64 (nothing of ours writes them).
/// </summary>
internal sealed partial class StorageInitializer(SwfTables tables, IntentQueue intents, TaskTokenService tokens, IOptions<SwfOptions> options,
    StorageClients clients, ILogger<StorageInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        clients.UndecodableMessageDropped += (queue, id) => LogUndecodable(log, queue, id);
        await tables.CreateIfNotExistsAsync(ct);
        await intents.CreateIfNotExistsAsync(ct);
        tokens.Initialize(await ServiceSecrets.TaskTokenKeyAsync(tables, options.Value.TaskTokenKey, ct));
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: message {MessageId} is not one of ours (not base64, or not a message this app writes); dropped")]
    private static partial void LogUndecodable(ILogger log, string queue, string messageId);
}
