namespace SwfServerless.Service.Hosting;

/// <summary>
/// The settings the triggers and the app share: the Functions app's timer and queue bindings read them as
/// <c>%SWF_SWEEP_SCHEDULE%</c> and <c>%SWF_INTENT_QUEUE%</c>, and the app enqueues intents on that same queue.
/// Flat names on purpose: the host resolves <c>%name%</c> with <c>IConfiguration[name]</c>, and a nested name such
/// as <c>Swf__SweepSchedule</c> would be stored by the environment provider as <c>Swf:SweepSchedule</c>.
/// </summary>
public sealed record TriggerSettings(string SweepSchedule, string IntentQueue)
{
    /// <summary>NCRONTAB schedule (six fields, seconds first) of the timer-triggered sweep.</summary>
    public const string SweepScheduleSetting = "SWF_SWEEP_SCHEDULE";

    /// <summary>Queue the intent executor is triggered by.</summary>
    public const string IntentQueueSetting = "SWF_INTENT_QUEUE";

    /// <summary>Every minute at second 0; the in-process timer fires near deadlines early while an instance is up.</summary>
    public const string DefaultSweepSchedule = "0 * * * * *";

    public static TriggerSettings From(IConfiguration config, string storagePrefix)
    {
        var schedule = config[SweepScheduleSetting];
        var queue = config[IntentQueueSetting];
        return new TriggerSettings(
            string.IsNullOrWhiteSpace(schedule) ? DefaultSweepSchedule : schedule.Trim(),
            // Queue names are lowercase; the Bicep and local.settings.sample.json set this same default.
            (string.IsNullOrWhiteSpace(queue) ? storagePrefix + "-intents" : queue.Trim()).ToLowerInvariant());
    }
}
