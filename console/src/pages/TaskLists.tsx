// Pending decision and activity task counts. SWF has no call that lists task lists, so the console counts those the
// domain's types name as defaults, and any other the user adds.
import { useEffect, useState } from 'preact/hooks';
import { CountPendingActivityTasksCommand, CountPendingDecisionTasksCommand, type PendingTaskCount } from '@aws-sdk/client-swf';
import { describeError, mapLimited, swf } from '../swf';
import { listTypes } from './Types';
import { time } from '../format';
import { ErrorBox, Loading } from '../components/ui';

interface Row { kind: 'decision' | 'activity'; name: string; source: string; count?: PendingTaskCount; error?: string }

export function TaskLists({ domain }: { domain: string }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [extra, setExtra] = useState<{ kind: Row['kind']; name: string }[]>([]);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Row['kind']>('activity');
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [at, setAt] = useState<Date | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    (async () => {
      try {
        const found = new Map<string, Row>();
        const add = (kind: Row['kind'], name: string | undefined, source: string) => {
          if (!name) return;
          const key = `${kind}:${name}`;
          const row = found.get(key);
          if (row) { if (!row.source.includes(source)) row.source += `, ${source}`; } else found.set(key, { kind, name, source });
        };
        const [workflows, activities] = await Promise.all([listTypes(domain, 'workflow', 'REGISTERED'), listTypes(domain, 'activity', 'REGISTERED')]);
        for (const t of workflows) add('decision', t.workflow?.defaultTaskList?.name, `${t.name} ${t.version}`);
        for (const t of activities) add('activity', t.activity?.defaultTaskList?.name, `${t.name} ${t.version}`);
        for (const x of extra) add(x.kind, x.name, 'added');
        const list = [...found.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
        await mapLimited(list, 4, async (r) => {
          try {
            r.count = r.kind === 'decision'
              ? await swf().send(new CountPendingDecisionTasksCommand({ domain, taskList: { name: r.name } }))
              : await swf().send(new CountPendingActivityTasksCommand({ domain, taskList: { name: r.name } }));
          } catch (e) {
            r.error = describeError(e);
          }
        });
        if (live) { setRows(list); setAt(new Date()); }
      } catch (e) {
        if (live) setError(describeError(e));
      }
    })();
    return () => { live = false; };
  }, [domain, extra, tick]);

  return (
    <section>
      <div class="toolbar">
        <form class="inline-form" onSubmit={(e) => { e.preventDefault(); if (name.trim()) { setExtra([...extra, { kind, name: name.trim() }]); setName(''); } }}>
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Row['kind'])}>
            <option value="activity">activity</option>
            <option value="decision">decision</option>
          </select>
          <input name="taskList" placeholder="another task list" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit">Count</button>
        </form>
        <span class="muted small">{at ? `as of ${time(at)}` : ''}</span>
        <button onClick={() => setTick(tick + 1)}>Refresh</button>
      </div>
      <ErrorBox error={error} />
      {!rows && !error && <Loading what="task lists" />}
      {rows && (
        <table class="list" data-testid="task-lists">
          <thead><tr><th>Tasks</th><th>Task list</th><th>Pending</th><th>Default of</th></tr></thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={4} class="muted">No task list named by a type; add one above.</td></tr>}
            {rows.map((r) => (
              <tr key={`${r.kind}:${r.name}`} data-kind={r.kind} data-task-list={r.name}>
                <td>{r.kind}</td>
                <td>{r.name}</td>
                <td class="num" data-testid="pending">{r.error ? <span class="error-text">{r.error}</span> : `${r.count?.count ?? 0}${r.count?.truncated ? '+' : ''}`}</td>
                <td class="muted small">{r.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
