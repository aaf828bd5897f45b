using SwfServerless.Storage.Time;

namespace SwfServerless.Service.Time;

/// <summary>Timeouts, timers and retention: reminders, their handling, in-process timers and the sweep.</summary>
public static class TimeSetup
{
    /// <summary>Register after the storage initializer: hosted services start in order, and the timers need the tables.</summary>
    public static IServiceCollection AddSwfTime(this IServiceCollection services)
    {
        services.AddSingleton<ReminderRepository>();
        services.AddSingleton<ExecutionRetention>();
        services.AddSingleton<RunAlarms>();
        services.AddSingleton<LocalTimers>();
        services.AddHostedService<LocalAlarmService>();
        services.AddSingleton<SweepWork>();
        return services;
    }
}
