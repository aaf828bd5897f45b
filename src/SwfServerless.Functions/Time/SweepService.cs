using Microsoft.Extensions.Options;
using SwfServerless.Functions.Hosting;

namespace SwfServerless.Functions.Time;

/// <summary>
/// Standalone host: sweeps at start (deadlines that fell due while the app was down fire at once) and then every
/// <see cref="SwfOptions.SweepIntervalSeconds"/>, at once again while a sweep finds a full batch overdue. Under the
/// Functions host (FUNCTIONS_CUSTOMHANDLER_PORT set) the timer trigger runs the same <see cref="SweepWork"/> instead.
/// </summary>
public sealed partial class SweepService(SweepWork sweep, IConfiguration config, IOptions<SwfOptions> options, TimeProvider clock, ILogger<SweepService> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);
        if (interval <= TimeSpan.Zero || FunctionsHost.IsHosted(config)) return;
        await Task.Yield(); // do not hold up the host's start
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = (await sweep.SweepOnceAsync(stoppingToken)).More;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(log, e);
            }
            if (more) continue;
            try { await Task.Delay(interval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sweep failed; trying again next interval")]
    private static partial void LogFailed(ILogger log, Exception e);
}
