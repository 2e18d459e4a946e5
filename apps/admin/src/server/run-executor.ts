/**
 * Apply and sync runs, executed in this process in the background while the `runs` row records how
 * far they got. One run at a time per connection (a partial unique index enforces it in the
 * database); progress is written at most a few times a second; runs a stopped server left
 * 'running' are marked failed on the next start.
 */
import { randomUUID } from 'node:crypto';
import {
  type Journey,
  type JourneyState,
  type Mapping,
  MilepostError,
  type Plan,
  type SyncSummary,
  stateToJson,
} from '@milepost/core';
import type { AdminContext, ConnectionWithSecrets } from './admin-context.js';
import type { Database } from './database.js';
import { HttpError } from './http-errors.js';

/** A run as the API shows it (API.md `Run`). */
export interface RunJson {
  id: string;
  kind: 'apply' | 'sync';
  journey: string;
  connectionId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  progress: { done: number; total: number };
  results: RunResult[];
  errors: RunRecordError[];
  summary: string | null;
}

/** Where a run is. */
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** One change of an apply run and how it went. */
export interface RunResult {
  item: string;
  status: 'done' | 'failed';
  message?: string;
}

/** One record a sync run could not fully write. */
export interface RunRecordError {
  record: string;
  message: string;
}

interface RunRow {
  id: string;
  kind: 'apply' | 'sync';
  journey_key: string;
  connection_id: string;
  status: RunStatus;
  started_at: Date | string;
  finished_at: Date | string | null;
  progress_done: number;
  progress_total: number;
  results: RunResult[];
  errors: RunRecordError[];
  summary: string | null;
  parameters: Record<string, unknown>;
  retry_of: string | null;
}

/** The message a run left 'running' by a stopped server gets. */
export const INTERRUPTED_MESSAGE = 'the server stopped during this run; start it again (a re-run converges)';

/** How often a running job writes its progress (a few writes a second at most). */
const WRITE_INTERVAL_MS = 250;
/** Customer states per upsert statement. */
const STATE_CHUNK = 500;

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

/** The API view of a `runs` row. */
function runFromRow(row: RunRow): RunJson {
  return {
    id: row.id,
    kind: row.kind,
    journey: row.journey_key,
    connectionId: row.connection_id,
    status: row.status,
    startedAt: iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    progress: { done: row.progress_done, total: row.progress_total },
    results: row.results,
    errors: row.errors,
    summary: row.summary,
  };
}

/** One run with its parameters (record ids of a sync) and what it retried, or 404. */
export async function loadRunRow(database: Database, id: string): Promise<RunRow> {
  const [row] = await database.query<RunRow>('select * from runs where id = $1', [id]);
  if (!row) throw new HttpError(404, 'NOT_FOUND', `no run "${id}"`);
  return row;
}

/** One run, or 404. */
export async function loadRun(database: Database, id: string): Promise<RunJson> {
  return runFromRow(await loadRunRow(database, id));
}

/** Filters of {@link listRuns}. */
export interface RunFilters {
  journey?: string;
  connectionId?: string;
  kind?: 'apply' | 'sync';
  status?: RunStatus;
  limit?: number;
}

/** Run history, newest first. */
export async function listRuns(database: Database, filters: RunFilters = {}): Promise<RunJson[]> {
  const conditions: string[] = [];
  const parameters: string[] = [];
  const add = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    parameters.push(value);
    conditions.push(`${column} = $${parameters.length}`);
  };
  add('journey_key', filters.journey);
  add('connection_id', filters.connectionId);
  add('kind', filters.kind);
  add('status', filters.status);
  const rows = await database.query<RunRow>(
    `select * from runs ${conditions.length ? `where ${conditions.join(' and ')}` : ''}
      order by started_at desc, id limit ${Math.max(1, Math.min(filters.limit ?? 100, 500))}`,
    parameters,
  );
  return rows.map(runFromRow);
}

/**
 * Marks runs a stopped server left 'running' as failed, so none stays 'running' forever and the
 * connection can run again. Called once on start, before any request is served.
 */
export async function recoverRuns(context: AdminContext): Promise<number> {
  const rows = await context.database.query<{ id: string }>(
    `update runs set status = 'failed', finished_at = $1, summary = $2::jsonb
      where status = 'running' returning id`,
    [context.now(), JSON.stringify(INTERRUPTED_MESSAGE)],
  );
  if (rows.length > 0) context.log(`marked ${rows.length} interrupted run(s) as failed`);
  return rows.length;
}

// Background jobs per context, so tests and a clean shutdown can wait for them.
const jobs = new WeakMap<AdminContext, Set<Promise<void>>>();

/** Resolves when every run started in this process has finished writing. */
export async function settleRuns(context: AdminContext): Promise<void> {
  const running = jobs.get(context);
  while (running && running.size > 0) await Promise.allSettled([...running]);
}

function inBackground(context: AdminContext, work: () => Promise<void>): void {
  const set = jobs.get(context) ?? new Set();
  jobs.set(context, set);
  const job = work().finally(() => set.delete(job));
  set.add(job);
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

const RUNNING_CONFLICT = () =>
  new HttpError(
    409,
    'CONFLICT',
    'another apply or sync is running on this connection; wait for it to finish (see Runs), then start again',
  );

/** Inserts a 'running' run; 409 when the connection has one running already. */
async function insertRun(
  database: Database,
  run: {
    id: string;
    kind: 'apply' | 'sync';
    journeyKey: string;
    connectionId: string;
    startedAt: Date;
    total: number;
    parameters: Record<string, unknown>;
    retryOf?: string;
  },
): Promise<void> {
  await database.query(
    `insert into runs (id, kind, journey_key, connection_id, status, started_at, progress_total, parameters, retry_of)
     values ($1, $2, $3, $4, 'running', $5, $6, $7::jsonb, $8)`,
    [
      run.id,
      run.kind,
      run.journeyKey,
      run.connectionId,
      run.startedAt,
      run.total,
      JSON.stringify(run.parameters),
      run.retryOf ?? null,
    ],
  );
}

/** An error as one line for a run, with the connection's secrets blanked out should a vendor echo one. */
function failureMessage(error: unknown, connection: ConnectionWithSecrets): string {
  let message = MilepostError.isInstance(error)
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);
  for (const secret of Object.values(connection.secrets)) {
    if (typeof secret === 'string' && secret.length >= 6) message = message.split(secret).join('[secret]');
  }
  return message;
}

/**
 * Keeps a run's row up to date without writing on every event: changes are marked dirty and a timer
 * writes them every {@link WRITE_INTERVAL_MS}; `finish` writes the final state once the last periodic
 * write is done.
 */
function createRunWriter(
  context: AdminContext,
  runId: string,
  total: number,
  beforeWrite: () => Promise<void> = async () => {},
) {
  const progress = { done: 0, total };
  const results: RunResult[] = [];
  let errors: RunRecordError[] = [];
  let dirty = false;
  let inFlight = false;
  let writing: Promise<void> = Promise.resolve();

  const write = async () => {
    dirty = false;
    await beforeWrite();
    await context.database.query(
      `update runs set progress_done = $2, progress_total = $3, results = $4::jsonb, errors = $5::jsonb
        where id = $1`,
      [runId, progress.done, progress.total, JSON.stringify(results), JSON.stringify(errors)],
    );
  };
  const timer = setInterval(() => {
    if (!dirty || inFlight) return;
    inFlight = true;
    writing = write()
      .catch((error: unknown) => {
        context.log(`run ${runId}: progress not saved: ${error instanceof Error ? error.message : error}`);
      })
      .finally(() => {
        inFlight = false;
      });
  }, WRITE_INTERVAL_MS);
  timer.unref();

  return {
    progress,
    results,
    setErrors(next: RunRecordError[]) {
      errors = next;
      dirty = true;
    },
    touch() {
      dirty = true;
    },
    /**
     * Stops the periodic writes, waits for the one in flight and runs `beforeWrite`, so every change
     * so far is stored before a step that reads it back (pruning a sync's unseen customers).
     */
    async drain() {
      clearInterval(timer);
      await writing;
      await beforeWrite();
    },
    async finish(status: RunStatus, summary: string) {
      clearInterval(timer);
      await writing;
      await beforeWrite();
      await context.database.query(
        `update runs set status = $2, finished_at = $3, summary = $4::jsonb, progress_done = $5,
           progress_total = $6, results = $7::jsonb, errors = $8::jsonb
          where id = $1`,
        [
          runId,
          status,
          context.now(),
          JSON.stringify(summary),
          progress.done,
          progress.total,
          JSON.stringify(results),
          JSON.stringify(errors),
        ],
      );
    },
  };
}

/** What an apply run needs: the stored plan and the journey and mapping it was made from. */
export interface ApplyRunInput {
  planId: string;
  journeyKey: string;
  journey: Journey;
  mapping: Mapping | undefined;
  plan: Plan;
  connection: ConnectionWithSecrets;
}

/**
 * Marks the plan applied and starts applying it in the background; 409 when the plan was applied
 * already or another run holds the connection. Answers the new 'running' run.
 */
export async function startApplyRun(context: AdminContext, input: ApplyRunInput): Promise<RunJson> {
  const id = randomUUID();
  const total = input.plan.changes.length;
  try {
    await context.database.transaction(async (transaction) => {
      const claimed = await transaction.query(
        'update plans set applied_run_id = $2 where id = $1 and applied_run_id is null returning id',
        [input.planId, id],
      );
      if (claimed.length === 0) {
        throw new HttpError(
          409,
          'CONFLICT',
          'this plan was applied already; make a new plan to see what is left to change',
        );
      }
      await insertRun(transaction, {
        id,
        kind: 'apply',
        journeyKey: input.journeyKey,
        connectionId: input.connection.id,
        startedAt: context.now(),
        total,
        parameters: { planId: input.planId },
      });
    });
  } catch (error) {
    throw isUniqueViolation(error) ? RUNNING_CONFLICT() : error;
  }
  context.log(
    `run ${id}: applying plan ${input.planId} (${total} changes) on connection ${input.connection.id}`,
  );

  inBackground(context, async () => {
    const writer = createRunWriter(context, id, total);
    try {
      const adapter = context.adapterFor(input.connection);
      const report = await adapter.apply(input.journey, input.mapping, input.plan, (event) => {
        writer.progress.done += 1;
        writer.results.push({
          item: event.change.summary,
          status: event.status,
          ...(event.error ? { message: event.error } : {}),
        });
        writer.touch();
      });
      // The report is the authority: a change the adapter failed without an event still shows.
      for (const failure of report.failed) {
        if (!writer.results.some((result) => result.item === failure.change.summary)) {
          writer.results.push({ item: failure.change.summary, status: 'failed', message: failure.error });
        }
      }
      writer.progress.done = Math.max(writer.progress.done, report.applied.length + report.failed.length);
      const status: RunStatus =
        report.failed.length === 0 ? 'succeeded' : report.applied.length > 0 ? 'partial' : 'failed';
      const summary = `applied ${report.applied.length} of ${total} change${total === 1 ? '' : 's'} with ${report.apiCalls} API calls${
        report.failed.length
          ? `; ${report.failed.length} failed (make a new plan and apply it to retry them)`
          : ''
      }`;
      await writer.finish(status, summary);
      context.log(`run ${id}: apply ${status}: ${summary}`);
    } catch (error) {
      const message = failureMessage(error, input.connection);
      await writer
        .finish('failed', `apply failed: ${message}`)
        .catch((saveError: unknown) => context.log(`run ${id}: final state not saved: ${String(saveError)}`));
      context.log(`run ${id}: apply failed: ${message}`);
    }
  });
  return loadRun(context.database, id);
}

/** What a sync run needs. */
export interface SyncRunInput {
  journeyKey: string;
  journey: Journey;
  mapping: Mapping | undefined;
  connection: ConnectionWithSecrets;
  /** Only these records (a retry, or a sync the caller narrowed). */
  recordIds?: readonly string[];
  /** The run this one retries. */
  retryOf?: string;
  /** What started it when not a person (e.g. `hubspot-webhook`), kept in the run's parameters. */
  trigger?: string;
  /** Words that start the run's summary, saying what started it (e.g. `HubSpot webhook`). */
  summaryPrefix?: string;
  /** A clearer message for a failure the caller understands (e.g. a revoked token). */
  describeFailure?: (error: unknown) => string | undefined;
}

interface StateRow {
  record_id: string;
  name: string | null;
  stage: string;
  stage_entered_at: string;
  sla: string;
  days_in_stage: number;
  expected_days: number | null;
  state: unknown;
}

/** Where a batch of states is stored: the journey and connection, the run, and when. */
interface StateTarget {
  journeyKey: string;
  connectionId: string;
  runId: string;
  updatedAt: Date;
}

/**
 * Stores a batch of evaluated states: first a stage history entry for each customer whose stage
 * differs from the latest entry recorded for it (or that has none yet: a customer first seen, or
 * one stored before history was kept), then the states themselves, marked with the run. Comparing
 * with the latest history entry, not with the previous state, is what makes a re-run of the same
 * sync add no entry; the key of `stage_history` backs that up.
 */
async function storeStates(database: Database, target: StateTarget, rows: StateRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += STATE_CHUNK) {
    const chunk = JSON.stringify(rows.slice(start, start + STATE_CHUNK));
    await database.query(
      `insert into stage_history (journey_key, connection_id, record_id, stage, entered_at, run_id, recorded_at)
       select $1, $2, x.record_id, x.stage, x.stage_entered_at::date, $4, $5
         from jsonb_to_recordset($3::jsonb) as x(record_id text, stage text, stage_entered_at text)
        where x.stage is distinct from (
          select h.stage from stage_history h
           where h.journey_key = $1 and h.connection_id = $2 and h.record_id = x.record_id
           order by h.entry_number desc limit 1)
       on conflict do nothing`,
      [target.journeyKey, target.connectionId, chunk, target.runId, target.updatedAt],
    );
    await database.query(
      `insert into customer_states
         (journey_key, connection_id, record_id, name, stage, sla, days_in_stage, expected_days, state,
          updated_at, last_run_id)
       select $1, $2, x.record_id, x.name, x.stage, x.sla, x.days_in_stage, x.expected_days, x.state, $4, $5
         from jsonb_to_recordset($3::jsonb) as x(record_id text, name text, stage text, sla text,
              days_in_stage integer, expected_days integer, state jsonb)
       on conflict (journey_key, connection_id, record_id) do update set
         name = excluded.name, stage = excluded.stage, sla = excluded.sla,
         days_in_stage = excluded.days_in_stage, expected_days = excluded.expected_days,
         state = excluded.state, updated_at = excluded.updated_at, last_run_id = excluded.last_run_id`,
      [target.journeyKey, target.connectionId, chunk, target.updatedAt, target.runId],
    );
  }
}

/**
 * After a full sync that succeeded, deletes the customers it did not see (records removed from the
 * CRM, or no longer on the journey) with their stage history; answers how many. Only a full,
 * successful run that found records may do this: a run that failed, partly failed, or synced some
 * records only did not see every customer there is.
 */
async function pruneUnseenCustomers(database: Database, target: StateTarget): Promise<number> {
  return database.transaction(async (transaction) => {
    const removed = await transaction.query<{ record_id: string }>(
      `delete from customer_states
        where journey_key = $1 and connection_id = $2 and last_run_id is distinct from $3
        returning record_id`,
      [target.journeyKey, target.connectionId, target.runId],
    );
    if (removed.length > 0) {
      await transaction.query(
        `delete from stage_history
          where journey_key = $1 and connection_id = $2 and record_id = any($3::text[])`,
        [target.journeyKey, target.connectionId, removed.map((row) => row.record_id)],
      );
    }
    return removed.length;
  });
}

/** The outcome of a finished sync run: its status, and the error that stopped it, if one did. */
export interface SyncRunOutcome {
  run: RunJson;
  status: RunStatus;
  error?: unknown;
}

/**
 * Records a 'running' sync run (every record, or `recordIds` only); 409 when another run holds the
 * connection. {@link performSyncRun} then does the work.
 */
async function beginSyncRun(
  context: AdminContext,
  input: SyncRunInput,
): Promise<{ id: string; total: number }> {
  const id = randomUUID();
  // The full-sync total is not known until the CRM is read; the last sync's customer count is the
  // best estimate (the bar never goes past it: done raises it).
  const [known] = await context.database.query<{ count: string | number }>(
    'select count(*) as count from customer_states where journey_key = $1 and connection_id = $2',
    [input.journeyKey, input.connection.id],
  );
  const total = input.recordIds ? input.recordIds.length : Number(known?.count ?? 0);
  try {
    await insertRun(context.database, {
      id,
      kind: 'sync',
      journeyKey: input.journeyKey,
      connectionId: input.connection.id,
      startedAt: context.now(),
      total,
      parameters: {
        ...(input.recordIds ? { recordIds: [...input.recordIds] } : {}),
        ...(input.trigger ? { trigger: input.trigger } : {}),
      },
      ...(input.retryOf ? { retryOf: input.retryOf } : {}),
    });
  } catch (error) {
    throw isUniqueViolation(error) ? RUNNING_CONFLICT() : error;
  }
  context.log(
    `run ${id}: syncing ${input.recordIds ? `${input.recordIds.length} record(s)` : 'every record'} of ${input.journeyKey} on connection ${input.connection.id}${input.trigger ? ` (${input.trigger})` : ''}`,
  );
  return { id, total };
}

/**
 * Syncs, keeping each evaluated customer's state in `customer_states` and its stage moves in
 * `stage_history`, and settles the run's row. A full sync that succeeded then deletes the customers
 * it did not see.
 */
async function performSyncRun(
  context: AdminContext,
  id: string,
  total: number,
  input: SyncRunInput,
): Promise<SyncRunOutcome> {
  const now = context.now();
  const prefix = input.summaryPrefix ? `${input.summaryPrefix}: ` : '';
  const target: StateTarget = {
    journeyKey: input.journeyKey,
    connectionId: input.connection.id,
    runId: id,
    updatedAt: now,
  };
  const pending = new Map<string, StateRow>();
  const flushStates = async () => {
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    pending.clear();
    await storeStates(context.database, target, rows);
  };
  const writer = createRunWriter(context, id, total, flushStates);
  let last: SyncSummary | undefined;
  let status: RunStatus;
  let failure: unknown;
  try {
    const adapter = context.adapterFor(input.connection);
    const summary = await adapter.sync(input.journey, input.mapping, {
      now,
      ...(input.recordIds ? { recordIds: input.recordIds } : {}),
      onProgress: (partial) => {
        last = partial;
        writer.progress.done = partial.records;
        writer.progress.total = Math.max(writer.progress.total, partial.records);
        writer.setErrors(partial.errors.map((error) => ({ record: error.record, message: error.message })));
      },
      onState: (record: { id: string; name: string | null }, state: JourneyState) => {
        pending.set(record.id, {
          record_id: record.id,
          name: record.name,
          stage: state.stage,
          stage_entered_at: state.stageEnteredAt,
          sla: state.sla,
          days_in_stage: state.daysInStage,
          expected_days: state.expectedDays,
          state: stateToJson(state),
        });
        writer.touch();
      },
    });
    writer.progress.done = summary.records;
    writer.progress.total = summary.records;
    writer.setErrors(summary.errors.map((error) => ({ record: error.record, message: error.message })));
    const failedRecords = new Set(summary.errors.map((error) => error.record)).size;
    status =
      summary.errors.length === 0 ? 'succeeded' : failedRecords < summary.records ? 'partial' : 'failed';
    let pruned = 0;
    // A full sync that found no record at all prunes nothing either: an empty answer is likelier a
    // lost permission or an emptied filter than every customer gone, and pruning loses their history.
    if (status === 'succeeded' && input.recordIds === undefined && summary.records > 0) {
      await writer.drain();
      pruned = await pruneUnseenCustomers(context.database, target);
    }
    const text = `${prefix}${summary.records} record${summary.records === 1 ? '' : 's'} evaluated, ${summary.changed} changed, ${summary.writes} writes, ${summary.tasksCreated} tasks created, ${summary.apiCalls} API calls${
      summary.errors.length
        ? `; ${failedRecords} record${failedRecords === 1 ? '' : 's'} failed (retry syncs only those)`
        : ''
    }${pruned > 0 ? `; ${pruned} customer${pruned === 1 ? '' : 's'} no longer in the CRM removed from the dashboard` : ''}`;
    await writer.finish(status, text);
    context.log(`run ${id}: sync ${status}: ${text}`);
  } catch (error) {
    status = 'failed';
    failure = error;
    const message = input.describeFailure?.(error) ?? failureMessage(error, input.connection);
    const sofar = last ? ` after ${last.records} records` : '';
    await writer
      .finish('failed', `${prefix}sync failed${sofar}: ${message}`)
      .catch((saveError: unknown) => context.log(`run ${id}: final state not saved: ${String(saveError)}`));
    context.log(`run ${id}: sync failed${sofar}: ${message}`);
  }
  return {
    run: await loadRun(context.database, id),
    status,
    ...(failure !== undefined ? { error: failure } : {}),
  };
}

/**
 * Starts a sync in the background (every record, or `recordIds` only); 409 when another run holds
 * the connection. Each evaluated customer's state is kept in `customer_states` and its stage moves
 * in `stage_history` for the dashboard; a full sync that succeeded deletes the customers it did not
 * see (see {@link performSyncRun}).
 */
export async function startSyncRun(context: AdminContext, input: SyncRunInput): Promise<RunJson> {
  const { id, total } = await beginSyncRun(context, input);
  inBackground(context, async () => {
    await performSyncRun(context, id, total, input);
  });
  return loadRun(context.database, id);
}

/**
 * Runs a sync to the end and answers how it went (webhook-triggered syncs wait for theirs); 409 when
 * another run holds the connection.
 */
export async function runSyncToEnd(context: AdminContext, input: SyncRunInput): Promise<SyncRunOutcome> {
  const { id, total } = await beginSyncRun(context, input);
  return performSyncRun(context, id, total, input);
}
