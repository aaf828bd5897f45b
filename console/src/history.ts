// A workflow history turned into timeline bars: each decision task, activity task, timer, child workflow and Lambda
// task is one bar from when it was scheduled (or initiated) to when it started and to when it closed.
import type { HistoryEvent } from '@aws-sdk/client-swf';

export type Kind = 'workflow' | 'decision' | 'activity' | 'timer' | 'child' | 'lambda';
export type Outcome = 'open' | 'completed' | 'failed' | 'timedOut' | 'canceled' | 'terminated' | 'fired' | 'continued'
  /** still open when the run closed (terminated, timed out, continued as new): it ended with the run */
  | 'unfinished';

export interface Bar {
  kind: Kind;
  /** The event that opened it (scheduled / initiated / started for timers): identifies the bar. */
  id: number;
  label: string;
  detail: string;
  scheduled: Date;
  started?: Date;
  closed?: Date;
  outcome: Outcome;
  /** Every event id that belongs to it, for highlighting in the event table. */
  events: number[];
}

/** The one `...EventAttributes` member an event carries. */
export function attributesOf(event: HistoryEvent): Record<string, unknown> {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventAttributes') && value && typeof value === 'object') return value as Record<string, unknown>;
  }
  return {};
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const typeName = (v: unknown) => {
  const t = v as { name?: string; version?: string } | undefined;
  return t ? `${t.name} ${t.version}` : '';
};

// The closing event types of each kind, with the outcome each means.
const closers: Record<string, [Kind, Outcome]> = {
  DecisionTaskCompleted: ['decision', 'completed'],
  DecisionTaskTimedOut: ['decision', 'timedOut'],
  ActivityTaskCompleted: ['activity', 'completed'],
  ActivityTaskFailed: ['activity', 'failed'],
  ActivityTaskTimedOut: ['activity', 'timedOut'],
  ActivityTaskCanceled: ['activity', 'canceled'],
  TimerFired: ['timer', 'fired'],
  TimerCanceled: ['timer', 'canceled'],
  ChildWorkflowExecutionCompleted: ['child', 'completed'],
  ChildWorkflowExecutionFailed: ['child', 'failed'],
  ChildWorkflowExecutionTimedOut: ['child', 'timedOut'],
  ChildWorkflowExecutionCanceled: ['child', 'canceled'],
  ChildWorkflowExecutionTerminated: ['child', 'terminated'],
  StartChildWorkflowExecutionFailed: ['child', 'failed'],
  LambdaFunctionCompleted: ['lambda', 'completed'],
  LambdaFunctionFailed: ['lambda', 'failed'],
  LambdaFunctionTimedOut: ['lambda', 'timedOut'],
  StartLambdaFunctionFailed: ['lambda', 'failed'],
};

const workflowClosers: Record<string, Outcome> = {
  WorkflowExecutionCompleted: 'completed',
  WorkflowExecutionFailed: 'failed',
  WorkflowExecutionTimedOut: 'timedOut',
  WorkflowExecutionCanceled: 'canceled',
  WorkflowExecutionTerminated: 'terminated',
  WorkflowExecutionContinuedAsNew: 'continued',
};

export function buildBars(events: HistoryEvent[]): Bar[] {
  const bars: Bar[] = [];
  const byOpener = new Map<string, Bar>(); // kind:openerId
  const key = (kind: Kind, id: number) => `${kind}:${id}`;
  let workflow: Bar | undefined;

  for (const e of events) {
    const id = e.eventId!;
    const at = e.eventTimestamp!;
    const a = attributesOf(e);
    const open = (kind: Kind, label: string, detail: string, startedNow = false) => {
      const bar: Bar = { kind, id, label, detail, scheduled: at, started: startedNow ? at : undefined, outcome: 'open', events: [id] };
      bars.push(bar);
      byOpener.set(key(kind, id), bar);
    };
    const point = (kind: Kind, label: string, detail: string, outcome: Outcome) =>
      bars.push({ kind, id, label, detail, scheduled: at, closed: at, outcome, events: [id] });

    switch (e.eventType) {
      case 'WorkflowExecutionStarted':
        workflow = { kind: 'workflow', id, label: 'execution', detail: typeName(a.workflowType), scheduled: at, started: at, outcome: 'open', events: [id] };
        bars.push(workflow);
        continue;
      case 'DecisionTaskScheduled':
        open('decision', `decision task ${id}`, str((a.taskList as { name?: string })?.name));
        continue;
      case 'ActivityTaskScheduled':
        open('activity', `activity ${str(a.activityId)}`, typeName(a.activityType));
        continue;
      case 'TimerStarted':
        open('timer', `timer ${str(a.timerId)}`, `${str(a.startToFireTimeout)} s`, true);
        continue;
      case 'StartChildWorkflowExecutionInitiated':
        open('child', `child ${str(a.workflowId)}`, typeName(a.workflowType));
        continue;
      case 'LambdaFunctionScheduled':
        open('lambda', `lambda ${str(a.id)}`, str(a.name));
        continue;
      case 'ScheduleActivityTaskFailed':
        point('activity', `activity ${str(a.activityId)}`, `schedule failed: ${str(a.cause)}`, 'failed');
        continue;
      case 'StartTimerFailed':
        point('timer', `timer ${str(a.timerId)}`, `start failed: ${str(a.cause)}`, 'failed');
        continue;
      case 'ScheduleLambdaFunctionFailed':
        point('lambda', `lambda ${str(a.id)}`, `schedule failed: ${str(a.cause)}`, 'failed');
        continue;
    }

    if (workflow && e.eventType && e.eventType in workflowClosers) {
      workflow.closed = at;
      workflow.outcome = workflowClosers[e.eventType];
      workflow.events.push(id);
      continue;
    }

    // Started events: remember when the task started.
    const starters: Record<string, [Kind, string]> = {
      DecisionTaskStarted: ['decision', 'scheduledEventId'],
      ActivityTaskStarted: ['activity', 'scheduledEventId'],
      ChildWorkflowExecutionStarted: ['child', 'initiatedEventId'],
      LambdaFunctionStarted: ['lambda', 'scheduledEventId'],
    };
    const starter = e.eventType ? starters[e.eventType] : undefined;
    if (starter) {
      const bar = byOpener.get(key(starter[0], num(a[starter[1]])));
      if (bar) {
        bar.started = at;
        bar.events.push(id);
        if (starter[0] === 'child') {
          const run = (a.workflowExecution as { runId?: string })?.runId;
          if (run) bar.detail += ` · run ${run}`;
        }
        if (starter[0] === 'activity' && a.identity) bar.detail += ` · ${str(a.identity)}`;
      }
      continue;
    }

    const closer = e.eventType ? closers[e.eventType] : undefined;
    if (closer) {
      const [kind, outcome] = closer;
      const opener = kind === 'timer' ? a.startedEventId : kind === 'child' ? a.initiatedEventId : a.scheduledEventId;
      const bar = byOpener.get(key(kind, num(opener)));
      if (bar) {
        bar.closed = at;
        bar.outcome = outcome;
        bar.events.push(id);
      }
      continue;
    }

    // Other events that concern an open bar (cancel requests) are listed with it.
    if (e.eventType === 'ActivityTaskCancelRequested') {
      const bar = [...byOpener.values()].reverse().find((b) => b.kind === 'activity' && b.label === `activity ${str(a.activityId)}`);
      bar?.events.push(id);
    }
  }

  // A closed run takes its decision tasks, activities, timers and Lambda tasks with it; a child may live on (ABANDON).
  if (workflow?.closed) {
    for (const bar of bars) {
      if (bar.outcome === 'open' && bar.kind !== 'workflow' && bar.kind !== 'child') {
        bar.closed = workflow.closed;
        bar.outcome = 'unfinished';
      }
    }
  }
  return bars;
}

/** The span the timeline shows: the first event to the last, or to now while the execution is open. */
export function span(events: HistoryEvent[], isOpen: boolean, now: Date): [Date, Date] {
  const first = events[0]?.eventTimestamp ?? now;
  const last = isOpen ? now : (events[events.length - 1]?.eventTimestamp ?? now);
  return [first, last.getTime() > first.getTime() ? last : new Date(first.getTime() + 1000)];
}
