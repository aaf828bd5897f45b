// The web console in a real browser: Debian's Chromium, headless, driven by playwright-core, against the standalone
// server that scripts/test.sh starts (SWF_E2E_ENDPOINT) with a full key and a read-only key. Workflows with
// activities, a timer, a child and a signal are run through the API first; then the browser signs in, finds the
// executions, reads one (timeline bars and event table against the history), signals it, terminates another, starts a
// third from the type's defaults, and a read-only key's terminate is refused with the policy's message.
// Screenshots of every page go to artifacts/console-screenshots/ (SWF_CONSOLE_SCREENSHOTS overrides).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  RegisterDomainCommand, RegisterWorkflowTypeCommand, RegisterActivityTypeCommand, StartWorkflowExecutionCommand,
  PollForDecisionTaskCommand, RespondDecisionTaskCompletedCommand, PollForActivityTaskCommand,
  RespondActivityTaskCompletedCommand, RespondActivityTaskFailedCommand, SignalWorkflowExecutionCommand,
  GetWorkflowExecutionHistoryCommand, DescribeWorkflowExecutionCommand, CountPendingDecisionTasksCommand,
  CountPendingActivityTasksCommand,
} from '@aws-sdk/client-swf';
import { client, endpoint, unique } from '../e2e/client.mjs';

const full = {
  accessKeyId: process.env.SWF_E2E_ACCESS_KEY_ID ?? 'AKIDLOCALDEVELOPMENT',
  secretAccessKey: process.env.SWF_E2E_SECRET_ACCESS_KEY ?? 'local-development-secret-change-me',
};
const readOnly = process.env.SWF_CONSOLE_READONLY_ACCESS_KEY_ID
  ? { accessKeyId: process.env.SWF_CONSOLE_READONLY_ACCESS_KEY_ID, secretAccessKey: process.env.SWF_CONSOLE_READONLY_SECRET_ACCESS_KEY }
  : null;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = process.env.SWF_CONSOLE_SCREENSHOTS ?? path.join(root, 'artifacts', 'console-screenshots');
const chromiumPath = process.env.SWF_CONSOLE_CHROMIUM ?? '/usr/bin/chromium';

const swf = client(full);
const domain = unique('console');
const suffix = domain.slice('console-'.length);
const deciders = `deciders-${suffix}`, childDeciders = `child-deciders-${suffix}`, workers = `workers-${suffix}`, idle = `idle-${suffix}`;
const orderType = { name: 'order', version: '1' };
const childType = { name: 'shipment', version: '1' };
const main = { workflowId: `order-${suffix}` };
const chain = { workflowId: `chain-${suffix}` };
const chainDeciders = `chain-deciders-${suffix}`;
const victim = { workflowId: `stuck-${suffix}` };

let browser;
const cspViolations = [];
const pageErrors = [];
const secretsSeen = [];

// --- driving workflows through the API -------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

async function history(execution) {
  const events = [];
  let nextPageToken;
  do {
    const page = await swf.send(new GetWorkflowExecutionHistoryCommand({ domain, execution, nextPageToken, maximumPageSize: 1000 }));
    events.push(...page.events);
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  return events;
}

// Polls only once a task is known to be there, so no poll ever waits out the long-poll timeout.
async function decide(taskList, decideFn) {
  await until(`a decision task on ${taskList}`, async () =>
    (await swf.send(new CountPendingDecisionTasksCommand({ domain, taskList: { name: taskList } }))).count > 0);
  const task = await swf.send(new PollForDecisionTaskCommand({ domain, taskList: { name: taskList }, identity: 'console-test decider' }));
  assert.ok(task.taskToken, `a decision task on ${taskList}`);
  await swf.send(new RespondDecisionTaskCompletedCommand({ taskToken: task.taskToken, decisions: decideFn(task) }));
  return task;
}

async function work(handle) {
  await until('an activity task', async () =>
    (await swf.send(new CountPendingActivityTasksCommand({ domain, taskList: { name: workers } }))).count > 0);
  const task = await swf.send(new PollForActivityTaskCommand({ domain, taskList: { name: workers }, identity: 'console-test worker' }));
  assert.ok(task.taskToken, 'an activity task');
  await handle(task);
}

// Answers main's decision tasks (with no decisions) until its history holds every event in `wanted` and no decision
// task is open.
async function settle(execution, wanted, decisions = () => []) {
  await until(`${wanted.join(', ')} in the history of ${execution.workflowId}`, async () => {
    const events = await history(execution);
    const types = events.map((e) => e.eventType);
    const scheduled = types.filter((t) => t === 'DecisionTaskScheduled').length;
    const closed = types.filter((t) => t === 'DecisionTaskCompleted' || t === 'DecisionTaskTimedOut').length;
    if (scheduled > closed) {
      await decide(deciders, decisions);
      return false;
    }
    return wanted.every((w) => types.includes(w));
  }, 60000);
}

before(async () => {
  await swf.send(new RegisterDomainCommand({ name: domain, workflowExecutionRetentionPeriodInDays: '1', description: 'browser test of the console' }));
  await swf.send(new RegisterWorkflowTypeCommand({
    domain, ...orderType, description: 'an order: fetch, charge, wait, ship', defaultTaskList: { name: deciders },
    defaultChildPolicy: 'TERMINATE', defaultExecutionStartToCloseTimeout: '3600', defaultTaskStartToCloseTimeout: '30',
  }));
  await swf.send(new RegisterWorkflowTypeCommand({
    domain, ...childType, defaultTaskList: { name: childDeciders }, defaultChildPolicy: 'ABANDON',
    defaultExecutionStartToCloseTimeout: '600', defaultTaskStartToCloseTimeout: '30',
  }));
  for (const name of ['fetch', 'charge']) {
    await swf.send(new RegisterActivityTypeCommand({
      domain, name, version: '1', defaultTaskList: { name: workers }, defaultTaskStartToCloseTimeout: '60',
      defaultTaskHeartbeatTimeout: 'NONE', defaultTaskScheduleToStartTimeout: '60', defaultTaskScheduleToCloseTimeout: '120',
    }));
  }

  // main: two activities (one completes, one fails), a 1 s timer and a child that completes; then a signal.
  main.runId = (await swf.send(new StartWorkflowExecutionCommand({
    domain, ...main, workflowType: orderType, input: JSON.stringify({ order: 42, items: ['book', 'lamp'] }), tagList: ['console-e2e', 'vip'],
  }))).runId;
  await decide(deciders, () => [
    { decisionType: 'ScheduleActivityTask', scheduleActivityTaskDecisionAttributes: { activityId: 'fetch', activityType: { name: 'fetch', version: '1' }, input: '{"order":42}' } },
    { decisionType: 'ScheduleActivityTask', scheduleActivityTaskDecisionAttributes: { activityId: 'charge', activityType: { name: 'charge', version: '1' }, input: '{"amount":19.5}' } },
    { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'cooling-off', startToFireTimeout: '1' } },
    { decisionType: 'StartChildWorkflowExecution', startChildWorkflowExecutionDecisionAttributes: { workflowId: `${main.workflowId}-ship`, workflowType: childType, input: '{"to":"Oslo"}' } },
  ]);
  for (let i = 0; i < 2; i++) {
    await work(async (task) => {
      if (task.activityId === 'fetch') {
        await swf.send(new RespondActivityTaskCompletedCommand({ taskToken: task.taskToken, result: JSON.stringify({ items: [{ sku: 'book', qty: 1 }, { sku: 'lamp', qty: 2 }] }) }));
      } else {
        await swf.send(new RespondActivityTaskFailedCommand({ taskToken: task.taskToken, reason: 'card declined', details: '{"code":"insufficient_funds"}' }));
      }
    });
  }
  await decide(childDeciders, () => [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: '{"tracking":"XY123"}' } }]);
  await settle(main, ['ActivityTaskCompleted', 'ActivityTaskFailed', 'TimerFired', 'ChildWorkflowExecutionCompleted']);
  await swf.send(new SignalWorkflowExecutionCommand({ domain, ...main, signalName: 'address-changed', input: '{"city":"Bergen"}' }));
  // Its decision asks for a Lambda task, which this service always refuses (ScheduleLambdaFunctionFailed): a failed bar.
  const lambda = { decisionType: 'ScheduleLambdaFunction', scheduleLambdaFunctionDecisionAttributes: { id: 'notify', name: 'notify-customer', input: '{}' } };
  let asked = false; // once: the failure schedules another decision task, answered with none
  await settle(main, ['WorkflowExecutionSignaled', 'ScheduleLambdaFunctionFailed'], () => (asked ? [] : (asked = true, [lambda])));

  // chain: its first run continues as new; the second stays open.
  chain.runId = (await swf.send(new StartWorkflowExecutionCommand({ domain, ...chain, workflowType: orderType, taskList: { name: chainDeciders } }))).runId;
  await decide(chainDeciders, () => [{ decisionType: 'ContinueAsNewWorkflowExecution', continueAsNewWorkflowExecutionDecisionAttributes: { input: '{"page":2}', taskList: { name: chainDeciders } } }]);
  chain.nextRunId = (await history(chain)).at(-1).workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId;

  // victim: nobody decides on its task list, so its first decision task stays scheduled until it is terminated.
  victim.runId = (await swf.send(new StartWorkflowExecutionCommand({ domain, ...victim, workflowType: orderType, taskList: { name: idle } }))).runId;

  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

// --- the browser ----------------------------------------------------------------------------------------------------

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (r) => {
    const seen = [r.url(), r.postData() ?? '', JSON.stringify(r.headers())].join(' ');
    for (const key of [full, readOnly].filter(Boolean)) if (seen.includes(key.secretAccessKey)) secretsSeen.push(r.url());
  });
  return page;
}

// Whole pages; dialogs as seen in the window.
const shot = (page, name, fullPage = true) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });

async function signIn(page, key) {
  await page.goto(`${endpoint}/console/`);
  await page.locator('input[name=accessKeyId]').fill(key.accessKeyId);
  await page.locator('input[name=secretAccessKey]').fill(key.secretAccessKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-testid=signed-in]').waitFor();
}

const rows = (page, testId) => page.locator(`[data-testid=${testId}] tbody tr[data-${testId === 'events' ? 'event-id' : 'workflow-id'}]`);

async function waitForText(locator, pattern, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await locator.innerText().catch(() => '');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`expected ${pattern} in: ${text}`);
    await sleep(100);
  }
}

test('the console is served with its security headers and asks for a key first', async () => {
  const page = await newPage();
  const response = await page.goto(`${endpoint}/console/`);
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.match(headers['content-security-policy'], /script-src 'self'/);
  assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline|unsafe-eval/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['cache-control'], 'no-cache');
  await page.locator('input[name=accessKeyId]').waitFor();
  await shot(page, '01-sign-in');

  // A wrong secret is refused by the service's signature check, and nothing is kept.
  await page.locator('input[name=accessKeyId]').fill(full.accessKeyId);
  await page.locator('input[name=secretAccessKey]').fill('not-the-secret');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForText(page.locator('[role=alert]'), /Signature/i);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.context().close();
});

test('signed in: domains, executions open and closed with filters, counts and paging, types and task lists', async () => {
  const page = await newPage();
  await signIn(page, full);
  // The key lives in this tab's sessionStorage only: no cookie, nothing in localStorage, and a reload keeps it.
  assert.equal(await page.evaluate(() => localStorage.length + document.cookie.length), 0);
  assert.equal(await page.evaluate(() => sessionStorage.length), 1);
  await page.reload();
  await page.locator('[data-testid=signed-in]').waitFor();

  const domainRow = page.locator(`[data-testid=domains] tr[data-domain="${domain}"]`);
  await domainRow.waitFor();
  assert.match(await domainRow.innerText(), /REGISTERED\s+1\s+browser test of the console/);
  await shot(page, '02-domains');

  await domainRow.getByRole('link', { name: domain }).click();
  const count = page.locator('[data-testid=execution-count]');
  await waitForText(count, /^3 open executions$/);
  await page.locator(`[data-testid=executions] tr[data-workflow-id="${main.workflowId}"]`).waitFor();
  await page.locator(`[data-testid=executions] tr[data-workflow-id="${victim.workflowId}"]`).waitFor();
  await shot(page, '03-executions-open');

  // Paging: one a page, three pages.
  await page.locator('input[name=pageSize]').fill('1');
  await page.getByRole('button', { name: 'Apply' }).click();
  await until('one row a page', async () => (await rows(page, 'executions').count()) === 1 && (await page.locator('[data-testid=page]').innerText()) === 'Page 1');
  const seen = [await rows(page, 'executions').first().getAttribute('data-workflow-id')];
  for (const n of [2, 3]) {
    await page.getByRole('button', { name: 'Next →' }).click();
    await waitForText(page.locator('[data-testid=page]'), new RegExp(`Page ${n}`));
    await until(`page ${n}`, async () => !seen.includes(await rows(page, 'executions').first().getAttribute('data-workflow-id').catch(() => seen[0])));
    seen.push(await rows(page, 'executions').first().getAttribute('data-workflow-id'));
  }
  assert.deepEqual(seen.sort(), [main.workflowId, victim.workflowId, chain.workflowId].sort());
  assert.equal(await page.getByRole('button', { name: 'Next →' }).isDisabled(), true);
  await page.getByRole('button', { name: '← Previous' }).click();
  await waitForText(page.locator('[data-testid=page]'), /Page 2/);

  // Filter by workflow ID, then by tag.
  await page.locator('input[name=pageSize]').fill('25');
  await page.locator('select[name=filter]').selectOption('workflowId');
  await page.locator('input[name=workflowId]').fill(victim.workflowId);
  await page.getByRole('button', { name: 'Apply' }).click();
  await waitForText(count, /^1 open execution$/);
  await until('only the victim', async () => (await rows(page, 'executions').count()) === 1
    && (await rows(page, 'executions').first().getAttribute('data-workflow-id')) === victim.workflowId);
  await page.locator('select[name=filter]').selectOption('tag');
  await page.locator('input[name=tag]').fill('vip');
  await page.getByRole('button', { name: 'Apply' }).click();
  await until('only main', async () => (await rows(page, 'executions').first().getAttribute('data-workflow-id').catch(() => null)) === main.workflowId);
  await waitForText(count, /^1 open execution$/);

  // Closed: the child, completed; filtered by close status.
  await page.locator('select[name=filter]').selectOption('none');
  await page.getByRole('button', { name: 'Closed' }).click();
  const child = page.locator(`[data-testid=executions] tr[data-workflow-id="${main.workflowId}-ship"]`);
  await child.waitFor();
  assert.match(await child.innerText(), /COMPLETED/);
  await page.locator('select[name=filter]').selectOption('closeStatus');
  await page.locator('select[name=closeStatus]').selectOption('FAILED');
  await page.getByRole('button', { name: 'Apply' }).click();
  await waitForText(count, /^0 closed executions$/);
  await page.locator('select[name=closeStatus]').selectOption('COMPLETED');
  await page.getByRole('button', { name: 'Apply' }).click();
  await waitForText(count, /^1 closed execution$/);
  await shot(page, '04-executions-closed');

  // Types with their defaults.
  await page.getByRole('link', { name: 'Workflow types' }).click();
  const order = page.locator('[data-testid=workflow-types] tr[data-type-name=order]');
  await order.waitFor();
  const orderText = await order.innerText();
  assert.match(orderText, new RegExp(deciders));
  assert.match(orderText, /3600 s \(1 h 0 min\)/);
  assert.match(orderText, /TERMINATE/);
  await shot(page, '05-workflow-types');
  await page.getByRole('link', { name: 'Activity types' }).click();
  await page.locator('[data-testid=activity-types] tr[data-type-name=charge]').waitFor();
  assert.equal(await page.locator('[data-testid=activity-types] tbody tr[data-type-name]').count(), 2);
  await shot(page, '06-activity-types');

  // Task lists: the victim's decision task waits on its list, which no type names: added by hand.
  await page.getByRole('link', { name: 'Task lists' }).click();
  await page.locator(`[data-testid=task-lists] tr[data-task-list="${deciders}"]`).waitFor();
  await page.locator('select[name=kind]').selectOption('decision');
  await page.locator('input[name=taskList]').fill(idle);
  await page.getByRole('button', { name: 'Count' }).click();
  const idleRow = page.locator(`[data-testid=task-lists] tr[data-kind=decision][data-task-list="${idle}"]`);
  await idleRow.waitFor();
  assert.equal(await idleRow.locator('[data-testid=pending]').innerText(), '1');
  assert.equal(await page.locator(`[data-testid=task-lists] tr[data-kind=decision][data-task-list="${deciders}"] [data-testid=pending]`).innerText(), '0');
  assert.equal(await page.locator(`[data-testid=task-lists] tr[data-kind=activity][data-task-list="${workers}"] [data-testid=pending]`).innerText(), '0');
  await shot(page, '07-task-lists');
  await page.context().close();
});

test('one execution: the timeline\'s bars and the event table match the history; a signal from the console shows up', async () => {
  const page = await newPage();
  await signIn(page, full);
  await page.goto(`${endpoint}/console/#/domains/${encodeURIComponent(domain)}`);
  await page.locator(`[data-testid=executions] tr[data-workflow-id="${main.workflowId}"] a`).click();
  await page.locator('[data-testid=timeline]').waitFor();

  const events = await history(main);
  const table = rows(page, 'events');
  await until('every event in the table', async () => (await table.count()) === events.length);
  assert.deepEqual(await table.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-type'))), events.map((e) => e.eventType));
  assert.deepEqual(await table.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-event-id')))), events.map((e) => e.eventId));
  // JSON results pretty-printed, failure reasons as text.
  const completed = page.locator('[data-testid=events] tr[data-event-type=ActivityTaskCompleted] [data-attr=result] pre.json');
  assert.equal(await completed.innerText(), JSON.stringify({ items: [{ sku: 'book', qty: 1 }, { sku: 'lamp', qty: 2 }] }, null, 2));
  assert.match(await page.locator('[data-testid=events] tr[data-event-type=ActivityTaskFailed]').innerText(), /card declined/);

  // One bar per decision task, activity, timer and child, each with the outcome its closing event gives.
  const bars = (kind) => page.locator(`[data-testid=timeline] .bar-row[data-kind=${kind}]`);
  const outcomes = async (kind) => bars(kind).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-outcome')));
  const countOf = (type) => events.filter((e) => e.eventType === type).length;
  assert.equal(await bars('decision').count(), countOf('DecisionTaskScheduled'));
  assert.deepEqual(new Set(await outcomes('decision')), new Set(['completed']));
  assert.deepEqual(await outcomes('activity'), ['completed', 'failed']); // fetch, charge, in scheduling order
  assert.deepEqual(await outcomes('timer'), ['fired']);
  assert.deepEqual(await outcomes('child'), ['completed']);
  assert.deepEqual(await outcomes('workflow'), ['open']);
  assert.equal(await bars('lambda').count(), countOf('ScheduleLambdaFunctionFailed'));
  assert.ok(countOf('ScheduleLambdaFunctionFailed') >= 1);
  assert.deepEqual(new Set(await outcomes('lambda')), new Set(['failed']));
  const scheduledIds = (type) => events.filter((e) => e.eventType === type).map((e) => String(e.eventId));
  assert.deepEqual(await bars('activity').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-event-id'))), scheduledIds('ActivityTaskScheduled'));
  assert.deepEqual(await bars('child').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-event-id'))), scheduledIds('StartChildWorkflowExecutionInitiated'));
  // Every activity bar was started and closed, and each bar lies on the axis: its rectangles start within 0-100%.
  assert.deepEqual(await bars('activity').evaluateAll((rs) => rs.map((r) => `${r.dataset.started}/${r.dataset.closed}`)), ['yes/yes', 'yes/yes']);
  const xs = await page.locator('[data-testid=timeline] .bar-row rect').evaluateAll((rects) => rects.map((r) => parseFloat(r.getAttribute('x'))));
  assert.ok(xs.length > 0 && xs.every((x) => x >= 0 && x <= 100), `bar positions ${xs}`);

  // Clicking a bar highlights its events.
  await bars('timer').first().click();
  const highlighted = await page.locator('[data-testid=events] tr.highlight').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-type')));
  assert.deepEqual(highlighted, ['TimerStarted', 'TimerFired']);

  // The child is linked, and links back to its parent.
  assert.match(await page.locator('[data-testid=children]').innerText(), /-ship.*COMPLETED/s);
  await page.locator('[data-testid=children] a').click();
  await page.locator('[data-testid=parent-link]').waitFor();
  await shot(page, '09-child-execution');
  await page.locator('[data-testid=parent-link]').click();
  await page.locator('[data-testid=timeline]').waitFor();
  await until('the parent page', async () => (await rows(page, 'events').count()) === events.length);
  await page.locator('[data-testid=events] tr[data-event-type=TimerFired]').waitFor();
  await shot(page, '08-execution');

  // Signal, with confirmation.
  await page.getByRole('button', { name: 'Signal…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('input[name=signalName]').fill('from-console');
  await dialog.locator('textarea[name=input]').fill('{"priority":"high"}');
  await shot(page, '10-signal-dialog', false);
  await dialog.getByRole('button', { name: 'Send signal' }).click();
  await dialog.waitFor({ state: 'detached' });
  await waitForText(page.locator('[role=status]'), /Signal from-console sent/);
  const signaled = page.locator('[data-testid=events] tr[data-event-type=WorkflowExecutionSignaled]', { hasText: 'from-console' });
  await signaled.waitFor();
  assert.equal(await signaled.locator('[data-attr=input] pre.json').innerText(), JSON.stringify({ priority: 'high' }, null, 2));
  const after = await history(main);
  assert.equal(after.at(-2).eventType, 'WorkflowExecutionSignaled');
  assert.equal(after.at(-2).workflowExecutionSignaledEventAttributes.signalName, 'from-console');
  // The decision task that the signal scheduled is an open bar.
  await until('an open decision bar', async () => (await outcomes('decision')).includes('open'));
  await shot(page, '11-execution-signaled');
  // The axis of an open run ends now; it can end at the last event instead, which spreads the bars out.
  const lastX = async () => Math.max(...await page.locator('[data-testid=timeline] .bar-row[data-kind=activity] rect').evaluateAll((rs) => rs.map((r) => parseFloat(r.getAttribute('x')))));
  const before = await lastX();
  await page.getByRole('button', { name: 'to the last event' }).click();
  await until('a wider spread', async () => (await lastX()) > before);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '11-execution-to-last-event', false);
  // Dragging across the bars zooms the axis to that stretch; reset brings the whole run back.
  const axisBox = await page.locator('[data-testid=timeline] .tl-axis .tl-track-box').boundingBox();
  const y = axisBox.y + axisBox.height + 30;
  const spread = await lastX();
  await page.mouse.move(axisBox.x + 1, y);
  await page.mouse.down();
  await page.mouse.move(axisBox.x + axisBox.width * 0.25, y, { steps: 5 });
  await page.mouse.up();
  await until('a zoomed axis', async () => (await page.locator('[data-testid=timeline]').getAttribute('data-zoomed')) === 'yes' && (await lastX()) > spread);
  await shot(page, '11-execution-zoomed', false);
  await page.getByRole('button', { name: 'reset zoom' }).click();
  await until('the whole run again', async () => (await page.locator('[data-testid=timeline]').getAttribute('data-zoomed')) === 'no');
  await page.context().close();
});

test('ContinueAsNew runs are linked both ways and followed to the chain\'s latest run', async () => {
  const page = await newPage();
  await signIn(page, full);
  await page.goto(`${endpoint}/console/#/domains/${encodeURIComponent(domain)}/executions/${encodeURIComponent(chain.workflowId)}/${chain.runId}`);
  await waitForText(page.locator('[data-testid=execution-status]'), /^CONTINUED_AS_NEW$/);
  assert.deepEqual(await page.locator('[data-testid=timeline] .bar-row[data-kind=workflow]').evaluateAll((rs) => rs.map((r) => r.dataset.outcome)), ['continued']);
  assert.match(await page.locator('[data-testid=continued-link]').innerText(), new RegExp(chain.nextRunId));
  await page.getByRole('button', { name: 'Latest run →' }).click();
  await waitForText(page.locator('[data-testid=execution-status]'), /^OPEN$/);
  assert.match(page.url(), new RegExp(`${chain.nextRunId}$`));
  const from = page.locator('[data-testid=continued-from-link]');
  assert.match(await from.innerText(), new RegExp(chain.runId));
  await shot(page, '12-continued-as-new');
  await from.click();
  await waitForText(page.locator('[data-testid=execution-status]'), /^CONTINUED_AS_NEW$/);
  await page.context().close();
});

test('a read-only key sees everything, and its terminate is refused with the policy\'s message', { skip: !readOnly && 'no read-only key configured (SWF_CONSOLE_READONLY_ACCESS_KEY_ID)' }, async () => {
  const page = await newPage();
  await signIn(page, readOnly);
  await page.locator(`[data-testid=domains] tr[data-domain="${domain}"]`).waitFor();
  await page.goto(`${endpoint}/console/#/domains/${encodeURIComponent(domain)}/executions/${encodeURIComponent(main.workflowId)}/${main.runId}`);
  await page.locator('[data-testid=timeline]').waitFor();
  await page.getByRole('button', { name: 'Terminate…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('input[name=reason]').fill('read-only attempt');
  await dialog.getByRole('button', { name: 'Terminate' }).click();
  const refusal = await waitForText(dialog.locator('[role=alert]'), /OperationNotPermittedFault/);
  assert.match(refusal, new RegExp(`User is not authorized to perform: swf:TerminateWorkflowExecution on domain ${domain}`));
  await shot(page, '13-read-only-refused', false);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const described = await swf.send(new DescribeWorkflowExecutionCommand({ domain, execution: main }));
  assert.equal(described.executionInfo.executionStatus, 'OPEN');
  await page.context().close();
});

test('terminate another execution after confirming, and start a new one from the type\'s defaults', async () => {
  const page = await newPage();
  await signIn(page, full);
  await page.goto(`${endpoint}/console/#/domains/${encodeURIComponent(domain)}`);
  await page.locator(`[data-testid=executions] tr[data-workflow-id="${victim.workflowId}"] a`).click();
  await waitForText(page.locator('[data-testid=execution-status]'), /^OPEN$/);
  // Its only decision task was never started: a bar still waiting.
  const decision = page.locator('[data-testid=timeline] .bar-row[data-kind=decision]');
  assert.equal(await decision.getAttribute('data-outcome'), 'open');
  assert.equal(await decision.getAttribute('data-started'), 'no');

  await page.getByRole('button', { name: 'Terminate…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('input[name=reason]').fill('stuck since the deploy');
  await dialog.locator('textarea[name=details]').fill('{"ticket":"OPS-7"}');
  await dialog.locator('select[name=childPolicy]').selectOption('ABANDON');
  await shot(page, '14-terminate-dialog', false);
  await dialog.getByRole('button', { name: 'Terminate' }).click();
  await waitForText(page.locator('[data-testid=execution-status]'), /^TERMINATED$/);
  assert.equal(await decision.getAttribute('data-outcome'), 'unfinished'); // it ended with the run
  const terminated = page.locator('[data-testid=events] tr[data-event-type=WorkflowExecutionTerminated]');
  await terminated.waitFor();
  assert.match(await terminated.innerText(), /stuck since the deploy/);
  assert.equal(await page.getByRole('button', { name: 'Terminate…' }).count(), 0); // no actions on a closed run
  await shot(page, '15-execution-terminated');
  const described = await swf.send(new DescribeWorkflowExecutionCommand({ domain, execution: victim }));
  assert.equal(described.executionInfo.closeStatus, 'TERMINATED');

  // Start: the form is prefilled with the type's defaults.
  await page.goto(`${endpoint}/console/#/domains/${encodeURIComponent(domain)}/workflow-types`);
  await page.locator('[data-testid=workflow-types] tr[data-type-name=order] a', { hasText: 'Start…' }).click();
  await page.locator('input[name=workflowId]').waitFor();
  assert.equal(await page.locator('input[name=taskList]').inputValue(), deciders);
  assert.equal(await page.locator('input[name=executionStartToCloseTimeout]').inputValue(), '3600');
  assert.equal(await page.locator('input[name=taskStartToCloseTimeout]').inputValue(), '30');
  assert.equal(await page.locator('select[name=childPolicy]').inputValue(), 'TERMINATE');
  const started = `started-in-console-${suffix}`;
  await page.locator('input[name=workflowId]').fill(started);
  await page.locator('input[name=taskList]').fill(idle);
  await page.locator('textarea[name=input]').fill('{"order":7}');
  await page.locator('input[name=tags]').fill('console, manual');
  await shot(page, '16-start-form');
  await page.getByRole('button', { name: 'Start…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
  await waitForText(page.locator('[data-testid=execution-status]'), /^OPEN$/);
  await page.locator('[data-testid=events] tr[data-event-type=WorkflowExecutionStarted]').waitFor();
  assert.match(page.url(), new RegExp(`/executions/${started}/`));
  assert.match(await page.locator('[data-testid=events] tr[data-event-type=WorkflowExecutionStarted]').innerText(), /"order": 7/);
  await page.context().close();
});

test('no Content-Security-Policy violation, no script error, and the secret never left the browser', () => {
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(secretsSeen, []);
});
