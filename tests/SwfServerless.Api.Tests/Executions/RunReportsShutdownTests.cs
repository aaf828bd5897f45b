using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Service.Executions;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>A report's group commit under way when the host shuts down is awaited, not cut off.</summary>
[Collection("api")]
public sealed class RunReportsShutdownTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Shutdown_waits_for_a_report_commit_under_way_and_it_commits()
    {
        var prefix = TestNames.Unique("rr");
        var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?> { ["Swf:StoragePrefix"] = prefix });
        var wf = new Workflows(app);
        await wf.RegisterAsync();
        var run = await wf.StartAsync();
        var partition = ExecutionKeys.Partition(wf.Domain, run.WorkflowId);

        // A report whose command is held: its commit is under way (loaded, not yet written) when the host stops.
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var report = app.Services.GetRequiredService<RunReports>().ReportAsync(partition, run.RunId, m =>
        {
            entered.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(30));
            m.Signal("reported", null);
            return true;
        }, CancellationToken.None);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stopping = app.DisposeAsync().AsTask();
        var first = await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.NotSame(stopping, first); // still waiting for the commit
        release.Set();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await report);

        using var clients = StorageClients.FromConnectionString(azurite.ConnectionString);
        var executions = new ExecutionRepository(new SwfTables(clients, prefix));
        var stored = (await executions.LoadAsync(partition, run.RunId, CancellationToken.None))!;
        var last = await executions.GetEventAsync(partition, run.RunId, stored.State.LastEventId, CancellationToken.None);
        Assert.Equal("reported", last!.WorkflowExecutionSignaledEventAttributes!.SignalName);
    }
}
