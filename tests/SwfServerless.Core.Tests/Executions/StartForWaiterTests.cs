using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

/// <summary>
/// A task started in the commit that schedules it (for a poller already waiting): which tasks may be, and what the one
/// commit then holds. The engine does this only for tasks that time out once started.
/// </summary>
public class StartForWaiterTests
{
    [Fact]
    public void An_activity_scheduled_and_started_in_one_command_has_consecutive_events_and_only_its_started_deadlines()
    {
        var run = TestRun.Start();
        run.StartDecision();
        var machine = run.Run(m =>
        {
            m.CompleteDecisionTask(run.State.DecisionTask!.StartedEventId, [D.ScheduleActivity("a1")], null, run.ActivityTypes);
            var task = Assert.Single(m.NewTasks);
            Assert.True(m.TimesOutOnceStarted(task));
            Assert.NotNull(m.StartActivityTask(task.ScheduledEventId, "worker-9"));
        });

        Assert.Equal("4 DecisionTaskCompleted, 5 ActivityTaskScheduled, 6 ActivityTaskStarted", run.LastText);
        Assert.Equal("worker-9", run.Event(6).ActivityTaskStartedEventAttributes!.Identity);
        // SCHEDULE_TO_START (60 s) went with the start; START_TO_CLOSE (300), HEARTBEAT (20) and SCHEDULE_TO_CLOSE (600) stay.
        Assert.DoesNotContain(machine.NewDeadlines, d => d.TimeoutType == ActivityTaskTimeoutType.ScheduleToStart);
        Assert.Contains(machine.NewDeadlines, d => d.TimeoutType == ActivityTaskTimeoutType.StartToClose);
        Assert.Contains(machine.NewDeadlines, d => d.TimeoutType == ActivityTaskTimeoutType.ScheduleToClose);
        Assert.Equal(TestRun.T0.AddSeconds(20), machine.NewDeadlines.Min(d => d.Due));
    }

    [Fact]
    public void A_decision_task_scheduled_and_started_in_one_command()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"));
        var worker = run.StartActivity("a1");
        run.Run(m =>
        {
            m.CompleteActivityTask(worker.ScheduledEventId, worker.StartedEventId, "ok");
            var task = Assert.Single(m.NewTasks);
            Assert.Equal(TaskKind.Decision, task.Kind);
            Assert.True(m.TimesOutOnceStarted(task));
            Assert.NotNull(m.StartDecisionTask(task.ScheduledEventId, "decider-3"));
        });
        Assert.Equal("7 ActivityTaskCompleted, 8 DecisionTaskScheduled, 9 DecisionTaskStarted", run.LastText);
        Assert.True(run.State.DecisionTask!.IsStarted);
    }

    [Theory]
    [InlineData("300", "NONE", "NONE", true)]
    [InlineData("NONE", "20", "NONE", true)]
    [InlineData("NONE", "NONE", "600", true)]
    [InlineData("NONE", "NONE", "NONE", false)]
    public void An_activity_may_be_started_unseen_only_if_a_timeout_would_end_it(string startToClose, string heartbeat, string scheduleToClose, bool expected)
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Run(m =>
        {
            m.CompleteDecisionTask(run.State.DecisionTask!.StartedEventId, [D.ScheduleActivity("a1", configure: a =>
            {
                a.StartToCloseTimeout = startToClose;
                a.HeartbeatTimeout = heartbeat;
                a.ScheduleToCloseTimeout = scheduleToClose;
                a.ScheduleToStartTimeout = "NONE";
            })], null, run.ActivityTypes);
            Assert.Equal(expected, m.TimesOutOnceStarted(Assert.Single(m.NewTasks)));
        });
    }

    [Fact]
    public void A_decision_task_without_a_start_to_close_timeout_may_not_be_started_unseen()
    {
        var run = TestRun.Start(TestRun.Request(r => r with { TaskStartToCloseTimeout = "NONE" }));
        var machine = new ExecutionMachine(run.State, TestRun.T0);
        var task = new TaskToDispatch(TaskKind.Decision, run.State.DecisionTask!.TaskList, 0, run.State.DecisionTask.ScheduledEventId);
        Assert.False(machine.TimesOutOnceStarted(task));
        // Nor one already started.
        run.StartDecision();
        Assert.False(new ExecutionMachine(run.State, TestRun.T0).TimesOutOnceStarted(task));
    }
}
