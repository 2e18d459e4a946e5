/**
 * Keeps company records, their cycle records and their tasks in step with the engine: read the
 * mapped facts a page at a time, evaluate, and write only what changed, in batches of 100.
 *
 * Write order makes a crash safe to re-run: the cycle record and the tasks are written before the
 * company's own stage output, so a company whose stage output is not yet written is looked at again
 * on the next run, and every write before it is idempotent (upsert by cycle id, task lookup by key).
 */
import {
  compileJourney,
  diffRecordFields,
  evaluate,
  type Journey,
  type JourneyState,
  journeyStateOutputs,
  type Mapping,
  MilepostError,
  type RecordSnapshot,
  readFactValue,
  type SyncOptions,
  type TaskState,
} from '@milepost/core';
import { z } from 'zod';
import {
  HUBSPOT_ASSOCIATION_TYPES,
  HUBSPOT_BATCH_SIZE,
  HUBSPOT_SEARCH_PAGE_SIZE,
  HUBSPOT_SEARCH_RESULT_CAP,
  type HubSpotObject,
  type HubSpotPaths,
  hubSpotBatchResultSchema,
  hubSpotListSchema,
  hubSpotObjectSchema,
  hubSpotPipelineProperties,
} from './hubspot-api.js';
import { hubSpotOutputProperties, hubSpotSchemaTarget } from './hubspot-schema.js';
import { hubSpotPipelineId, hubSpotStageId } from './hubspot-schema-apply.js';
import type { HubSpotTransport } from './hubspot-transport.js';
import { workflowCycles } from './hubspot-workflows.js';

/** Options of {@link syncHubSpotRecords}. */
export interface HubSpotSyncOptions {
  journey: Journey;
  mapping?: Mapping;
  /** The clock of the evaluation (always injected). */
  now: Date;
  /** Only companies modified since this instant (search, split past the 10,000-result cap); all when omitted. */
  since?: Date;
  /** Only these company ids (a webhook's affected records). */
  recordIds?: readonly string[];
  /** Create due tasks (false when the portal's workflows create them). Default true. */
  createTasks?: boolean;
  /** Stages whose workflow-run cycles' tasks an enabled Milepost workflow creates; the sync skips those. */
  workflowStages?: ReadonlySet<string>;
  /** Called after each page. */
  onProgress?: (summary: HubSpotSyncSummary) => void;
  /** Called once per evaluated record (core `SyncOptions.onState`). */
  onState?: SyncOptions['onState'];
}

/** A record that could not be fully synced, and why. */
export interface HubSpotRecordError {
  record: string;
  message: string;
}

/** What a sync did. `apiCalls` counts every request, retries included. */
export interface HubSpotSyncSummary {
  records: number;
  changed: number;
  writes: number;
  tasksCreated: number;
  cyclesCreated: number;
  apiCalls: number;
  errors: HubSpotRecordError[];
}

const TASK_KEY_PROPERTY = 'milepost_task_key';
const CYCLE_ID_PROPERTY = 'milepost_cycle_id';

const TASK_TYPES: Record<string, string> = { email: 'EMAIL', call: 'CALL', todo: 'TODO', meeting: 'TODO' };
const TASK_PRIORITIES: Record<string, string> = { low: 'LOW', medium: 'MEDIUM', high: 'HIGH' };

interface PreparedRecord {
  company: HubSpotObject;
  state: JourneyState;
  writes: Record<string, string | null>;
  stageWrite: boolean;
}

/** Syncs the companies of a portal with the journey. */
export async function syncHubSpotRecords(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  options: HubSpotSyncOptions,
): Promise<HubSpotSyncSummary> {
  const { journey, mapping, now } = options;
  const compiled = compileJourney(journey);
  const { recordObject, cycleObject } = hubSpotSchemaTarget(mapping);
  const outputNames = hubSpotOutputProperties(journey, mapping);
  const startCalls = transport.calls().total;
  const summary: HubSpotSyncSummary = {
    records: 0,
    changed: 0,
    writes: 0,
    tasksCreated: 0,
    cyclesCreated: 0,
    apiCalls: 0,
    errors: [],
  };
  const createTasks = options.createTasks ?? true;
  const stageField = outputNames.stage!;

  const reader = createHubSpotRecordReader(journey, mapping);
  const pipelineProperties = hubSpotPipelineProperties(cycleObject);
  const workflowCycleKeys = new Set(workflowCycles(journey).map((cycle) => cycle.key));
  /** Company id → its cycle record id, from this run's upserts (tasks are associated with both). */
  const cycleIds = new Map<string, string>();
  const taskToCycle =
    cycleObject === 'deals'
      ? HUBSPOT_ASSOCIATION_TYPES.taskToDeal
      : cycleObject === 'tickets'
        ? HUBSPOT_ASSOCIATION_TYPES.taskToTicket
        : undefined;
  const prepare = (company: HubSpotObject): PreparedRecord => {
    const values = company.properties;
    const { snapshot, problems } = reader.toSnapshot(company);
    for (const message of problems) summary.errors.push({ record: company.id, message });
    const state = evaluate(compiled, snapshot, now);
    options.onState?.({ id: company.id, name: values.name ?? null }, state);
    const desired: Record<string, string | null> = {};
    for (const [output, value] of Object.entries(journeyStateOutputs(state))) {
      const field = outputNames[output];
      if (!field) continue;
      const formatted = toCrmValue(output, value);
      if (formatted === undefined) {
        summary.errors.push({
          record: company.id,
          message: `output "${output}": value "${value}" has no CRM value in the mapping's value map; it was not sent`,
        });
        continue;
      }
      desired[field] = formatted;
    }
    const writes = diffRecordFields(desired, values, {
      writeNulls: mapping?.writeNulls,
      equals: sameCrmValue,
    });
    return { company, state, writes, stageWrite: stageField in writes || !values[stageField] };
  };

  function toCrmValue(output: string, value: string | number | null): string | null | undefined {
    if (value === null) return null;
    const map = mapping?.outputs[output]?.values;
    if (map && typeof value === 'string') return map[value];
    if (output === 'stageEnteredAt') return `${value}T00:00:00.000Z`;
    return String(value);
  }

  const processPage = async (companies: HubSpotObject[]) => {
    const prepared = companies.map(prepare);
    summary.records += prepared.length;
    const moving = prepared.filter((record) => record.stageWrite);
    if (hasPipeline) await upsertCycles(moving);
    if (createTasks) await ensureTasks(moving);
    const changed = prepared.filter((record) => Object.keys(record.writes).length > 0);
    await writeCompanies(changed);
    summary.apiCalls = transport.calls().total - startCalls;
    options.onProgress?.({ ...summary, errors: [...summary.errors] });
  };

  async function upsertCycles(records: PreparedRecord[]): Promise<void> {
    for (const chunk of chunks(records, HUBSPOT_BATCH_SIZE)) {
      const inputs = chunk.map((record) => ({
        id: `${journey.key}:${record.company.id}`,
        idProperty: CYCLE_ID_PROPERTY,
        properties: {
          [CYCLE_ID_PROPERTY]: `${journey.key}:${record.company.id}`,
          milepost_journey: journey.key,
          [pipelineProperties.pipeline]: hubSpotPipelineId(journey.key),
          [pipelineProperties.stage]: hubSpotStageId(journey.key, record.state.stage),
          [pipelineProperties.name]: `${record.company.properties.name ?? record.company.id} — ${journey.name}`,
        },
      }));
      const response = await transport.request({
        method: 'POST',
        path: paths.batch(cycleObject, 'upsert'),
        body: { inputs },
        schema: hubSpotBatchResultSchema.extend({
          results: z.array(hubSpotObjectSchema.extend({ new: z.boolean().nullish() })),
        }),
      });
      reportBatchErrors(
        response.body.errors,
        chunk.map((record) => record.company.id),
      );
      const created = response.body.results.filter((result) => result.new);
      summary.cyclesCreated += created.length;
      summary.writes += chunk.length;
      for (const cycle of response.body.results) {
        const companyId = (cycle.properties[CYCLE_ID_PROPERTY] ?? '').split(':').at(-1);
        if (companyId) cycleIds.set(companyId, cycle.id);
      }
      if (created.length) {
        // The default association needs no type id, so it works for tickets, deals and custom objects alike.
        await transport.request({
          method: 'POST',
          path: paths.associationsBatch(cycleObject, recordObject, 'associate/default'),
          body: {
            inputs: created.map((cycle) => ({
              from: { id: cycle.id },
              to: { id: (cycle.properties[CYCLE_ID_PROPERTY] ?? '').split(':').at(-1) },
            })),
          },
        });
      }
    }
  }

  /** A task belongs to the company and, when it has one, to the company's cycle record. */
  function taskAssociations(companyId: string) {
    const associations: Array<{
      to: { id: string };
      types: Array<{ associationCategory: string; associationTypeId: number }>;
    }> = [
      {
        to: { id: companyId },
        types: [
          {
            associationCategory: 'HUBSPOT_DEFINED',
            associationTypeId: HUBSPOT_ASSOCIATION_TYPES.taskToCompany,
          },
        ],
      },
    ];
    const cycleId = cycleIds.get(companyId);
    if (cycleId && taskToCycle)
      associations.push({
        to: { id: cycleId },
        types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: taskToCycle }],
      });
    return associations;
  }

  async function ensureTasks(records: PreparedRecord[]): Promise<void> {
    const due: Array<{ record: PreparedRecord; task: TaskState }> = [];
    // A stage's tasks are created when the customer enters it. Tasks of stages passed before Milepost
    // first saw the customer are history, not work: creating them would bury CSMs in overdue tasks.
    for (const record of records) {
      for (const task of record.state.tasks) {
        if (task.stage !== record.state.stage || task.status === 'done') continue;
        if (options.workflowStages?.has(task.stage) && workflowCycleKeys.has(task.cycle)) continue;
        due.push({ record, task });
      }
    }
    for (const chunk of chunks(due, HUBSPOT_BATCH_SIZE)) {
      // The task key is stored on the task: look it up first, so a re-run creates nothing twice.
      const found = await transport.request({
        method: 'POST',
        path: paths.batch('tasks', 'read'),
        body: {
          idProperty: TASK_KEY_PROPERTY,
          inputs: chunk.map(({ task }) => ({ id: task.key })),
          properties: [TASK_KEY_PROPERTY],
        },
        schema: hubSpotBatchResultSchema,
      });
      const existing = new Set(found.body.results.map((task) => task.properties[TASK_KEY_PROPERTY]));
      const missing = chunk.filter(({ task }) => !existing.has(task.key));
      if (missing.length === 0) continue;
      const created = await transport.request({
        method: 'POST',
        path: paths.batch('tasks', 'create'),
        body: {
          inputs: missing.map(({ record, task }) => ({
            properties: {
              [TASK_KEY_PROPERTY]: task.key,
              hs_timestamp: `${task.due}T09:00:00.000Z`,
              hs_task_subject: task.subject,
              hs_task_body: `${journey.name} · ${task.cycle} · stage ${task.stage} · owned by ${task.owner}`,
              hs_task_status: 'NOT_STARTED',
              hs_task_priority: TASK_PRIORITIES[task.priority ?? 'medium'] ?? 'MEDIUM',
              hs_task_type: TASK_TYPES[task.type ?? 'todo'] ?? 'TODO',
              ...(record.company.properties.hubspot_owner_id
                ? { hubspot_owner_id: record.company.properties.hubspot_owner_id }
                : {}),
            },
            associations: taskAssociations(record.company.id),
          })),
        },
        schema: hubSpotBatchResultSchema,
      });
      reportBatchErrors(
        created.body.errors,
        missing.map(({ record }) => record.company.id),
      );
      summary.tasksCreated += created.body.results.length;
      summary.writes += created.body.results.length;
    }
  }

  async function writeCompanies(records: PreparedRecord[]): Promise<void> {
    for (const chunk of chunks(records, HUBSPOT_BATCH_SIZE)) {
      const response = await transport.request({
        method: 'POST',
        path: paths.batch(recordObject, 'update'),
        body: { inputs: chunk.map((record) => ({ id: record.company.id, properties: record.writes })) },
        schema: hubSpotBatchResultSchema,
      });
      reportBatchErrors(
        response.body.errors,
        chunk.map((record) => record.company.id),
      );
      const failed = new Set(summary.errors.map((error) => error.record));
      const written = chunk.filter(
        (record) =>
          !failed.has(record.company.id) ||
          response.body.results.some((result) => result.id === record.company.id),
      );
      summary.changed += written.length;
      summary.writes += written.length;
    }
  }

  function reportBatchErrors(
    errors: Array<{ message: string; context?: Record<string, string[]> | null }> | null | undefined,
    ids: string[],
  ): void {
    for (const error of errors ?? []) {
      const record =
        error.context?.ids?.[0] ??
        error.context?.id?.[0] ??
        ids.find((id) => error.message.includes(id)) ??
        'unknown';
      summary.errors.push({ record, message: error.message });
    }
  }

  // Cycle records only exist where the portal had room for the journey's pipeline.
  const pipelines = await transport.request({
    method: 'GET',
    path: paths.pipelines(cycleObject),
    schema: hubSpotListSchema(z.object({ id: z.string() })),
  });
  const hasPipeline = pipelines.body.results.some(
    (pipeline) => pipeline.id === hubSpotPipelineId(journey.key),
  );
  for await (const page of readCompanies(transport, paths, recordObject, reader.properties, options))
    await processPage(page);
  summary.apiCalls = transport.calls().total - startCalls;
  return summary;
}

/** Reads HubSpot companies as engine snapshots: mapped facts, the stage Milepost wrote, milestone dates. */
export function createHubSpotRecordReader(journey: Journey, mapping?: Mapping) {
  const outputNames = hubSpotOutputProperties(journey, mapping);
  const factFields = Object.fromEntries(
    journey.facts.map((fact) => [fact.key, mapping?.facts[fact.key]?.field ?? fact.key]),
  );
  const stageMap = mapping?.outputs.stage?.values;
  return {
    /** The properties to ask HubSpot for. */
    properties: [
      ...new Set(['name', 'hubspot_owner_id', ...Object.values(factFields), ...Object.values(outputNames)]),
    ],
    /** A company as a snapshot, and the values that could not be read (reported per record). */
    toSnapshot(company: HubSpotObject): { snapshot: RecordSnapshot; problems: string[] } {
      const values = company.properties;
      const problems: string[] = [];
      const facts: Record<string, string | number | boolean> = {};
      for (const fact of journey.facts) {
        const reading = readFactValue(fact, values[factFields[fact.key]!], mapping?.facts[fact.key]?.values);
        if (!reading.ok) problems.push(reading.problem);
        else if (reading.value !== undefined) facts[fact.key] = reading.value;
      }
      const milestones: Record<string, string> = {};
      for (const stage of journey.stages) {
        for (const milestone of stage.milestones ?? []) {
          const recorded = values[outputNames[`milestone.${milestone.key}`]!];
          if (recorded) milestones[milestone.key] = recorded.slice(0, 10);
        }
      }
      const rawStage = values[outputNames.stage!];
      const stage = rawStage
        ? stageMap
          ? Object.entries(stageMap).find(([, crm]) => crm === rawStage)?.[0]
          : rawStage
        : undefined;
      const enteredAt = values[outputNames.stageEnteredAt!];
      return {
        snapshot: {
          id: company.id,
          facts,
          milestones,
          ...(stage ? { stage } : {}),
          ...(enteredAt ? { stageEnteredAt: enteredAt.slice(0, 10) } : {}),
        },
        problems,
      };
    },
  };
}

function sameCrmValue(_field: string, desired: string, current: string): boolean {
  if (desired === current) return true;
  const desiredNumber = Number(desired);
  if (desired.trim() !== '' && !Number.isNaN(desiredNumber) && desiredNumber === Number(current)) return true;
  // Dates come back as date-times or epoch milliseconds; compare the instant.
  const desiredTime = Date.parse(desired);
  const currentTime = /^\d{12,}$/.test(current) ? Number(current) : Date.parse(current);
  return !Number.isNaN(desiredTime) && desiredTime === currentTime;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/** Pages of companies: all (list paging), by id, or modified since a date (search, split past the cap). */
export async function* readCompanies(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  objectType: string,
  properties: string[],
  options: Pick<HubSpotSyncOptions, 'since' | 'recordIds'>,
): AsyncGenerator<HubSpotObject[]> {
  if (options.recordIds) {
    for (const ids of chunks(options.recordIds, HUBSPOT_BATCH_SIZE)) {
      const response = await transport.request({
        method: 'POST',
        path: paths.batch(objectType, 'read'),
        body: { inputs: ids.map((id) => ({ id })), properties },
        schema: hubSpotBatchResultSchema,
      });
      yield response.body.results;
    }
    return;
  }
  if (!options.since) {
    let after: string | undefined;
    do {
      const query = new URLSearchParams({
        limit: String(HUBSPOT_BATCH_SIZE),
        properties: properties.join(','),
        archived: 'false',
      });
      if (after) query.set('after', after);
      const response = await transport.request({
        method: 'GET',
        path: `${paths.objects(objectType)}?${query}`,
        schema: hubSpotListSchema(hubSpotObjectSchema),
      });
      yield response.body.results;
      after = response.body.paging?.next?.after;
    } while (after);
    return;
  }
  // Two passes: first the ids modified in the window (search), then their properties (batch read).
  // Writing while paging a search sorted by modification date would move written records out from
  // under the pages and skip others.
  for (const ids of chunks(
    await modifiedIds(transport, paths, objectType, options.since),
    HUBSPOT_BATCH_SIZE,
  )) {
    const response = await transport.request({
      method: 'POST',
      path: paths.batch(objectType, 'read'),
      body: { inputs: ids.map((id) => ({ id })), properties },
      schema: hubSpotBatchResultSchema,
    });
    yield response.body.results;
  }
}

/**
 * Ids of records modified since `since` and before now. A search stops at 10,000 results, so past
 * that a new window starts at the last modification date seen, skipping the ids already collected.
 */
async function modifiedIds(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  objectType: string,
  sinceDate: Date,
): Promise<string[]> {
  const until = Date.now();
  const ids: string[] = [];
  const seen = new Set<string>();
  let since = sinceDate.getTime();
  for (;;) {
    let after: string | undefined;
    let read = 0;
    let lastModified = since;
    for (;;) {
      const response = await transport.request({
        method: 'POST',
        path: paths.search(objectType),
        budget: 'search',
        body: {
          filterGroups: [
            {
              filters: [
                { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(since) },
                { propertyName: 'hs_lastmodifieddate', operator: 'LT', value: String(until) },
              ],
            },
          ],
          sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
          properties: ['hs_lastmodifieddate'],
          limit: HUBSPOT_SEARCH_PAGE_SIZE,
          ...(after ? { after } : {}),
        },
        schema: z.object({
          results: z.array(
            z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullable()) }),
          ),
          paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
        }),
      });
      for (const record of response.body.results) {
        if (!seen.has(record.id)) {
          seen.add(record.id);
          ids.push(record.id);
        }
        const modified = Date.parse(record.properties.hs_lastmodifieddate ?? '');
        if (modified > lastModified) lastModified = modified;
      }
      read += response.body.results.length;
      after = response.body.paging?.next?.after;
      if (!after) return ids;
      if (read + HUBSPOT_SEARCH_PAGE_SIZE > HUBSPOT_SEARCH_RESULT_CAP) break;
    }
    // More than one window's worth at a single date cannot be split further by date.
    if (lastModified === since) {
      throw new MilepostError({
        code: 'VENDOR_REJECTED',
        message: `more than ${HUBSPOT_SEARCH_RESULT_CAP} records share one modification date; run a full sync (without --since) instead`,
      });
    }
    since = lastModified;
  }
}
