using SwfServerless.Storage;
using SwfServerless.Storage.Time;

namespace SwfServerless.Service.Time;

/// <summary>Timeouts, timers and retention: reminders, their handling, in-process timers and the sweep.</summary>
public static partial class TimeSetup
{
    /// <summary>Register after the storage initializer: hosted services start in order, and the timers need the tables.</summary>
    public static IServiceCollection AddSwfTime(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var reminders = new ReminderRepository(sp.GetRequiredService<SwfTables>(), sp.GetRequiredService<TimeProvider>());
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger<ReminderRepository>();
            reminders.CleanupFailed += e => LogCleanupFailed(log, e);
            return reminders;
        });
        services.AddSingleton<ExecutionRetention>();
        services.AddSingleton<RunAlarms>();
        services.AddSingleton<LocalTimers>();
        services.AddHostedService<LocalAlarmService>();
        services.AddSingleton<SweepWork>();
        return services;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Obsolete reminders not deleted; they are dropped when due")]
    private static partial void LogCleanupFailed(ILogger log, Exception e);
}
