// Start a new execution of a workflow type, from a form prefilled with the type's registered defaults.
import { useEffect, useState } from 'preact/hooks';
import { DescribeWorkflowTypeCommand, StartWorkflowExecutionCommand, type ChildPolicy } from '@aws-sdk/client-swf';
import { describeError, swf } from '../swf';
import { executionHref } from '../router';
import { Confirm, ErrorBox, Fields, Loading } from '../components/ui';

interface Form {
  workflowId: string; taskList: string; input: string; tags: string; executionStartToCloseTimeout: string;
  taskStartToCloseTimeout: string; childPolicy: string; taskPriority: string; lambdaRole: string;
}

export function Start({ domain, name, version }: { domain: string; name: string; version: string }) {
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);

  useEffect(() => {
    setForm(null);
    setError(null);
    swf().send(new DescribeWorkflowTypeCommand({ domain, workflowType: { name, version } })).then((d) => {
      const c = d.configuration ?? {};
      setForm({
        workflowId: `${name}-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}`,
        taskList: c.defaultTaskList?.name ?? '', input: '', tags: '',
        executionStartToCloseTimeout: c.defaultExecutionStartToCloseTimeout ?? '',
        taskStartToCloseTimeout: c.defaultTaskStartToCloseTimeout ?? '',
        childPolicy: c.defaultChildPolicy ?? '', taskPriority: c.defaultTaskPriority ?? '', lambdaRole: c.defaultLambdaRole ?? '',
      });
    }, (e) => setError(describeError(e)));
  }, [domain, name, version]);

  if (error) return <ErrorBox error={error} />;
  if (!form) return <Loading what="the workflow type" />;
  const set = (k: keyof Form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const opt = (v: string) => (v.trim() === '' ? undefined : v.trim());

  const start = async () => {
    setBusy(true);
    setStartError(null);
    try {
      const r = await swf().send(new StartWorkflowExecutionCommand({
        domain, workflowId: form.workflowId.trim(), workflowType: { name, version },
        taskList: opt(form.taskList) ? { name: form.taskList.trim() } : undefined,
        input: form.input === '' ? undefined : form.input,
        tagList: form.tags.split(',').map((t) => t.trim()).filter((t) => t),
        executionStartToCloseTimeout: opt(form.executionStartToCloseTimeout),
        taskStartToCloseTimeout: opt(form.taskStartToCloseTimeout),
        childPolicy: opt(form.childPolicy) as ChildPolicy | undefined,
        taskPriority: opt(form.taskPriority), lambdaRole: opt(form.lambdaRole),
      }));
      window.location.hash = executionHref(domain, form.workflowId.trim(), r.runId!);
    } catch (e) {
      setStartError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <section>
      <h2>Start {name} {version}</h2>
      <form class="card form" onSubmit={(e) => { e.preventDefault(); setStartError(null); setConfirming(true); }}>
        <label>Workflow ID<input name="workflowId" value={form.workflowId} onInput={set('workflowId')} required maxLength={256} /></label>
        <label>Task list<input name="taskList" value={form.taskList} onInput={set('taskList')} placeholder="the type's default" /></label>
        <label>Input<textarea name="input" rows={5} value={form.input} onInput={set('input')} placeholder="any text, e.g. JSON" /></label>
        <label>Tags (comma-separated, up to 5)<input name="tags" value={form.tags} onInput={set('tags')} /></label>
        <label>Execution start-to-close timeout (s)<input name="executionStartToCloseTimeout" value={form.executionStartToCloseTimeout} onInput={set('executionStartToCloseTimeout')} /></label>
        <label>Decision task start-to-close timeout (s or NONE)<input name="taskStartToCloseTimeout" value={form.taskStartToCloseTimeout} onInput={set('taskStartToCloseTimeout')} /></label>
        <label>Child policy
          <select name="childPolicy" value={form.childPolicy} onChange={set('childPolicy')}>
            <option value="">(the type's default)</option>
            <option value="TERMINATE">TERMINATE</option>
            <option value="REQUEST_CANCEL">REQUEST_CANCEL</option>
            <option value="ABANDON">ABANDON</option>
          </select>
        </label>
        <label>Task priority<input name="taskPriority" value={form.taskPriority} onInput={set('taskPriority')} /></label>
        <label>Lambda role<input name="lambdaRole" value={form.lambdaRole} onInput={set('lambdaRole')} /></label>
        <button type="submit" class="primary">Start…</button>
      </form>
      {confirming && (
        <Confirm title="Start this execution?" confirmLabel="Start" busy={busy} error={startError}
                 onConfirm={start} onCancel={() => setConfirming(false)}>
          <Fields rows={[['Domain', domain], ['Type', `${name} ${version}`], ['Workflow ID', form.workflowId], ['Task list', form.taskList || '(default)']]} />
        </Confirm>
      )}
    </section>
  );
}
