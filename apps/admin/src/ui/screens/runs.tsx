/**
 * Sync runs: start a sync of a journey's customers, follow it, retry the records that failed, and
 * the history of applies and syncs.
 */
import { useEffect, useState } from 'react';
import { type ApiError, api } from '../api.js';
import type { Run } from '../api-types.js';
import {
  ErrorMessage,
  Loading,
  RunView,
  runStatusText,
  StatusMessage,
  useJourneyConnectionPicker,
  useRunPolling,
} from '../components.js';
import { formatDateTime } from '../format.js';
import { toApiError, useAction, useResource } from '../hooks.js';
import { useSearchParam } from '../router.js';

/** The runs screen. */
export function RunsScreen() {
  const { journey, connection, connections, picker } = useJourneyConnectionPicker();
  const [runId, setRunId] = useSearchParam('run');
  const history = useResource(
    () => api.runs(journey || undefined, connection || undefined),
    [journey, connection],
  );
  const [run, setRun] = useState<Run | undefined>(undefined);
  const [pollError, setPollError] = useState<ApiError | undefined>(undefined);
  const start = useAction();
  const opened = useResource(runId && runId !== run?.id ? () => api.run(runId) : null, [runId]);

  // A run opened from the history (or a shared ?run= link) becomes the followed run.
  useEffect(() => {
    if (opened.data) setRun(opened.data);
  }, [opened.data]);

  useRunPolling(
    run,
    (next) => {
      setRun(next);
      // Refresh the history once the run ends, so its row shows the final status.
      if (next.status !== 'running') history.reload();
    },
    (error) => setPollError(toApiError(error)),
  );

  const follow = (started: Run) => {
    setPollError(undefined);
    setRun(started);
    setRunId(started.id);
    history.reload();
  };
  const startSync = async () => {
    const started = await start.run(() => api.startSync(journey, connection));
    if (started) follow(started);
  };
  const retry = async () => {
    if (!run) return;
    const started = await start.run(() => api.retryRun(run.id));
    if (started) follow(started);
  };

  const connectionName = (id: string) => connections.find((item) => item.id === id)?.name ?? id;
  const canRetry = run && run.kind === 'sync' && run.status !== 'running' && run.errors.length > 0;
  return (
    <>
      <h1>Runs</h1>
      <p className="lead">
        A sync reads each customer from the CRM, works out where they are on the journey and writes the
        results back.
      </p>
      {picker}
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={!journey || !connection || start.running || run?.status === 'running'}
          onClick={() => void startSync()}
        >
          Start sync
        </button>
        {canRetry && (
          <button type="button" disabled={start.running} onClick={() => void retry()}>
            Retry failed records
          </button>
        )}
      </div>
      <ErrorMessage error={start.error} title="The run did not start." />
      <ErrorMessage error={opened.error ?? pollError} title="Could not follow the run." />
      {run && (
        <RunView
          run={run}
          level={2}
          heading={`${run.kind === 'sync' ? 'Sync' : 'Apply'} of ${run.journey} on ${connectionName(run.connectionId)}`}
        />
      )}
      <section>
        <h2 id="history-heading">History</h2>
        <StatusMessage>{history.loading ? 'Loading the history…' : null}</StatusMessage>
        <ErrorMessage error={history.error} title="Could not load the history." />
        {history.loading && !history.data && <Loading what="runs" />}
        {history.data?.length === 0 && <p>No runs yet{journey || connection ? ' for this choice' : ''}.</p>}
        {history.data && history.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Kind</th>
                <th scope="col">Journey</th>
                <th scope="col">Connection</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Errors</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((item) => (
                <tr key={item.id} aria-current={item.id === run?.id ? 'true' : undefined}>
                  <td>{formatDateTime(item.startedAt)}</td>
                  <td>{item.kind === 'sync' ? 'Sync' : 'Apply'}</td>
                  <td>{item.journey}</td>
                  <td>{connectionName(item.connectionId)}</td>
                  <td>
                    <span className={`badge badge-run-${item.status}`}>{runStatusText(item)}</span>
                  </td>
                  <td>
                    {item.progress.done} of {item.progress.total}
                  </td>
                  <td>{item.errors.length}</td>
                  <td>
                    <button type="button" className="link-button" onClick={() => setRunId(item.id)}>
                      View
                      <span className="visually-hidden"> run started {formatDateTime(item.startedAt)}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
