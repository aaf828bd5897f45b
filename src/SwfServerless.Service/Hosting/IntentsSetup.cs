using SwfServerless.Service.Executions;

namespace SwfServerless.Service.Hosting;

/// <summary>Work that crosses executions: the executor, this instance's receiver, and what the queue trigger runs.</summary>
public static class IntentsSetup
{
    public static IServiceCollection AddSwfIntents(this IServiceCollection services)
    {
        services.AddSingleton<IIntentCrashPoints, ConfiguredCrashPoints>();
        services.AddSingleton<RunReports>();
        services.AddSingleton<IntentExecutor>();
        // Lambda tasks: one request per invocation, no retry handler, no client timeout (each call has its task's), and no
        // redirects followed: the request goes to the configured address and nowhere else.
        services.AddHttpClient(LambdaInvoker.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton<LambdaInvoker>();
        services.AddSingleton<IntentsWork>();
        // After StorageInitializer (hosted services start in registration order): the queue exists before the first receive.
        services.AddHostedService<IntentService>();
        return services;
    }
}
