using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Api.Tests.Time;
using SwfServerless.Core.Executions;
using SwfServerless.Testing;

namespace SwfServerless.Api.Tests;

/// <summary>
/// What a caller is told when storage fails, through real HTTP with failures injected between the app and Azurite:
/// retryable when retrying may help, a clear non-retryable error naming the failure when it cannot.
/// </summary>
[Collection("api")]
public sealed class StorageErrorTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private readonly StorageTap tap = new(TestNames.Unique("se"));

    protected override Dictionary<string, string?> Settings() => new() { ["Swf:StoragePrefix"] = tap.Prefix };

    protected override void ConfigureServices(IServiceCollection services) => StorageTap.Install(Azurite.ConnectionString, tap)(services);

    private async Task<SwfResponse> SignalRefusedAsync(Execution run, HttpStatusCode status, string code)
    {
        tap.Refusal = (status, code);
        tap.Refuse = "Executions";
        try
        {
            return await App.CallAsync("SignalWorkflowExecution", new { domain = Wf.Domain, workflowId = run.WorkflowId, runId = run.RunId, signalName = "s" });
        }
        finally
        {
            tap.Refuse = null;
        }
    }

    [Fact]
    public async Task A_transient_storage_failure_answers_a_retryable_503()
    {
        var run = await Wf.StartAsync();

        var answer = await SignalRefusedAsync(run, HttpStatusCode.ServiceUnavailable, "ServerBusy");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.EndsWith("#ServiceUnavailableException", answer.FaultType);
        await Wf.SignalAsync(run); // and once storage answers again, so does the service
    }

    [Fact]
    public async Task A_refusal_retrying_cannot_fix_answers_InternalFailure_naming_it_not_a_retryable_503()
    {
        var run = await Wf.StartAsync();

        var answer = await SignalRefusedAsync(run, HttpStatusCode.Forbidden, "AuthorizationPermissionMismatch");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.EndsWith("#InternalFailure", answer.FaultType);
        Assert.Contains("403 AuthorizationPermissionMismatch", answer.Message);
        Assert.Contains(answer.RequestId!, answer.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "EntityTooLarge", "1 MiB")]
    [InlineData(HttpStatusCode.BadRequest, "PropertyValueTooLarge", "64 KiB")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "RequestBodyTooLarge", "4 MiB")]
    public async Task A_write_storage_refuses_for_its_size_answers_400_LimitExceededFault_naming_the_limit(HttpStatusCode status, string code, string limit)
    {
        var run = await Wf.StartAsync();

        var answer = await SignalRefusedAsync(run, status, code);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.EndsWith("#LimitExceededFault", answer.FaultType);
        Assert.Contains(code, answer.Message);
        Assert.Contains(limit, answer.Message);
    }

    [Fact]
    public async Task A_run_driven_to_its_state_budget_keeps_answering_every_call()
    {
        // The longest names the model allows, so each open activity takes the most of the state row.
        var name = new string('n', 256);
        await Wf.RegisterActivityAsync(name);
        var taskList = new string('t', 256);
        var run = await Wf.StartAsync();
        var scheduled = 0;
        for (var round = 0; round < 10; round++)
        {
            var decisions = Enumerable.Range(0, 100).Select(_ => new
            {
                decisionType = "ScheduleActivityTask",
                scheduleActivityTaskDecisionAttributes = new
                {
                    activityType = new { name, version = "1" },
                    activityId = (scheduled++).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + new string('i', 250),
                    taskList = new { name = taskList },
                },
            }).ToArray();
            await Wf.DecideAsync(run, decisions);
            if ((await Wf.HistoryAsync(run)).Any(e => Cause(e) == "OPEN_ACTIVITIES_LIMIT_EXCEEDED")) break;
            await Wf.SignalAsync(run);
        }

        // The budget stopped the run short of what its row can hold, and every later call answers.
        var history = await Wf.HistoryAsync(run);
        Assert.Contains(history, e => Cause(e) == "OPEN_ACTIVITIES_LIMIT_EXCEEDED");
        var stored = (await Wf.LoadAsync(run))!.State;
        Assert.InRange(ExecutionJsonContext.Serialize(stored).Length, 300_000, ExecutionLimits.DefaultMaxStateChars);
        await Wf.SignalAsync(run);
        var described = await Wf.DescribeAsync(run);
        Assert.Equal(stored.Activities.Count, described.GetProperty("openCounts").GetProperty("openActivityTasks").GetInt32());
        await Wf.DecideAsync(run, new { decisionType = "CompleteWorkflowExecution" });
        Assert.Equal("CLOSED", (await Wf.DescribeAsync(run)).GetProperty("executionInfo").GetProperty("executionStatus").GetString());
    }

    private static string? Cause(JsonElement e) =>
        e.TryGetProperty("scheduleActivityTaskFailedEventAttributes", out var failed) ? failed.GetProperty("cause").GetString() : null;
}
