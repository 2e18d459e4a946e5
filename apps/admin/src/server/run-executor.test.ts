import { randomBytes } from 'node:crypto';
import { parseJourneySources, readTemplate } from '@milepost/core';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminConfigFromEnv } from './admin-config.js';
import type { AdminContext } from './admin-context.js';
import { createAdminContext } from './admin-server.js';
import { createTestAdmin, type TestAdmin } from './admin-test-support.js';
import { loadConnection } from './connection-store.js';
import { createAdapterFactory } from './crm-adapters.js';
import { openDatabase } from './database.js';
import { loadStoredJourney } from './journey-store.js';
import { loadMapping } from './mapping-store.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { INTERRUPTED_MESSAGE, loadRun, runSyncToEnd, settleRuns, startSyncRun } from './run-executor.js';
import {
  createScriptedCrm,
  journeyOnEmulator,
  journeyOnScriptedCrm,
  planAndApply,
  type ScriptedCrm,
  waitForRun,
} from './run-test-support.js';

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

describe('stage history and pruning (scripted CRM)', () => {
  let admin: TestAdmin;
  let crm: ScriptedCrm;
  let connectionId: string;

  beforeEach(async () => {
    crm = createScriptedCrm();
    admin = await createTestAdmin({ adapterFor: crm.adapterFor });
    await admin.signIn();
    connectionId = await journeyOnScriptedCrm(admin);
  });
  afterEach(async () => {
    await settleRuns(admin.context);
    await admin.close();
  });

  const sync = async (recordIds?: string[]) => {
    const started = await admin.request('POST', '/api/journeys/saas-lifecycle/syncs', {
      connectionId,
      ...(recordIds ? { recordIds } : {}),
    });
    expect(started.status).toBe(202);
    return waitForRun(admin, started.body.id);
  };
  const history = () =>
    admin.context.database.query<{ record_id: string; stage: string; entered_at: string; run_id: string }>(
      `select record_id, stage, to_char(entered_at, 'YYYY-MM-DD') as entered_at, run_id from stage_history
        order by record_id, entry_number`,
    );
  const storedIds = async () =>
    (
      await admin.context.database.query<{ record_id: string }>(
        'select record_id from customer_states order by record_id',
      )
    ).map((row) => row.record_id);

  it('records the stage a customer is first seen in and each move, and nothing for a sync that finds no move', async () => {
    crm.customers = [
      { id: 'a', stage: 'prospecting', enteredAt: '2026-01-01' },
      { id: 'b', stage: 'purchase', enteredAt: '2026-01-03' },
    ];
    const first = await sync();
    expect(first.status).toBe('succeeded');
    expect(await history()).toEqual([
      { record_id: 'a', stage: 'prospecting', entered_at: '2026-01-01', run_id: first.id },
      { record_id: 'b', stage: 'purchase', entered_at: '2026-01-03', run_id: first.id },
    ]);
    // The same sync again: same stages, no new entry.
    expect((await sync()).status).toBe('succeeded');
    expect(await history()).toHaveLength(2);

    // a skips purchase; b moves back to prospecting.
    crm.customers = [
      { id: 'a', stage: 'onboarding', enteredAt: '2026-02-01', daysInStage: 12 },
      { id: 'b', stage: 'prospecting', enteredAt: '2026-02-05', daysInStage: 8 },
    ];
    const moved = await sync();
    expect((await sync()).status).toBe('succeeded');
    expect(await history()).toEqual([
      { record_id: 'a', stage: 'prospecting', entered_at: '2026-01-01', run_id: first.id },
      { record_id: 'a', stage: 'onboarding', entered_at: '2026-02-01', run_id: moved.id },
      { record_id: 'b', stage: 'purchase', entered_at: '2026-01-03', run_id: first.id },
      { record_id: 'b', stage: 'prospecting', entered_at: '2026-02-05', run_id: moved.id },
    ]);

    const dashboard = await admin.request(
      'GET',
      `/api/journeys/saas-lifecycle/dashboard?connectionId=${connectionId}`,
    );
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.customers).toBe(2);
    expect(dashboard.body.historySince).toEqual(expect.any(String));
    // a skipped purchase: only b reached it. b's move back leaves purchase reached.
    expect(
      dashboard.body.funnel.map((step: { stage: string; reached: number; current: number }) => [
        step.stage,
        step.reached,
        step.current,
      ]),
    ).toEqual([
      ['prospecting', 2, 1],
      ['purchase', 1, 0],
      ['onboarding', 1, 1],
      ['customer-success', 0, 0],
    ]);
    expect(dashboard.body.funnel[0].conversion).toBe(0.5);
    // Prospecting: a's finished 31-day stay and b's ongoing 8 days.
    expect(
      dashboard.body.timeInStage.find((row: { stage: string }) => row.stage === 'prospecting'),
    ).toMatchObject({ stays: 2, medianDays: 8, p90Days: 31, expectedDays: 45 });
  });

  it('after a full sync that succeeded, deletes the customers it did not see; a failed, partial or narrowed sync deletes none', async () => {
    crm.customers = ['a', 'b', 'c'].map((id) => ({ id, stage: 'prospecting', enteredAt: '2026-01-01' }));
    expect((await sync()).status).toBe('succeeded');
    expect(await storedIds()).toEqual(['a', 'b', 'c']);

    // c is removed from the CRM.
    crm.customers = crm.customers.filter((customer) => customer.id !== 'c');
    crm.throwAfter = 1;
    expect((await sync()).status).toBe('failed');
    crm.throwAfter = undefined;
    crm.failing = ['a'];
    expect((await sync()).status).toBe('partial');
    crm.failing = [];
    expect((await sync(['a'])).status).toBe('succeeded');
    expect(await storedIds()).toEqual(['a', 'b', 'c']);
    expect((await history()).map((entry) => entry.record_id)).toEqual(['a', 'b', 'c']);

    const full = await sync();
    expect(full.status).toBe('succeeded');
    expect(full.summary).toContain('1 customer no longer in the CRM removed from the dashboard');
    expect(await storedIds()).toEqual(['a', 'b']);
    // Its history goes with it.
    expect((await history()).map((entry) => entry.record_id)).toEqual(['a', 'b']);
    const again = await sync();
    expect(again.summary).not.toContain('removed');
    expect(await storedIds()).toEqual(['a', 'b']);

    // A full sync that finds no record at all (a lost permission, say) keeps everyone.
    crm.customers = [];
    expect((await sync()).status).toBe('succeeded');
    expect(await storedIds()).toEqual(['a', 'b']);
    expect((await history()).map((entry) => entry.record_id)).toEqual(['a', 'b']);
  });

  it('prunes only after the states a progress write was still storing have landed', async () => {
    crm.customers = ['a', 'b'].map((id) => ({ id, stage: 'prospecting', enteredAt: '2026-01-01' }));
    expect((await sync()).status).toBe('succeeded');
    // The second sync ends while the periodic write of its first states is slow to land (the last
    // ones land at once): pruning before it did would delete customers the run saw.
    crm.pauseMs = 300;
    let stateWrites = 0;
    const slow: AdminContext = {
      ...admin.context,
      database: {
        ...admin.context.database,
        query: async (sql, parameters) => {
          if (/^\s*insert into customer_states/.test(sql) && stateWrites++ === 0)
            await new Promise((resolve) => setTimeout(resolve, 1000));
          return admin.context.database.query(sql, parameters);
        },
      },
    };
    const stored = await loadStoredJourney(admin.context.database, 'saas-lifecycle');
    const run = await startSyncRun(slow, {
      journeyKey: stored.key,
      journey: stored.journey,
      mapping: undefined,
      connection: await loadConnection(admin.context, connectionId),
    });
    await settleRuns(slow);
    const finished = await loadRun(admin.context.database, run.id);
    expect(finished.status).toBe('succeeded');
    expect(finished.summary).not.toContain('removed');
    expect(await storedIds()).toEqual(['a', 'b']);
    expect((await history()).map((entry) => entry.record_id)).toEqual(['a', 'b']);
  });
});

describe('the stage history migration', () => {
  it('applies on a database that has 0001–0020 and its states, which get their history on the next sync', async () => {
    const serverUrl = process.env.MILEPOST_TEST_DATABASE_URL;
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const database = await openDatabase(serverUrl ? { url: serverUrl, schema } : {});
    try {
      expect(
        await migrate(
          database,
          MIGRATIONS.filter((migration) => migration.id <= 20),
        ),
      ).toEqual([1, 10, 20]);
      await database.query(`insert into journeys (key, name) values ('saas-lifecycle', 'SaaS lifecycle')`);
      await database.query(
        `insert into connections (id, target, name, auth, base_url, secrets)
         values ('old', 'hubspot', 'Old portal', 'token', 'http://127.0.0.1:9', 'sealed')`,
      );
      await database.query(
        `insert into customer_states (journey_key, connection_id, record_id, name, stage, sla, days_in_stage, state)
         values ('saas-lifecycle', 'old', 'kept', 'Kept', 'purchase', 'on-track', 3, '{}'),
                ('saas-lifecycle', 'old', 'gone', 'Gone', 'purchase', 'on-track', 3, '{}')`,
      );

      // The server starts on it: only the new migration runs, and the states are still there.
      const crm = createScriptedCrm();
      const logs: string[] = [];
      const context = await createAdminContext({
        config: adminConfigFromEnv({
          MILEPOST_DATA_DIR: '/nonexistent',
          MILEPOST_SECRET_KEY: randomBytes(32).toString('hex'),
        }),
        database,
        log: (line) => logs.push(line),
        adapterFor: crm.adapterFor,
      });
      expect(logs).toContain(`database migrated (30) on ${database.kind}`);
      expect(
        await database.query('select record_id, last_run_id from customer_states order by record_id'),
      ).toEqual([
        { record_id: 'gone', last_run_id: null },
        { record_id: 'kept', last_run_id: null },
      ]);
      expect(await database.query('select * from stage_history')).toEqual([]);

      // A customer stored before history was kept gets its first entry; one the sync did not see goes.
      crm.customers = [{ id: 'kept', stage: 'onboarding', enteredAt: '2026-03-01' }];
      const journey = parseJourneySources([{ file: 'j.yaml', text: readTemplate('saas-lifecycle') }])
        .journeys[0]!;
      const outcome = await runSyncToEnd(context, {
        journeyKey: 'saas-lifecycle',
        journey,
        mapping: undefined,
        connection: {
          id: 'old',
          target: 'hubspot',
          name: 'Old portal',
          auth: 'token',
          baseUrl: 'http://127.0.0.1:9',
          hubId: null,
          secrets: {},
        },
      });
      expect(outcome.status).toBe('succeeded');
      expect(
        await database.query(
          `select record_id, stage, to_char(entered_at, 'YYYY-MM-DD') as entered_at, run_id from stage_history`,
        ),
      ).toEqual([
        { record_id: 'kept', stage: 'onboarding', entered_at: '2026-03-01', run_id: outcome.run.id },
      ]);
      expect(await database.query('select record_id, last_run_id from customer_states')).toEqual([
        { record_id: 'kept', last_run_id: outcome.run.id },
      ]);
      expect(await migrate(database)).toEqual([]);
    } finally {
      if (database.kind === 'postgres') await database.exec(`drop schema ${schema} cascade`);
      await database.close();
    }
  });
});
