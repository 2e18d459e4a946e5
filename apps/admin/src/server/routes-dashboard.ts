/**
 * The dashboard: the funnel, time in stage and the customers behind or stuck, from the states the
 * last sync stored (`customer_states`) and the stage history the syncs recorded (`stage_history`);
 * one customer's state live from the CRM.
 */
import {
  compileJourney,
  createAnalyticsCollector,
  type Journey,
  MilepostError,
  type SlaStatus,
  type StageHistoryEntry,
  type StageTime,
  stateToJson,
} from '@milepost/core';
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
  /** When the syncs started recording stage history (ISO), or null before the first sync. */
  historySince: string | null;
  funnel: Array<{ stage: string; name: string; reached: number; current: number; conversion: number | null }>;
  timeInStage: Array<
    Pick<
      StageTime,
      'stage' | 'name' | 'expectedDays' | 'stays' | 'medianDays' | 'p90Days' | 'overTimeFrame' | 'onTrack'
    > & { behind: number; stuck: number }
  >;
  behind: CustomerRow[];
  stuck: CustomerRow[];
}

/** One stored state, as much of it as a customer list reads. */
export interface StoredCustomerState {
  recordId: string;
  name: string | null;
  stage: string;
  sla: SlaStatus;
  daysInStage: number;
  expectedDays: number | null;
  whatsNext: string;
}

/** One stored state with what the funnel and time in stage read: the persona and the stage history. */
export interface StoredCustomerJourney extends StoredCustomerState {
  persona: string | null;
  stageEnteredAt: string;
  /** The stage entries the syncs recorded, oldest first (the current stage is normally the last). */
  history: StageHistoryEntry[];
}

/** Customers listed per dashboard list (behind, stuck) and per search. */
const LIST_LIMIT = 50;

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
 * The dashboard numbers, from core's analytics over the stored states and their stage history: a
 * stage is reached when it is in the customer's history or is its stage now (a skipped stage is not
 * reached, a backward move does not undo one), conversion is the share of those who reached a stage
 * that also reached the next, and time in stage pools the finished stays of the history with the
 * ongoing stays. History starts with the first sync that saw a customer, so stages it passed before
 * count as not reached. A customer in a stage the journey no longer has is counted in `customers`
 * only. The stored state keeps no facts, so nobody counts as churned.
 */
export function buildDashboard(
  journey: Journey,
  states: readonly StoredCustomerJourney[],
  historySince: string | null = null,
): DashboardJson {
  const compiled = compileJourney(journey);
  const collector = createAnalyticsCollector(compiled);
  for (const state of states) {
    if (!compiled.stageIndex.has(state.stage)) continue;
    collector.add(
      {
        id: state.recordId,
        facts: {},
        history: state.history,
        ...(state.persona ? { persona: state.persona } : {}),
      },
      {
        stage: state.stage,
        stageEnteredAt: state.stageEnteredAt,
        daysInStage: state.daysInStage,
        sla: state.sla,
      },
    );
  }
  const analytics = collector.result();
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
    historySince,
    funnel: analytics.funnel.overall.map((step) => ({
      stage: step.stage,
      name: step.name,
      reached: step.reached,
      current: step.current,
      // Nobody reached the stage: no share to show (core says 0).
      conversion: step.reached === 0 ? null : step.conversion,
    })),
    timeInStage: analytics.timeInStage.map((row) => ({
      stage: row.stage,
      name: row.name,
      expectedDays: row.expectedDays,
      stays: row.stays,
      medianDays: row.medianDays,
      p90Days: row.p90Days,
      overTimeFrame: row.overTimeFrame,
      onTrack: row.onTrack,
      behind: row.behind,
      stuck: row.stuck,
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

interface JourneyRow extends StateRow {
  persona: string | null;
  stage_entered_at: string | null;
  history: StageHistoryEntry[];
}

const STATE_COLUMNS = `record_id, name, stage, sla, days_in_stage, expected_days, state->>'whatsNext' as whats_next`;

// Each state with its history entries, oldest first (entries of one day in the order recorded).
const JOURNEY_QUERY = `
  select s.record_id, s.name, s.stage, s.sla, s.days_in_stage, s.expected_days,
         s.state->>'whatsNext' as whats_next, s.state->>'persona' as persona,
         s.state->>'stageEnteredAt' as stage_entered_at,
         coalesce((select jsonb_agg(jsonb_build_object('stage', h.stage,
                                                       'enteredAt', to_char(h.entered_at, 'YYYY-MM-DD'))
                                    order by h.entered_at, h.entry_number)
                     from stage_history h
                    where h.journey_key = s.journey_key and h.connection_id = s.connection_id
                      and h.record_id = s.record_id), '[]'::jsonb) as history
    from customer_states s
   where s.journey_key = $1 and s.connection_id = $2`;

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

function fromJourneyRow(row: JourneyRow, today: string): StoredCustomerJourney {
  return {
    ...fromRow(row),
    persona: row.persona,
    stageEnteredAt: row.stage_entered_at ?? today,
    history: row.history,
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
    const rows = await database.query<JourneyRow>(JOURNEY_QUERY, [stored.key, connectionId]);
    const [since] = await database.query<{ since: Date | string | null }>(
      'select min(recorded_at) as since from stage_history where journey_key = $1 and connection_id = $2',
      [stored.key, connectionId],
    );
    const today = context.now().toISOString().slice(0, 10);
    return c.json(
      buildDashboard(
        stored.journey,
        rows.map((row) => fromJourneyRow(row, today)),
        since?.since ? new Date(since.since).toISOString() : null,
      ),
    );
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
