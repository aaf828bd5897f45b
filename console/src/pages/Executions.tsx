// Open and closed executions of a domain, filtered as ListOpen/ListClosedWorkflowExecutions allow (a start or close
// time window, and at most one of workflowId, type, tag, close status), paged, with their count. The open list
// refreshes by itself.
import { useEffect, useState } from 'preact/hooks';
import {
  CountClosedWorkflowExecutionsCommand, CountOpenWorkflowExecutionsCommand, ListClosedWorkflowExecutionsCommand,
  ListOpenWorkflowExecutionsCommand, type CloseStatus, type CountOpenWorkflowExecutionsCommandInput, type WorkflowExecutionInfo,
} from '@aws-sdk/client-swf';
import { describeError, swf } from '../swf';
import { executionHref } from '../router';
import { fromLocalInput, time, toLocalInput, typeLabel } from '../format';
import { ErrorBox } from '../components/ui';

type FilterKind = 'none' | 'workflowId' | 'type' | 'tag' | 'closeStatus';
const closeStatuses: CloseStatus[] = ['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];
const refreshMs = 5000;

interface Query {
  which: 'open' | 'closed';
  timeField: 'start' | 'close';
  oldest: string;
  latest: string;
  filter: FilterKind;
  workflowId: string;
  typeName: string;
  typeVersion: string;
  tag: string;
  closeStatus: CloseStatus;
  pageSize: number;
  reverse: boolean;
}

function defaults(): Query {
  const yearAgo = new Date(Date.now() - 365 * 24 * 3600 * 1000);
  return {
    which: 'open', timeField: 'start', oldest: toLocalInput(yearAgo), latest: '', filter: 'none', workflowId: '',
    typeName: '', typeVersion: '', tag: '', closeStatus: 'COMPLETED', pageSize: 25, reverse: false,
  };
}

/** The request members both the list and the count take. */
function requestOf(domain: string, q: Query) {
  const window = { oldestDate: fromLocalInput(q.oldest) ?? new Date(0), latestDate: fromLocalInput(q.latest) };
  const closed = q.which === 'closed';
  return {
    domain,
    ...(closed && q.timeField === 'close' ? { closeTimeFilter: window } : { startTimeFilter: window }),
    ...(q.filter === 'workflowId' && q.workflowId ? { executionFilter: { workflowId: q.workflowId } } : {}),
    ...(q.filter === 'type' && q.typeName ? { typeFilter: { name: q.typeName, version: q.typeVersion || undefined } } : {}),
    ...(q.filter === 'tag' && q.tag ? { tagFilter: { tag: q.tag } } : {}),
    ...(closed && q.filter === 'closeStatus' ? { closeStatusFilter: { status: q.closeStatus } } : {}),
  };
}

export function Executions({ domain }: { domain: string }) {
  const [draft, setDraft] = useState<Query>(defaults);
  const [query, setQuery] = useState<Query>(draft);
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]); // page i starts at tokens[i]
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<WorkflowExecutionInfo[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [count, setCount] = useState<{ count?: number; truncated?: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [auto, setAuto] = useState(true);
  const [loadedAt, setLoadedAt] = useState<Date | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    (async () => {
      const base = requestOf(domain, query);
      const open = base as CountOpenWorkflowExecutionsCommandInput; // the open list always filters by start time
      const token = tokens[page];
      try {
        const list = query.which === 'open'
          ? swf().send(new ListOpenWorkflowExecutionsCommand({ ...open, nextPageToken: token, maximumPageSize: query.pageSize, reverseOrder: query.reverse }))
          : swf().send(new ListClosedWorkflowExecutionsCommand({ ...base, nextPageToken: token, maximumPageSize: query.pageSize, reverseOrder: query.reverse }));
        const counted = query.which === 'open'
          ? swf().send(new CountOpenWorkflowExecutionsCommand(open))
          : swf().send(new CountClosedWorkflowExecutionsCommand(base));
        const [l, c] = await Promise.all([list, counted]);
        if (!live) return;
        setRows(l.executionInfos ?? []);
        setNext(l.nextPageToken);
        setCount(c);
        setLoadedAt(new Date());
      } catch (e) {
        if (live) { setError(describeError(e)); setRows([]); setCount(null); }
      }
    })();
    return () => { live = false; };
  }, [domain, query, page, tick]);

  // The open list refreshes by itself (the page it is on).
  useEffect(() => {
    if (!auto || query.which !== 'open') return;
    const t = setInterval(() => setTick((n) => n + 1), refreshMs);
    return () => clearInterval(t);
  }, [auto, query.which]);

  const apply = (q: Query) => { setQuery(q); setTokens([undefined]); setPage(0); setRows(null); };
  const set = <K extends keyof Query>(k: K, v: Query[K]) => setDraft({ ...draft, [k]: v });
  const switchTo = (which: 'open' | 'closed') => {
    const q = { ...draft, which, filter: draft.filter === 'closeStatus' && which === 'open' ? 'none' as const : draft.filter };
    setDraft(q);
    apply(q);
  };
  const goNext = () => {
    if (!next) return;
    setTokens([...tokens.slice(0, page + 1), next]);
    setPage(page + 1);
  };

  return (
    <section>
      <div class="toolbar">
        <div class="seg-buttons" role="group" aria-label="Open or closed">
          <button class={query.which === 'open' ? 'on' : ''} onClick={() => switchTo('open')}>Open</button>
          <button class={query.which === 'closed' ? 'on' : ''} onClick={() => switchTo('closed')}>Closed</button>
        </div>
        <span class="count" data-testid="execution-count">
          {count ? `${count.count}${count.truncated ? '+' : ''} ${query.which} execution${count.count === 1 ? '' : 's'}` : ''}
        </span>
        {query.which === 'open' && (
          <label class="inline"><input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} /> refresh every {refreshMs / 1000} s</label>
        )}
        <span class="muted small">{loadedAt ? `as of ${time(loadedAt)}` : ''}</span>
        <button onClick={() => setTick(tick + 1)}>Refresh</button>
      </div>

      <form class="filters" onSubmit={(e) => { e.preventDefault(); apply(draft); }}>
        {draft.which === 'closed' && (
          <label>Time window by
            <select name="timeField" value={draft.timeField} onChange={(e) => set('timeField', e.currentTarget.value as Query['timeField'])}>
              <option value="start">start time</option>
              <option value="close">close time</option>
            </select>
          </label>
        )}
        <label>From<input name="oldest" type="datetime-local" value={draft.oldest} onInput={(e) => set('oldest', e.currentTarget.value)} required /></label>
        <label>To<input name="latest" type="datetime-local" value={draft.latest} onInput={(e) => set('latest', e.currentTarget.value)} /></label>
        <label>Filter by
          <select name="filter" value={draft.filter} onChange={(e) => set('filter', e.currentTarget.value as FilterKind)}>
            <option value="none">nothing else</option>
            <option value="workflowId">workflow ID</option>
            <option value="type">workflow type</option>
            <option value="tag">tag</option>
            {draft.which === 'closed' && <option value="closeStatus">close status</option>}
          </select>
        </label>
        {draft.filter === 'workflowId' && <label>Workflow ID<input name="workflowId" value={draft.workflowId} onInput={(e) => set('workflowId', e.currentTarget.value)} /></label>}
        {draft.filter === 'type' && (
          <>
            <label>Type name<input name="typeName" value={draft.typeName} onInput={(e) => set('typeName', e.currentTarget.value)} /></label>
            <label>Version<input name="typeVersion" value={draft.typeVersion} onInput={(e) => set('typeVersion', e.currentTarget.value)} placeholder="any" /></label>
          </>
        )}
        {draft.filter === 'tag' && <label>Tag<input name="tag" value={draft.tag} onInput={(e) => set('tag', e.currentTarget.value)} /></label>}
        {draft.filter === 'closeStatus' && (
          <label>Close status
            <select name="closeStatus" value={draft.closeStatus} onChange={(e) => set('closeStatus', e.currentTarget.value as CloseStatus)}>
              {closeStatuses.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        )}
        <label>Page size<input name="pageSize" type="number" min={1} max={1000} value={draft.pageSize} onInput={(e) => set('pageSize', Math.max(1, Math.min(1000, Number(e.currentTarget.value) || 25)))} /></label>
        <label class="inline"><input type="checkbox" name="reverse" checked={draft.reverse} onChange={(e) => set('reverse', e.currentTarget.checked)} /> oldest first</label>
        <button type="submit" class="primary">Apply</button>
      </form>

      <ErrorBox error={error} />
      <table class="list" data-testid="executions">
        <thead>
          <tr><th>Workflow ID</th><th>Run ID</th><th>Type</th><th>Started</th>{query.which === 'closed' && <th>Closed</th>}<th>Status</th><th>Tags</th></tr>
        </thead>
        <tbody>
          {rows === null && <tr><td colSpan={7} class="muted">Loading…</td></tr>}
          {rows?.length === 0 && !error && <tr><td colSpan={7} class="muted">No {query.which} executions match.</td></tr>}
          {rows?.map((x) => (
            <tr key={x.execution?.runId} data-workflow-id={x.execution?.workflowId} data-run-id={x.execution?.runId}>
              <td><a href={executionHref(domain, x.execution!.workflowId!, x.execution!.runId!)}>{x.execution?.workflowId}</a></td>
              <td class="mono small">{x.execution?.runId}</td>
              <td>{typeLabel(x.workflowType)}</td>
              <td class="nowrap">{time(x.startTimestamp)}</td>
              {query.which === 'closed' && <td class="nowrap">{time(x.closeTimestamp)}</td>}
              <td><span class={`status s-${x.closeStatus ?? 'OPEN'}`}>{x.closeStatus ?? 'OPEN'}</span>{x.cancelRequested && <span class="status s-CANCEL"> cancel requested</span>}</td>
              <td>{(x.tagList ?? []).map((t) => <span key={t} class="tag">{t}</span>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="pager">
        <button onClick={() => setPage(page - 1)} disabled={page === 0}>← Previous</button>
        <span data-testid="page">Page {page + 1}</span>
        <button onClick={goNext} disabled={!next}>Next →</button>
      </div>
    </section>
  );
}
