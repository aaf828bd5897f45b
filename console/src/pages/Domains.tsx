// Every domain with its status, retention period and description.
import { useEffect, useState } from 'preact/hooks';
import { DescribeDomainCommand, ListDomainsCommand, type DomainInfo, type RegistrationStatus } from '@aws-sdk/client-swf';
import { allPages, describeError, mapLimited, swf } from '../swf';
import { href } from '../router';
import { ErrorBox, Loading } from '../components/ui';

interface Row { info: DomainInfo; retention?: string; error?: string }

export function Domains() {
  const [status, setStatus] = useState<RegistrationStatus>('REGISTERED');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    setRows(null);
    setError(null);
    (async () => {
      try {
        const infos = await allPages(async (token) => {
          const page = await swf().send(new ListDomainsCommand({ registrationStatus: status, nextPageToken: token, maximumPageSize: 100 }));
          return { items: page.domainInfos ?? [], next: page.nextPageToken };
        });
        infos.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
        const described = await mapLimited(infos, 4, async (info): Promise<Row> => {
          try {
            const d = await swf().send(new DescribeDomainCommand({ name: info.name }));
            return { info, retention: d.configuration?.workflowExecutionRetentionPeriodInDays };
          } catch (e) {
            return { info, error: describeError(e) };
          }
        });
        if (live) setRows(described);
      } catch (e) {
        if (live) setError(describeError(e));
      }
    })();
    return () => { live = false; };
  }, [status, tick]);

  return (
    <section>
      <div class="toolbar">
        <h2>Domains</h2>
        <div class="seg-buttons" role="group" aria-label="Registration status">
          {(['REGISTERED', 'DEPRECATED'] as const).map((s) => (
            <button key={s} class={status === s ? 'on' : ''} onClick={() => setStatus(s)}>{s.toLowerCase()}</button>
          ))}
        </div>
        <button onClick={() => setTick(tick + 1)}>Refresh</button>
      </div>
      <ErrorBox error={error} />
      {!rows && !error && <Loading what="domains" />}
      {rows && (
        <table class="list" data-testid="domains">
          <thead><tr><th>Name</th><th>Status</th><th>Retention (days)</th><th>Description</th><th>ARN</th></tr></thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={5} class="muted">No {status.toLowerCase()} domains.</td></tr>}
            {rows.map((r) => (
              <tr key={r.info.name} data-domain={r.info.name}>
                <td><a href={href(['domains', r.info.name!])}>{r.info.name}</a></td>
                <td><span class={`status s-${r.info.status}`}>{r.info.status}</span></td>
                <td>{r.retention ?? (r.error ? <span class="muted" title={r.error}>not allowed</span> : '')}</td>
                <td>{r.info.description}</td>
                <td class="mono small">{r.info.arn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
