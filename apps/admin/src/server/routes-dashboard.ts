/**
 * The dashboard: the funnel, time in stage and the customers behind or stuck, from the states the
 * last sync stored (`customer_states`); one customer's state live from the CRM.
 */
import { type Journey, MilepostError, type SlaStatus, stateToJson } from '@milepost/core';
import { z } from 'zod';
import type { AdminApp, AdminContext } from './admin-context.js';
import { loadConnection } from './connection-store.js';
import { HttpError, readQuery } from './http-errors.js';
import { loadStoredJourney } from './journey-store.js';
import { loadMapping } from './mapping-store.js';

/** A customer in a dashboard list or a search result (API.md `CustomerRow`). */
export interface CustomerRow {
  recordId: string;
  name: string;
  stage: string;
  daysInStage: number;
  expectedDays: number | null;
  sla: SlaStatus;
  whatsNext: string;
}

/** `GET /api/journeys/:key/dashboard`. */
export interface DashboardJson {
  customers: number;
  funnel: Array<{ stage: string; name: string; reached: number; current: number; conversion: number | null }>;
  timeInStage: Array<{
    stage: string;
    name: string;
    expectedDays: number | null;
    medianDays: number | null;
    behind: number;
    stuck: number;
  }>;
  behind: CustomerRow[];
  stuck: CustomerRow[];
}

/** One stored state, as much of it as the dashboard reads. */
export interface StoredCustomerState {
  recordId: string;
  name: string | null;
  stage: string;
  sla: SlaStatus;
  daysInStage: number;
  expectedDays: number | null;
  whatsNext: string;
}

/** Customers listed per dashboard list (behind, stuck) and per search. */
const LIST_LIMIT = 50;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function customerRow(state: StoredCustomerState): CustomerRow {
  return {
    recordId: state.recordId,
    name: state.name ?? state.recordId,
    stage: state.stage,
    daysInStage: state.daysInStage,
    expectedDays: state.expectedDays,
    sla: state.sla,
    whatsNext: state.whatsNext,
  };
}

/**
 * The dashboard numbers from stored states. Core's analytics collector is not used: it needs each
 * record's snapshot with its stage history, and a sync stores only the evaluated state. So the
 * funnel counts a stage as reached when the customer's current stage is that stage or a later one in
 * journey order (sum of `current` = customers in journey stages; `reached` of the first stage = all
 * of them), and time in stage is the ongoing stay of the customers in each stage now.
 */
export function buildDashboard(journey: Journey, states: readonly StoredCustomerState[]): DashboardJson {
  const index = new Map(journey.stages.map((stage, position) => [stage.key, position]));
  const current = journey.stages.map(() => 0);
  const days: number[][] = journey.stages.map(() => []);
  const behindCounts = journey.stages.map(() => 0);
  const stuckCounts = journey.stages.map(() => 0);
  for (const state of states) {
    const position = index.get(state.stage);
    if (position === undefined) continue;
    current[position]! += 1;
    days[position]!.push(state.daysInStage);
    if (state.sla === 'behind') behindCounts[position]! += 1;
    if (state.sla === 'stuck') stuckCounts[position]! += 1;
  }
  const reached = current.map((_, position) =>
    current.slice(position).reduce((sum, count) => sum + count, 0),
  );
  // Longest in stage first: those need attention soonest.
  const list = (sla: 'behind' | 'stuck') =>
    states
      .filter((state) => state.sla === sla)
      .sort(
        (left, right) => right.daysInStage - left.daysInStage || left.recordId.localeCompare(right.recordId),
      )
      .slice(0, LIST_LIMIT)
      .map(customerRow);
  return {
    customers: states.length,
    funnel: journey.stages.map((stage, position) => {
      const next = reached[position + 1];
      const here = reached[position]!;
      return {
        stage: stage.key,
        name: stage.name,
        reached: here,
        current: current[position]!,
        conversion: next === undefined ? null : here === 0 ? null : next / here,
      };
    }),
    timeInStage: journey.stages.map((stage, position) => ({
      stage: stage.key,
      name: stage.name,
      expectedDays: stage.expectedDays ?? null,
      medianDays: median(days[position]!),
      behind: behindCounts[position]!,
      stuck: stuckCounts[position]!,
    })),
    behind: list('behind'),
    stuck: list('stuck'),
  };
}

interface StateRow {
  record_id: string;
  name: string | null;
  stage: string;
  sla: SlaStatus;
  days_in_stage: number;
  expected_days: number | null;
  whats_next: string | null;
}

const STATE_COLUMNS = `record_id, name, stage, sla, days_in_stage, expected_days, state->>'whatsNext' as whats_next`;

function fromRow(row: StateRow): StoredCustomerState {
  return {
    recordId: row.record_id,
    name: row.name,
    stage: row.stage,
    sla: row.sla,
    daysInStage: row.days_in_stage,
    expectedDays: row.expected_days,
    whatsNext: row.whats_next ?? '',
  };
}

const connectionQuery = z.object({ connectionId: z.string().min(1, 'is required').max(200) });
const searchQuery = connectionQuery.extend({ query: z.string().max(200).optional() });

/** Registers the dashboard, customer search and live customer routes of API.md. */
export function registerDashboardRoutes(app: AdminApp, context: AdminContext): void {
  const { database } = context;

  app.get('/api/journeys/:key/dashboard', async (c) => {
    const { connectionId } = readQuery(c, connectionQuery);
    const stored = await loadStoredJourney(database, c.req.param('key'));
    await loadConnection(context, connectionId);
    const rows = await database.query<StateRow>(
      `select ${STATE_COLUMNS} from customer_states where journey_key = $1 and connection_id = $2`,
      [stored.key, connectionId],
    );
    return c.json(buildDashboard(stored.journey, rows.map(fromRow)));
  });

  app.get('/api/journeys/:key/customers', async (c) => {
    const { connectionId, query } = readQuery(c, searchQuery);
    const stored = await loadStoredJourney(database, c.req.param('key'));
    await loadConnection(context, connectionId);
    // The search text is a literal: escape LIKE's wildcards so "50%" finds "50%".
    const pattern = `%${(query ?? '').trim().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const rows = await database.query<StateRow>(
      `select ${STATE_COLUMNS} from customer_states
        where journey_key = $1 and connection_id = $2 and coalesce(name, record_id) ilike $3
        order by coalesce(name, record_id), record_id limit ${LIST_LIMIT}`,
      [stored.key, connectionId, pattern],
    );
    return c.json(rows.map((row) => customerRow(fromRow(row))));
  });

  app.get('/api/journeys/:key/customers/:recordId', async (c) => {
    const { connectionId } = readQuery(c, connectionQuery);
    const stored = await loadStoredJourney(database, c.req.param('key'));
    const connection = await loadConnection(context, connectionId);
    const mapping = await loadMapping(context, stored.key, connection.id);
    const recordId = c.req.param('recordId');
    try {
      const state = await context
        .adapterFor(connection)
        .status(stored.journey, mapping, recordId, context.now());
      return c.json(stateToJson(state));
    } catch (error) {
      // Adapters answer an unknown record with INVALID_INPUT; for this route that is a missing record.
      if (MilepostError.isInstance(error) && error.code === 'INVALID_INPUT') {
        throw new HttpError(404, 'NOT_FOUND', error.message);
      }
      throw error;
    }
  });
}
