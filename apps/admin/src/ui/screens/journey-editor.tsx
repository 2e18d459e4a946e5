/**
 * The journey editor: the YAML with a line-number gutter, validated as the user types (the core's
 * messages at their lines), Save with a message, revisions with diffs, and "Compare with…" another
 * journey (the current map against the ideal one).
 */
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, urls } from '../api.js';
import type { Issue, JourneyChange, JourneyDetail, RevisionDiff, RevisionSummary } from '../api-types.js';
import { JourneyChangeList } from '../change-list.js';
import {
  ConfirmDialog,
  ErrorMessage,
  IssueList,
  JourneyNav,
  journeyOption,
  Loading,
  SelectField,
  StatusMessage,
} from '../components.js';
import { issueLines, lineCount, positionOffset } from '../editor-lines.js';
import { formatDateTime, plural } from '../format.js';
import { type Resource, useAction, useDebounced, useResource } from '../hooks.js';
import { navigate } from '../router.js';

/** How long typing must pause before the source is validated. */
const VALIDATE_DELAY_MS = 400;

/** The editor screen of one journey. */
export function JourneyEditorScreen({ journeyKey }: { journeyKey: string }) {
  const detail = useResource(() => api.journey(journeyKey), [journeyKey]);
  const revisions = useResource(() => api.revisions(journeyKey), [journeyKey]);

  return (
    <>
      <h1>{detail.data ? detail.data.name : journeyKey}</h1>
      <JourneyNav journeyKey={journeyKey} current="" />
      <ErrorMessage error={detail.error} title="Could not load the journey." />
      {detail.loading && !detail.data && <Loading what="the journey" />}
      {detail.data && (
        <SourceEditor
          detail={detail.data}
          onSaved={(saved) => {
            detail.setData(saved);
            revisions.reload();
          }}
        />
      )}
      <Revisions journeyKey={journeyKey} revisions={revisions} />
      <Compare journeyKey={journeyKey} />
      {detail.data && <DeleteJourney detail={detail.data} />}
    </>
  );
}

function SourceEditor({
  detail,
  onSaved,
}: {
  detail: JourneyDetail;
  onSaved: (detail: JourneyDetail) => void;
}) {
  const [source, setSource] = useState(detail.source);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [validation, setValidation] = useState<'pending' | 'done' | 'failed'>('pending');
  const [message, setMessage] = useState('');
  const [saved, setSaved] = useState<string>('');
  const save = useAction();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const debounced = useDebounced(source, VALIDATE_DELAY_MS);
  const editorId = useId();
  const messageId = useId();
  const issuesId = useId();
  const dirty = source !== detail.source;

  useEffect(() => {
    const abort = new AbortController();
    setValidation('pending');
    api.validateJourney(debounced, abort.signal).then(
      (result) => {
        setIssues(result.issues);
        setValidation('done');
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setValidation('failed');
        setIssues([]);
        console.warn('validation failed', error);
      },
    );
    return () => abort.abort();
  }, [debounced]);

  const lines = lineCount(source);
  const marked = useMemo(() => issueLines(issues), [issues]);
  const errors = issues.filter((issue) => (issue.severity ?? 'error') === 'error').length;
  const warnings = issues.length - errors;

  /** Moves the caret to the issue's position and scrolls it into view, as an IDE does. */
  const goTo = (issue: Issue) => {
    const element = textarea.current;
    if (!element || issue.line === undefined) return;
    const offset = positionOffset(source, issue.line, issue.column ?? 1);
    element.focus();
    element.setSelectionRange(offset, offset);
    const lineHeight = Number.parseFloat(getComputedStyle(element).lineHeight) || 20;
    element.scrollTop = Math.max(0, (issue.line - 1) * lineHeight - element.clientHeight / 3);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await save.run(() => api.saveJourney(detail.key, source, message.trim() || undefined));
    if (result) {
      setMessage('');
      setSaved(
        result.revision === detail.revision
          ? 'Nothing changed, so no new revision was made.'
          : `Saved as revision ${result.revision}.`,
      );
      onSaved(result);
    }
  };

  return (
    <section>
      <h2 id={`${editorId}-heading`}>Journey file</h2>
      <p className="muted">
        Revision {detail.revision}, version {detail.version}, last changed {formatDateTime(detail.updatedAt)}{' '}
        by {detail.updatedBy}. <a href={urls.journeySource(detail.key)}>Download YAML</a>
      </p>
      <label htmlFor={editorId}>Journey YAML</label>
      <div className="editor">
        <div className="editor-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, index) => {
            const severity = marked.get(index + 1);
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: a gutter row is a line position, nothing else
              <div key={index} className={severity ? `gutter-line gutter-${severity}` : 'gutter-line'}>
                {severity && <span className="gutter-marker">{severity === 'error' ? '✗' : '!'}</span>}
                {index + 1}
              </div>
            );
          })}
        </div>
        <textarea
          id={editorId}
          ref={textarea}
          className="editor-text"
          value={source}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          wrap="off"
          aria-describedby={issuesId}
          aria-invalid={errors > 0}
          onChange={(event) => {
            setSource(event.target.value);
            setSaved('');
          }}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      <div id={issuesId}>
        <StatusMessage>
          {validation === 'pending'
            ? 'Checking…'
            : validation === 'failed'
              ? 'The file could not be checked right now; it is checked again when you save.'
              : issues.length === 0
                ? 'No problems found.'
                : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}. Select a message to go to its line.`}
        </StatusMessage>
        <IssueList issues={issues} onSelect={goTo} />
      </div>
      <form className="save-row" onSubmit={submit}>
        <div className="field">
          <label htmlFor={messageId}>Revision message (optional)</label>
          <input
            id={messageId}
            type="text"
            value={message}
            maxLength={500}
            placeholder="What changed and why"
            onChange={(event) => setMessage(event.target.value)}
          />
        </div>
        <button type="submit" className="primary" disabled={save.running}>
          Save
        </button>
        {dirty && <span className="muted">Unsaved changes</span>}
      </form>
      <ErrorMessage error={save.error} title="The journey was not saved." />
      <StatusMessage>{saved}</StatusMessage>
    </section>
  );
}

function Revisions({
  journeyKey,
  revisions,
}: {
  journeyKey: string;
  revisions: Resource<RevisionSummary[]>;
}) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [diff, setDiff] = useState<RevisionDiff | undefined>(undefined);
  const action = useAction();
  const list = revisions.data ?? [];
  const revisionOptions = list.map((revision) => ({
    value: String(revision.revision),
    label: revision.revision,
  }));

  // Default to "the one before the latest → the latest", the question people ask most.
  useEffect(() => {
    if (list.length >= 2 && from === '' && to === '') {
      setFrom(String(list[1]!.revision));
      setTo(String(list[0]!.revision));
    }
  }, [list, from, to]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await action.run(() => api.diff(journeyKey, Number(from), to ? Number(to) : undefined));
    if (result) setDiff(result);
  };

  return (
    <section>
      <h2 id="revisions-heading">Revisions</h2>
      <ErrorMessage error={revisions.error} title="Could not load the revisions." />
      {list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">Version</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {list.map((revision) => (
              <tr key={revision.revision}>
                <td>{revision.revision}</td>
                <td>{revision.version}</td>
                <td>{formatDateTime(revision.createdAt)}</td>
                <td>{revision.createdBy}</td>
                <td>{revision.message || <span className="muted">(no message)</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.length >= 2 && (
        <form className="inline-form" onSubmit={submit}>
          <SelectField label="From revision" value={from} onChange={setFrom} options={revisionOptions} />
          <SelectField label="To revision" value={to} onChange={setTo} options={revisionOptions} />
          <button type="submit" disabled={action.running}>
            Show changes
          </button>
        </form>
      )}
      <ErrorMessage error={action.error} title="Could not compare the revisions." />
      {diff && (
        <div aria-live="polite">
          <h3>
            Changes from revision {diff.from} to {diff.to}
          </h3>
          <JourneyChangeList
            changes={diff.changes}
            emptyText="The two revisions describe the same journey."
          />
        </div>
      )}
    </section>
  );
}

function Compare({ journeyKey }: { journeyKey: string }) {
  const journeys = useResource(api.journeys, []);
  const [other, setOther] = useState('');
  const [result, setResult] = useState<{ other: string; changes: JourneyChange[] } | undefined>(undefined);
  const action = useAction();
  const others = (journeys.data ?? []).filter((journey) => journey.key !== journeyKey);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!other) return;
    const answer = await action.run(() => api.compare(journeyKey, other));
    if (answer) setResult({ other, changes: answer.changes });
  };

  return (
    <section>
      <h2 id="compare-heading">Compare with another journey</h2>
      <p className="muted">
        Keep the journey you run today and the ideal one as two journeys; the comparison lists what it takes
        to get from this one to the other.
      </p>
      <ErrorMessage error={journeys.error} title="Could not load the journeys." />
      {others.length === 0 && journeys.data && <p>There is no other journey to compare with yet.</p>}
      {others.length > 0 && (
        <form className="inline-form" onSubmit={submit}>
          <SelectField
            label="Compare with"
            value={other}
            onChange={setOther}
            emptyOption="Choose a journey…"
            options={others.map(journeyOption)}
          />
          <button type="submit" disabled={!other || action.running}>
            Compare
          </button>
        </form>
      )}
      <ErrorMessage error={action.error} title="Could not compare the journeys." />
      {result && (
        <div aria-live="polite">
          <h3>
            From {journeyKey} to {result.other}
          </h3>
          <JourneyChangeList changes={result.changes} emptyText="The two journeys are the same." />
        </div>
      )}
    </section>
  );
}

function DeleteJourney({ detail }: { detail: JourneyDetail }) {
  const [open, setOpen] = useState(false);
  const action = useAction();
  const confirm = async () => {
    const done = await action.run(async () => {
      await api.deleteJourney(detail.key);
      return true;
    });
    if (done) navigate('/journeys');
  };
  return (
    <section className="danger-zone">
      <h2 id="delete-heading">Delete this journey</h2>
      <p>Deletes the journey and all its revisions from Milepost. Nothing is changed in your CRM.</p>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Delete journey
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete ${detail.name}?`}
        confirmLabel="Delete"
        danger
        busy={action.running}
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(false)}
      >
        <p>
          The journey <code>{detail.key}</code> and its {plural(detail.revision, 'revision')} will be deleted.
          This cannot be undone.
        </p>
        <ErrorMessage error={action.error} title="The journey was not deleted." />
      </ConfirmDialog>
    </section>
  );
}
