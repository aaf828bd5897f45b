// The key the console signs with. It is checked with one ListDomains call and then kept in this tab's
// sessionStorage only: closing the tab forgets it.
import { useState } from 'preact/hooks';
import { ListDomainsCommand, SWFClient } from '@aws-sdk/client-swf';
import { describeError, saveSession, type Session } from '../swf';
import { ErrorBox } from '../components/ui';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [accessKeyId, setKeyId] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const [region, setRegion] = useState('us-east-1');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const session = { accessKeyId: accessKeyId.trim(), secretAccessKey, region: region.trim() || 'us-east-1' };
    const probe = new SWFClient({ endpoint: window.location.origin, region: session.region, credentials: session, maxAttempts: 1 });
    try {
      // A read-only or domain-limited key may not list domains; only a bad signature or unknown key is refused here.
      await probe.send(new ListDomainsCommand({ registrationStatus: 'REGISTERED', maximumPageSize: 1 }));
    } catch (err) {
      const name = (err as { name?: string }).name ?? '';
      if (name !== 'OperationNotPermittedFault') {
        setError(describeError(err));
        setBusy(false);
        return;
      }
    } finally {
      probe.destroy();
    }
    saveSession(session);
    setBusy(false);
    onSignedIn(session);
  };

  return (
    <div class="signin">
      <form onSubmit={submit} class="card" autocomplete="off">
        <h2>Sign in with an access key</h2>
        <p class="muted">
          The console calls this service's SWF API from your browser, signing each request with this key (AWS Signature
          Version 4). It can do exactly what the key's policy allows. The key is kept for this browser tab only and is
          never sent: only signatures are.
        </p>
        <label>Access key ID<input name="accessKeyId" value={accessKeyId} onInput={(e) => setKeyId(e.currentTarget.value)} required spellcheck={false} /></label>
        <label>Secret access key<input name="secretAccessKey" type="password" value={secretAccessKey} onInput={(e) => setSecret(e.currentTarget.value)} required /></label>
        <label>Region (signing only)<input name="region" value={region} onInput={(e) => setRegion(e.currentTarget.value)} spellcheck={false} /></label>
        <ErrorBox error={error} title="Sign-in failed:" />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
    </div>
  );
}
