// A domain's workflow or activity types with their registered defaults; workflow types can be started from here.
import { useEffect, useState } from 'preact/hooks';
import {
  DescribeActivityTypeCommand, DescribeWorkflowTypeCommand, ListActivityTypesCommand, ListWorkflowTypesCommand,
  type ActivityTypeConfiguration, type RegistrationStatus, type WorkflowTypeConfiguration,
} from '@aws-sdk/client-swf';
import { allPages, describeError, mapLimited, swf } from '../swf';
import { href } from '../router';
import { seconds, time } from '../format';
import { ErrorBox, Loading } from '../components/ui';

interface TypeRow {
  name: string;
  version: string;
  status?: string;
  description?: string;
  created?: Date;
  deprecated?: Date;
  workflow?: WorkflowTypeConfiguration;
  activity?: ActivityTypeConfiguration;
  error?: string;
}

export async function listTypes(domain: string, kind: 'workflow' | 'activity', status: RegistrationStatus): Promise<TypeRow[]> {
  const infos = await allPages(async (token) => {
    if (kind === 'workflow') {
      const p = await swf().send(new ListWorkflowTypesCommand({ domain, registrationStatus: status, nextPageToken: token, maximumPageSize: 100 }));
      return { items: (p.typeInfos ?? []).map((t) => ({ type: t.workflowType!, status: t.status, description: t.description, created: t.creationDate, deprecated: t.deprecationDate })), next: p.nextPageToken };
    }
    const p = await swf().send(new ListActivityTypesCommand({ domain, registrationStatus: status, nextPageToken: token, maximumPageSize: 100 }));
    return { items: (p.typeInfos ?? []).map((t) => ({ type: t.activityType!, status: t.status, description: t.description, created: t.creationDate, deprecated: t.deprecationDate })), next: p.nextPageToken };
  }, 10);
  return mapLimited(infos, 4, async (i): Promise<TypeRow> => {
    const row: TypeRow = { name: i.type.name!, version: i.type.version!, status: i.status, description: i.description, created: i.created, deprecated: i.deprecated };
    try {
      if (kind === 'workflow') row.workflow = (await swf().send(new DescribeWorkflowTypeCommand({ domain, workflowType: i.type }))).configuration;
      else row.activity = (await swf().send(new DescribeActivityTypeCommand({ domain, activityType: i.type }))).configuration;
    } catch (e) {
      row.error = describeError(e);
    }
    return row;
  });
}

export function Types({ domain, kind }: { domain: string; kind: 'workflow' | 'activity' }) {
  const [status, setStatus] = useState<RegistrationStatus>('REGISTERED');
  const [rows, setRows] = useState<TypeRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setRows(null);
    setError(null);
    listTypes(domain, kind, status).then((r) => live && setRows(r), (e) => live && setError(describeError(e)));
    return () => { live = false; };
  }, [domain, kind, status]);

  return (
    <section>
      <div class="toolbar">
        <div class="seg-buttons" role="group" aria-label="Registration status">
          {(['REGISTERED', 'DEPRECATED'] as const).map((s) => (
            <button key={s} class={status === s ? 'on' : ''} onClick={() => setStatus(s)}>{s.toLowerCase()}</button>
          ))}
        </div>
      </div>
      <ErrorBox error={error} />
      {!rows && !error && <Loading what={`${kind} types`} />}
      {rows && (
        <table class="list" data-testid={`${kind}-types`}>
          <thead>
            {kind === 'workflow' ? (
              <tr><th>Name</th><th>Version</th><th>Status</th><th>Default task list</th><th>Execution timeout</th><th>Decision task timeout</th><th>Child policy</th><th>Priority</th><th>Registered</th><th /></tr>
            ) : (
              <tr><th>Name</th><th>Version</th><th>Status</th><th>Default task list</th><th>Schedule→start</th><th>Start→close</th><th>Schedule→close</th><th>Heartbeat</th><th>Priority</th><th>Registered</th></tr>
            )}
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={10} class="muted">No {status.toLowerCase()} {kind} types.</td></tr>}
            {rows.map((r) => (
              <tr key={`${r.name}/${r.version}`} data-type-name={r.name} data-type-version={r.version}>
                <td>{r.name}{r.description && <div class="muted small">{r.description}</div>}</td>
                <td>{r.version}</td>
                <td><span class={`status s-${r.status}`}>{r.status}</span></td>
                {kind === 'workflow' ? (
                  <>
                    <td>{r.workflow?.defaultTaskList?.name ?? '—'}</td>
                    <td>{seconds(r.workflow?.defaultExecutionStartToCloseTimeout)}</td>
                    <td>{seconds(r.workflow?.defaultTaskStartToCloseTimeout)}</td>
                    <td>{r.workflow?.defaultChildPolicy ?? '—'}</td>
                    <td>{r.workflow?.defaultTaskPriority ?? '—'}</td>
                    <td class="nowrap">{time(r.created)}</td>
                    <td>{r.status === 'REGISTERED' && <a class="button" href={href(['domains', domain, 'start'], { type: r.name, version: r.version })}>Start…</a>}</td>
                  </>
                ) : (
                  <>
                    <td>{r.activity?.defaultTaskList?.name ?? '—'}</td>
                    <td>{seconds(r.activity?.defaultTaskScheduleToStartTimeout)}</td>
                    <td>{seconds(r.activity?.defaultTaskStartToCloseTimeout)}</td>
                    <td>{seconds(r.activity?.defaultTaskScheduleToCloseTimeout)}</td>
                    <td>{seconds(r.activity?.defaultTaskHeartbeatTimeout)}</td>
                    <td>{r.activity?.defaultTaskPriority ?? '—'}</td>
                    <td class="nowrap">{time(r.created)}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
