using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SwfServerless.Testing;
using static SwfServerless.Api.Tests.Workflows;

namespace SwfServerless.Api.Tests.Executions;

/// <summary>
/// A client that disconnects in a long poll (issue 12's client misbehaviour). The poll ends with the connection: a poller
/// that left takes nothing, so the task it would have received goes to the next poller at once. (A poller that leaves
/// after it received a message but before its claim commits hands the message straight back; one whose claim had
/// committed when it left holds a started task that nobody works on, which comes back by its START_TO_CLOSE timeout,
/// as for any worker that vanishes: <see cref="Time.ClientMisbehaviourTests"/>.)
/// </summary>
[Collection("api")]
public sealed class LongPollDisconnectTests(AzuriteFixture azurite) : WorkflowTest(azurite)
{
    private readonly PollsInFlight polls = new();

    protected override Dictionary<string, string?> Settings() => new() { ["Swf:LongPollSeconds"] = "10" };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IStartupFilter>(polls);

    [Fact]
    public async Task A_poller_that_disconnects_while_waiting_takes_nothing_and_the_next_poller_gets_the_task()
    {
        using var leave = new CancellationTokenSource();
        var body = $$"""{"domain":"{{Wf.Domain}}","taskList":{"name":"{{Deciders}}"},"identity":"gone"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.0");
        request.Headers.Add("X-Amz-Target", "SimpleWorkflowService.PollForDecisionTask");
        var gone = App.Http.SendAsync(request, leave.Token);
        await Eventually.TrueAsync(() => Task.FromResult(polls.InFlight == 1), "the poll is waiting in the app");

        leave.Cancel(); // the client drops the connection
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);
        await Eventually.TrueAsync(() => Task.FromResult(polls.InFlight == 0), "the app ended the abandoned poll");

        var run = await Wf.StartAsync();
        var task = await Wf.PollDecisionAsync(run); // a task the abandoned poll had taken would leave this poll empty
        Assert.Equal(3, task.GetProperty("startedEventId").GetInt64());
        await Wf.DecideAsync(task, Complete());
        var started = Attributes(Assert.Single(await Wf.HistoryAsync(run), e => Type(e) == "DecisionTaskStarted"));
        Assert.Equal("decider", started.GetProperty("identity").GetString());
        await AssertConsistentAsync();
    }

    /// <summary>Counts the PollForDecisionTask requests the app is serving: when one ends, the app has let go of it.</summary>
    private sealed class PollsInFlight : IStartupFilter
    {
        private int inFlight;

        public int InFlight => Volatile.Read(ref inFlight);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, rest) =>
            {
                var poll = context.Request.Headers["X-Amz-Target"].ToString().EndsWith(".PollForDecisionTask", StringComparison.Ordinal);
                if (poll) Interlocked.Increment(ref inFlight);
                try { await rest(); }
                finally { if (poll) Interlocked.Decrement(ref inFlight); }
            });
            next(app);
        };
    }
}
