// Work that crosses executions through the AWS SDK for JavaScript v3: child workflows, ContinueAsNew, child policies.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  RegisterDomainCommand, RegisterWorkflowTypeCommand, StartWorkflowExecutionCommand, PollForDecisionTaskCommand,
  RespondDecisionTaskCompletedCommand, GetWorkflowExecutionHistoryCommand, DescribeWorkflowExecutionCommand,
  ListClosedWorkflowExecutionsCommand, TerminateWorkflowExecutionCommand,
} from '@aws-sdk/client-swf';
import { client, unique } from './client.mjs';

const swf = client();
const domain = unique('cross');
const workflowType = { name: 'family', version: '1' };

before(async () => {
  await swf.send(new RegisterDomainCommand({ name: domain, workflowExecutionRetentionPeriodInDays: '1' }));
  await swf.send(new RegisterWorkflowTypeCommand({
    domain, ...workflowType, defaultTaskList: { name: 'unused' }, defaultChildPolicy: 'TERMINATE',
    defaultExecutionStartToCloseTimeout: '600', defaultTaskStartToCloseTimeout: '30',
  }));
});

async function decide(taskList, decideFn) {
  const task = await swf.send(new PollForDecisionTaskCommand({ domain, taskList: { name: taskList }, identity: 'decider' }));
  assert.ok(task.taskToken, `a decision task on ${taskList} was expected`);
  await swf.send(new RespondDecisionTaskCompletedCommand({ taskToken: task.taskToken, decisions: decideFn(task) }));
  return task;
}

async function history(execution) {
  const events = [];
  let nextPageToken;
  do {
    const page = await swf.send(new GetWorkflowExecutionHistoryCommand({ domain, execution, nextPageToken }));
    events.push(...page.events);
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  return events;
}

const ofType = (events, type) => events.filter((e) => e.eventType === type);
const complete = (result) => ({ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result } });
const startChild = (workflowId, taskList, input) => ({
  decisionType: 'StartChildWorkflowExecution',
  startChildWorkflowExecutionDecisionAttributes: { workflowId, workflowType, taskList: { name: taskList }, input },
});

test('a parent starts two children and completes when both have completed', async () => {
  const parentId = unique('parent');
  const [parentList, kidList] = [unique('p'), unique('k')];
  const { runId } = await swf.send(new StartWorkflowExecutionCommand({ domain, workflowId: parentId, workflowType, taskList: { name: parentList } }));
  await decide(parentList, () => [startChild(`${parentId}-a`, kidList, 'a'), startChild(`${parentId}-b`, kidList, 'b')]);

  for (let i = 0; i < 2; i++) {
    await decide(kidList, (t) => {
      const started = t.events[0].workflowExecutionStartedEventAttributes;
      assert.deepEqual(started.parentWorkflowExecution, { workflowId: parentId, runId });
      return [complete(`done-${started.input}`)];
    });
  }
  for (let closed = false; !closed;) {
    await decide(parentList, (t) => {
      const done = ofType(t.events, 'ChildWorkflowExecutionCompleted');
      return done.length < 2 ? [] : [complete(done.map((e) => e.childWorkflowExecutionCompletedEventAttributes.result).sort().join(','))];
    });
    const detail = await swf.send(new DescribeWorkflowExecutionCommand({ domain, execution: { workflowId: parentId, runId } }));
    closed = detail.executionInfo.executionStatus === 'CLOSED';
  }

  const events = await history({ workflowId: parentId, runId });
  assert.equal(ofType(events, 'StartChildWorkflowExecutionInitiated').length, 2);
  assert.equal(ofType(events, 'ChildWorkflowExecutionStarted').length, 2);
  assert.equal(ofType(events, 'ChildWorkflowExecutionCompleted').length, 2);
  assert.equal(events.at(-1).workflowExecutionCompletedEventAttributes.result, 'done-a,done-b');
});

test('a workflow continues as new three times and then completes: three CONTINUED_AS_NEW runs and one COMPLETED', async () => {
  const workflowId = unique('loop');
  const taskList = unique('l');
  const { runId } = await swf.send(new StartWorkflowExecutionCommand({ domain, workflowId, workflowType, taskList: { name: taskList }, input: '0' }));
  const runs = [runId];
  for (let i = 1; i <= 3; i++) {
    const task = await decide(taskList, (t) => {
      assert.equal(t.events[0].workflowExecutionStartedEventAttributes.input, `${i - 1}`);
      return [{ decisionType: 'ContinueAsNewWorkflowExecution', continueAsNewWorkflowExecutionDecisionAttributes: { input: `${i}`, taskList: { name: taskList } } }];
    });
    assert.equal(task.workflowExecution.runId, runs.at(-1));
    const continued = ofType(await history(task.workflowExecution), 'WorkflowExecutionContinuedAsNew')[0];
    runs.push(continued.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId);
  }
  await decide(taskList, (t) => {
    assert.equal(t.workflowExecution.runId, runs[3]);
    assert.equal(t.events[0].workflowExecutionStartedEventAttributes.continuedExecutionRunId, runs[2]);
    return [complete('looped')];
  });

  const closed = await swf.send(new ListClosedWorkflowExecutionsCommand({
    domain, startTimeFilter: { oldestDate: new Date(Date.now() - 3600_000) }, executionFilter: { workflowId }, reverseOrder: true,
  }));
  assert.deepEqual(closed.executionInfos.map((i) => [i.execution.runId, i.closeStatus]), [
    [runs[0], 'CONTINUED_AS_NEW'], [runs[1], 'CONTINUED_AS_NEW'], [runs[2], 'CONTINUED_AS_NEW'], [runs[3], 'COMPLETED'],
  ]);
});

test('terminating a parent with childPolicy TERMINATE terminates its child with cause CHILD_POLICY_APPLIED', async () => {
  const parentId = unique('doomed');
  const [parentList, kidList] = [unique('p'), unique('k')];
  await swf.send(new StartWorkflowExecutionCommand({ domain, workflowId: parentId, workflowType, taskList: { name: parentList }, childPolicy: 'TERMINATE' }));
  await decide(parentList, () => [startChild(`${parentId}-kid`, kidList, 'x')]);
  const task = await decide(parentList, () => []);
  const kid = ofType(task.events, 'ChildWorkflowExecutionStarted')[0].childWorkflowExecutionStartedEventAttributes.workflowExecution;

  await swf.send(new TerminateWorkflowExecutionCommand({ domain, workflowId: parentId, reason: 'enough' }));

  let detail;
  for (let i = 0; i < 100; i++) {
    detail = await swf.send(new DescribeWorkflowExecutionCommand({ domain, execution: kid }));
    if (detail.executionInfo.executionStatus === 'CLOSED') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(detail.executionInfo.closeStatus, 'TERMINATED');
  const terminated = (await history(kid)).at(-1);
  assert.equal(terminated.eventType, 'WorkflowExecutionTerminated');
  assert.equal(terminated.workflowExecutionTerminatedEventAttributes.cause, 'CHILD_POLICY_APPLIED');
});
