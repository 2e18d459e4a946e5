import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeCheckingSecrets, createRecordingAdmin, type RecordingAdmin } from './admin-test-support.js';
import { emulatorsPerTest, journeyOnEmulator, planAndApply, waitForRun } from './run-test-support.js';

describe('sync and run routes', () => {
  let admin: RecordingAdmin;
  const crm = emulatorsPerTest();
  const call: RecordingAdmin['request'] = (...args) => admin.request(...args);

  beforeEach(async () => {
    admin = await createRecordingAdmin();
  });
  afterEach(async () => {
    await closeCheckingSecrets(admin, crm.tokens(), ['runs']);
    await crm.close();
  });

  async function appliedHubSpot(): Promise<string> {
    const hubspot = await crm.startHubSpot('demo');
    const connectionId = await journeyOnEmulator(admin, { target: 'hubspot', hubspot });
    expect((await planAndApply(admin, connectionId)).status).toBe('succeeded');
    return connectionId;
  }
  const sync = (connectionId: string, recordIds?: string[]) =>
    call('POST', '/api/journeys/saas-lifecycle/syncs', { connectionId, ...(recordIds ? { recordIds } : {}) });
  const runRows = () => admin.context.database.query<Record<string, unknown>>('select * from runs');

  it('syncs in the background, one run per connection, storing every customer state', async () => {
    const connectionId = await appliedHubSpot();
    const started = await sync(connectionId);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      kind: 'sync',
      status: 'running',
      connectionId,
      journey: 'saas-lifecycle',
    });

    // While it runs, neither a second sync nor an apply may start on the same connection.
    const second = await sync(connectionId);
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('running'),
    });
    const plan = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
    const apply = await call('POST', `/api/plans/${plan.body.id}/apply`, { confirm: true });
    expect(apply.status).toBe(409);
    // The refused apply left its plan unapplied (the claim rolled back with the refused run).
    expect(
      await admin.context.database.query('select applied_run_id from plans where id = $1', [plan.body.id]),
    ).toEqual([{ applied_run_id: null }]);

    const finished = await waitForRun(admin, started.body.id);
    expect(finished).toMatchObject({
      status: 'succeeded',
      progress: { done: 300, total: 300 },
      errors: [],
      results: [],
    });
    expect(finished.summary).toMatch(/^300 records evaluated, 300 changed/);

    const states = await admin.context.database.query<{
      record_id: string;
      name: string | null;
      stage: string;
      sla: string;
      days_in_stage: number;
      state: { id: string; stage: string; whatsNext: string };
    }>('select * from customer_states where journey_key = $1 and connection_id = $2', [
      'saas-lifecycle',
      connectionId,
    ]);
    expect(states).toHaveLength(300);
    const companies = new Map(
      crm
        .hubspot!.portal(crm.hubspot!.defaultHubId)
        .objects('companies')
        .map((company) => [company.id, company.properties]),
    );
    for (const state of states) {
      const company = companies.get(state.record_id);
      expect(state.name).toBe(company?.name);
      expect(state.stage).toBe(company?.milepost_stage);
      expect(state.sla).toBe(company?.milepost_sla_status);
      expect(state.state).toMatchObject({
        id: state.record_id,
        stage: state.stage,
        whatsNext: expect.any(String),
      });
    }

    const history = await call('GET', '/api/runs');
    expect(history.body.map((run: { kind: string }) => run.kind)).toEqual(['sync', 'apply']);
    expect(history.body[0]).toEqual(finished);
    const applies = await call(
      'GET',
      `/api/runs?journey=saas-lifecycle&connectionId=${connectionId}&kind=apply`,
    );
    expect(applies.body).toHaveLength(1);
    expect((await call('GET', '/api/runs?connectionId=other')).body).toEqual([]);
    expect((await call('GET', '/api/runs?status=done')).status).toBe(400);
    expect((await call('GET', '/api/runs?limit=0')).status).toBe(400);
    expect((await call('GET', '/api/runs?color=red')).status).toBe(400);
  }, 120_000);

  it('reports per-record failures, and a retry syncs only the failed records', async () => {
    const connectionId = await appliedHubSpot();
    const applyRun = (await runRows())[0]!.id as string;
    const companies = crm.hubspot!.portal(crm.hubspot!.defaultHubId).objects('companies');
    const failing = [companies[3]!.id, companies[150]!.id];
    crm.hubspot!.faults.set({
      batchFailures: { ids: failing, status: 400, message: 'Property values were not valid' },
    });
    const started = await sync(connectionId);
    const finished = await waitForRun(admin, started.body.id);
    expect(finished.status).toBe('partial');
    expect([...new Set(finished.errors.map((error) => error.record))].sort()).toEqual([...failing].sort());
    expect(finished.errors[0]!.message).toContain('Property values were not valid');
    expect(finished.summary).toContain('2 records failed');
    crm.hubspot!.faults.clear();

    const retried = await call('POST', `/api/runs/${finished.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ kind: 'sync', status: 'running', progress: { total: 2 } });
    const [row] = await admin.context.database.query<{ parameters: unknown; retry_of: string }>(
      'select parameters, retry_of from runs where id = $1',
      [retried.body.id],
    );
    expect(row?.retry_of).toBe(finished.id);
    expect((row?.parameters as { recordIds?: string[] } | undefined)?.recordIds?.sort()).toEqual(
      [...failing].sort(),
    );
    const done = await waitForRun(admin, retried.body.id);
    expect(done).toMatchObject({ status: 'succeeded', errors: [], progress: { done: 2, total: 2 } });
    expect(done.summary).toMatch(/^2 records evaluated, 2 changed/);
    // objects() answers copies: read the portal again to see what the retry wrote.
    const after = crm.hubspot!.portal(crm.hubspot!.defaultHubId).objects('companies');
    for (const id of failing) {
      expect(after.find((company) => company.id === id)?.properties.milepost_stage).toBeTruthy();
    }

    const noFailures = await call('POST', `/api/runs/${done.id}/retry`);
    expect(noFailures.status).toBe(400);
    expect(noFailures.body.error.message).toContain('no failed records');
    const anApply = await call('POST', `/api/runs/${applyRun}/retry`);
    expect(anApply.status).toBe(400);
    expect(anApply.body.error.message).toContain('only a sync can be retried');
    expect(await runRows()).toHaveLength(3);
  }, 120_000);

  it('syncs only the records asked for', async () => {
    const connectionId = await appliedHubSpot();
    const [first] = crm.hubspot!.portal(crm.hubspot!.defaultHubId).objects('companies');
    const started = await sync(connectionId, [first!.id, first!.id]);
    expect(started.body.progress).toEqual({ done: 0, total: 1 });
    const finished = await waitForRun(admin, started.body.id);
    expect(finished).toMatchObject({ status: 'succeeded', progress: { done: 1, total: 1 } });
    expect(await admin.context.database.query('select record_id from customer_states')).toEqual([
      { record_id: first!.id },
    ]);
  }, 120_000);

  it('answers bad input with 4xx and stores nothing', async () => {
    const hubspot = await crm.startHubSpot('empty');
    const connectionId = await journeyOnEmulator(admin, { target: 'hubspot', hubspot });
    for (const body of [
      {},
      { connectionId: '' },
      { connectionId, recordIds: [] },
      { connectionId, recordIds: 'one' },
      { connectionId, recordIds: [''] },
      { connectionId, since: 'yesterday' },
    ]) {
      const response = await call('POST', '/api/journeys/saas-lifecycle/syncs', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('BAD_REQUEST');
    }
    expect((await sync('nope')).status).toBe(404);
    expect((await call('POST', '/api/journeys/nope/syncs', { connectionId })).status).toBe(404);
    expect((await call('GET', '/api/runs/nope')).status).toBe(404);
    expect((await call('POST', '/api/runs/nope/retry')).status).toBe(404);
    expect(await runRows()).toHaveLength(0);
    expect(await admin.context.database.query('select * from customer_states')).toHaveLength(0);
  });

  it('answers 401 without sign-in', async () => {
    const hubspot = await crm.startHubSpot('empty');
    const connectionId = await journeyOnEmulator(admin, { target: 'hubspot', hubspot });
    const stranger = admin.client();
    for (const [method, path, body] of [
      ['POST', '/api/journeys/saas-lifecycle/syncs', { connectionId }],
      ['GET', '/api/runs', undefined],
      ['GET', '/api/runs/some-id', undefined],
      ['POST', '/api/runs/some-id/retry', undefined],
    ] as const) {
      const response = await stranger.request(method, path, body);
      admin.responses.push(response);
      expect(response.status).toBe(401);
    }
    expect(await runRows()).toHaveLength(0);
  });

  it('on Salesforce: apply, sync, a record failure in the run errors, and the retry fixes it', async () => {
    const salesforce = await crm.startSalesforce();
    const connectionId = await journeyOnEmulator(admin, { target: 'salesforce', salesforce });
    expect((await planAndApply(admin, connectionId)).status).toBe('succeeded');
    const org = salesforce.org();
    const failing = String(org.records('Account')[0]!.Id);
    salesforce.faults.add({
      type: 'record-failure',
      sobject: 'Account',
      operation: 'update',
      field: 'Id',
      value: failing,
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Region is required',
    });
    const finished = await waitForRun(admin, (await sync(connectionId)).body.id);
    expect(finished.status).toBe('partial');
    expect(finished.errors).toEqual([
      { record: failing, message: 'Account: FIELD_CUSTOM_VALIDATION_EXCEPTION: Region is required' },
    ]);
    expect(await admin.context.database.query('select 1 from customer_states')).toHaveLength(300);
    salesforce.faults.clear();
    const retried = await call('POST', `/api/runs/${finished.id}/retry`);
    const done = await waitForRun(admin, retried.body.id);
    expect(done).toMatchObject({ status: 'succeeded', progress: { done: 1, total: 1 }, errors: [] });
    expect(org.record(failing)?.Milepost_Stage__c).toBeTruthy();
  }, 120_000);
});
