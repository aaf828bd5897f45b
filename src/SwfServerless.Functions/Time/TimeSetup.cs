using SwfServerless.Functions.Hosting;
using SwfServerless.Storage.Time;

namespace SwfServerless.Functions.Time;

/// <summary>Timeouts, timers and retention: reminders, their handling, in-process timers and the sweep.</summary>
public static class TimeSetup
{
    /// <summary>Register after the storage initializer: hosted services start in order, and the sweep needs the tables.</summary>
    public static IServiceCollection AddSwfTime(this IServiceCollection services)
    {
        services.AddSingleton<ReminderRepository>();
        services.AddSingleton<ExecutionRetention>();
        services.AddSingleton<RunAlarms>();
        services.AddSingleton<LocalTimers>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalTimers>());
        services.AddSingleton<SweepWork>();
        services.AddSingleton<ITriggeredWork>(sp => sp.GetRequiredService<SweepWork>());
        services.AddHostedService<SweepService>();
        return services;
    }
}
