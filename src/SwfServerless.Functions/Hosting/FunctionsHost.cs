namespace SwfServerless.Functions.Hosting;

/// <summary>
/// What the app knows about the Azure Functions host that runs it as a custom handler: the settings the host
/// sets or reads, and the names shared with the <c>functions/*/function.json</c> files. Checked against those
/// files and the Bicep by <c>tests/SwfServerless.Api.Tests/Functions/FunctionsLayoutTests.cs</c>.
/// </summary>
public static class FunctionsHost
{
    /// <summary>Set by the Functions host for its custom handler: the loopback port to listen on. Its presence means "hosted".</summary>
    public const string PortSetting = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>
    /// NCRONTAB schedule (six fields, seconds first) of the timer-triggered sweep, read by
    /// <c>functions/Sweep/function.json</c> as <c>%SWF_SWEEP_SCHEDULE%</c>. A flat name on purpose: the host
    /// resolves <c>%name%</c> with <c>IConfiguration[name]</c> (WebJobs <c>DefaultNameResolver</c>), and a
    /// nested name such as <c>Swf__SweepSchedule</c> is stored by the environment provider as <c>Swf:SweepSchedule</c>.
    /// </summary>
    public const string SweepScheduleSetting = "SWF_SWEEP_SCHEDULE";

    /// <summary>Queue the intent executor is triggered by, read by <c>functions/Intents/function.json</c> as <c>%SWF_INTENT_QUEUE%</c>.</summary>
    public const string IntentQueueSetting = "SWF_INTENT_QUEUE";

    /// <summary>Every minute at second 0; the in-process timer fires near deadlines early while an instance is up.</summary>
    public const string DefaultSweepSchedule = "0 * * * * *";

    /// <summary>Function (folder) names. <see cref="HttpFunction"/> is the SWF endpoint and never a triggered work.</summary>
    public const string HttpFunction = "Swf";
    public const string SweepFunction = "Sweep";
    public const string IntentsFunction = "Intents";

    /// <summary>Binding names in the function.json files; the invocation payload's <c>Data</c> is keyed by them.</summary>
    public const string TimerBinding = "timer";
    public const string QueueBinding = "message";

    public static bool IsHosted(IConfiguration config) => !string.IsNullOrEmpty(config[PortSetting]);
}

/// <summary>
/// The trigger settings as the app sees them, so that code that enqueues intents writes to the queue the
/// Intents function listens on, and the standalone scheduler can follow the same sweep schedule.
/// </summary>
public sealed record TriggerSettings(string SweepSchedule, string IntentQueue)
{
    public static TriggerSettings From(IConfiguration config, string storagePrefix)
    {
        var schedule = config[FunctionsHost.SweepScheduleSetting];
        var queue = config[FunctionsHost.IntentQueueSetting];
        return new TriggerSettings(
            string.IsNullOrWhiteSpace(schedule) ? FunctionsHost.DefaultSweepSchedule : schedule.Trim(),
            // Queue names are lowercase; the Bicep and local.settings.sample.json set this same default.
            (string.IsNullOrWhiteSpace(queue) ? storagePrefix + "-intents" : queue.Trim()).ToLowerInvariant());
    }
}
