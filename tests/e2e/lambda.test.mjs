// Lambda tasks through the AWS SDK for JavaScript v3: the server is configured (scripts/test.sh) with the function
// e2e-echo at http://127.0.0.1:$SWF_E2E_LAMBDA_PORT/echo; this test serves that port itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  RegisterDomainCommand, RegisterWorkflowTypeCommand, StartWorkflowExecutionCommand, PollForDecisionTaskCommand,
  RespondDecisionTaskCompletedCommand, DescribeWorkflowExecutionCommand,
} from '@aws-sdk/client-swf';
import { client, unique } from './client.mjs';

const port = Number(process.env.SWF_E2E_LAMBDA_PORT ?? 0);
const swf = client();
const domain = unique('lambda');
const workflowType = { name: 'with-lambda', version: '1' };
const calls = [];
let server;

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      calls.push({ url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echoed: JSON.parse(body) }));
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  await swf.send(new RegisterDomainCommand({ name: domain, workflowExecutionRetentionPeriodInDays: '1' }));
  await swf.send(new RegisterWorkflowTypeCommand({
    domain, ...workflowType, defaultTaskList: { name: 'unused' }, defaultChildPolicy: 'TERMINATE',
    defaultExecutionStartToCloseTimeout: '600', defaultTaskStartToCloseTimeout: '30',
    defaultLambdaRole: 'arn:aws:iam::123456789012:role/swf-lambda',
  }));
});

after(() => server?.close());

async function decide(taskList, decisions) {
  const task = await swf.send(new PollForDecisionTaskCommand({ domain, taskList: { name: taskList }, identity: 'decider' }));
  assert.ok(task.taskToken, `a decision task on ${taskList} was expected`);
  await swf.send(new RespondDecisionTaskCompletedCommand({ taskToken: task.taskToken, decisions: decisions(task) }));
  return task;
}

test('a Lambda task calls the configured HTTP function and its answer is LambdaFunctionCompleted', { skip: port === 0 && 'SWF_E2E_LAMBDA_PORT is not set' }, async () => {
  const workflowId = unique('wf');
  const taskList = unique('l');
  const { runId } = await swf.send(new StartWorkflowExecutionCommand({ domain, workflowId, workflowType, taskList: { name: taskList } }));
  await decide(taskList, () => [{
    decisionType: 'ScheduleLambdaFunction',
    scheduleLambdaFunctionDecisionAttributes: { id: 'greet', name: 'arn:aws:lambda:us-east-1:123456789012:function:e2e-echo', input: '{"who":"world"}' },
  }]);
  const task = await decide(taskList, () => [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'ok' } }]);

  const types = task.events.map((e) => e.eventType);
  assert.deepEqual(types.slice(-5), ['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionCompleted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
  const completed = task.events.find((e) => e.eventType === 'LambdaFunctionCompleted').lambdaFunctionCompletedEventAttributes;
  assert.deepEqual(JSON.parse(completed.result), { echoed: { who: 'world' } });
  assert.deepEqual(calls, [{ url: '/echo', body: '{"who":"world"}' }]);
  const detail = await swf.send(new DescribeWorkflowExecutionCommand({ domain, execution: { workflowId, runId } }));
  assert.equal(detail.executionInfo.closeStatus, 'COMPLETED');
});
