/** Sync runs, run history, one run, and retrying a sync's failed records. */
import { z } from 'zod';
import type { AdminApp, AdminContext } from './admin-context.js';
import { loadConnection } from './connection-store.js';
import { HttpError, readBody, readQuery } from './http-errors.js';
import { loadStoredJourney } from './journey-store.js';
import { loadMapping } from './mapping-store.js';
import { listRuns, loadRun, loadRunRow, startSyncRun } from './run-executor.js';

const idSchema = z.string().min(1, 'must not be empty').max(200);
const syncSchema = z.strictObject({
  connectionId: idSchema,
  recordIds: z
    .array(z.string().min(1, 'must not be empty').max(100))
    .min(1, 'leave recordIds out to sync every record')
    .max(10_000, 'at most 10,000 records; leave recordIds out to sync every record')
    .optional(),
});
const historySchema = z.strictObject({
  journey: z.string().min(1).max(200).optional(),
  connectionId: idSchema.optional(),
  kind: z.enum(['apply', 'sync']).optional(),
  status: z.enum(['running', 'succeeded', 'partial', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** Registers the sync and run routes of API.md. */
export function registerRunRoutes(app: AdminApp, context: AdminContext): void {
  const { database } = context;

  app.post('/api/journeys/:key/syncs', async (c) => {
    const body = await readBody(c, syncSchema);
    const stored = await loadStoredJourney(database, c.req.param('key'));
    const connection = await loadConnection(context, body.connectionId);
    const run = await startSyncRun(context, {
      journeyKey: stored.key,
      journey: stored.journey,
      mapping: await loadMapping(context, stored.key, connection.id),
      connection,
      ...(body.recordIds ? { recordIds: [...new Set(body.recordIds)] } : {}),
    });
    return c.json(run, 202);
  });

  app.get('/api/runs', async (c) => {
    return c.json(await listRuns(database, readQuery(c, historySchema)));
  });

  app.get('/api/runs/:id', async (c) => c.json(await loadRun(database, c.req.param('id'))));

  app.post('/api/runs/:id/retry', async (c) => {
    const row = await loadRunRow(database, c.req.param('id'));
    if (row.kind !== 'sync') {
      throw new HttpError(
        400,
        'BAD_REQUEST',
        'only a sync can be retried; for an apply, make a new plan and apply it (it holds what is left)',
      );
    }
    if (row.status === 'running') {
      throw new HttpError(409, 'CONFLICT', 'this sync is still running; retry it once it has finished');
    }
    const recordIds = [...new Set(row.errors.map((error) => error.record))].filter(Boolean);
    if (recordIds.length === 0) {
      throw new HttpError(400, 'BAD_REQUEST', 'this sync has no failed records to retry');
    }
    const stored = await loadStoredJourney(database, row.journey_key);
    const connection = await loadConnection(context, row.connection_id);
    const run = await startSyncRun(context, {
      journeyKey: stored.key,
      journey: stored.journey,
      mapping: await loadMapping(context, stored.key, connection.id),
      connection,
      recordIds,
      retryOf: row.id,
    });
    return c.json(run, 202);
  });
}
