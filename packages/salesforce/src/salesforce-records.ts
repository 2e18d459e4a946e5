/**
 * Sync: read the mapped facts of every Account (SOQL with queryMore, or a Bulk API 2.0 query job above
 * a threshold), its Success_Cycle__c record and its Milepost tasks; evaluate with the engine; then write
 * only what changed: cycle records upserted by external ID, due tasks created by key when the Flow does
 * not create them, Account fields last. Collections of 200, Bulk API 2.0 ingest above ~2,000 records
 * (research §4). Per-record failures are reported, retryable ones retried.
 *
 * Write order makes a crash safe to re-run: a cycle whose write failed keeps its old stage, so the
 * next run sees the move again; tasks are looked up by key; Account fields come last.
 */
import {
  compileJourney,
  diffRecordFields,
  evaluate,
  type JourneyState,
  journeyStateOutputs,
  type RecordSnapshot,
  readFactValue,
  type SyncOptions,
  type SyncRecordError,
  type SyncSummary,
} from '@milepost/core';
import {
  chunk,
  SALESFORCE_LIMITS,
  SALESFORCE_NAMES,
  type SalesforceSaveResult,
  salesforceSaveResultSchema,
  soqlString,
} from './salesforce-api.js';
import type { SalesforceClient } from './salesforce-client.js';
import { isRetryableRecordError } from './salesforce-errors.js';
import type { SalesforcePackageModel } from './salesforce-package.js';

const N = SALESFORCE_NAMES;
type Row = Record<string, unknown>;

/** Thresholds of {@link syncSalesforceRecords}. */
export interface SalesforceSyncThresholds {
  /** Above this many Accounts, reads use Bulk API 2.0 query jobs. */
  bulkQuery: number;
  /** Above this many records in one write, Bulk API 2.0 ingest replaces collections. */
  bulkIngest: number;
}

/** Options of {@link syncSalesforceRecords}. */
export interface SalesforceSyncOptions {
  now: Date;
  since?: Date;
  recordIds?: readonly string[];
  onProgress?: (summary: SyncSummary) => void;
  /** Called once per evaluated Account (core `SyncOptions.onState`). */
  onState?: SyncOptions['onState'];
  thresholds: SalesforceSyncThresholds;
  /** Retries of retryable per-record failures; default 2. */
  recordRetries?: number;
}

/** The fields of an object the integration user can see, by lower-case name → API name. */
async function visibleFields(client: SalesforceClient, objectName: string): Promise<Map<string, string>> {
  const description = await client.call(`describe ${objectName}`, (connection) =>
    connection.describe(objectName),
  );
  return new Map(description.fields.map((entry) => [entry.name.toLowerCase(), entry.name]));
}

async function readAll(
  client: SalesforceClient,
  soql: string,
  bulk: boolean,
  onPage?: (count: number) => void,
): Promise<Row[]> {
  if (bulk) {
    const stream = await client.call('run a Bulk API 2.0 query', (connection) =>
      connection.bulk2.query(soql),
    );
    const rows: Row[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('record', (record: Row) => rows.push(record));
      stream.on('error', reject);
      stream.on('end', () => resolve());
    }).catch((error: unknown) => {
      throw error;
    });
    onPage?.(rows.length);
    return rows;
  }
  const rows: Row[] = [];
  let result = await client.call('query records', (connection) => connection.query<Row>(soql));
  rows.push(...result.records);
  onPage?.(rows.length);
  while (!result.done && result.nextRecordsUrl) {
    const locator = result.nextRecordsUrl;
    result = await client.call('read the next page of records', (connection) =>
      connection.queryMore<Row>(locator),
    );
    rows.push(...result.records);
    onPage?.(rows.length);
  }
  return rows;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return String(value);
}

function sameValue(_field: string, desired: string, current: string): boolean {
  if (desired === current) return true;
  const desiredNumber = Number(desired);
  if (desired.trim() !== '' && !Number.isNaN(desiredNumber) && desiredNumber === Number(current)) return true;
  return /^\d{4}-\d{2}-\d{2}$/.test(desired) && current.slice(0, 10) === desired;
}

const NUMERIC_OUTPUTS = new Set(['daysInStage', 'journeyVersion']);

interface Prepared {
  accountId: string;
  ownerId: string | null;
  state: JourneyState;
  cycleId: string | null;
  cycleWrite: Row | null;
  accountWrite: Row | null;
  tasks: Row[];
}

/** Reads what the engine needs about one Account as a snapshot. */
export function salesforceSnapshot(
  model: SalesforcePackageModel,
  account: Row,
  cycle: Row | undefined,
  tasks: ReadonlyMap<string, 'open' | 'done'>,
  fieldName: (name: string) => string | undefined,
): { snapshot: RecordSnapshot; problems: string[] } {
  const { journey, mapping } = model;
  const problems: string[] = [];
  const facts: Record<string, string | number | boolean> = {};
  for (const fact of journey.facts) {
    const column = fieldName(model.factFields[fact.key]!);
    if (!column) continue;
    const reading = readFactValue(
      fact,
      account[column] as string | number | boolean | null,
      mapping?.facts[fact.key]?.values,
    );
    if (!reading.ok) problems.push(reading.problem);
    else if (reading.value !== undefined) facts[fact.key] = reading.value;
  }
  const milestones: Record<string, string> = {};
  for (const stage of journey.stages)
    for (const milestone of stage.milestones ?? []) {
      const column = fieldName(model.accountOutputs[`milestone.${milestone.key}`]?.field ?? '');
      const value = column ? text(account[column]) : null;
      if (value) milestones[milestone.key] = value.slice(0, 10);
    }
  const stageOutput = model.accountOutputs.stage;
  const stageColumn = stageOutput ? fieldName(stageOutput.field) : undefined;
  const accountStage = stageColumn ? text(account[stageColumn]) : null;
  const fromAccount =
    accountStage && stageOutput?.values
      ? Object.entries(stageOutput.values).find(([, crm]) => crm === accountStage)?.[0]
      : (accountStage ?? undefined);
  const stage = text(cycle?.[N.cycleStage]) ?? fromAccount;
  const enteredAt = text(cycle?.[N.cycleStageEnteredAt]);
  const version = Number(cycle?.[N.cycleJourneyVersion] ?? Number.NaN);
  const taskStatuses: Record<string, 'open' | 'done'> = {};
  for (const [key, status] of tasks) taskStatuses[key] = status;
  return {
    snapshot: {
      id: String(account.Id),
      facts,
      milestones,
      ...(stage ? { stage } : {}),
      ...(enteredAt ? { stageEnteredAt: enteredAt.slice(0, 10) } : {}),
      ...(Number.isInteger(version) && version > 0 ? { journeyVersion: version } : {}),
      ...(tasks.size ? { tasks: taskStatuses } : {}),
    },
    problems,
  };
}

/** The cycle record's desired values for a state. */
function cycleValues(model: SalesforcePackageModel, state: JourneyState): Record<string, string | null> {
  const outputs = journeyStateOutputs(state);
  return {
    [N.cycleStage]: state.stage,
    [N.cycleStageEnteredAt]: state.stageEnteredAt,
    [N.cycleDaysInStage]: String(state.daysInStage),
    [N.cycleSla]: state.sla,
    [N.cycleJourneyKey]: model.journey.key,
    [N.cycleJourneyVersion]: String(state.journeyVersion),
    [N.cycleName]: text(outputs.cycle)?.slice(0, 255) ?? null,
    [N.cycleOwnerTeam]: state.ownerName ?? state.owner ?? null,
    [N.cycleNextMilestone]: state.nextMilestone?.text.slice(0, 255) ?? null,
    [N.cycleHandoff]: state.handoff ? `${state.handoff.toName}`.slice(0, 255) : null,
  };
}

function typed(values: Record<string, string | null>, numeric: ReadonlySet<string>): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(values))
    row[key] = value !== null && numeric.has(key) ? Number(value) : value;
  return row;
}

/** Syncs every Account (or some) of an org with the journey. */
export async function syncSalesforceRecords(
  client: SalesforceClient,
  model: SalesforcePackageModel,
  options: SalesforceSyncOptions,
): Promise<SyncSummary> {
  const { journey } = model;
  const startCalls = client.calls();
  const summary: SyncSummary = {
    records: 0,
    changed: 0,
    writes: 0,
    tasksCreated: 0,
    apiCalls: 0,
    errors: [],
  };
  const progress = () => {
    summary.apiCalls = client.calls() - startCalls;
    options.onProgress?.({ ...summary, errors: [...summary.errors] });
  };
  const errorFor = (record: string, message: string) => summary.errors.push({ record, message });

  const accountFields = await visibleFields(client, 'Account');
  const fieldName = (name: string) => accountFields.get(name.toLowerCase());
  const missingFacts = journey.facts.filter((fact) => !fieldName(model.factFields[fact.key]!));
  for (const fact of missingFacts)
    errorFor(
      'Account',
      `fact "${fact.key}": the field ${model.factFields[fact.key]} is not on Account or not visible to the integration user; map the fact to an existing field (criteria on it are never met)`,
    );
  const outputColumns = Object.entries(model.accountOutputs).filter(([, output]) => fieldName(output.field));
  const columns = new Set(['Id', 'OwnerId']);
  // The name is only for onState; an Account the user cannot read the name of still syncs.
  const nameColumn = options.onState ? fieldName('Name') : undefined;
  if (nameColumn) columns.add(nameColumn);
  for (const fact of journey.facts) {
    const column = fieldName(model.factFields[fact.key]!);
    if (column) columns.add(column);
  }
  for (const [, output] of outputColumns) columns.add(fieldName(output.field)!);

  const filters: string[] = [];
  if (options.since)
    filters.push(`LastModifiedDate >= ${options.since.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
  if (options.recordIds) filters.push(`Id IN (${options.recordIds.map(soqlString).join(',')})`);
  const where = filters.length ? ` WHERE ${filters.join(' AND ')}` : '';
  const counted = await client.call('count Accounts', (connection) =>
    connection.query(`SELECT COUNT() FROM Account${where}`),
  );
  const bulkRead = counted.totalSize > options.thresholds.bulkQuery;
  const accounts = await readAll(
    client,
    `SELECT ${[...columns].join(', ')} FROM Account${where}`,
    bulkRead,
    (count) => {
      summary.records = count;
      progress();
    },
  );
  summary.records = accounts.length;

  const cycleColumns = [
    'Id',
    N.cycleKey,
    N.cycleAccount,
    N.cycleStage,
    N.cycleStageEnteredAt,
    N.cycleDaysInStage,
    N.cycleSla,
    N.cycleJourneyKey,
    N.cycleJourneyVersion,
    N.cycleName,
    N.cycleOwnerTeam,
    N.cycleNextMilestone,
    N.cycleHandoff,
  ];
  const cycleWhere = `WHERE ${N.cycleJourneyKey} = ${soqlString(journey.key)}${options.recordIds ? ` AND ${N.cycleAccount} IN (${options.recordIds.map(soqlString).join(',')})` : ''}`;
  const cycles = new Map<string, Row>();
  for (const cycle of await readAll(
    client,
    `SELECT ${cycleColumns.join(', ')} FROM ${N.cycleObject} ${cycleWhere}`,
    bulkRead,
  ))
    cycles.set(String(cycle[N.cycleAccount]), cycle);

  // Does the generated Flow create the stage tasks? Then sync leaves those to it.
  const flow = await client.call('read the stage task flow', (connection) =>
    connection.metadata.read('Flow', N.flow),
  );
  const flowActive = (flow as { status?: unknown } | undefined)?.status === 'Active';
  const flowTaskKeys = new Set(
    Object.entries(model.flowTasks).flatMap(([stage, keys]) => keys.map((key) => `${stage}|${key}`)),
  );
  const hasTasks = (journey.successCycles ?? []).length > 0;
  const tasks = new Map<string, Map<string, 'open' | 'done'>>();
  if (hasTasks) {
    const taskRows = await readAll(
      client,
      `SELECT Id, ${N.taskKey}, Status FROM Task WHERE ${N.taskKey} LIKE ${soqlString(`${journey.key}:%`)}`,
      bulkRead,
    );
    for (const row of taskRows) {
      const key = String(row[N.taskKey] ?? '');
      // `journey:cycle[:yN]:record:task`: the record is the second part from the end.
      const record = key.split(':').at(-2) ?? '';
      const statuses = tasks.get(record) ?? new Map<string, 'open' | 'done'>();
      statuses.set(key, row.Status === 'Completed' ? 'done' : 'open');
      tasks.set(record, statuses);
    }
  }

  const compiled = compileJourney(journey);
  const prepared: Prepared[] = [];
  const accountNumeric = new Set(
    outputColumns
      .filter(([output]) => NUMERIC_OUTPUTS.has(output))
      .map(([, output]) => fieldName(output.field)!),
  );
  for (const account of accounts) {
    const accountId = String(account.Id);
    const cycle = cycles.get(accountId);
    const existingTasks = tasks.get(accountId) ?? new Map();
    const { snapshot, problems } = salesforceSnapshot(model, account, cycle, existingTasks, fieldName);
    for (const problem of problems) errorFor(accountId, problem);
    const state = evaluate(compiled, snapshot, options.now);
    options.onState?.({ id: accountId, name: nameColumn ? text(account[nameColumn]) : null }, state);

    const desiredCycle = cycleValues(model, state);
    const currentCycle: Record<string, string | null> = {};
    for (const key of Object.keys(desiredCycle)) currentCycle[key] = text(cycle?.[key]);
    const cycleDiff = cycle
      ? diffRecordFields(desiredCycle, currentCycle, { writeNulls: true, equals: sameValue })
      : { ...desiredCycle, [N.cycleAccount]: accountId };
    const cycleWrite =
      Object.keys(cycleDiff).length > 0
        ? {
            [N.cycleKey]: `${journey.key}:${accountId}`,
            ...typed(cycleDiff, new Set([N.cycleDaysInStage, N.cycleJourneyVersion])),
            ...(cycle ? {} : { [N.cycleAccount]: accountId }),
          }
        : null;

    const desiredAccount: Record<string, string | null> = {};
    for (const [output, value] of Object.entries(journeyStateOutputs(state))) {
      const target = model.accountOutputs[output];
      const column = target ? fieldName(target.field) : undefined;
      if (!target || !column) continue;
      if (value === null) {
        desiredAccount[column] = null;
        continue;
      }
      const crm =
        target.values && typeof value === 'string' ? target.values[value] : String(value).slice(0, 255);
      if (crm === undefined) {
        errorFor(
          accountId,
          `output "${output}": "${value}" has no CRM value in the mapping's value map; not written`,
        );
        continue;
      }
      desiredAccount[column] = crm;
    }
    const currentAccount: Record<string, string | null> = {};
    for (const key of Object.keys(desiredAccount)) currentAccount[key] = text(account[key]);
    const accountDiff = diffRecordFields(desiredAccount, currentAccount, {
      writeNulls: model.mapping?.writeNulls,
      equals: sameValue,
    });
    const accountWrite = Object.keys(accountDiff).length
      ? { Id: accountId, ...typed(accountDiff, accountNumeric) }
      : null;

    const ownerId = text(account.OwnerId);
    const dueTasks: Row[] = [];
    for (const task of state.tasks) {
      // A stage's tasks are created when the customer enters it; tasks of stages passed before
      // Milepost first saw the customer are history, not work.
      if (task.stage !== state.stage || task.status === 'done' || existingTasks.has(task.key)) continue;
      if (flowActive && flowTaskKeys.has(`${task.stage}|${task.cycle}:${task.task}`)) continue;
      dueTasks.push({
        Subject: task.subject.slice(0, 255),
        ActivityDate: task.due,
        Status: 'Not Started',
        Priority: task.priority === 'high' ? 'High' : task.priority === 'low' ? 'Low' : 'Normal',
        Description: `${journey.name} · ${task.cycle} · ${task.stage} · owned by ${task.owner}`,
        [N.taskKey]: task.key,
        ...(ownerId ? { OwnerId: ownerId } : {}),
      });
    }
    prepared.push({
      accountId,
      ownerId,
      state,
      cycleId: cycle ? String(cycle.Id) : null,
      cycleWrite,
      accountWrite,
      tasks: dueTasks,
    });
  }
  progress();

  const written = new Set<string>();
  const failedAccounts = new Set<string>();
  const retries = options.recordRetries ?? 2;

  // 1. Cycle records, by external ID.
  const cycleWrites = prepared.filter((record) => record.cycleWrite);
  const cycleResults = await writeRecords(client, {
    object: N.cycleObject,
    operation: 'upsert',
    externalId: N.cycleKey,
    rows: cycleWrites.map((record) => record.cycleWrite!),
    owners: cycleWrites.map((record) => record.accountId),
    bulkAbove: options.thresholds.bulkIngest,
    retries,
    onError: (record, message) => {
      failedAccounts.add(record);
      errorFor(record, `${N.cycleObject}: ${message}`);
    },
    onProgress: progress,
  });
  const byAccount = new Map(prepared.map((record) => [record.accountId, record]));
  for (const [accountId, id] of cycleResults) {
    written.add(accountId);
    summary.writes++;
    const record = byAccount.get(accountId);
    if (record && id) record.cycleId = id;
  }

  // 2. Due tasks the Flow does not create, by key (looked up above).
  const taskOwners: string[] = [];
  const taskRows: Row[] = [];
  for (const record of prepared) {
    if (failedAccounts.has(record.accountId)) continue;
    for (const task of record.tasks) {
      taskRows.push({ ...task, WhatId: record.cycleId ?? record.accountId });
      taskOwners.push(record.accountId);
    }
  }
  const taskResults = await writeRecords(client, {
    object: 'Task',
    operation: 'insert',
    rows: taskRows,
    owners: taskOwners,
    bulkAbove: options.thresholds.bulkIngest,
    retries,
    onError: (record, message) => {
      failedAccounts.add(record);
      errorFor(record, `Task: ${message}`);
    },
    onProgress: progress,
  });
  for (const [accountId, , count] of taskResults) {
    written.add(accountId);
    summary.writes += count;
    summary.tasksCreated += count;
  }

  // 3. Account fields, only where changed, after everything else of that Account succeeded.
  const accountWrites = prepared.filter(
    (record) => record.accountWrite && !failedAccounts.has(record.accountId),
  );
  const accountResults = await writeRecords(client, {
    object: 'Account',
    operation: 'update',
    rows: accountWrites.map((record) => record.accountWrite!),
    owners: accountWrites.map((record) => record.accountId),
    bulkAbove: options.thresholds.bulkIngest,
    retries,
    onError: (record, message) => errorFor(record, `Account: ${message}`),
    onProgress: progress,
  });
  for (const [accountId] of accountResults) {
    written.add(accountId);
    summary.writes++;
  }
  summary.changed = written.size;
  progress();
  return summary;
}

interface WriteRequest {
  object: string;
  operation: 'upsert' | 'insert' | 'update';
  externalId?: string;
  rows: Row[];
  /** The Account each row belongs to (for errors and counts). */
  owners: string[];
  bulkAbove: number;
  retries: number;
  onError: (record: string, message: string) => void;
  onProgress: () => void;
}

/** Writes rows; returns [account, record ID, rows written] per successful row, in order. */
async function writeRecords(
  client: SalesforceClient,
  request: WriteRequest,
): Promise<Array<[string, string | null, number]>> {
  const succeeded: Array<[string, string | null, number]> = [];
  let pending = request.rows.map((row, index) => ({ row, owner: request.owners[index]! }));
  for (let attempt = 0; attempt <= request.retries && pending.length; attempt++) {
    const retry: typeof pending = [];
    const useBulk = pending.length > request.bulkAbove;
    const results = useBulk
      ? await bulkWrite(
          client,
          request,
          pending.map((entry) => entry.row),
        )
      : await collectionWrite(
          client,
          request,
          pending.map((entry) => entry.row),
          request.onProgress,
        );
    results.forEach((result, index) => {
      const entry = pending[index]!;
      if (result.success) {
        succeeded.push([entry.owner, result.id ?? null, 1]);
        return;
      }
      const first = result.errors[0];
      if (isRetryableRecordError(first?.statusCode) && attempt < request.retries) retry.push(entry);
      else
        request.onError(
          entry.owner,
          result.errors.map((error) => `${error.statusCode ?? 'ERROR'}: ${error.message ?? ''}`).join('; ') ||
            'failed',
        );
    });
    pending = retry;
  }
  return succeeded;
}

async function collectionWrite(
  client: SalesforceClient,
  request: WriteRequest,
  rows: Row[],
  onProgress: () => void,
): Promise<SalesforceSaveResult[]> {
  const results: SalesforceSaveResult[] = [];
  for (const batch of chunk(rows, SALESFORCE_LIMITS.collectionSize)) {
    const response = await client.call(`${request.operation} ${request.object} records`, (connection) => {
      const sobject = connection.sobject(request.object);
      if (request.operation === 'upsert')
        return sobject.upsert(batch as never[], request.externalId!, { allOrNone: false });
      if (request.operation === 'insert') return sobject.create(batch as never[], { allOrNone: false });
      return sobject.update(batch as never[], { allOrNone: false });
    });
    for (const result of Array.isArray(response) ? response : [response])
      results.push(salesforceSaveResultSchema.parse(result));
    onProgress();
  }
  return results;
}

function bulkCell(value: unknown): unknown {
  // An empty cell is ignored by Bulk API; `#N/A` clears the field.
  return value === null ? '#N/A' : value;
}

function parseBulkError(text: string): { statusCode: string; message: string } {
  const [code = 'ERROR', ...rest] = text.split(':');
  return { statusCode: code, message: rest.join(':').replace(/\s*--\s*$/, '') };
}

async function bulkWrite(
  client: SalesforceClient,
  request: WriteRequest,
  rows: Row[],
): Promise<SalesforceSaveResult[]> {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const records = rows.map((row) =>
    Object.fromEntries(
      columns.map((column) => [column, row[column] === undefined ? '' : bulkCell(row[column])]),
    ),
  );
  const results = await client.call(`bulk ${request.operation} ${request.object} records`, (connection) =>
    connection.bulk2.loadAndWaitForResults({
      object: request.object,
      operation: request.operation,
      ...(request.externalId ? { externalIdFieldName: request.externalId } : {}),
      input: records as never[],
    }),
  );
  // Results are not in upload order: match them back by the key column.
  const keyColumn = request.operation === 'update' ? 'Id' : (request.externalId ?? N.taskKey);
  const byKey = new Map<string, SalesforceSaveResult>();
  for (const row of results.successfulResults as unknown as Array<Record<string, string>>)
    byKey.set(String(row[keyColumn]), { id: row.sf__Id ?? null, success: true, errors: [] });
  for (const row of results.failedResults as unknown as Array<Record<string, string>>)
    byKey.set(String(row[keyColumn]), {
      id: row.sf__Id || null,
      success: false,
      errors: [parseBulkError(row.sf__Error ?? '')],
    });
  return rows.map(
    (row) =>
      byKey.get(String(row[keyColumn])) ?? {
        success: false,
        errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'not processed by the bulk job' }],
      },
  );
}

/** Errors as the summary reports them. */
export type { SyncRecordError };
