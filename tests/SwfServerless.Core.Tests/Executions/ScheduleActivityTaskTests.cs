using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Tests.Executions;

public class ScheduleActivityTaskTests
{
    [Theory]
    [InlineData("DefaultTaskList", ScheduleActivityTaskFailedCause.DefaultTaskListUndefined)]
    [InlineData("DefaultTaskScheduleToStartTimeout", ScheduleActivityTaskFailedCause.DefaultScheduleToStartTimeoutUndefined)]
    [InlineData("DefaultTaskScheduleToCloseTimeout", ScheduleActivityTaskFailedCause.DefaultScheduleToCloseTimeoutUndefined)]
    [InlineData("DefaultTaskStartToCloseTimeout", ScheduleActivityTaskFailedCause.DefaultStartToCloseTimeoutUndefined)]
    [InlineData("DefaultTaskHeartbeatTimeout", ScheduleActivityTaskFailedCause.DefaultHeartbeatTimeoutUndefined)]
    public void WithoutValueOrDefault_FailsWithItsCause(string missingDefault, string cause)
    {
        var defaults = TestTypes.ActivityDefaults();
        typeof(ActivityTypeConfiguration).GetProperty(missingDefault)!.SetValue(defaults, null);
        var run = TestRun.Start();
        run.ActivityTypes[("partial", "1")] = TestTypes.Activity("partial", defaults);

        run.Turn(D.ScheduleActivity("a1", "partial"));

        Assert.Equal($"4 DecisionTaskCompleted, 5 ScheduleActivityTaskFailed({cause}), 6 DecisionTaskScheduled", run.LastText);
        var failed = run.Event(5).ScheduleActivityTaskFailedEventAttributes!;
        Assert.Equal(("partial", "1", "a1", 4L), (failed.ActivityType!.Name, failed.ActivityType.Version, failed.ActivityId, failed.DecisionTaskCompletedEventId!.Value));
        Assert.Empty(run.State.Activities);
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "deciders", 5, 6)], run.Last.NewTasks);

        // The decision's own value makes up for the missing default.
        run.Turn(D.ScheduleActivity("a1", "partial", configure: a =>
        {
            a.TaskList = new TaskList { Name = "given" };
            a.ScheduleToStartTimeout = "1";
            a.ScheduleToCloseTimeout = "2";
            a.StartToCloseTimeout = "3";
            a.HeartbeatTimeout = "4";
        }));
        Assert.Equal("8 DecisionTaskCompleted, 9 ActivityTaskScheduled", run.LastText);
    }

    [Fact]
    public void WithoutAnyDefaults_TheTaskListIsCheckedFirst()
    {
        var run = TestRun.Start();
        run.ActivityTypes[("bare", "1")] = TestTypes.Activity("bare", new ActivityTypeConfiguration());
        run.Turn(D.ScheduleActivity("a1", "bare"));
        Assert.Equal($"4 DecisionTaskCompleted, 5 ScheduleActivityTaskFailed({ScheduleActivityTaskFailedCause.DefaultTaskListUndefined}), 6 DecisionTaskScheduled", run.LastText);
    }

    [Fact]
    public void UnknownType_FailsWithActivityTypeDoesNotExist()
    {
        var run = TestRun.Start();
        run.ActivityTypes[("gone", "1")] = null;
        run.Turn(D.ScheduleActivity("a1", "gone"), D.ScheduleActivity("a2", "never-loaded"));
        Assert.Equal(
            "4 DecisionTaskCompleted, 5 ScheduleActivityTaskFailed(ACTIVITY_TYPE_DOES_NOT_EXIST), " +
            "6 ScheduleActivityTaskFailed(ACTIVITY_TYPE_DOES_NOT_EXIST), 7 DecisionTaskScheduled",
            run.LastText);
    }

    [Fact]
    public void DeprecatedType_FailsWithActivityTypeDeprecated()
    {
        var run = TestRun.Start();
        run.ActivityTypes[("old", "1")] = TestTypes.Activity("old", deprecated: true);
        run.Turn(D.ScheduleActivity("a1", "old"));
        Assert.Equal("4 DecisionTaskCompleted, 5 ScheduleActivityTaskFailed(ACTIVITY_TYPE_DEPRECATED), 6 DecisionTaskScheduled", run.LastText);
    }

    [Fact]
    public void ActivityIdOfAnOpenActivity_FailsWithActivityIdAlreadyInUse_AndIsFreeAgainOnceClosed()
    {
        var run = TestRun.Start();
        run.Turn(D.ScheduleActivity("a1"), D.ScheduleActivity("a1"));
        Assert.Equal("4 DecisionTaskCompleted, 5 ActivityTaskScheduled, 6 ScheduleActivityTaskFailed(ACTIVITY_ID_ALREADY_IN_USE), 7 DecisionTaskScheduled", run.LastText);

        run.Turn(D.ScheduleActivity("a1"));
        Assert.Equal("9 DecisionTaskCompleted, 10 ScheduleActivityTaskFailed(ACTIVITY_ID_ALREADY_IN_USE), 11 DecisionTaskScheduled", run.LastText);

        run.StartActivity("a1");
        run.Run(m => m.CompleteActivityTask(5, 12, null));
        run.Turn(D.ScheduleActivity("a1"));
        // The completion found decision task 11 still scheduled: no second one.
        Assert.Equal("13 ActivityTaskCompleted", HistoryText.Format(run.History.Skip(12).Take(1)));
        Assert.Equal("15 DecisionTaskCompleted, 16 ActivityTaskScheduled", run.LastText);
    }

    [Fact]
    public void BeyondTheQuota_FailsWithOpenActivitiesLimitExceeded()
    {
        var run = TestRun.Start();
        var decisions = Enumerable.Range(1, ExecutionMachine.MaxOpenActivities + 1).Select(i => D.ScheduleActivity($"a{i}")).ToArray();
        run.Turn(decisions);

        Assert.Equal(ExecutionMachine.MaxOpenActivities, run.State.Activities.Count);
        Assert.Equal(ExecutionMachine.MaxOpenActivities, run.Last.NewTasks.Count(t => t.Kind == TaskKind.Activity));
        Assert.Equal("1005 ScheduleActivityTaskFailed(OPEN_ACTIVITIES_LIMIT_EXCEEDED), 1006 DecisionTaskScheduled",
            HistoryText.Format(run.Last.NewEvents.TakeLast(2)));
        Assert.Equal(ExecutionMachine.MaxOpenActivities, run.State.OpenCounts().OpenActivityTasks);

        // The state row stays compact: no inputs, one short record per activity.
        Assert.True(ExecutionJsonContext.Serialize(run.State).Length < 500 * ExecutionMachine.MaxOpenActivities);
    }

    [Fact]
    public void DecisionValuesOverrideTheTypeDefaults_AndNoneArmsNoDeadline()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Advance(10);
        run.Decide(D.ScheduleActivity("a1", input: "in", configure: a =>
        {
            a.Control = "ctl";
            a.TaskList = new TaskList { Name = "fast" };
            a.TaskPriority = "9";
            a.ScheduleToStartTimeout = "NONE";
            a.ScheduleToCloseTimeout = "NONE";
            a.StartToCloseTimeout = "15";
            a.HeartbeatTimeout = "NONE";
        }));

        var scheduled = run.Event(5).ActivityTaskScheduledEventAttributes!;
        Assert.Equal(("fast", "9", "ctl", "in"), (scheduled.TaskList!.Name, scheduled.TaskPriority, scheduled.Control, scheduled.Input));
        Assert.Equal(("NONE", "NONE", "15", "NONE"), (scheduled.ScheduleToStartTimeout, scheduled.ScheduleToCloseTimeout, scheduled.StartToCloseTimeout, scheduled.HeartbeatTimeout));
        Assert.Equal([new TaskToDispatch(TaskKind.Activity, "fast", 9, 5, "a1")], run.Last.NewTasks);
        Assert.Empty(run.Last.NewDeadlines);

        var open = run.Activity("a1");
        Assert.Equal(("fast", 9, "15"), (open.TaskList, open.Priority, open.StartToCloseTimeout));

        run.Advance(1);
        run.StartActivity("a1");
        Assert.Equal([Deadline.Activity(run.Now.AddSeconds(15), 5, ActivityTaskTimeoutType.StartToClose)], run.Last.NewDeadlines);
    }

    [Fact]
    public void AFailedDecision_DoesNotStopTheRestOfTheList()
    {
        var run = TestRun.Start();
        run.Turn(
            D.ScheduleActivity("a1", "unknown"),
            D.StartTimer("t1", "30"),
            D.CancelTimer("nope"),
            D.ScheduleActivity("a2"),
            D.RequestCancelActivity("nobody"),
            D.RecordMarker("m"));

        Assert.Equal(
            "4 DecisionTaskCompleted, 5 ScheduleActivityTaskFailed(ACTIVITY_TYPE_DOES_NOT_EXIST), 6 TimerStarted, " +
            "7 CancelTimerFailed(TIMER_ID_UNKNOWN), 8 ActivityTaskScheduled, 9 RequestCancelActivityTaskFailed(ACTIVITY_ID_UNKNOWN), " +
            "10 MarkerRecorded, 11 DecisionTaskScheduled",
            run.LastText);
        foreach (var e in run.Last.NewEvents.Skip(1).SkipLast(1))
        {
            Assert.Contains("\"decisionTaskCompletedEventId\":4", System.Text.Json.JsonSerializer.Serialize(e, SwfJsonContext.Default.HistoryEvent));
        }
        Assert.Equal((1, 1, 1, 0, 0), StartExecutionTests.Counts(run.State));
    }
}
