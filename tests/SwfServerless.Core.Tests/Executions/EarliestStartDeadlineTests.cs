using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>
/// The earliest deadline a new task's start could arm: the engine arms the run's alarm no later than this in the commit
/// that schedules the task, so that the claim starting it does not move the alarm again.
/// </summary>
public class EarliestStartDeadlineTests
{
    [Fact]
    public void A_new_decision_task_could_time_out_its_start_to_close_after_now()
    {
        var run = TestRun.Start();
        var started = ExecutionMachine.Start(TestRun.Request(), TestTypes.Workflow(), "run-2", TestRun.T0, null);
        Assert.Equal(TestRun.T0.AddSeconds(30), started.EarliestStartDeadline()); // taskStartToCloseTimeout 30

        // Claimed later, its START_TO_CLOSE falls due later still: the alarm armed at the start need not move.
        run.Advance(5);
        var claim = run.Run(m => { m.StartDecisionTask(run.State.DecisionTask!.ScheduledEventId, "decider"); });
        Assert.Equal(TestRun.T0.AddSeconds(35), claim.NewDeadlines.Min(d => d.Due));
    }

    [Fact]
    public void A_new_activity_could_miss_its_first_heartbeat_or_its_start_to_close_whichever_comes_first()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Advance(2);
        var machine = run.Decide(D.ScheduleActivity("a1"), D.ScheduleActivity("a2", configure: a => { a.StartToCloseTimeout = "10"; a.HeartbeatTimeout = "NONE"; }));
        // a1: heartbeat 20 s, start-to-close 300 s; a2: start-to-close 10 s.
        Assert.Equal(TestRun.T0.AddSeconds(12), machine.EarliestStartDeadline());
    }

    [Fact]
    public void Tasks_started_in_the_same_command_and_tasks_that_never_time_out_once_started_add_nothing()
    {
        var run = TestRun.Start();
        run.StartDecision();
        var machine = run.Run(m =>
        {
            m.CompleteDecisionTask(run.State.DecisionTask!.StartedEventId, [D.ScheduleActivity("a1")], null, run.ActivityTypes);
            m.StartActivityTask(Assert.Single(m.NewTasks).ScheduledEventId, "worker");
        });
        Assert.Null(machine.EarliestStartDeadline());

        var endless = TestRun.Start().Turn(D.ScheduleActivity("e1", configure: a => { a.StartToCloseTimeout = "NONE"; a.HeartbeatTimeout = "NONE"; }));
        Assert.Single(endless.NewTasks);
        Assert.Null(endless.EarliestStartDeadline());
    }
}
