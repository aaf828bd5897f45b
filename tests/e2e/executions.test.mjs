// Workflow executions through the AWS SDK for JavaScript v3: a real decider and a real activity worker.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  RegisterDomainCommand, RegisterWorkflowTypeCommand, RegisterActivityTypeCommand, StartWorkflowExecutionCommand,
  PollForDecisionTaskCommand, RespondDecisionTaskCompletedCommand, PollForActivityTaskCommand, RespondActivityTaskCompletedCommand,
  RecordActivityTaskHeartbeatCommand, RespondActivityTaskCanceledCommand, SignalWorkflowExecutionCommand,
  GetWorkflowExecutionHistoryCommand, DescribeWorkflowExecutionCommand, ListClosedWorkflowExecutionsCommand,
  UnknownResourceFault,
} from '@aws-sdk/client-swf';
import { client, unique } from './client.mjs';

const swf = client();
const domain = unique('exec');
const workflowType = { name: 'pipeline', version: '1' };
const activity = (name) => ({ name, version: '1' });
let emptyPolls;

before(async () => {
  await swf.send(new RegisterDomainCommand({ name: domain, workflowExecutionRetentionPeriodInDays: '1' }));
  await swf.send(new RegisterWorkflowTypeCommand({
    domain, ...workflowType, defaultTaskList: { name: 'deciders' }, defaultChildPolicy: 'TERMINATE',
    defaultExecutionStartToCloseTimeout: '600', defaultTaskStartToCloseTimeout: '30',
  }));
  for (const name of ['A', 'B', 'Slow']) {
    await swf.send(new RegisterActivityTypeCommand({
      domain, ...activity(name), defaultTaskList: { name: 'workers' }, defaultTaskStartToCloseTimeout: '60',
      defaultTaskHeartbeatTimeout: 'NONE', defaultTaskScheduleToStartTimeout: '60', defaultTaskScheduleToCloseTimeout: '120',
    }));
  }
  await swf.send(new RegisterActivityTypeCommand({
    domain, ...activity('Beating'), defaultTaskList: { name: 'beaters' }, defaultTaskStartToCloseTimeout: '60',
    defaultTaskHeartbeatTimeout: '1', defaultTaskScheduleToStartTimeout: '60', defaultTaskScheduleToCloseTimeout: '120',
  }));
  // Two long polls on task lists nobody uses, checked by the last test. Started here, the minute they wait under the
  // default Swf:LongPollSeconds (60) overlaps the other tests instead of adding to the run.
  emptyPolls = Promise.allSettled([
    swf.send(new PollForDecisionTaskCommand({ domain, taskList: { name: 'nobody-decides-here' }, identity: 'idle decider' })),
    swf.send(new PollForActivityTaskCommand({ domain, taskList: { name: 'nobody-works-here' }, identity: 'idle worker' })),
  ]);
});

async function decide(taskList, decideFn) {
  const task = await swf.send(new PollForDecisionTaskCommand({ domain, taskList: { name: taskList }, identity: 'decider' }));
  assert.ok(task.taskToken, 'a decision task was expected');
  const decisions = decideFn(task);
  await swf.send(new RespondDecisionTaskCompletedCommand({ taskToken: task.taskToken, decisions }));
  return task;
}

async function work(taskList, handler) {
  const task = await swf.send(new PollForActivityTaskCommand({ domain, taskList: { name: taskList }, identity: 'worker' }));
  assert.ok(task.taskToken, 'an activity task was expected');
  await handler(task);
  return task;
}

const schedule = (id, name, input) => ({
  decisionType: 'ScheduleActivityTask',
  scheduleActivityTaskDecisionAttributes: { activityId: id, activityType: activity(name), input },
});

async function history(execution) {
  const events = [];
  let nextPageToken;
  do {
    const page = await swf.send(new GetWorkflowExecutionHistoryCommand({ domain, execution, nextPageToken, maximumPageSize: 7 }));
    events.push(...page.events);
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  return events;
}

test('a decider and a worker run a three-step workflow: A, then B with A\'s result, then complete', async () => {
  const workflowId = unique('three-step');
  const { runId } = await swf.send(new StartWorkflowExecutionCommand({ domain, workflowId, workflowType, input: 'start', tagList: ['e2e'] }));
  const execution = { workflowId, runId };

  const first = await decide('deciders', (t) => {
    assert.equal(t.workflowExecution.runId, runId);
    assert.deepEqual(t.events.map((e) => e.eventType), ['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    assert.equal(t.events[0].workflowExecutionStartedEventAttributes.input, 'start');
    assert.equal(t.previousStartedEventId, 0);
    return [schedule('a', 'A', 'to-A')];
  });
  await work('workers', async (t) => {
    assert.equal(t.activityId, 'a');
    assert.equal(t.input, 'to-A');
    await swf.send(new RespondActivityTaskCompletedCommand({ taskToken: t.taskToken, result: 'from-A' }));
  });
  await decide('deciders', (t) => {
    assert.equal(t.previousStartedEventId, first.startedEventId);
    const completed = t.events.find((e) => e.eventType === 'ActivityTaskCompleted');
    return [schedule('b', 'B', completed.activityTaskCompletedEventAttributes.result)];
  });
  await work('workers', async (t) => {
    assert.equal(t.input, 'from-A');
    await swf.send(new RespondActivityTaskCompletedCommand({ taskToken: t.taskToken, result: 'from-B' }));
  });
  await decide('deciders', () => [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'done' } }]);

  const events = await history(execution);
  assert.deepEqual(events.map((e) => e.eventType), [
    'WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted', 'DecisionTaskCompleted',
    'ActivityTaskScheduled', 'ActivityTaskStarted', 'ActivityTaskCompleted', 'DecisionTaskScheduled', 'DecisionTaskStarted',
    'DecisionTaskCompleted', 'ActivityTaskScheduled', 'ActivityTaskStarted', 'ActivityTaskCompleted', 'DecisionTaskScheduled',
    'DecisionTaskStarted', 'DecisionTaskCompleted', 'WorkflowExecutionCompleted',
  ]);
  assert.deepEqual(events.map((e) => e.eventId), events.map((_, i) => i + 1));
  assert.equal(events[6].activityTaskCompletedEventAttributes.scheduledEventId, 5);
  assert.equal(events[6].activityTaskCompletedEventAttributes.startedEventId, 6);
  assert.equal(events[16].workflowExecutionCompletedEventAttributes.result, 'done');
  assert.equal(events[16].workflowExecutionCompletedEventAttributes.decisionTaskCompletedEventId, 16);

  const detail = await swf.send(new DescribeWorkflowExecutionCommand({ domain, execution }));
  assert.equal(detail.executionInfo.executionStatus, 'CLOSED');
  assert.equal(detail.executionInfo.closeStatus, 'COMPLETED');
  assert.deepEqual(detail.executionInfo.tagList, ['e2e']);

  const closed = await swf.send(new ListClosedWorkflowExecutionsCommand({
    domain, startTimeFilter: { oldestDate: new Date(Date.now() - 3600_000) }, executionFilter: { workflowId },
  }));
  assert.deepEqual(closed.executionInfos.map((i) => [i.execution.runId, i.closeStatus]), [[runId, 'COMPLETED']]);
});

test('a cancelled activity: the heartbeat sees cancelRequested and the worker answers RespondActivityTaskCanceled', async () => {
  const workflowId = unique('cancel');
  const { runId } = await swf.send(new StartWorkflowExecutionCommand({ domain, workflowId, workflowType }));
  await decide('deciders', () => [schedule('slow', 'Slow')]);
  const started = await swf.send(new PollForActivityTaskCommand({ domain, taskList: { name: 'workers' } }));
  assert.equal(started.activityId, 'slow');
  assert.equal((await swf.send(new RecordActivityTaskHeartbeatCommand({ taskToken: started.taskToken, details: '10%' }))).cancelRequested, false);
  await swf.send(new SignalWorkflowExecutionCommand({ domain, workflowId, signalName: 'cancel-it' }));

  await decide('deciders', (t) => {
    assert.equal(t.events.at(-1).eventType, 'DecisionTaskStarted');
    return [{ decisionType: 'RequestCancelActivityTask', requestCancelActivityTaskDecisionAttributes: { activityId: 'slow' } }];
  });
  assert.equal((await swf.send(new RecordActivityTaskHeartbeatCommand({ taskToken: started.taskToken }))).cancelRequested, true);
  await swf.send(new RespondActivityTaskCanceledCommand({ taskToken: started.taskToken, details: 'stopped' }));
  await assert.rejects(swf.send(new RespondActivityTaskCanceledCommand({ taskToken: started.taskToken })), UnknownResourceFault);

  await decide('deciders', (t) => {
    const canceled = t.events.find((e) => e.eventType === 'ActivityTaskCanceled');
    assert.equal(canceled.activityTaskCanceledEventAttributes.details, 'stopped');
    return [{ decisionType: 'CancelWorkflowExecution', cancelWorkflowExecutionDecisionAttributes: { details: 'gave up' } }];
  });
  const events = await history({ workflowId, runId });
  assert.deepEqual(events.map((e) => e.eventType).slice(-6), [
    'ActivityTaskCancelRequested', 'ActivityTaskCanceled', 'DecisionTaskScheduled', 'DecisionTaskStarted', 'DecisionTaskCompleted', 'WorkflowExecutionCanceled',
  ]);
});

test('a signal-driven workflow: each signal wakes the decider, which completes on "stop"', async () => {
  const workflowId = unique('signals');
  const { runId } = await swf.send(new StartWorkflowExecutionCommand({ domain, workflowId, workflowType }));
  await decide('deciders', () => []);
  await swf.send(new SignalWorkflowExecutionCommand({ domain, workflowId, signalName: 'add', input: '1' }));
  await decide('deciders', (t) => {
    const signal = t.events.at(-3);
    assert.equal(signal.eventType, 'WorkflowExecutionSignaled');
    assert.equal(signal.workflowExecutionSignaledEventAttributes.signalName, 'add');
    assert.equal(signal.workflowExecutionSignaledEventAttributes.input, '1');
    return [];
  });
  await swf.send(new SignalWorkflowExecutionCommand({ domain, workflowId, runId, signalName: 'stop' }));
  await decide('deciders', (t) => {
    assert.equal(t.events.at(-3).workflowExecutionSignaledEventAttributes.signalName, 'stop');
    return [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} }];
  });
  await assert.rejects(swf.send(new SignalWorkflowExecutionCommand({ domain, workflowId, signalName: 'late' })), UnknownResourceFault);
  const types = (await history({ workflowId, runId })).map((e) => e.eventType);
  assert.equal(types.filter((t) => t === 'WorkflowExecutionSignaled').length, 2);
  assert.equal(types.at(-1), 'WorkflowExecutionCompleted');
});

test('a worker that stops heartbeating: its activity times out with the last details, and the decider schedules it again', async () => {
  const workflowId = unique('heartbeat');
  const { runId } = await swf.send(new StartWorkflowExecutionCommand({ domain, workflowId, workflowType }));
  await decide('deciders', () => [schedule('beat-1', 'Beating', 'work')]);

  const first = await swf.send(new PollForActivityTaskCommand({ domain, taskList: { name: 'beaters' }, identity: 'flaky worker' }));
  assert.equal(first.activityId, 'beat-1');
  // Heartbeats every 300 ms for 1.5 s keep it alive past its 1 s heartbeat timeout; then the worker goes quiet.
  let last;
  for (const started = Date.now(); Date.now() - started < 1500;) {
    last = `step ${Math.round((Date.now() - started) / 100)}`;
    const status = await swf.send(new RecordActivityTaskHeartbeatCommand({ taskToken: first.taskToken, details: last }));
    assert.equal(status.cancelRequested, false);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  // The decider's long poll is answered by the decision task the timeout scheduled.
  await decide('deciders', (t) => {
    const timedOut = t.events.find((e) => e.eventType === 'ActivityTaskTimedOut');
    assert.ok(timedOut, `an ActivityTaskTimedOut event was expected: ${t.events.map((e) => e.eventType).join(', ')}`);
    assert.equal(timedOut.activityTaskTimedOutEventAttributes.timeoutType, 'HEARTBEAT');
    assert.equal(timedOut.activityTaskTimedOutEventAttributes.details, last);
    const scheduled = t.events.find((e) => e.eventId === timedOut.activityTaskTimedOutEventAttributes.scheduledEventId);
    assert.equal(scheduled.activityTaskScheduledEventAttributes.activityId, 'beat-1');
    return [schedule('beat-2', 'Beating', scheduled.activityTaskScheduledEventAttributes.input)];
  });
  await assert.rejects(swf.send(new RecordActivityTaskHeartbeatCommand({ taskToken: first.taskToken, details: 'too late' })), UnknownResourceFault);
  await assert.rejects(swf.send(new RespondActivityTaskCompletedCommand({ taskToken: first.taskToken })), UnknownResourceFault);

  const second = await swf.send(new PollForActivityTaskCommand({ domain, taskList: { name: 'beaters' }, identity: 'good worker' }));
  assert.equal(second.activityId, 'beat-2');
  assert.equal(second.input, 'work');
  await swf.send(new RespondActivityTaskCompletedCommand({ taskToken: second.taskToken, result: 'done' }));
  await decide('deciders', () => [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} }]);

  const types = (await history({ workflowId, runId })).map((e) => e.eventType);
  assert.deepEqual(types.slice(4), [
    'ActivityTaskScheduled', 'ActivityTaskStarted', 'ActivityTaskTimedOut', 'DecisionTaskScheduled', 'DecisionTaskStarted', 'DecisionTaskCompleted',
    'ActivityTaskScheduled', 'ActivityTaskStarted', 'ActivityTaskCompleted', 'DecisionTaskScheduled', 'DecisionTaskStarted', 'DecisionTaskCompleted',
    'WorkflowExecutionCompleted',
  ]);
});

test('an empty long poll has no taskToken at all, as Amazon SWF answers it (undefined, not "")', async () => {
  // Amazon SWF sends {"previousStartedEventId":0,"startedEventId":0} and {"startedEventId":0}; the SDK maps the absent
  // member to undefined, where an empty string would come through as ''.
  const [decision, activityTask] = await emptyPolls;
  assert.equal(decision.status, 'fulfilled', String(decision.reason));
  assert.equal(activityTask.status, 'fulfilled', String(activityTask.reason));
  const { $metadata: decisionMetadata, ...emptyDecision } = decision.value;
  const { $metadata: activityMetadata, ...emptyActivity } = activityTask.value;
  assert.equal(emptyDecision.taskToken, undefined);
  assert.equal(emptyActivity.taskToken, undefined);
  assert.deepEqual(emptyDecision, { previousStartedEventId: 0, startedEventId: 0 });
  assert.deepEqual(emptyActivity, { startedEventId: 0 });
  assert.equal(decisionMetadata.httpStatusCode, 200);
  assert.equal(activityMetadata.httpStatusCode, 200);
});
