using Microsoft.Extensions.Options;
using SwfServerless.Service.Hosting;

namespace SwfServerless.Service.Time;

/// <summary>
/// Standalone host: sweeps at start (deadlines that fell due while the app was down fire at once) and then every
/// <see cref="SwfOptions.SweepIntervalSeconds"/>, at once again while a sweep finds a full batch overdue. The standalone
/// server registers it; in the Functions app the timer trigger runs the same <see cref="SweepWork"/> instead.
/// </summary>
public sealed partial class SweepService(SweepWork sweep, IOptions<SwfOptions> options, TimeProvider clock, ILogger<SweepService> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds);
        if (interval <= TimeSpan.Zero) return;
        await Task.Yield(); // do not hold up the host's start
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = (await sweep.SweepOnceAsync(LookAhead(interval), stoppingToken)).More;
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

    // In-process timers take what falls due before the next sweep (and a little more, for the sweep's own duration).
    private static TimeSpan LookAhead(TimeSpan interval) => interval + TimeSpan.FromSeconds(2);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sweep failed; trying again next interval")]
    private static partial void LogFailed(ILogger log, Exception e);
}
