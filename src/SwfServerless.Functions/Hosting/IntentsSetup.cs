using SwfServerless.Functions.Executions;

namespace SwfServerless.Functions.Hosting;

/// <summary>Work that crosses executions: the executor, the standalone receiver, and the queue-triggered function.</summary>
public static class IntentsSetup
{
    public static IServiceCollection AddSwfIntents(this IServiceCollection services)
    {
        services.AddSingleton<IIntentCrashPoints, NoCrashPoints>();
        services.AddSingleton<RunReports>();
        services.AddSingleton<IntentExecutor>();
        services.AddSingleton<ITriggeredWork, IntentsWork>();
        // After StorageInitializer (hosted services start in registration order): the queue exists before the first receive.
        services.AddHostedService<IntentService>();
        return services;
    }
}
