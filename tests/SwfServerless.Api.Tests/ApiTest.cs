using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Checker;
using SwfServerless.Storage;
using SwfServerless.Storage.Intents;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>One Azurite for the whole API suite (the time suite has its own, "time").</summary>
[CollectionDefinition("api")]
public sealed class ApiCollection : ICollectionFixture<AzuriteFixture>;

/// <summary>
/// A test class whose every test gets its own app (its own storage prefix, so it sees only its own data) on the
/// collection's Azurite. A class says only what is special about it: <see cref="Settings"/>,
/// <see cref="ConfigureServices"/>, <see cref="SetUpAsync"/>.
/// </summary>
public abstract class ApiTest(AzuriteFixture azurite) : IAsyncLifetime
{
    protected AzuriteFixture Azurite => azurite;
    protected TestApp App { get; private set; } = null!;

    /// <summary>The domain "wf" of <see cref="App"/>, registered by <see cref="WorkflowTest"/>.</summary>
    protected Workflows Wf { get; private set; } = null!;

    /// <summary>The app's settings beyond <see cref="TestApp"/>'s own.</summary>
    protected virtual Dictionary<string, string?> Settings() => new();

    /// <summary>Replaces registrations after the app's own (crash points, a storage tap, a clock).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>What every test of the class starts from, once the app is up.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        App = await TestApp.StartAsync(azurite, Settings(), ConfigureServices);
        Wf = new Workflows(App);
        await SetUpAsync();
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>
    /// Waits until every intent the app queued has been carried out and its message deleted. The intents queue counts
    /// the messages being worked on and those waiting to come back too, so empty means no more cross-execution work is
    /// coming (short of a redelivery still at work after another delivery of its message finished).
    /// </summary>
    protected Task IntentsSettledAsync() =>
        Eventually.TrueAsync(async () => await App.Services.GetRequiredService<IntentQueue>().CountAsync(CancellationToken.None) == 0,
            "the intents queue is empty");

    /// <summary>
    /// Runs the consistency checker over the test's store (its own prefix) at rest, with the app's clock, and fails with
    /// every violation it finds: what a scenario ends with.
    /// </summary>
    protected async Task AssertConsistentAsync()
    {
        var checker = new ConsistencyChecker(App.Services.GetRequiredService<SwfTables>(), App.Services.GetRequiredService<TimeProvider>());
        var report = await checker.CheckAsync(new CheckOptions { Settle = TimeSpan.Zero }, null, CancellationToken.None);
        Assert.True(report.Violations.Count == 0, $"{report.Summary()}:\n{string.Join("\n", report.Violations)}");
        Assert.Empty(report.Unrecognised);
    }
}

/// <summary>An <see cref="ApiTest"/> whose domain is registered with the workflow type "flow" and the activity type "work".</summary>
public abstract class WorkflowTest(AzuriteFixture azurite) : ApiTest(azurite)
{
    protected override Task SetUpAsync() => Wf.RegisterAsync();
}
