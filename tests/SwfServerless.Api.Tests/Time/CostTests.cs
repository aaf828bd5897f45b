using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Storage.Time;
using SwfServerless.Testing;
using Xunit.Abstractions;
using static SwfServerless.Api.Tests.Workflows;

namespace SwfServerless.Api.Tests.Time;

/// <summary>
/// What deadlines cost in storage requests, counted (not timed): an activity step whose deadlines the run's alarm
/// already covers writes no reminder at all, and a heartbeat is one state read and one heartbeat-row write.
/// </summary>
[Collection("time")]
public sealed class CostTests(AzuriteFixture azurite, ITestOutputHelper output) : TimeTest(azurite)
{
    private readonly StorageTap tap = new(TestNames.Unique("cost"));

    protected override Dictionary<string, string?> Settings()
    {
        var settings = ShortTimes();
        settings["Swf:StoragePrefix"] = tap.Prefix;
        settings["Swf:SweepIntervalSeconds"] = "0"; // no background sweep: its queries would be counted too
        return settings;
    }

    protected override void ConfigureServices(IServiceCollection services) => StorageTap.Install(Azurite.ConnectionString, tap)(services);

    protected override async Task SetUpAsync()
    {
        await base.SetUpAsync();
        await Wf.RegisterActivityAsync("step", heartbeat: "20");
    }

    private async Task StepAsync(Execution run, int i)
    {
        await Wf.DecideAsync(await Wf.PollDecisionAsync(run), Schedule($"a{i}", "step", $"input {i}"));
        var work = await Wf.PollActivityAsync();
        await App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Token(work), result = $"result {i}" });
    }

    /// <summary>
    /// The reminder deletes the calls so far made obsolete (a start's index repair reminder, an alarm moved) go within half a
    /// second, batched (README "Time"): sent now, so that they are counted where they belong, not in the next window.
    /// </summary>
    private Task CleanupSentAsync() => App.Services.GetRequiredService<ReminderRepository>().FlushAsync();

    private static string Format(Dictionary<string, int> counts) => string.Join(", ", counts.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));

    [Fact]
    public async Task Activity_steps_covered_by_the_runs_alarm_write_no_reminders()
    {
        var start = tap.Snapshot();
        var run = await Wf.StartAsync();
        output.WriteLine($"start: {Format(tap.Since(start))}");
        var first = tap.Snapshot();
        await StepAsync(run, 1); // the first decision task's START_TO_CLOSE becomes the run's alarm
        output.WriteLine($"first step: {Format(tap.Since(first))}");

        const int steps = 4;
        await CleanupSentAsync();
        var before = tap.Snapshot();
        for (var i = 2; i < 2 + steps; i++) await StepAsync(run, i);
        var during = tap.Since(before);
        output.WriteLine($"{steps} more steps: {Format(during)}");
        Assert.DoesNotContain(during.Keys, k => k.StartsWith("Reminders", StringComparison.Ordinal));

        var close = tap.Snapshot();
        await Wf.DecideAsync(await Wf.PollDecisionAsync(run), Complete());
        output.WriteLine($"close: {Format(tap.Since(close))}");
    }

    [Fact]
    public async Task A_heartbeat_is_one_state_read_and_one_heartbeat_row_write()
    {
        var run = await Wf.StartAsync();
        await Wf.DecideAsync(await Wf.PollDecisionAsync(run), Schedule("beating", "step"));
        var work = await Wf.PollActivityAsync();

        await CleanupSentAsync();
        var before = tap.Snapshot();
        for (var i = 0; i < 10; i++) Assert.Equal(System.Net.HttpStatusCode.OK, (await Wf.HeartbeatAsync(work, $"{i}")).Status);
        var counted = tap.Since(before);
        // The standalone intent executor keeps receiving from the (empty) intents queue in the background, as the sweep
        // would sweep (switched off above); those receives are all it may add, and they are not the heartbeats'.
        Assert.All(counted.Keys.Where(k => k.StartsWith("intents", StringComparison.Ordinal)), k => Assert.Equal("intents GET", k));
        Assert.Equal(new Dictionary<string, int> { ["Executions GET"] = 10, ["Executions PUT"] = 10 },
            counted.Where(p => !p.Key.StartsWith("intents", StringComparison.Ordinal)).ToDictionary());
    }
}
