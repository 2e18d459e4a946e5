/**
 * Building blocks every screen shares: error and status messages, the confirmation dialog, the run
 * follower and the journey + connection picker.
 */
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { type ApiError, api } from './api.js';
import type { Connection, Issue, JourneySummary, Run } from './api-types.js';
import { formatDateTime, issueLocation } from './format.js';
import { useResource } from './hooks.js';
import { Link, useLocation, useSearchParam } from './router.js';

/** A labelled text input; `hint` is shown under it and named by the input's `aria-describedby`. */
export function TextField({
  label,
  type = 'text',
  value,
  onChange,
  hint,
  required,
  autoComplete,
  placeholder,
  minLength,
}: {
  label: ReactNode;
  type?: 'text' | 'url' | 'password' | 'email';
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  required?: boolean;
  autoComplete?: string;
  placeholder?: string;
  minLength?: number;
}) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        required={required}
        autoComplete={autoComplete}
        minLength={minLength}
        value={value}
        placeholder={placeholder}
        aria-describedby={hint ? hintId : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** One choice of a {@link SelectField}. */
export interface SelectOption {
  value: string;
  label: ReactNode;
}

/** A fieldset of radio buttons, one per option, each labelled by its text. */
export function RadioGroup<T extends string>({
  legend,
  name,
  value,
  onChange,
  options,
}: {
  legend: ReactNode;
  name: string;
  value: T;
  onChange: (value: T) => void;
  options: ReadonlyArray<{ value: T; label: ReactNode }>;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice">
          <input
            type="radio"
            name={name}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />{' '}
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

/** A journey as a choice: its name and key. */
export function journeyOption(journey: JourneySummary): SelectOption {
  return { value: journey.key, label: `${journey.name} (${journey.key})` };
}

/**
 * A labelled select; `emptyOption` adds a first, empty choice ("Choose a journey…") and `children`
 * comes after the select (a hint).
 */
export function SelectField({
  label,
  value,
  onChange,
  options,
  emptyOption,
  children,
}: {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  options: readonly SelectOption[];
  emptyOption?: string;
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {emptyOption !== undefined && <option value="">{emptyOption}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {children}
    </div>
  );
}

/** Issues as a list, each with its line and path; `onSelect` makes them buttons (to jump to a line). */
export function IssueList({ issues, onSelect }: { issues: Issue[]; onSelect?: (issue: Issue) => void }) {
  if (issues.length === 0) return null;
  return (
    <ul className="issue-list">
      {issues.map((issue, index) => {
        const severity = issue.severity ?? 'error';
        const location = issueLocation(issue);
        const text = (
          <>
            <span className={`badge badge-${severity}`}>{severity === 'warning' ? 'Warning' : 'Error'}</span>{' '}
            {location && <span className="issue-location">{location}: </span>}
            {issue.message}
          </>
        );
        return (
          // Issues have no id; the same message can repeat on several lines, so the index keeps keys unique.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <li key={index} className={`issue issue-${severity}`}>
            {onSelect && issue.line !== undefined ? (
              <button type="button" className="link-button" onClick={() => onSelect(issue)}>
                {text}
              </button>
            ) : (
              text
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** An error from the server, announced to screen readers, with its issues when it has some. */
export function ErrorMessage({ error, title }: { error: ApiError | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div className="message message-error" role="alert">
      <p>
        <strong>{title ?? 'Something went wrong.'}</strong> {error.message}
      </p>
      <IssueList issues={error.issues} />
    </div>
  );
}

/** A polite live region: what just happened ("Saved revision 4"). Always rendered so updates are announced. */
export function StatusMessage({ children }: { children?: ReactNode }) {
  return (
    <div className="status" role="status" aria-live="polite">
      {children}
    </div>
  );
}

/** Text shown while something loads, inside a live region. */
export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** A destructive action gets the danger style. */
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal `<dialog>`: the browser traps focus and Escape closes it. Focus starts on Cancel (the safe
 * choice) and returns to whatever opened the dialog.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement;
      element.showModal();
      cancel.current?.focus();
    } else if (!open && element.open) {
      element.close();
      if (opener.current instanceof HTMLElement) opener.current.focus();
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      className="dialog"
      onCancel={(event) => {
        // Let React state close it, so `open` and the element never disagree.
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="button-row">
        <button ref={cancel} type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** An ok / not ok mark that says it in words too (icons alone are colour and shape only). */
export function OkMark({
  ok,
  okText = 'OK',
  notOkText = 'Not OK',
}: {
  ok: boolean;
  okText?: string;
  notOkText?: string;
}) {
  return (
    <span className={ok ? 'mark mark-ok' : 'mark mark-bad'}>
      <span aria-hidden="true">{ok ? '✓' : '✗'}</span> {ok ? okText : notOkText}
    </span>
  );
}

const RUN_STATUS_TEXT: Record<Run['status'], string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  partial: 'Partly succeeded',
  failed: 'Failed',
};

/** A run's status in words. */
export function runStatusText(run: Run): string {
  return RUN_STATUS_TEXT[run.status];
}

/**
 * A run as it goes: progress bar with its numbers, results per item and errors per record. `level`
 * is its heading's: 2 where the run stands on its own under the screen's title, 3 under a section.
 */
export function RunView({ run, heading, level = 3 }: { run: Run; heading: string; level?: 2 | 3 }) {
  const progressId = useId();
  const { done, total } = run.progress;
  const Heading = level === 2 ? 'h2' : 'h3';
  const Subheading = level === 2 ? 'h3' : 'h4';
  return (
    <section className="run">
      <Heading id={`${progressId}-heading`} className="run-heading">
        {heading}
      </Heading>
      <div className="progress-row">
        <label htmlFor={progressId}>Progress</label>
        <progress id={progressId} max={Math.max(total, 1)} value={done}>
          {done} of {total}
        </progress>
        <span>
          {done} of {total}
        </span>
      </div>
      <StatusMessage>
        <p>
          <span className={`badge badge-run-${run.status}`}>{runStatusText(run)}</span>
          {run.summary ? ` ${run.summary}` : ''}
          {run.finishedAt ? ` · finished ${formatDateTime(run.finishedAt)}` : ''}
        </p>
      </StatusMessage>
      {run.results.length > 0 && (
        <>
          <Subheading>Changes</Subheading>
          <ul className="result-list">
            {run.results.map((result, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: results are an append-only log in server order
              <li key={index}>
                <OkMark ok={result.status === 'done'} okText="Done" notOkText="Failed" /> {result.item}
                {result.message ? <span className="muted"> — {result.message}</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
      {run.errors.length > 0 && (
        <>
          <Subheading>Records that failed ({run.errors.length})</Subheading>
          <table>
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {run.errors.map((error, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: one record can fail with several errors
                <tr key={index}>
                  <td>{error.record}</td>
                  <td>{error.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/**
 * Follows a run: polls `GET /api/runs/:id` each second while it is running. Hands each new state to
 * `onUpdate`; stops on unmount or when the run ends.
 */
export function useRunPolling(
  run: Run | undefined,
  onUpdate: (run: Run) => void,
  onError: (error: unknown) => void,
): void {
  const update = useRef(onUpdate);
  const fail = useRef(onError);
  update.current = onUpdate;
  fail.current = onError;
  const id = run?.id;
  const running = run?.status === 'running';
  useEffect(() => {
    if (!id || !running) return;
    let stopped = false;
    const timer = window.setInterval(() => {
      api.run(id).then(
        (next) => {
          if (!stopped) update.current(next);
        },
        (error: unknown) => {
          if (!stopped) fail.current(error);
        },
      );
    }, 1000);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [id, running]);
}

/** The selected journey and connection, kept in the URL (`?journey=&connection=`) so links share them. */
export interface JourneyConnection {
  journey: string;
  connection: string;
  journeys: JourneySummary[];
  connections: Connection[];
}

/**
 * Two selects, "Journey" and "Connection", fed by the API; the choice lives in the query string.
 * `fixedJourney` hides the journey select on screens under `/journeys/:key`.
 */
export function useJourneyConnectionPicker(fixedJourney?: string): JourneyConnection & { picker: ReactNode } {
  const [journeyParameter, setJourney] = useSearchParam('journey');
  const [connection, setConnection] = useSearchParam('connection');
  const journeys = useResource(fixedJourney ? null : api.journeys, [fixedJourney]);
  const connections = useResource(api.connections, []);
  const journey = fixedJourney ?? journeyParameter;
  // When there is only one to choose, it is chosen: nobody should pick from a list of one.
  const onlyJourney = journeys.data?.length === 1 ? journeys.data[0]?.key : undefined;
  const onlyConnection = connections.data?.length === 1 ? connections.data[0]?.id : undefined;
  useEffect(() => {
    if (!fixedJourney && !journeyParameter && onlyJourney) setJourney(onlyJourney);
  }, [fixedJourney, journeyParameter, onlyJourney, setJourney]);
  useEffect(() => {
    if (!connection && onlyConnection) setConnection(onlyConnection);
  }, [connection, onlyConnection, setConnection]);

  const picker = (
    <div className="picker">
      {!fixedJourney && (
        <SelectField
          label="Journey"
          value={journey}
          onChange={setJourney}
          emptyOption="Choose a journey…"
          options={(journeys.data ?? []).map(journeyOption)}
        />
      )}
      <SelectField
        label="Connection"
        value={connection}
        onChange={setConnection}
        emptyOption="Choose a connection…"
        options={(connections.data ?? []).map((item) => ({
          value: item.id,
          label: `${item.name} (${item.target === 'hubspot' ? 'HubSpot' : 'Salesforce'})`,
        }))}
      >
        {connections.data?.length === 0 && (
          <p className="hint">No connections yet: add one under Connections.</p>
        )}
      </SelectField>
      <ErrorMessage error={journeys.error ?? connections.error} title="Could not load the choices." />
    </div>
  );
  return {
    journey,
    connection,
    journeys: journeys.data ?? [],
    connections: connections.data ?? [],
    picker,
  };
}

const JOURNEY_TABS = [
  { suffix: '', label: 'Editor' },
  { suffix: '/map', label: 'Map' },
  { suffix: '/mapping', label: 'Field mapping' },
  { suffix: '/plan', label: 'Plan and apply' },
] as const;

/** The tabs of one journey's screens; the connection choice travels along so it is not picked twice. */
export function JourneyNav({
  journeyKey,
  current,
}: {
  journeyKey: string;
  current: (typeof JOURNEY_TABS)[number]['suffix'];
}) {
  const { search } = useLocation();
  const connection = search.get('connection');
  const query = connection ? `?connection=${encodeURIComponent(connection)}` : '';
  const base = `/journeys/${encodeURIComponent(journeyKey)}`;
  return (
    <nav className="journey-nav no-print" aria-label="Journey">
      <ul>
        {JOURNEY_TABS.map((tab) => (
          <li key={tab.suffix}>
            <Link
              to={`${base}${tab.suffix}${tab.suffix === '' ? '' : query}`}
              aria-current={tab.suffix === current ? 'page' : undefined}
            >
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
