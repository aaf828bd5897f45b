// The history as bars on a time axis: one row per decision task, activity, timer, child and Lambda task, from
// scheduled (light) to started (solid) to closed, coloured by outcome. Clicking a row selects its events in the table.
import type { Bar } from '../history';
import { duration, time } from '../format';

const pct = (x: number) => `${Math.max(0, Math.min(100, x)).toFixed(3)}%`;

function ticks(from: Date, to: Date): { at: number; label: string }[] {
  const total = to.getTime() - from.getTime();
  const steps = [100, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000,
    3600000, 7200000, 21600000, 43200000, 86400000, 172800000, 604800000];
  const step = steps.find((s) => total / s <= 8) ?? total / 8;
  const out = [];
  for (let t = 0; t <= total; t += step) out.push({ at: (t / total) * 100, label: `+${duration(t)}` });
  return out;
}

export function Timeline({ bars, from, to, selected, onSelect }: {
  bars: Bar[];
  from: Date;
  to: Date;
  selected: number | null;
  onSelect: (bar: Bar) => void;
}) {
  const total = to.getTime() - from.getTime();
  const x = (d: Date) => ((d.getTime() - from.getTime()) / total) * 100;
  const axis = ticks(from, to);
  return (
    <div class="timeline" data-testid="timeline">
      <div class="tl-row tl-axis">
        <div class="tl-label muted">{time(from)}</div>
        <svg class="tl-track" height="18" role="img" aria-label="time axis">
          {axis.map((t) => (
            <g key={t.at}>
              <line x1={pct(t.at)} x2={pct(t.at)} y1="12" y2="18" class="tick" />
              <text x={pct(t.at)} y="10" class="tick-label" text-anchor={t.at > 95 ? 'end' : t.at < 3 ? 'start' : 'middle'}>{t.label}</text>
            </g>
          ))}
        </svg>
      </div>
      {bars.map((b) => {
        const start = x(b.scheduled);
        const started = b.started ? x(b.started) : undefined;
        const end = x(b.closed ?? to);
        const width = Math.max(end - start, 0.4);
        const title = [
          `${b.label} (${b.detail})`,
          `scheduled ${time(b.scheduled)}`,
          b.started ? `started ${time(b.started)} (+${duration(b.started.getTime() - b.scheduled.getTime())})` : 'not started',
          b.closed ? `closed ${time(b.closed)}: ${b.outcome}, ${duration(b.closed.getTime() - b.scheduled.getTime())} in all` : 'still open',
        ].join('\n');
        return (
          <div
            key={`${b.kind}-${b.id}`}
            class={`tl-row bar-row${selected === b.id ? ' selected' : ''}`}
            data-kind={b.kind}
            data-outcome={b.outcome}
            data-event-id={b.id}
            data-started={b.started ? 'yes' : 'no'}
            data-closed={b.closed ? 'yes' : 'no'}
            onClick={() => onSelect(b)}
            title={title}
          >
            <div class="tl-label">
              <span class={`kind kind-${b.kind}`}>{b.kind}</span> {b.label.replace(/^(activity|timer|child|lambda) /, '')}
              <span class="muted"> {b.detail}</span>
            </div>
            <svg class="tl-track" height="16">
              <title>{title}</title>
              {started !== undefined ? (
                <>
                  <rect x={pct(start)} width={pct(Math.max(started - start, 0))} y="3" height="10" class={`seg wait o-${b.outcome}`} />
                  <rect x={pct(started)} width={pct(Math.max(end - started, 0.4))} y="3" height="10" class={`seg run o-${b.outcome}`} />
                </>
              ) : (
                <rect x={pct(start)} width={pct(width)} y="3" height="10" class={`seg ${b.closed ? 'run' : 'wait'} o-${b.outcome}`} />
              )}
            </svg>
          </div>
        );
      })}
      <div class="legend">
        <span><i class="sw o-completed" /> completed / fired</span>
        <span><i class="sw o-failed" /> failed</span>
        <span><i class="sw o-timedOut" /> timed out</span>
        <span><i class="sw o-canceled" /> canceled / terminated</span>
        <span><i class="sw o-open" /> open</span>
        <span><i class="sw o-unfinished" /> ended with the run</span>
        <span><i class="sw wait o-open" /> scheduled, not yet started</span>
      </div>
    </div>
  );
}
