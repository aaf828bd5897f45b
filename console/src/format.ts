// Display helpers.

export function time(d: Date | undefined | null): string {
  if (!d) return '';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function duration(ms: number): string {
  if (!isFinite(ms)) return '';
  const sign = ms < 0 ? '-' : '';
  ms = Math.abs(ms);
  if (ms < 1000) return `${sign}${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${sign}${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${sign}${h} h ${m - h * 60} min`;
  return `${sign}${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Seconds as SWF writes them ("3600", "NONE") made readable. */
export function seconds(value: string | undefined): string {
  if (value === undefined || value === null || value === '') return '—';
  if (value === 'NONE') return 'NONE';
  const n = Number(value);
  return Number.isFinite(n) ? `${value} s${n >= 60 ? ` (${duration(n * 1000)})` : ''}` : value;
}

/** A JSON object or array given as text, pretty-printed; null when the text is not one. */
export function prettyJson(text: string): string | null {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

/** A value from <input type="datetime-local"> as a Date, or undefined. */
export function fromLocalInput(value: string): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return isNaN(d.getTime()) ? undefined : d;
}

export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const typeLabel = (t: { name?: string; version?: string } | undefined) => (t ? `${t.name} ${t.version}` : '');
