// The history as bars on a time axis: one row per decision task, activity, timer, child and Lambda task, from
// scheduled (light) to started (solid) to closed, coloured by outcome. Clicking a row selects its events in the table;
// dragging across the bars zooms the axis to that stretch of time.
import { useRef, useState } from 'preact/hooks';
import type { Bar } from '../history';
import { duration, time } from '../format';

const pct = (x: number) => `${x.toFixed(3)}%`;

function ticks(origin: number, from: number, to: number): { at: number; label: string }[] {
  const total = to - from;
  const steps = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000,
    900000, 1800000, 3600000, 7200000, 21600000, 43200000, 86400000, 172800000, 604800000, 2592000000];
  const step = steps.find((s) => total / s <= 5) ?? total / 5;
  const out = [];
  // Ticks at round offsets from the run's start, whatever stretch is shown.
  for (let t = Math.ceil((from - origin) / step) * step; origin + t <= to; t += step) {
    out.push({ at: ((origin + t - from) / total) * 100, label: `+${offset(t)}` });
  }
  return out;
}

// Compact tick labels: "250 ms", "1.5 s", "2 min 30 s".
function offset(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${Number((ms / 1000).toFixed(2))} s`;
  return duration(ms);
}

export function Timeline({ bars, from, to, selected, onSelect }: {
  bars: Bar[];
  from: Date;
  to: Date;
  selected: number | null;
  onSelect: (bar: Bar) => void;
}) {
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null); // fractions of the track's width
  const track = useRef<HTMLDivElement>(null);
  const dragged = useRef(false); // a drag ends in a click: not a selection
  const origin = from.getTime();
  const [wFrom, wTo] = zoom ?? [origin, Math.max(to.getTime(), origin + 1)];
  const total = wTo - wFrom;
  const x = (d: Date) => ((d.getTime() - wFrom) / total) * 100;
  const axis = ticks(origin, wFrom, wTo);

  // Dragging: positions as fractions of the axis track, which every row's track lines up with.
  const fraction = (clientX: number) => {
    const r = track.current!.getBoundingClientRect();
    return Math.max(0, Math.min(1, (clientX - r.left) / r.width));
  };
  const onDown = (e: PointerEvent) => {
    if (e.button !== 0 || !track.current) return;
    const f = fraction(e.clientX);
    const r = track.current.getBoundingClientRect();
    if (e.clientX < r.left) return; // on a label: a click, not a drag
    setDrag([f, f]);
  };
  const onMove = (e: PointerEvent) => { if (drag) setDrag([drag[0], fraction(e.clientX)]); };
  const onUp = () => {
    if (!drag) return;
    const [a, b] = [Math.min(...drag), Math.max(...drag)];
    setDrag(null);
    dragged.current = b - a > 0.01;
    if (dragged.current) setZoom([wFrom + a * total, wFrom + b * total]);
  };

  return (
    <div class="timeline" data-testid="timeline" data-zoomed={zoom ? 'yes' : 'no'}
         onPointerDown={onDown} onPointerMove={onMove} onPointerUp={onUp} onPointerLeave={() => setDrag(null)}>
      <div class="tl-row tl-axis">
        <div class="tl-label muted">{time(new Date(wFrom))}</div>
        <div ref={track} class="tl-track-box">
          <svg class="tl-track" height="18" role="img" aria-label="time axis">
            {axis.map((t) => (
              <g key={t.at}>
                <line x1={pct(t.at)} x2={pct(t.at)} y1="12" y2="18" class="tick" />
                <text x={pct(t.at)} y="10" class="tick-label" text-anchor={t.at > 95 ? 'end' : t.at < 3 ? 'start' : 'middle'}>{t.label}</text>
              </g>
            ))}
          </svg>
        </div>
      </div>
      <div class="tl-rows">
        {drag && (
          <div class="tl-brush" style={{ left: `calc(var(--tl-label) + 8px + (100% - var(--tl-label) - 8px) * ${Math.min(...drag)})`,
                                         width: `calc((100% - var(--tl-label) - 8px) * ${Math.abs(drag[1] - drag[0])})` }} />
        )}
        {bars.map((b) => {
          const start = x(b.scheduled);
          const started = b.started ? x(b.started) : undefined;
          const end = x(b.closed ?? to);
          const title = [
            `${b.label} (${b.detail})`,
            `scheduled ${time(b.scheduled)}`,
            b.started ? `started ${time(b.started)} (+${duration(b.started.getTime() - b.scheduled.getTime())})` : 'not started',
            b.closed ? `closed ${time(b.closed)}: ${b.outcome}, ${duration(b.closed.getTime() - b.scheduled.getTime())} in all` : 'still open',
          ].join('\n');
          // A segment clipped to the axis shown; a bar of no length still shows as a sliver.
          const seg = (a: number, z: number, cls: string) => {
            if (z < 0 || a > 100) return null;
            const l = Math.max(a, 0), r = Math.min(Math.max(z, a + 0.4), 100);
            return <rect x={pct(l)} width={pct(Math.max(r - l, 0))} y="3" height="10" class={cls} />;
          };
          return (
            <div
              key={`${b.kind}-${b.id}`}
              class={`tl-row bar-row${selected === b.id ? ' selected' : ''}`}
              data-kind={b.kind}
              data-outcome={b.outcome}
              data-event-id={b.id}
              data-started={b.started ? 'yes' : 'no'}
              data-closed={b.closed ? 'yes' : 'no'}
              onClick={() => { if (dragged.current) dragged.current = false; else onSelect(b); }}
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
                    {started > start && seg(start, started, `seg wait o-${b.outcome}`)}
                    {seg(started, end, `seg run o-${b.outcome}`)}
                  </>
                ) : seg(start, end, `seg ${b.closed ? 'run' : 'wait'} o-${b.outcome}`)}
              </svg>
            </div>
          );
        })}
      </div>
      <div class="legend">
        <span><i class="sw o-completed" /> completed / fired</span>
        <span><i class="sw o-failed" /> failed</span>
        <span><i class="sw o-timedOut" /> timed out</span>
        <span><i class="sw o-canceled" /> canceled / terminated</span>
        <span><i class="sw o-open" /> open</span>
        <span><i class="sw o-unfinished" /> ended with the run</span>
        <span><i class="sw wait o-open" /> scheduled, not yet started</span>
        {zoom
          ? <button class="small hint" onPointerDown={(e) => e.stopPropagation()} onClick={() => setZoom(null)}>reset zoom</button>
          : <span class="hint">drag across the bars to zoom</span>}
      </div>
    </div>
  );
}
