using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SwfServerless.Core.Executions;
using SwfServerless.Service.Executions;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Tasks;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Dispatch;

/// <summary>The dispatcher on its own, against Azurite, on a <see cref="ManualTime"/>: its loops end when nobody waits.</summary>
[Collection("api")]
public sealed class TaskDispatchTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly StorageClients clients = StorageClients.FromConnectionString(azurite.ConnectionString);
    private readonly ManualTime clock = new(DateTimeOffset.UtcNow);
    private SwfTables tables = null!;
    private TaskDispatch dispatch = null!;

    public async Task InitializeAsync()
    {
        var prefix = TestNames.Unique("td");
        tables = new SwfTables(clients, prefix);
        await tables.TaskLists.CreateIfMissingAsync();
        dispatch = new TaskDispatch(new TaskQueues(clients, tables, prefix.ToLowerInvariant(), clock), clock,
            Options.Create(new SwfOptions()), NullLogger<TaskDispatch>.Instance);
    }

    public async Task DisposeAsync()
    {
        dispatch.Dispose();
        await tables.TaskLists.DeleteAsync();
        clients.Dispose();
    }

    [Fact]
    public async Task A_task_lists_loop_ends_and_is_forgotten_once_nobody_has_waited_for_a_while()
    {
        var waits = Enumerable.Range(0, 3).Select(i => dispatch.WaitAsync("d", TaskKind.Activity, $"list-{i}", TimeSpan.FromSeconds(1), default)).ToList();
        Assert.Equal(3, dispatch.ActiveLists);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.All(await Task.WhenAll(waits), Assert.Null);
        // Moving the clock a second at a time lets each loop pause, look that nobody waits, and end.
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(dispatch.ActiveLists == 0);
        }, "every loop ended");

        // A poller that comes later gets a new loop.
        var again = dispatch.WaitAsync("d", TaskKind.Activity, "list-0", TimeSpan.FromSeconds(1), default);
        Assert.Equal(1, dispatch.ActiveLists);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await again);
    }
}
