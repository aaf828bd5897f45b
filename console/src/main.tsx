// The SWF console: a single-page app over the SWF API, served at /console/ by the service itself.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { clearSession, loadSession, type Session } from './swf';
import { href, useRoute } from './router';
import { SignIn } from './pages/SignIn';
import { Domains } from './pages/Domains';
import { Executions } from './pages/Executions';
import { Types } from './pages/Types';
import { TaskLists } from './pages/TaskLists';
import { Start } from './pages/Start';
import { Execution } from './pages/Execution';
import './style.css';

const tabs = [
  ['executions', 'Executions'],
  ['workflow-types', 'Workflow types'],
  ['activity-types', 'Activity types'],
  ['task-lists', 'Task lists'],
] as const;

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const route = useRoute();

  if (!session) {
    return (
      <>
        <Header />
        <main><SignIn onSignedIn={setSession} /></main>
      </>
    );
  }

  const [first, domain, tab, workflowId, runId] = route.parts;
  let crumbs: [string, string][] = [['Domains', href([])]];
  let body;
  if (first !== 'domains' || !domain) {
    body = <Domains />;
  } else {
    crumbs.push([domain, href(['domains', domain])]);
    if (tab === 'executions' && workflowId && runId) {
      crumbs.push([workflowId, '']);
      body = <Execution domain={domain} workflowId={workflowId} runId={runId} />;
    } else if (tab === 'start') {
      crumbs.push(['start', '']);
      body = <Start domain={domain} name={route.query.get('type') ?? ''} version={route.query.get('version') ?? ''} />;
    } else {
      const current = tabs.some(([t]) => t === tab) ? tab : 'executions';
      body = (
        <>
          <nav class="tabs" aria-label="Domain">
            {tabs.map(([t, label]) => (
              <a key={t} href={href(['domains', domain, t])} class={current === t ? 'on' : ''} aria-current={current === t ? 'page' : undefined}>{label}</a>
            ))}
          </nav>
          {current === 'executions' && <Executions domain={domain} />}
          {current === 'workflow-types' && <Types domain={domain} kind="workflow" />}
          {current === 'activity-types' && <Types domain={domain} kind="activity" />}
          {current === 'task-lists' && <TaskLists domain={domain} />}
        </>
      );
    }
  }

  const signOut = () => { clearSession(); setSession(null); };
  return (
    <>
      <Header session={session} onSignOut={signOut} />
      <nav class="crumbs" aria-label="Breadcrumbs">
        {crumbs.map(([label, link], i) => (
          <span key={i}>{i > 0 && ' / '}{link ? <a href={link}>{label}</a> : <span>{label}</span>}</span>
        ))}
      </nav>
      <main key={session.accessKeyId}>{body}</main>
    </>
  );
}

function Header({ session, onSignOut }: { session?: Session; onSignOut?: () => void }) {
  return (
    <header class="top">
      <a href={href([])} class="brand">SWF console</a>
      <span class="grow" />
      {session && (
        <>
          <span class="muted small" data-testid="signed-in">key <span class="mono">{session.accessKeyId}</span> · {session.region}</span>
          <button class="small" onClick={onSignOut}>Sign out</button>
        </>
      )}
    </header>
  );
}

render(<App />, document.getElementById('app')!);
