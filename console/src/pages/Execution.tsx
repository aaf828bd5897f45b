// One execution: its info, configuration and open counts; its history as a timeline beside the event table; parent,
// children and ContinueAsNew runs linked; signal, request cancel and terminate, each after a confirmation.
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  DescribeWorkflowExecutionCommand, GetWorkflowExecutionHistoryCommand, RequestCancelWorkflowExecutionCommand,
  SignalWorkflowExecutionCommand, TerminateWorkflowExecutionCommand, type ChildPolicy,
  type DescribeWorkflowExecutionCommandOutput, type HistoryEvent, type WorkflowExecution,
} from '@aws-sdk/client-swf';
import { allPages, describeError, swf } from '../swf';
import { executionHref, href } from '../router';
import { attributesOf, buildBars, span, type Bar } from '../history';
import { seconds, time, typeLabel } from '../format';
import { Timeline } from '../components/Timeline';
import { EventTable } from '../components/EventTable';
import { Confirm, ErrorBox, Fields, Loading, Notice, Value } from '../components/ui';

const refreshMs = 5000;
type Action = 'signal' | 'cancel' | 'terminate';

interface Loaded {
  describe: DescribeWorkflowExecutionCommandOutput;
  events: HistoryEvent[];
  at: Date;
}

async function load(domain: string, execution: WorkflowExecution): Promise<Loaded> {
  const [describe, events] = await Promise.all([
    swf().send(new DescribeWorkflowExecutionCommand({ domain, execution })),
    allPages(async (token) => {
      const p = await swf().send(new GetWorkflowExecutionHistoryCommand({ domain, execution, nextPageToken: token, maximumPageSize: 1000 }));
      return { items: p.events ?? [], next: p.nextPageToken };
    }, 100),
  ]);
  return { describe, events, at: new Date() };
}

/** The last run of a ContinueAsNew chain, from this run on. */
async function latestRun(domain: string, execution: WorkflowExecution): Promise<string> {
  let runId = execution.runId!;
  for (let hops = 0; hops < 100; hops++) {
    const last = await swf().send(new GetWorkflowExecutionHistoryCommand({ domain, execution: { workflowId: execution.workflowId, runId }, reverseOrder: true, maximumPageSize: 1 }));
    const next = last.events?.[0]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) break;
    runId = next;
  }
  return runId;
}

export function Execution({ domain, workflowId, runId }: { domain: string; workflowId: string; runId: string }) {
  const execution = useMemo(() => ({ workflowId, runId }), [workflowId, runId]);
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [auto, setAuto] = useState(true);
  const [selected, setSelected] = useState<Bar | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [following, setFollowing] = useState(false);
  const [untilNow, setUntilNow] = useState(true); // an open run's axis ends now, or at its last event

  useEffect(() => { setData(null); setSelected(null); setNotice(null); }, [domain, workflowId, runId]);

  useEffect(() => {
    let live = true;
    load(domain, execution).then((d) => { if (live) { setData(d); setError(null); } }, (e) => live && setError(describeError(e)));
    return () => { live = false; };
  }, [domain, execution, tick]);

  const isOpen = data?.describe.executionInfo?.executionStatus === 'OPEN';
  useEffect(() => {
    if (!auto || !isOpen) return;
    const t = setInterval(() => setTick((n) => n + 1), refreshMs);
    return () => clearInterval(t);
  }, [auto, isOpen]);

  const bars = useMemo(() => (data ? buildBars(data.events) : []), [data]);
  const [from, to] = useMemo(() => (data ? span(data.events, isOpen && untilNow, data.at) : [new Date(), new Date()]), [data, isOpen, untilNow]);
  const highlight = useMemo(() => new Set(selected?.events ?? []), [selected]);

  if (error && !data) return <ErrorBox error={error} />;
  if (!data) return <Loading what="the execution" />;

  const info = data.describe.executionInfo!;
  const config = data.describe.executionConfiguration;
  const counts = data.describe.openCounts;
  const started = data.events.find((e) => e.eventType === 'WorkflowExecutionStarted')?.workflowExecutionStartedEventAttributes;
  const continuedAs = data.events.find((e) => e.eventType === 'WorkflowExecutionContinuedAsNew')?.workflowExecutionContinuedAsNewEventAttributes;
  const children = childrenOf(data.events);

  const follow = async () => {
    setFollowing(true);
    try {
      const last = await latestRun(domain, execution);
      window.location.hash = executionHref(domain, workflowId, last);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setFollowing(false);
    }
  };

  const select = (bar: Bar) => {
    setSelected(selected?.id === bar.id && selected.kind === bar.kind ? null : bar);
    document.getElementById(`event-${bar.events[bar.events.length - 1]}`)?.scrollIntoView({ block: 'nearest' });
  };

  return (
    <section class="execution">
      <div class="toolbar">
        <h2>{workflowId}</h2>
        <span class={`status big s-${info.closeStatus ?? 'OPEN'}`} data-testid="execution-status">{info.closeStatus ?? 'OPEN'}</span>
        {info.cancelRequested && <span class="status s-CANCEL">cancel requested</span>}
        <span class="grow" />
        {isOpen && (
          <>
            <button onClick={() => setAction('signal')}>Signal…</button>
            <button onClick={() => setAction('cancel')}>Request cancel…</button>
            <button class="danger" onClick={() => setAction('terminate')}>Terminate…</button>
          </>
        )}
        {isOpen && <label class="inline"><input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} /> refresh every {refreshMs / 1000} s</label>}
        <button onClick={() => setTick(tick + 1)}>Refresh</button>
      </div>
      <Notice text={notice} />
      <ErrorBox error={error} title="Refresh failed:" />

      <div class="panels">
        <div class="card">
          <h3>Execution</h3>
          <Fields rows={[
            ['Workflow ID', workflowId],
            ['Run ID', <span class="mono">{runId}</span>],
            ['Type', typeLabel(info.workflowType)],
            ['Started', time(info.startTimestamp)],
            ['Closed', info.closeTimestamp ? time(info.closeTimestamp) : ''],
            ['Tags', (info.tagList ?? []).map((t) => <span key={t} class="tag">{t}</span>)],
            ['Parent', info.parent ? <a href={executionHref(domain, info.parent.workflowId!, info.parent.runId!)} data-testid="parent-link">{info.parent.workflowId}</a> : ''],
            ['Continued from', started?.continuedExecutionRunId ? <a href={executionHref(domain, workflowId, started.continuedExecutionRunId)} data-testid="continued-from-link">run {started.continuedExecutionRunId}</a> : ''],
            ['Continued as', continuedAs?.newExecutionRunId ? (
              <>
                <a href={executionHref(domain, workflowId, continuedAs.newExecutionRunId)} data-testid="continued-link">run {continuedAs.newExecutionRunId}</a>{' '}
                <button class="small" onClick={follow} disabled={following}>{following ? 'Following…' : 'Latest run →'}</button>
              </>
            ) : ''],
          ]} />
        </div>
        <div class="card">
          <h3>Configuration</h3>
          <Fields rows={[
            ['Task list', config?.taskList?.name],
            ['Task priority', config?.taskPriority],
            ['Execution timeout', seconds(config?.executionStartToCloseTimeout)],
            ['Decision task timeout', seconds(config?.taskStartToCloseTimeout)],
            ['Child policy', config?.childPolicy],
            ['Lambda role', config?.lambdaRole],
            ['Input', started?.input !== undefined ? <Value value={started.input} /> : ''],
          ]} />
        </div>
        <div class="card">
          <h3>Open counts</h3>
          <Fields rows={[
            ['Activity tasks', String(counts?.openActivityTasks ?? 0)],
            ['Decision tasks', String(counts?.openDecisionTasks ?? 0)],
            ['Timers', String(counts?.openTimers ?? 0)],
            ['Child executions', String(counts?.openChildWorkflowExecutions ?? 0)],
            ['Lambda functions', String(counts?.openLambdaFunctions ?? 0)],
            ['Latest activity task', time(data.describe.latestActivityTaskTimestamp)],
            ['Latest execution context', data.describe.latestExecutionContext ? <Value value={data.describe.latestExecutionContext} /> : ''],
          ]} />
          {children.length > 0 && (
            <>
              <h3>Children</h3>
              <ul class="children" data-testid="children">
                {children.map((c) => (
                  <li key={c.runId}>
                    <a href={executionHref(domain, c.workflowId, c.runId)}>{c.workflowId}</a> <span class="muted">{c.type}</span>{' '}
                    <span class={`status s-${c.state}`}>{c.state}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>

      <div class="history">
        <div class="history-timeline">
          <h3>
            Timeline <span class="muted small">{data.events.length} events · {bars.length} bars · as of {time(data.at)}</span>
            {isOpen && (
              <span class="seg-buttons" role="group" aria-label="Time axis">
                <button class={untilNow ? 'on' : ''} onClick={() => setUntilNow(true)}>until now</button>
                <button class={untilNow ? '' : 'on'} onClick={() => setUntilNow(false)}>to the last event</button>
              </span>
            )}
          </h3>
          <Timeline bars={bars} from={from} to={to} selected={selected?.id ?? null} onSelect={select} />
        </div>
        <div class="history-events">
          <h3>Events {selected && <span class="muted small">(selected: {selected.label}) <button class="small" onClick={() => setSelected(null)}>clear</button></span>}</h3>
          <EventTable events={data.events} highlight={highlight} />
        </div>
      </div>

      {action && (
        <ActionDialog action={action} domain={domain} execution={execution}
          onDone={(message) => { setAction(null); setNotice(message); setTick((n) => n + 1); }}
          onCancel={() => setAction(null)} />
      )}
      <p class="muted small"><a href={href(['domains', domain])}>← executions of {domain}</a></p>
    </section>
  );
}

function childrenOf(events: HistoryEvent[]) {
  const byInitiated = new Map<number, { workflowId: string; runId: string; type: string; state: string }>();
  for (const e of events) {
    const a = attributesOf(e) as { initiatedEventId?: number; workflowExecution?: WorkflowExecution; workflowType?: { name?: string; version?: string } };
    if (e.eventType === 'ChildWorkflowExecutionStarted' && a.initiatedEventId !== undefined) {
      byInitiated.set(a.initiatedEventId, { workflowId: a.workflowExecution!.workflowId!, runId: a.workflowExecution!.runId!, type: typeLabel(a.workflowType), state: 'OPEN' });
    } else if (e.eventType?.startsWith('ChildWorkflowExecution') && a.initiatedEventId !== undefined) {
      const child = byInitiated.get(a.initiatedEventId);
      if (child) child.state = e.eventType.replace('ChildWorkflowExecution', '').toUpperCase();
    }
  }
  return [...byInitiated.values()];
}

function ActionDialog({ action, domain, execution, onDone, onCancel }: {
  action: Action; domain: string; execution: WorkflowExecution; onDone: (message: string) => void; onCancel: () => void;
}) {
  const [signalName, setSignalName] = useState('');
  const [input, setInput] = useState('');
  const [reason, setReason] = useState('');
  const [details, setDetails] = useState('');
  const [childPolicy, setChildPolicy] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const { workflowId, runId } = execution;
      if (action === 'signal') {
        if (!signalName.trim()) throw new Error('A signal needs a name.');
        await swf().send(new SignalWorkflowExecutionCommand({ domain, workflowId, runId, signalName: signalName.trim(), input: input === '' ? undefined : input }));
        onDone(`Signal ${signalName.trim()} sent.`);
      } else if (action === 'cancel') {
        await swf().send(new RequestCancelWorkflowExecutionCommand({ domain, workflowId, runId }));
        onDone('Cancellation requested.');
      } else {
        await swf().send(new TerminateWorkflowExecutionCommand({
          domain, workflowId, runId, reason: reason || undefined, details: details || undefined,
          childPolicy: (childPolicy || undefined) as ChildPolicy | undefined,
        }));
        onDone('Execution terminated.');
      }
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  const titles: Record<Action, [string, string]> = {
    signal: ['Signal this execution', 'Send signal'],
    cancel: ['Request cancellation of this execution?', 'Request cancel'],
    terminate: ['Terminate this execution?', 'Terminate'],
  };
  return (
    <Confirm title={titles[action][0]} confirmLabel={titles[action][1]} danger={action !== 'signal'} busy={busy} error={error}
             onConfirm={run} onCancel={onCancel}>
      <p class="muted">{execution.workflowId} · run <span class="mono">{execution.runId}</span></p>
      {action === 'signal' && (
        <>
          <label>Signal name<input name="signalName" value={signalName} onInput={(e) => setSignalName(e.currentTarget.value)} required maxLength={256} /></label>
          <label>Input<textarea name="input" rows={4} value={input} onInput={(e) => setInput(e.currentTarget.value)} placeholder="any text, e.g. JSON" /></label>
        </>
      )}
      {action === 'cancel' && <p>The decider is told with a WorkflowExecutionCancelRequested event; it decides whether to cancel.</p>}
      {action === 'terminate' && (
        <>
          <p>The execution closes at once as TERMINATED; its decider and workers are not asked.</p>
          <label>Reason<input name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} maxLength={256} /></label>
          <label>Details<textarea name="details" rows={3} value={details} onInput={(e) => setDetails(e.currentTarget.value)} /></label>
          <label>Child policy
            <select name="childPolicy" value={childPolicy} onChange={(e) => setChildPolicy(e.currentTarget.value)}>
              <option value="">(the execution's own)</option>
              <option value="TERMINATE">TERMINATE</option>
              <option value="REQUEST_CANCEL">REQUEST_CANCEL</option>
              <option value="ABANDON">ABANDON</option>
            </select>
          </label>
        </>
      )}
    </Confirm>
  );
}
