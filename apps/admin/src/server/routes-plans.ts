/** Plans: what applying a journey would change in a connection's CRM, stored so it can be applied. */
import { randomUUID } from 'node:crypto';
import { type Plan, renderPlanText } from '@milepost/core';
import { z } from 'zod';
import type { AdminApp, AdminContext } from './admin-context.js';
import { loadConnection } from './connection-store.js';
import { HttpError, readBody } from './http-errors.js';
import { loadStoredJourney } from './journey-store.js';
import { loadStoredMapping } from './mapping-store.js';
import { startApplyRun } from './run-executor.js';

/** A stored plan as the API shows it (API.md). */
export interface PlanJson {
  id: string;
  connectionId: string;
  journey: string;
  createdAt: string;
  plan: Plan;
  text: string;
}

interface PlanRow {
  id: string;
  journey_key: string;
  connection_id: string;
  journey_revision: number;
  plan: Plan;
  text: string;
  created_at: Date | string;
  applied_run_id: string | null;
  mapping_source: string | null;
}

const idSchema = z.string().min(1, 'must not be empty').max(200);
const createPlanSchema = z.strictObject({ connectionId: idSchema });
const applySchema = z.strictObject({
  confirm: z.literal(true, 'must be true: applying changes the CRM, so say so explicitly'),
});

function planJson(row: PlanRow): PlanJson {
  return {
    id: row.id,
    connectionId: row.connection_id,
    journey: row.journey_key,
    createdAt: new Date(row.created_at).toISOString(),
    plan: row.plan,
    text: row.text,
  };
}

async function loadPlanRow(context: AdminContext, id: string): Promise<PlanRow> {
  const [row] = await context.database.query<PlanRow>('select * from plans where id = $1', [id]);
  if (!row) throw new HttpError(404, 'NOT_FOUND', `no plan "${id}"; make a new plan`);
  return row;
}

/** Registers `POST /api/journeys/:key/plans`, `GET /api/plans/:id`, `POST /api/plans/:id/apply`. */
export function registerPlanRoutes(app: AdminApp, context: AdminContext): void {
  const { database } = context;

  app.post('/api/journeys/:key/plans', async (c) => {
    const body = await readBody(c, createPlanSchema);
    const stored = await loadStoredJourney(database, c.req.param('key'));
    const connection = await loadConnection(context, body.connectionId);
    const mapping = await loadStoredMapping(database, stored.key, connection.id);
    const plan = await context.adapterFor(connection).plan(stored.journey, mapping?.mapping);
    const id = randomUUID();
    // The mapping source is kept with the plan: apply uses exactly what the plan was computed with.
    const [row] = await database.query<PlanRow>(
      `insert into plans (id, journey_key, connection_id, journey_revision, plan, text, created_at, mapping_source)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) returning *`,
      [
        id,
        stored.key,
        connection.id,
        stored.revision,
        JSON.stringify(plan),
        renderPlanText(plan),
        context.now(),
        mapping?.source ?? null,
      ],
    );
    if (!row) throw new Error('insert returned no row');
    context.log(
      `plan ${id} for ${stored.key} r${stored.revision} on connection ${connection.id}: ${plan.changes.length} changes, ${plan.refusals.length} refused`,
    );
    return c.json(planJson(row), 201);
  });

  app.get('/api/plans/:id', async (c) => c.json(planJson(await loadPlanRow(context, c.req.param('id')))));

  app.post('/api/plans/:id/apply', async (c) => {
    // Validated before anything is read: without an explicit confirmation nothing happens.
    await readBody(c, applySchema);
    const row = await loadPlanRow(context, c.req.param('id'));
    if (row.applied_run_id !== null) {
      throw new HttpError(
        409,
        'CONFLICT',
        'this plan was applied already; make a new plan to see what is left to change',
      );
    }
    const latest = await loadStoredJourney(database, row.journey_key);
    const mapping = await loadStoredMapping(database, row.journey_key, row.connection_id);
    if (latest.revision !== row.journey_revision || (mapping?.source ?? null) !== row.mapping_source) {
      throw new HttpError(
        409,
        'CONFLICT',
        `this plan is stale: the ${latest.revision !== row.journey_revision ? `journey changed (revision ${row.journey_revision} → ${latest.revision})` : 'field mapping changed'} since it was made; make a new plan`,
      );
    }
    if (row.plan.refusals.length > 0) {
      throw new HttpError(
        409,
        'CONFLICT',
        `nothing applied: the plan refuses ${row.plan.refusals.length} change(s); resolve them (see the plan), then make a new plan`,
      );
    }
    const connection = await loadConnection(context, row.connection_id);
    const run = await startApplyRun(context, {
      planId: row.id,
      journeyKey: row.journey_key,
      // Not stale, so the latest revision and the saved mapping (parsed on load) are what was planned.
      journey: latest.journey,
      mapping: mapping?.mapping,
      plan: row.plan,
      connection,
    });
    return c.json(run, 202);
  });
}
