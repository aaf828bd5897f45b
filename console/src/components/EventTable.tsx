// Every event of the history with every attribute; JSON inputs and results pretty-printed.
import type { HistoryEvent } from '@aws-sdk/client-swf';
import { attributesOf } from '../history';
import { duration, time } from '../format';
import { Value } from './ui';

export function EventTable({ events, highlight }: { events: HistoryEvent[]; highlight: Set<number> }) {
  const start = events[0]?.eventTimestamp?.getTime() ?? 0;
  return (
    <table class="events" data-testid="events">
      <thead>
        <tr><th>ID</th><th>Time</th><th>Type</th><th>Attributes</th></tr>
      </thead>
      <tbody>
        {events.map((e) => {
          const attrs = Object.entries(attributesOf(e)).filter(([, v]) => v !== undefined);
          return (
            <tr key={e.eventId} id={`event-${e.eventId}`} data-event-id={e.eventId} data-event-type={e.eventType}
                class={highlight.has(e.eventId!) ? 'highlight' : ''}>
              <td class="num">{e.eventId}</td>
              <td class="nowrap">{time(e.eventTimestamp)}<div class="muted">+{duration((e.eventTimestamp?.getTime() ?? 0) - start)}</div></td>
              <td class={`etype e-${outcomeClass(e.eventType ?? '')}`}>{e.eventType}</td>
              <td>
                <dl class="attrs">
                  {attrs.map(([k, v]) => (
                    <div key={k} class="attr" data-attr={k}><dt>{k}</dt><dd><Value value={v} /></dd></div>
                  ))}
                </dl>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function outcomeClass(type: string): string {
  if (/Failed$/.test(type)) return 'failed';
  if (/TimedOut$/.test(type)) return 'timedOut';
  if (/(Canceled|Terminated)$/.test(type)) return 'canceled';
  if (/(Completed|Fired)$/.test(type)) return 'completed';
  if (/Signaled$/.test(type)) return 'signal';
  return 'plain';
}
