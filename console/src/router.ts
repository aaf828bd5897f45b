// Hash routes (#/domains/d1/executions/...): the server serves one index.html and needs no fallback rules.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  parts: string[];
  query: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = hash.split('?', 2);
  return { parts: path.split('/').filter((p) => p.length > 0).map(decodeURIComponent), query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onChange = () => setRoute(current());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** "#/domains/a%2Fb/..." from raw segments, plus an optional query. */
export function href(parts: string[], query?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  return '#/' + parts.map(encodeURIComponent).join('/') + (qs ? '?' + qs : '');
}

export function navigate(parts: string[], query?: Record<string, string | undefined>): void {
  window.location.hash = href(parts, query);
}

export const executionHref = (domain: string, workflowId: string, runId: string) =>
  href(['domains', domain, 'executions', workflowId, runId]);
