using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Time;

/// <summary>One Azurite for the time suite; it runs beside the "api" collection.</summary>
[CollectionDefinition("time")]
public sealed class TimeCollection : ICollectionFixture<AzuriteFixture>;

/// <summary>
/// A <see cref="WorkflowTest"/> about deadlines: short poll, sweep and repair times, and executions of 60 s with
/// decision tasks of 10 s unless a test says otherwise.
/// </summary>
public abstract class TimeTest(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    protected override Dictionary<string, string?> Settings() => ShortTimes();

    protected override Task SetUpAsync() => RegisterAsync(Wf);

    /// <summary>Settings that keep time tests short: polls give up after 2 s, sweeps every second, index repair after 1 s.</summary>
    public static Dictionary<string, string?> ShortTimes() => new()
    {
        ["Swf:LongPollSeconds"] = "2",
        ["Swf:SweepIntervalSeconds"] = "1",
        ["Swf:VisibilityRepairSeconds"] = "1",
    };

    /// <summary>Registers the time suite's domain: "flow" runs 60 s at most, its decision tasks 10 s.</summary>
    public static async Task<Workflows> RegisterAsync(Workflows wf, string retentionDays = "1")
    {
        await wf.RegisterAsync(executionTimeout: "60", taskTimeout: "10", retentionDays: retentionDays);
        return wf;
    }
}
