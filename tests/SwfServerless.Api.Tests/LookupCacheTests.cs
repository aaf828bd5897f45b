using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>
/// Domains and types are read once per Swf:LookupCacheSeconds by each instance (RegistryCache): the instance that
/// deprecates one sees it at once, another within the lifetime (SWF's own visibility of deprecation is eventual).
/// </summary>
[Collection("api")]
public sealed class LookupCacheTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const int Lifetime = 10;
    private readonly string prefix = TestNames.Unique("t");
    private readonly ManualTime clockB = new(DateTimeOffset.UtcNow);
    private TestApp a = null!;
    private TestApp b = null!;
    private Workflows wfA = null!;
    private Workflows wfB = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["Swf:StoragePrefix"] = prefix, ["Swf:LookupCacheSeconds"] = Lifetime.ToString() };
        a = await TestApp.StartAsync(azurite, settings);
        // B's clock moves only when the test moves it, so "within the lifetime" and "after it" are exact.
        b = await TestApp.StartAsync(azurite, settings, services => services.AddSingleton<TimeProvider>(clockB));
        wfA = new Workflows(a);
        wfB = wfA.On(b);
        await wfA.RegisterAsync();
    }

    public async Task DisposeAsync()
    {
        await b.DisposeAsync();
        await a.DisposeAsync();
    }

    private static long TableGets(TestApp app) =>
        app.Services.GetRequiredService<StorageClients>().Metrics.Snapshot().ByOperation.GetValueOrDefault("table.get");

    [Fact]
    public async Task A_start_and_a_decision_read_the_domain_and_types_once_per_lifetime()
    {
        var first = await wfA.StartAsync();
        await wfA.DecideAsync(first, Workflows.Schedule("a1"));

        var before = TableGets(a);
        await wfA.StartAsync();
        Assert.Equal(1, TableGets(a) - before); // the workflowId's current run only: domain and type come from the cache

        var task = await wfA.PollDecisionAsync();
        before = TableGets(a);
        await wfA.DecideAsync(task, Workflows.Schedule("a2"));
        Assert.Equal(0, TableGets(a) - before); // the run from this instance's copy (RunCache); the activity type from the cache
    }

    [Fact]
    public async Task A_type_deprecated_on_one_instance_is_refused_there_at_once_and_on_another_within_the_lifetime()
    {
        await wfA.StartAsync();
        await wfB.StartAsync(); // both instances now hold the type

        await a.OkAsync("DeprecateWorkflowType", new { domain = wfA.Domain, workflowType = Workflows.WorkflowType });

        await a.FaultAsync("StartWorkflowExecution", StartBody(), "TypeDeprecatedFault");
        await wfB.StartAsync(); // B's copy is younger than the lifetime: eventual, as in SWF
        clockB.Advance(TimeSpan.FromSeconds(Lifetime + 1));
        await b.FaultAsync("StartWorkflowExecution", StartBody(), "TypeDeprecatedFault");

        await a.OkAsync("UndeprecateWorkflowType", new { domain = wfA.Domain, workflowType = Workflows.WorkflowType });
        await a.OkAsync("StartWorkflowExecution", StartBody());
    }

    [Fact]
    public async Task A_domain_deprecated_on_one_instance_is_refused_there_at_once_and_on_another_within_the_lifetime()
    {
        await wfA.StartAsync();
        await wfB.StartAsync();

        await a.OkAsync("DeprecateDomain", new { name = wfA.Domain });

        await a.FaultAsync("StartWorkflowExecution", StartBody(), "DomainDeprecatedFault");
        await wfB.StartAsync();
        clockB.Advance(TimeSpan.FromSeconds(Lifetime + 1));
        await b.FaultAsync("StartWorkflowExecution", StartBody(), "DomainDeprecatedFault");
    }

    [Fact]
    public async Task An_activity_type_deprecated_on_this_instance_fails_the_next_schedule_decision_at_once()
    {
        var run = await wfA.StartAsync();
        await wfA.DecideAsync(run, Workflows.Schedule("a1")); // caches "work"

        await a.OkAsync("DeprecateActivityType", new { domain = wfA.Domain, activityType = new { name = "work", version = "1" } });
        await wfA.SignalAsync(run);
        await wfA.DecideAsync(run, Workflows.Schedule("a2"));

        var failed = (await wfA.HistoryAsync(run)).Single(e => e.GetProperty("eventType").GetString() == "ScheduleActivityTaskFailed");
        Assert.Equal("ACTIVITY_TYPE_DEPRECATED", failed.GetProperty("scheduleActivityTaskFailedEventAttributes").GetProperty("cause").GetString());
    }

    private object StartBody() => new { domain = wfA.Domain, workflowId = TestNames.Unique("wf"), workflowType = Workflows.WorkflowType };
}
