using SwfServerless.Core.Executions;
using SwfServerless.Core.Model;
using SwfServerless.Core.Types;

namespace SwfServerless.Core.Tests.Executions;

public class DecisionLoopTests
{
    [Fact]
    public void ScheduleStartCompleteActivity_ThenTheNextDecisionSeesThePreviousStartedEvent()
    {
        var run = TestRun.Start();

        var first = run.StartDecision("decider-1");
        Assert.Equal((2L, 3L, 0L, "deciders"), (first.ScheduledEventId, first.StartedEventId, first.PreviousStartedEventId, first.TaskList));
        Assert.Equal(("wf", "1"), (first.WorkflowType.Name, first.WorkflowType.Version));
        Assert.Equal(("order-42", TestRun.RunId), (first.WorkflowExecution.WorkflowId, first.WorkflowExecution.RunId));
        Assert.Equal("decider-1", run.Event(3).DecisionTaskStartedEventAttributes!.Identity);
        Assert.Equal(2, run.Event(3).DecisionTaskStartedEventAttributes!.ScheduledEventId);
        Assert.Equal([Deadline.DecisionTask(TestRun.T0.AddSeconds(30), 2, 3, DecisionTaskTimeoutType.StartToClose)], run.Last.NewDeadlines);

        run.Advance(1);
        run.Decide("ctx-1", D.ScheduleActivity("a1", input: "activity input"));
        Assert.Equal("4 DecisionTaskCompleted, 5 ActivityTaskScheduled", run.LastText);
        var completed = run.Event(4).DecisionTaskCompletedEventAttributes!;
        Assert.Equal((2L, 3L, "ctx-1"), (completed.ScheduledEventId!.Value, completed.StartedEventId!.Value, completed.ExecutionContext));
        var scheduled = run.Event(5).ActivityTaskScheduledEventAttributes!;
        Assert.Equal(("a1", "act", "activity input", 4L), (scheduled.ActivityId, scheduled.ActivityType!.Name, scheduled.Input, scheduled.DecisionTaskCompletedEventId!.Value));
        Assert.Equal(("workers", "2", "60", "600", "300", "20"), (scheduled.TaskList!.Name, scheduled.TaskPriority,
            scheduled.ScheduleToStartTimeout, scheduled.ScheduleToCloseTimeout, scheduled.StartToCloseTimeout, scheduled.HeartbeatTimeout));
        Assert.Equal([new TaskToDispatch(TaskKind.Activity, "workers", 2, 5, "a1")], run.Last.NewTasks);
        var t1 = TestRun.T0.AddSeconds(1);
        Assert.Equal(
            [Deadline.Activity(t1.AddSeconds(60), 5, ActivityTaskTimeoutType.ScheduleToStart), Deadline.Activity(t1.AddSeconds(600), 5, ActivityTaskTimeoutType.ScheduleToClose)],
            run.Last.NewDeadlines);
        Assert.Equal((1, 0, 0, 0, 0), StartExecutionTests.Counts(run.State));
        Assert.Equal(t1, run.State.Detail().LatestActivityTaskTimestamp);
        // The context stays in its DecisionTaskCompleted event; the state names the event and Describe reads it from there.
        Assert.Equal(4, run.State.LatestExecutionContextEventId);
        Assert.Null(run.State.Detail().LatestExecutionContext);
        Assert.Equal("ctx-1", run.State.Detail("ctx-1").LatestExecutionContext);

        run.Advance(1);
        var activity = run.StartActivity("a1", "worker-1");
        Assert.Equal((5L, 6L, "a1", "workers"), (activity.ScheduledEventId, activity.StartedEventId, activity.ActivityId, activity.TaskList));
        Assert.Equal(TestRun.RunId, activity.WorkflowExecution.RunId);
        Assert.Equal(("act", "1"), (activity.ActivityType.Name, activity.ActivityType.Version));
        Assert.Equal("worker-1", run.Event(6).ActivityTaskStartedEventAttributes!.Identity);
        var t2 = TestRun.T0.AddSeconds(2);
        Assert.Equal(
            [Deadline.Activity(t2.AddSeconds(300), 5, ActivityTaskTimeoutType.StartToClose), Deadline.Activity(t2.AddSeconds(20), 5, ActivityTaskTimeoutType.Heartbeat)],
            run.Last.NewDeadlines);

        run.Run(m => m.CompleteActivityTask(5, 6, "activity result"));
        Assert.Equal("7 ActivityTaskCompleted, 8 DecisionTaskScheduled", run.LastText);
        Assert.Equal(("activity result", 5L, 6L), (run.Event(7).ActivityTaskCompletedEventAttributes!.Result,
            run.Event(7).ActivityTaskCompletedEventAttributes!.ScheduledEventId!.Value, run.Event(7).ActivityTaskCompletedEventAttributes!.StartedEventId!.Value));
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "deciders", 5, 8)], run.Last.NewTasks);

        var second = run.StartDecision();
        Assert.Equal((8L, 9L, 3L), (second.ScheduledEventId, second.StartedEventId, second.PreviousStartedEventId));

        run.Decide(D.Complete("all done"));
        Assert.True(run.Last.Closed);
        Assert.Equal(
            "1 WorkflowExecutionStarted, 2 DecisionTaskScheduled, 3 DecisionTaskStarted, 4 DecisionTaskCompleted, " +
            "5 ActivityTaskScheduled, 6 ActivityTaskStarted, 7 ActivityTaskCompleted, 8 DecisionTaskScheduled, " +
            "9 DecisionTaskStarted, 10 DecisionTaskCompleted, 11 WorkflowExecutionCompleted",
            run.Text);
        Assert.Equal(("all done", 10L), (run.Event(11).WorkflowExecutionCompletedEventAttributes!.Result,
            run.Event(11).WorkflowExecutionCompletedEventAttributes!.DecisionTaskCompletedEventId!.Value));

        var info = run.State.Info();
        Assert.Equal((ExecutionStatus.Closed, CloseStatus.Completed, run.Now), (info.ExecutionStatus, info.CloseStatus, info.CloseTimestamp));
        Assert.Equal((0, 0, 0, 0, 0), StartExecutionTests.Counts(run.State));
        // A completion without an execution context keeps the latest one.
        Assert.Equal(4, run.State.LatestExecutionContextEventId);
    }

    [Fact]
    public void EmptyCompletion_RecordsOnlyDecisionTaskCompleted()
    {
        var run = TestRun.Start();
        run.Turn();

        Assert.Equal("1 WorkflowExecutionStarted, 2 DecisionTaskScheduled, 3 DecisionTaskStarted, 4 DecisionTaskCompleted", run.Text);
        Assert.Null(run.State.DecisionTask);
        Assert.Empty(run.Last.NewTasks);
        Assert.Equal((0, 0, 0, 0, 0), StartExecutionTests.Counts(run.State));
    }

    [Fact]
    public void StartDecisionTask_ForAStaleOrDuplicateMessage_ReturnsNull()
    {
        var run = TestRun.Start();

        Assert.Null(run.Run(m => m.StartDecisionTask(99, "x")));
        Assert.Empty(run.Last.NewEvents);
        run.StartDecision();
        Assert.Null(run.Run(m => m.StartDecisionTask(2, "again")));
        Assert.Empty(run.Last.NewEvents);
        run.Decide();
        Assert.Null(run.Run(m => m.StartDecisionTask(2, "late")));
        Assert.Equal("1 WorkflowExecutionStarted, 2 DecisionTaskScheduled, 3 DecisionTaskStarted, 4 DecisionTaskCompleted", run.Text);
    }

    [Fact]
    public void CompleteDecisionTask_WithAStaleToken_IsUnknownResource()
    {
        var run = TestRun.Start();
        run.Fails(m => m.CompleteDecisionTask(0, [], null, run.ActivityTypes), "UnknownResourceFault"); // scheduled, not started
        run.StartDecision();
        run.Fails(m => m.CompleteDecisionTask(2, [], null, run.ActivityTypes), "UnknownResourceFault");
        run.Decide();
        // The same token again: the task is completed.
        run.Fails(m => m.CompleteDecisionTask(3, [D.Complete()], null, run.ActivityTypes), "UnknownResourceFault");
        Assert.True(run.State.IsOpen);
    }

    [Fact]
    public void ClosingDecisionWithoutAttributes_IsAccepted()
    {
        var run = TestRun.Start();
        run.Turn(new Decision { DecisionType = DecisionType.CompleteWorkflowExecution });

        Assert.Equal("4 DecisionTaskCompleted, 5 WorkflowExecutionCompleted", run.LastText);
        Assert.Null(run.Event(5).WorkflowExecutionCompletedEventAttributes!.Result);
    }

    public static TheoryData<string, Decision[]> MalformedLists => new()
    {
        { "decisions.1.member.decisionType", [new Decision()] },
        { "decisions.1.member.decisionType", [new Decision { DecisionType = "ScheduleActivity" }] },
        // Attributes of another decision type.
        { "decisions.2.member", [D.RecordMarker("m"), new Decision
            {
                DecisionType = DecisionType.StartTimer,
                CancelTimerDecisionAttributes = new CancelTimerDecisionAttributes { TimerId = "t" },
            }] },
        // Its own attributes plus someone else's.
        { "decisions.1.member", [new Decision
            {
                DecisionType = DecisionType.CompleteWorkflowExecution,
                CompleteWorkflowExecutionDecisionAttributes = new(),
                FailWorkflowExecutionDecisionAttributes = new(),
            }] },
        // Missing attributes with required members.
        { "decisions.1.member.scheduleActivityTaskDecisionAttributes", [new Decision { DecisionType = DecisionType.ScheduleActivityTask }] },
        { "decisions.1.member.startTimerDecisionAttributes.startToFireTimeout", [new Decision
            {
                DecisionType = DecisionType.StartTimer,
                StartTimerDecisionAttributes = new StartTimerDecisionAttributes { TimerId = "t" },
            }] },
        { "decisions.1.member.startTimerDecisionAttributes.startToFireTimeout", [D.StartTimer("t", "NONE")] },
        { "decisions.2.member.scheduleActivityTaskDecisionAttributes.heartbeatTimeout",
            [D.RecordMarker("m"), D.ScheduleActivity("a", configure: a => a.HeartbeatTimeout = "5m")] },
        { "decisions.1.member.scheduleActivityTaskDecisionAttributes.taskPriority",
            [D.ScheduleActivity("a", configure: a => a.TaskPriority = "urgent")] },
        { "decisions.1.member.recordMarkerDecisionAttributes.markerName", [D.RecordMarker(null!)] },
    };

    [Theory]
    [MemberData(nameof(MalformedLists))]
    public void MalformedDecision_RejectsTheWholeCall_NamingTheDecision(string path, Decision[] decisions)
    {
        var run = TestRun.Start();
        run.StartDecision();

        var fault = run.Fails(m => m.CompleteDecisionTask(3, decisions, null, run.ActivityTypes), "ValidationException");
        Assert.Contains(path, fault.Message);

        // The task is still started: a corrected answer is accepted.
        run.Decide(D.RecordMarker("fixed"));
        Assert.Equal("4 DecisionTaskCompleted, 5 MarkerRecorded", run.LastText);
    }

    [Theory]
    [InlineData(DecisionType.CompleteWorkflowExecution)]
    [InlineData(DecisionType.FailWorkflowExecution)]
    [InlineData(DecisionType.CancelWorkflowExecution)]
    [InlineData(DecisionType.ContinueAsNewWorkflowExecution)]
    public void ClosingDecisionNotLast_RejectsTheWholeCall(string closing)
    {
        var run = TestRun.Start();
        run.StartDecision();
        var decision = closing == DecisionType.ContinueAsNewWorkflowExecution
            ? new Decision { DecisionType = closing }
            : D.Closing(closing);

        var fault = run.Fails(m => m.CompleteDecisionTask(3, [decision, D.RecordMarker("after")], null, run.ActivityTypes), "ValidationException");
        Assert.StartsWith("Close must be last decision in list", fault.Message);
        run.Fails(m => m.CompleteDecisionTask(3, [D.Complete(), D.Complete()], null, run.ActivityTypes), "ValidationException");
    }

    [Fact]
    public void MarkersAndDecisionsAfterThem_AreRecordedInOrder()
    {
        var run = TestRun.Start();
        run.Turn(D.RecordMarker("m1", "d1"), D.StartTimer("t1", "10", "c1"), D.RecordMarker("m2"));

        Assert.Equal("4 DecisionTaskCompleted, 5 MarkerRecorded, 6 TimerStarted, 7 MarkerRecorded", run.LastText);
        var marker = run.Event(5).MarkerRecordedEventAttributes!;
        Assert.Equal(("m1", "d1", 4L), (marker.MarkerName, marker.Details, marker.DecisionTaskCompletedEventId!.Value));
        Assert.Null(run.State.DecisionTask);
    }

    [Fact]
    public void ActivityTypesReferenced_ListsWhatTheCallerMustLoad()
    {
        var needed = ExecutionMachine.ActivityTypesReferenced([D.ScheduleActivity("a", "x"), D.ScheduleActivity("b", "y"), D.ScheduleActivity("c", "x"), D.Complete()]);
        Assert.Equal(new HashSet<(string, string)> { ("x", "1"), ("y", "1") }, needed);
        Assert.Empty(ExecutionMachine.ActivityTypesReferenced(null));
    }

    [Fact]
    public void PermanentTaskListOverride_RoutesLaterDecisionTasks()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Run(m => m.CompleteDecisionTask(3, [D.ScheduleActivity("a1")], null, run.ActivityTypes, new TaskList { Name = "other-deciders" }));
        Assert.Equal("other-deciders", run.Event(4).DecisionTaskCompletedEventAttributes!.TaskList!.Name);
        Assert.Equal("other-deciders", run.State.Configuration().TaskList!.Name);

        run.StartActivity("a1");
        run.Run(m => m.CompleteActivityTask(5, 6, null));
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "other-deciders", 5, 8)], run.Last.NewTasks);
        Assert.Null(run.Event(8).DecisionTaskScheduledEventAttributes!.ScheduleToStartTimeout);
        Assert.Empty(run.Last.NewDeadlines);
    }

    [Fact]
    public void TemporaryTaskListOverride_RevertsWhenADecisionTaskOnItIsNotStartedInTime()
    {
        var run = TestRun.Start();
        run.StartDecision();
        run.Run(m => m.CompleteDecisionTask(3, [D.StartTimer("t", "5")], null, run.ActivityTypes, new TaskList { Name = "sticky" }, "10"));
        Assert.Equal("10", run.Event(4).DecisionTaskCompletedEventAttributes!.TaskListScheduleToStartTimeout);
        Assert.Equal("deciders", run.State.Configuration().TaskList!.Name);

        run.Advance(5);
        Assert.True(run.Run(m => m.FireTimer("t", 5)));
        Assert.Equal("6 TimerFired, 7 DecisionTaskScheduled", run.LastText);
        Assert.Equal(("sticky", "10"), (run.Event(7).DecisionTaskScheduledEventAttributes!.TaskList!.Name, run.Event(7).DecisionTaskScheduledEventAttributes!.ScheduleToStartTimeout));
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "sticky", 5, 7)], run.Last.NewTasks);
        var due = run.Now.AddSeconds(10);
        Assert.Equal([Deadline.DecisionTask(due, 7, 0, DecisionTaskTimeoutType.ScheduleToStart)], run.Last.NewDeadlines);

        run.Advance(9);
        Assert.False(run.Run(m => m.TimeOutDecisionTask(7, 0)));
        run.Advance(1);
        Assert.True(run.Run(m => m.TimeOutDecisionTask(7, 0)));
        Assert.Equal("8 DecisionTaskTimedOut(SCHEDULE_TO_START), 9 DecisionTaskScheduled", run.LastText);
        Assert.Equal((7L, 0L), (run.Event(8).DecisionTaskTimedOutEventAttributes!.ScheduledEventId!.Value, run.Event(8).DecisionTaskTimedOutEventAttributes!.StartedEventId!.Value));
        Assert.Equal([new TaskToDispatch(TaskKind.Decision, "deciders", 5, 9)], run.Last.NewTasks);
        Assert.Null(run.Event(9).DecisionTaskScheduledEventAttributes!.ScheduleToStartTimeout);
        Assert.Null(run.State.TaskListOverride);
    }
}
