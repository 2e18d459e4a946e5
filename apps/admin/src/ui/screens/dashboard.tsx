/**
 * The dashboard: the funnel (customers who ever reached each stage, from the stage history the syncs
 * record), time in stage against the time frame, customers behind and stuck, and a customer search
 * that answers "where are they and what's next".
 */
import { useEffect, useId, useState } from 'react';
import type { ApiError } from '../api.js';
import { api } from '../api.js';
import type { CustomerRow, Dashboard, JourneyStateJson } from '../api-types.js';
import { ErrorMessage, Loading, StatusMessage, useJourneyConnectionPicker } from '../components.js';
import { formatDateTime, formatDays, plural, SLA_TEXT } from '../format.js';
import { toApiError, useDebounced, useResource } from '../hooks.js';

/** The dashboard screen. */
export function DashboardScreen() {
  const { journey, connection, picker } = useJourneyConnectionPicker();
  const ready = journey !== '' && connection !== '';
  const dashboard = useResource(ready ? () => api.dashboard(journey, connection) : null, [
    journey,
    connection,
  ]);
  const [selected, setSelected] = useState<string | undefined>(undefined);

  // A customer of another journey or CRM is not on this dashboard: forget the selection.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the change of choice is the trigger
  useEffect(() => setSelected(undefined), [journey, connection]);

  return (
    <>
      <h1>Dashboard</h1>
      {picker}
      {!ready && <p>Choose a journey and a connection to see where your customers are.</p>}
      <ErrorMessage error={dashboard.error} title="Could not load the dashboard." />
      {ready && dashboard.loading && !dashboard.data && <Loading what="the dashboard" />}
      {ready && dashboard.data && (
        <>
          <p className="lead">
            {plural(dashboard.data.customers, 'customer')} on this journey, as of the last sync.
          </p>
          {dashboard.data.historySince && (
            <p className="muted">
              Stage history recorded since {formatDateTime(dashboard.data.historySince)}: a stage a customer
              passed before then does not count as reached.
            </p>
          )}
          <div className="columns">
            <Funnel funnel={dashboard.data.funnel} />
            <TimeInStage rows={dashboard.data.timeInStage} />
          </div>
          <div className="columns">
            <CustomerList
              title="Behind"
              rows={dashboard.data.behind}
              onSelect={setSelected}
              empty="Nobody is behind."
            />
            <CustomerList
              title="Stuck"
              rows={dashboard.data.stuck}
              onSelect={setSelected}
              empty="Nobody is stuck."
            />
          </div>
          <CustomerSearch journey={journey} connection={connection} onSelect={setSelected} />
          {selected && <CustomerPanel journey={journey} connection={connection} recordId={selected} />}
        </>
      )}
    </>
  );
}

function Funnel({ funnel }: { funnel: Dashboard['funnel'] }) {
  const widest = Math.max(1, ...funnel.map((step) => step.reached));
  return (
    <section className="card">
      <h2 id="funnel-heading">Funnel</h2>
      {funnel.length === 0 ? (
        <p>No customers yet: run a sync first.</p>
      ) : (
        <ol className="funnel">
          {funnel.map((step) => (
            <li key={step.stage}>
              <div className="funnel-label">
                <span>{step.name}</span>
                <span>
                  {step.reached} reached · {step.current} here
                  {step.conversion !== null ? ` · ${Math.round(step.conversion * 100)}% went on` : ''}
                </span>
              </div>
              {/* The bar repeats the "reached" number above, so it is decoration for assistive technology. */}
              <div className="funnel-track" aria-hidden="true">
                <div className="funnel-bar" style={{ width: `${(step.reached / widest) * 100}%` }} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function TimeInStage({ rows }: { rows: Dashboard['timeInStage'] }) {
  return (
    <section className="card">
      <h2 id="time-heading">Time in stage</h2>
      <p className="muted">
        Finished stays from the stage history and the ongoing stays of customers there now.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Time frame</th>
            <th scope="col">Median</th>
            <th scope="col">Behind</th>
            <th scope="col">Stuck</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const over =
              row.expectedDays !== null && row.medianDays !== null && row.medianDays > row.expectedDays;
            return (
              <tr key={row.stage}>
                <th scope="row">{row.name}</th>
                <td>{formatDays(row.expectedDays)}</td>
                <td>
                  {row.medianDays === null ? '—' : formatDays(row.medianDays)}
                  {row.p90Days !== null && <div className="muted">90% within {formatDays(row.p90Days)}</div>}
                  {over && (
                    <div>
                      <span className="badge badge-warning">Over time frame</span>
                    </div>
                  )}
                </td>
                <td>{row.behind}</td>
                <td>{row.stuck}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function SlaBadge({ sla }: { sla: CustomerRow['sla'] }) {
  return <span className={`badge badge-sla-${sla}`}>{SLA_TEXT[sla]}</span>;
}

function CustomerTable({ rows, onSelect }: { rows: CustomerRow[]; onSelect: (recordId: string) => void }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Customer</th>
          <th scope="col">Stage</th>
          <th scope="col">Days in stage</th>
          <th scope="col">SLA</th>
          <th scope="col">What's next</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.recordId}>
            <th scope="row">
              <button type="button" className="link-button" onClick={() => onSelect(row.recordId)}>
                {row.name}
              </button>
            </th>
            <td>{row.stage}</td>
            <td>
              {row.daysInStage}
              {row.expectedDays !== null ? ` of ${row.expectedDays}` : ''}
            </td>
            <td>
              <SlaBadge sla={row.sla} />
            </td>
            <td>{row.whatsNext}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CustomerList({
  title,
  rows,
  empty,
  onSelect,
}: {
  title: string;
  rows: CustomerRow[];
  empty: string;
  onSelect: (recordId: string) => void;
}) {
  const headingId = useId();
  return (
    <section className="card">
      <h2 id={headingId}>
        {title} ({rows.length})
      </h2>
      {rows.length === 0 ? <p>{empty}</p> : <CustomerTable rows={rows} onSelect={onSelect} />}
    </section>
  );
}

function CustomerSearch({
  journey,
  connection,
  onSelect,
}: {
  journey: string;
  connection: string;
  onSelect: (recordId: string) => void;
}) {
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), 300);
  const [results, setResults] = useState<CustomerRow[] | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const inputId = useId();

  useEffect(() => {
    if (query === '') {
      setResults(undefined);
      return;
    }
    const abort = new AbortController();
    api.customers(journey, connection, query, abort.signal).then(
      (rows) => {
        if (abort.signal.aborted) return;
        setResults(rows);
        setError(undefined);
      },
      (failure: unknown) => {
        if (!abort.signal.aborted) setError(toApiError(failure));
      },
    );
    return () => abort.abort();
  }, [journey, connection, query]);

  return (
    <section>
      <h2 id="search-heading">Find a customer</h2>
      <div className="field">
        <label htmlFor={inputId}>Search customers</label>
        <input
          id={inputId}
          type="search"
          value={text}
          placeholder="Company name"
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <ErrorMessage error={error} title="The search failed." />
      <StatusMessage>
        {results
          ? results.length === 0
            ? 'No customer matches.'
            : `${plural(results.length, 'customer')} found.`
          : null}
      </StatusMessage>
      {results && results.length > 0 && <CustomerTable rows={results} onSelect={onSelect} />}
    </section>
  );
}

const TASK_STATUS_TEXT: Record<JourneyStateJson['tasks'][number]['status'], string> = {
  open: 'Open',
  overdue: 'Overdue',
  done: 'Done',
};

/** "Where they are and what's next" for one customer, read live from the CRM. */
function CustomerPanel({
  journey,
  connection,
  recordId,
}: {
  journey: string;
  connection: string;
  recordId: string;
}) {
  const state = useResource(
    () => api.customer(journey, connection, recordId),
    [journey, connection, recordId],
  );
  const data = state.data;
  const openTasks = data?.tasks.filter((task) => task.status !== 'done') ?? [];
  const milestones = data ? Object.values(data.milestones) : [];
  const achieved = milestones.filter((milestone) => milestone.status === 'achieved').length;
  const applicable = milestones.filter((milestone) => milestone.status !== 'not-applicable').length;
  return (
    <section className="card customer-panel" aria-live="polite">
      <h2 id="customer-heading">Where they are and what's next</h2>
      <ErrorMessage error={state.error} title="Could not read the customer." />
      {state.loading && <Loading what="the customer" />}
      {data && !state.loading && (
        <>
          <p className="whats-next">
            <strong>{data.whatsNext}</strong>
          </p>
          <dl className="facts">
            <dt>Record</dt>
            <dd>
              <code>{data.id}</code>
            </dd>
            <dt>Stage</dt>
            <dd>
              {data.stageName}
              {data.stageChanged && data.crmStage ? ` (the CRM says ${data.crmStage})` : ''}
            </dd>
            <dt>Days in stage</dt>
            <dd>
              {data.daysInStage} of{' '}
              {data.expectedDays === null ? 'no time frame' : `${data.expectedDays} expected`}
            </dd>
            <dt>SLA</dt>
            <dd>
              <SlaBadge sla={data.sla} />
            </dd>
            <dt>Next milestone</dt>
            <dd>
              {data.nextMilestone ? (
                <>
                  {data.nextMilestone.name}
                  {data.nextMilestone.progress ? ` — ${data.nextMilestone.progress}` : ''}
                  {data.nextMilestone.criteria ? (
                    <div className="muted">{data.nextMilestone.criteria}</div>
                  ) : null}
                </>
              ) : (
                'None left'
              )}
            </dd>
            <dt>Milestones</dt>
            <dd>
              {achieved} of {applicable} achieved
            </dd>
            <dt>Owner</dt>
            <dd>{data.owner ?? 'Nobody'}</dd>
            <dt>Handoff</dt>
            <dd>
              {data.handoff
                ? `To ${data.handoff.toName}${data.handoff.artifacts.length > 0 ? ` with ${data.handoff.artifacts.join(', ')}` : ''}`
                : 'None pending'}
            </dd>
          </dl>
          <h3>Open tasks ({openTasks.length})</h3>
          {openTasks.length === 0 ? (
            <p>No open tasks.</p>
          ) : (
            <ul>
              {openTasks.map((task) => (
                <li key={`${task.cycle}:${task.key}`}>
                  <span className={`badge badge-task-${task.status}`}>{TASK_STATUS_TEXT[task.status]}</span>{' '}
                  {task.subject} — due {task.due}, {task.owner}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
