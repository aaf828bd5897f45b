using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Service.Hosting;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Testing;

namespace SwfServerless.Reliability.Tests;

/// <summary>
/// A storage transaction that was applied but whose answer was lost (<see cref="StorageFault.AppliedAnswerLost"/>): the
/// SDK retries it, the retry finds the state row's ETag moved (by itself) or its row already there. The change must be
/// recognised as done, not redone (a doubled event) nor reported as a failure or a conflict to the caller.
/// </summary>
public sealed class AppliedWriteTests : IAsyncLifetime
{
    private readonly StorageFaultPolicy faults = new(seed: 1, share: 0);
    private AzuriteFixture azurite = null!;
    private InProcessServer app = null!;
    private SwfHttp swf = null!;
    private string prefix = "";
    private readonly CancellationTokenSource deadline = new(TimeSpan.FromMinutes(2));

    public async Task InitializeAsync()
    {
        azurite = await AzuriteFixture.StartPrivateAsync();
        prefix = TestNames.Unique("rel");
        app = await InProcessServer.StartAsync(InstanceSettings.For(azurite.ConnectionString, prefix),
            services => services.AddSingleton(sp => SwfServiceSetup.CreateStorageClients(
                sp.GetRequiredService<IConfiguration>(), new StorageClientOptions { AdditionalPolicies = [faults] })));
        swf = new SwfHttp([app.Url], InstanceSettings.AccessKeyId, InstanceSettings.Secret, deadline.Token);
        await new Workload(swf, "applied", workflows: 0, pollers: 0).RegisterAsync();
    }

    public async Task DisposeAsync()
    {
        swf.Dispose();
        await app.DisposeAsync();
        await azurite.DisposeAsync();
        deadline.Dispose();
    }

    private static Func<string, bool> BatchWith(string text) => request => request.StartsWith("POST ", StringComparison.Ordinal)
        && request.Contains("$batch", StringComparison.Ordinal) && request.Contains(text, StringComparison.Ordinal);

    private Task<JsonElementResult> StartAsync(string workflowId) => Call("StartWorkflowExecution", new JsonObject
    {
        ["domain"] = "applied", ["workflowId"] = workflowId, ["workflowType"] = new JsonObject { ["name"] = "flow", ["version"] = "1" }, ["input"] = "0",
    });

    private async Task<JsonElementResult> Call(string operation, JsonObject body) => new(await swf.CallAsync(operation, body));

    private sealed record JsonElementResult(System.Text.Json.JsonElement Json);

    [Fact]
    public async Task A_signal_whose_commit_was_applied_but_answered_503_is_recorded_once()
    {
        var run = (await StartAsync("signalled")).Json.GetProperty("runId").GetString()!;
        faults.FailNext(StorageFault.AppliedAnswerLost, BatchWith("WorkflowExecutionSignaled"));

        await swf.CallAsync("SignalWorkflowExecution", new JsonObject { ["domain"] = "applied", ["workflowId"] = "signalled", ["signalName"] = "go" });

        Assert.Equal(1, faults.Count(StorageFault.AppliedAnswerLost));
        Assert.True(swf.Retries == 0, $"the service answered 5xx and the client retried ({swf.Retries})");
        var events = await swf.HistoryAsync("applied", "signalled", run);
        Assert.Single(events, e => e.GetProperty("eventType").GetString() == "WorkflowExecutionSignaled");
    }

    [Fact]
    public async Task A_start_whose_commit_was_applied_but_answered_503_succeeds_with_its_run()
    {
        faults.FailNext(StorageFault.AppliedAnswerLost, BatchWith("WorkflowExecutionStarted"));

        var run = (await StartAsync("started")).Json.GetProperty("runId").GetString()!; // not WorkflowExecutionAlreadyStartedFault

        Assert.Equal(1, faults.Count(StorageFault.AppliedAnswerLost));
        Assert.True(swf.Retries == 0, $"the service answered 5xx and the client retried ({swf.Retries})");
        var runs = await swf.RunsAsync("applied", "started");
        Assert.Equal(run, Assert.Single(runs).RunId);
    }

    [Fact]
    public async Task An_activity_completion_whose_commit_was_applied_but_answered_503_succeeds_once()
    {
        var run = (await StartAsync("worked")).Json.GetProperty("runId").GetString()!;
        var decision = await swf.CallAsync("PollForDecisionTask", new JsonObject { ["domain"] = "applied", ["taskList"] = new JsonObject { ["name"] = Workload.DecisionList } });
        await swf.CallAsync("RespondDecisionTaskCompleted", new JsonObject
        {
            ["taskToken"] = decision.GetProperty("taskToken").GetString(),
            ["decisions"] = Workload.Decide("worked", decision.GetProperty("events").EnumerateArray().ToList()),
        });
        var task = await swf.CallAsync("PollForActivityTask", new JsonObject { ["domain"] = "applied", ["taskList"] = new JsonObject { ["name"] = Workload.ActivityList } });
        faults.FailNext(StorageFault.AppliedAnswerLost, BatchWith("ActivityTaskCompleted"));

        // Not UnknownResourceFault: the worker's completion did land.
        await swf.CallAsync("RespondActivityTaskCompleted", new JsonObject { ["taskToken"] = task.GetProperty("taskToken").GetString(), ["result"] = "done" });

        Assert.Equal(1, faults.Count(StorageFault.AppliedAnswerLost));
        Assert.True(swf.Retries == 0, $"the service answered 5xx and the client retried ({swf.Retries})");
        var events = await swf.HistoryAsync("applied", "worked", run);
        Assert.Single(events, e => e.GetProperty("eventType").GetString() == "ActivityTaskCompleted");
    }

    [Fact]
    public async Task A_signal_whose_commit_was_applied_and_then_built_on_by_another_instance_before_its_answer_is_recorded_once()
    {
        // The other instance commits a second signal on top of the first while the first's answer is lost on its way:
        // the first's state row then names the second's commit, and only its event row tells that it landed.
        await using var other = await InProcessServer.StartAsync(InstanceSettings.For(azurite.ConnectionString, prefix), null);
        using var otherSwf = new SwfHttp([other.Url], InstanceSettings.AccessKeyId, InstanceSettings.Secret, deadline.Token);
        var run = (await StartAsync("built-on")).Json.GetProperty("runId").GetString()!;
        faults.FailNext(StorageFault.AppliedAnswerLost, BatchWith("WorkflowExecutionSignaled"), () =>
            otherSwf.CallAsync("SignalWorkflowExecution", new JsonObject { ["domain"] = "applied", ["workflowId"] = "built-on", ["signalName"] = "second" }));

        await swf.CallAsync("SignalWorkflowExecution", new JsonObject { ["domain"] = "applied", ["workflowId"] = "built-on", ["signalName"] = "first" });

        Assert.Equal(1, faults.Count(StorageFault.AppliedAnswerLost));
        Assert.True(swf.Retries == 0, $"the service answered 5xx and the client retried ({swf.Retries})");
        var signals = (await swf.HistoryAsync("applied", "built-on", run))
            .Where(e => e.GetProperty("eventType").GetString() == "WorkflowExecutionSignaled")
            .Select(e => e.GetProperty("workflowExecutionSignaledEventAttributes").GetProperty("signalName").GetString())
            .ToList();
        Assert.Equal(["first", "second"], signals);
    }
}
