import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdminContext } from './admin-context.js';
import { createAdminContext } from './admin-server.js';
import { createTestAdmin, type TestAdmin } from './admin-test-support.js';
import { loadConnection } from './connection-store.js';
import { createAdapterFactory } from './crm-adapters.js';
import { loadStoredJourney } from './journey-store.js';
import { loadMapping } from './mapping-store.js';
import { INTERRUPTED_MESSAGE, loadRun, settleRuns, startSyncRun } from './run-executor.js';
import { journeyOnEmulator, planAndApply, waitForRun } from './run-test-support.js';

describe('run executor', () => {
  let admin: TestAdmin;
  let hubspot: HubSpotEmulator;
  let connectionId: string;

  beforeEach(async () => {
    admin = await createTestAdmin({ adapterFor: createAdapterFactory() });
    await admin.signIn();
    hubspot = await createHubSpotEmulator({ seed: 'demo', rateLimits: false });
    connectionId = await journeyOnEmulator(admin, { target: 'hubspot', hubspot });
  });
  afterEach(async () => {
    await settleRuns(admin.context);
    for (const line of admin.logs) expect(line).not.toContain(hubspot.defaultToken);
    await admin.close();
    await hubspot.close();
  });

  it('marks runs a stopped server left running as failed when the server starts, freeing the connection', async () => {
    await admin.context.database.query(
      `insert into runs (id, kind, journey_key, connection_id, status, progress_done, progress_total)
       values ('crashed', 'sync', 'saas-lifecycle', $1, 'running', 120, 300)`,
      [connectionId],
    );
    const blocked = await admin.request('POST', '/api/journeys/saas-lifecycle/syncs', { connectionId });
    expect(blocked.status).toBe(409);

    // A new server on the same database: createAdminContext recovers before serving.
    const restarted = await createAdminContext({
      config: admin.context.config,
      database: admin.context.database,
      log: (line) => admin.logs.push(line),
    });
    const recovered = await loadRun(restarted.database, 'crashed');
    expect(recovered).toMatchObject({
      status: 'failed',
      summary: INTERRUPTED_MESSAGE,
      progress: { done: 120, total: 300 },
      finishedAt: expect.any(String),
    });
    expect(admin.logs).toContain('marked 1 interrupted run(s) as failed');
    expect((await planAndApply(admin, connectionId)).status).toBe('succeeded');
  }, 120_000);

  it('writes progress a few times a second at most, not once per record', async () => {
    expect((await planAndApply(admin, connectionId)).status).toBe('succeeded');
    let runWrites = 0;
    let stateWrites = 0;
    const counting: AdminContext = {
      ...admin.context,
      database: {
        ...admin.context.database,
        query: (sql, parameters) => {
          if (/^\s*update runs/.test(sql)) runWrites++;
          if (/^\s*insert into customer_states/.test(sql)) stateWrites++;
          return admin.context.database.query(sql, parameters);
        },
      },
    };
    const stored = await loadStoredJourney(admin.context.database, 'saas-lifecycle');
    const began = Date.now();
    const run = await startSyncRun(counting, {
      journeyKey: stored.key,
      journey: stored.journey,
      mapping: await loadMapping(admin.context, stored.key, connectionId),
      connection: await loadConnection(admin.context, connectionId),
    });
    await settleRuns(counting);
    const elapsed = Date.now() - began;
    expect((await loadRun(admin.context.database, run.id)).status).toBe('succeeded');
    expect(await admin.context.database.query('select 1 from customer_states')).toHaveLength(300);
    // 300 records and their states: one write per 250 ms tick at most, plus the final one.
    expect(runWrites).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 1);
    expect(runWrites).toBeLessThan(300);
    expect(stateWrites).toBeLessThanOrEqual(runWrites);
  }, 120_000);

  it('fails a run the CRM stops, with its error and no secret', async () => {
    expect((await planAndApply(admin, connectionId)).status).toBe('succeeded');
    hubspot.faults.set({ rateLimitStorm: { count: 100, policyName: 'DAILY' } });
    const started = await admin.request('POST', '/api/journeys/saas-lifecycle/syncs', { connectionId });
    const finished = await waitForRun(admin, started.body.id);
    expect(finished.status).toBe('failed');
    expect(finished.summary).toMatch(/^sync failed.*DAILY_LIMIT_REACHED: HubSpot's daily API limit is spent/);
    expect(JSON.stringify(finished)).not.toContain(hubspot.defaultToken);
    // A failed run frees the connection.
    hubspot.faults.clear();
    const again = await admin.request('POST', '/api/journeys/saas-lifecycle/syncs', { connectionId });
    expect(again.status).toBe(202);
  }, 120_000);
});
