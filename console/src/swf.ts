// The console's only way to the service: the SWF API through the AWS SDK for JavaScript v3, signed (SigV4) with the
// key the user entered. The key stays in this tab's sessionStorage (gone when the tab closes) and leaves the browser
// only as signatures: the secret is never sent.
import { SWFClient } from '@aws-sdk/client-swf';

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const storageKey = 'swf-console-session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(storageKey);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return s.accessKeyId && s.secretAccessKey ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(storageKey, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(storageKey);
  client = null;
}

let client: SWFClient | null = null;
let clientFor: Session | null = null;

/** The client for the current session: the service this page was served by, at its own origin. */
export function swf(): SWFClient {
  const session = loadSession();
  if (!session) throw new Error('Not signed in.');
  if (!client || !clientFor || clientFor.accessKeyId !== session.accessKeyId ||
      clientFor.secretAccessKey !== session.secretAccessKey || clientFor.region !== session.region) {
    client?.destroy();
    client = new SWFClient({
      endpoint: window.location.origin,
      region: session.region || 'us-east-1',
      credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
      maxAttempts: 2,
    });
    clientFor = session;
  }
  return client;
}

/** An SDK error as the user should read it: the fault's name and the service's message. */
export function describeError(e: unknown): string {
  if (e && typeof e === 'object') {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const name = err.name && err.name !== 'Error' ? err.name : '';
    const message = err.message ?? String(e);
    if (name === 'TypeError' && /fetch/i.test(message)) return 'The service could not be reached.';
    return name ? `${name}: ${message}` : message;
  }
  return String(e);
}

/** Every page of a paged SWF list. */
export async function allPages<T>(page: (token?: string) => Promise<{ items: T[]; next?: string }>, limit = 50): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < limit; i++) {
    const { items, next } = await page(token);
    out.push(...items);
    if (!next) break;
    token = next;
  }
  return out;
}

/** Runs fn over items with at most `width` calls in flight. */
export async function mapLimited<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, run));
  return out;
}
