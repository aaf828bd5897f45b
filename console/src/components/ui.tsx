// Small shared pieces: error and notice boxes, a confirmation dialog, attribute values.
import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { prettyJson, time } from '../format';

export function ErrorBox({ error, title }: { error: string | null | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {title && <strong>{title} </strong>}
      {error}
    </div>
  );
}

export function Notice({ text }: { text: string | null | undefined }) {
  return text ? <div class="notice" role="status">{text}</div> : null;
}

export function Loading({ what }: { what: string }) {
  return <p class="muted">Loading {what}…</p>;
}

/** A modal that asks before an action runs: the action's form is its body, Confirm runs it. */
export function Confirm(props: {
  title: string;
  children?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="confirm" aria-label={props.title} onCancel={(e) => { e.preventDefault(); props.onCancel(); }}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); props.onConfirm(); }}>
        <h3>{props.title}</h3>
        {props.children}
        <ErrorBox error={props.error} title="Refused:" />
        <div class="buttons">
          <button type="button" onClick={props.onCancel} disabled={props.busy}>Cancel</button>
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={props.busy}>
            {props.busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Any attribute value: JSON text and objects pretty-printed, dates as times. */
export function Value({ value }: { value: unknown }) {
  if (value === undefined || value === null) return <span class="muted">—</span>;
  if (value instanceof Date) return <span>{time(value)}</span>;
  if (typeof value === 'string') {
    const pretty = prettyJson(value);
    if (pretty !== null) return <pre class="json">{pretty}</pre>;
    return value.includes('\n') ? <pre class="text">{value}</pre> : <span class="text">{value}</span>;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object')) return <span>{value.join(', ')}</span>;
    return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    // {name, version} and {name} read best inline.
    if (entries.length <= 2 && entries.every(([, v]) => typeof v !== 'object')) {
      return <span>{entries.map(([, v]) => String(v)).join(' ')}</span>;
    }
    return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
  }
  return <span>{String(value)}</span>;
}

/** A definition list of fields. */
export function Fields({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="fields">
      {rows.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>{v === undefined || v === null || v === '' ? <span class="muted">—</span> : v}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
