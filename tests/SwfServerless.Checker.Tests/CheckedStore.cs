using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Api.Tests;
using SwfServerless.Core.Executions;
using SwfServerless.Storage;
using SwfServerless.Storage.AzureSdk;
using SwfServerless.Storage.Executions;
using SwfServerless.Storage.Intents;
using SwfServerless.Testing;
using static SwfServerless.Api.Tests.Workflows;

namespace SwfServerless.Checker.Tests;

/// <summary>
/// A store with real workflows, driven through the app over HTTP and then left at rest (the app stopped): "full" ran an
/// activity, a timer and a child to completion; "chain" continued as new once and completed; "open" is open with an
/// activity done, a timer fired, a child start failed and a long timer pending. Tests corrupt it by hand and put it back as it was.
/// </summary>
public sealed class CheckedStore : IAsyncLifetime
{
    private readonly AzuriteFixture azurite = new();
    private StorageClients? clients;

    public string ConnectionString => azurite.ConnectionString;
    public string Prefix { get; } = TestNames.Unique("chk");
    public SwfTables Tables { get; private set; } = null!;
    public Execution Full { get; private set; } = null!;
    public Execution Open { get; private set; } = null!;

    public string Partition(Execution run) => ExecutionKeys.Partition("wf", run.WorkflowId);

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        await using (var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?> { ["Swf:StoragePrefix"] = Prefix, ["Swf:LongPollSeconds"] = "5" }))
        {
            var wf = new Workflows(app);
            await wf.RegisterAsync();

            Full = await wf.StartAsync("full");
            await wf.DecideAsync(Full, Schedule("a1"), StartTimer("t1", "1"), StartChild("kid"));
            await CompleteActivityAsync(wf);
            await wf.DecideAsync(await wf.PollDecisionAsync("kids"), Complete("kid done"));
            await DecideUntilAsync(wf, Full, events => Count(events, "ActivityTaskCompleted") == 1 && Count(events, "TimerFired") == 1
                && Count(events, "ChildWorkflowExecutionCompleted") == 1, Complete("done"));

            var chain = await wf.StartAsync("chain");
            await wf.DecideAsync(chain, ContinueAsNew());
            await wf.DecideAsync(await wf.PollDecisionAsync(), Complete("next done"));

            Open = await wf.StartAsync("open");
            // With a child start that fails at once (no such type): StartChildWorkflowExecutionFailed names no initiation (0).
            await wf.DecideAsync(Open, Schedule("a1"), StartTimer("t1", "1"), StartTimer("long", "300"), new
            {
                decisionType = "StartChildWorkflowExecution",
                startChildWorkflowExecutionDecisionAttributes = new { workflowId = "nope", workflowType = new { name = "flow", version = "9" } },
            });
            await CompleteActivityAsync(wf);
            await DecideUntilAsync(wf, Open, events => Count(events, "ActivityTaskCompleted") == 1 && Count(events, "TimerFired") == 1);

            await Eventually.TrueAsync(async () => await app.Services.GetRequiredService<IntentQueue>().CountAsync(CancellationToken.None) == 0, "intents done");
        }
        clients = StorageClients.FromConnectionString(azurite.ConnectionString);
        Tables = new SwfTables(clients, Prefix);
    }

    private static async Task CompleteActivityAsync(Workflows wf) =>
        await wf.App.OkAsync("RespondActivityTaskCompleted", new { taskToken = Token(await wf.PollActivityAsync()), result = "ok" });

    /// <summary>Answers the run's decision tasks with nothing until its history satisfies <paramref name="done"/>, then with <paramref name="last"/>.</summary>
    private static async Task DecideUntilAsync(Workflows wf, Execution run, Func<List<JsonElement>, bool> done, params object[] last)
    {
        while (true)
        {
            var task = await wf.PollDecisionAsync(run);
            if (done(task.GetProperty("events").EnumerateArray().ToList()))
            {
                await wf.DecideAsync(task, last);
                return;
            }
            await wf.DecideAsync(task);
        }
    }

    public Task<CheckReport> CheckAsync() =>
        new ConsistencyChecker(Tables).CheckAsync(new CheckOptions { Settle = TimeSpan.Zero }, null, CancellationToken.None);

    public async Task<LoadedRun> LoadAsync(Execution run) =>
        (await new ExecutionRepository(Tables).LoadAsync(Partition(run), run.RunId, CancellationToken.None))!;

    public async Task<TableEntity> RowAsync(Execution run, string rowKey) =>
        (await Tables.Executions.GetRowAsync(Partition(run), rowKey))!;

    /// <summary>The run's event row of that type (the first), as stored.</summary>
    public async Task<TableEntity> EventRowAsync(Execution run, string eventType)
    {
        var prefix = ExecutionKeys.EventRowPrefix(run.RunId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(run)} and RowKey gt {prefix} and RowKey lt {prefix + "~"} and Type eq {eventType}");
        await foreach (var row in Tables.Executions.QueryRowsAsync(filter)) return row;
        throw new InvalidOperationException($"no {eventType} in {run.RunId}");
    }

    /// <summary>A copy of an event row as event <paramref name="eventId"/> (the key and the eventId inside).</summary>
    public TableEntity EventCopy(Execution run, TableEntity row, long eventId)
    {
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(LargeText.Read(row, "E")!)!;
        json["eventId"] = JsonSerializer.SerializeToElement(eventId);
        var copy = new TableEntity(Partition(run), ExecutionKeys.EventRow(run.RunId, eventId)) { ["Type"] = row["Type"] };
        LargeText.Write(copy, "E", JsonSerializer.Serialize(json));
        return copy;
    }

    /// <summary>The run's state row with LastEventId set to <paramref name="lastEventId"/> (property and state alike).</summary>
    public TableEntity WithLastEventId(TableEntity stateRow, long lastEventId)
    {
        var state = JsonSerializer.Deserialize(LargeText.Read(stateRow, "S")!, ExecutionJsonContext.Default.ExecutionState)!;
        state.LastEventId = lastEventId;
        var row = Clone(stateRow);
        row["LastEventId"] = lastEventId;
        LargeText.Write(row, "S", JsonSerializer.Serialize(state, ExecutionJsonContext.Default.ExecutionState));
        return row;
    }

    /// <summary>The row's keys and properties, without what the service sets (timestamp, ETag): to write back as it was.</summary>
    public static TableEntity Clone(TableEntity row)
    {
        var copy = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, value) in row)
            if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")) copy[name] = value;
        return copy;
    }

    public async Task DisposeAsync()
    {
        clients?.Dispose();
        await azurite.DisposeAsync();
    }
}
