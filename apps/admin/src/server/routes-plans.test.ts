import { readTemplate } from '@milepost/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeCheckingSecrets, createRecordingAdmin, type RecordingAdmin } from './admin-test-support.js';
import { saveMapping } from './mapping-store.js';
import { demoMappingSource, emulatorsPerTest, journeyOnEmulator, waitForRun } from './run-test-support.js';

const template = readTemplate('saas-lifecycle');

describe('plan routes', () => {
  let admin: RecordingAdmin;
  const crm = emulatorsPerTest();
  const call: RecordingAdmin['request'] = (...args) => admin.request(...args);

  // The admin (PGlite boots in seconds) comes up in the hook, with its longer timeout.
  beforeEach(async () => {
    admin = await createRecordingAdmin();
  });

  async function start(target: 'hubspot' | 'salesforce'): Promise<string> {
    if (target === 'hubspot') {
      const hubspot = await crm.startHubSpot('demo');
      return journeyOnEmulator(admin, { target, hubspot });
    }
    const salesforce = await crm.startSalesforce();
    return journeyOnEmulator(admin, { target, salesforce });
  }

  afterEach(async () => {
    await closeCheckingSecrets(admin, crm.tokens());
    await crm.close();
  });

  const runs = () => admin.context.database.query('select * from runs');

  it('plans, refuses an unconfirmed apply, applies in the background, and a second plan is empty (HubSpot)', async () => {
    const connectionId = await start('hubspot');
    const created = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      connectionId,
      journey: 'saas-lifecycle',
      createdAt: expect.any(String),
      plan: expect.objectContaining({ changes: expect.any(Array), refusals: [] }),
      text: expect.stringContaining('+ create'),
    });
    const changes = created.body.plan.changes.length;
    expect(changes).toBeGreaterThan(10);
    expect(created.body.text).toContain(`Plan: ${changes} to create, 0 to update, 0 to delete.`);
    const shown = await call('GET', `/api/plans/${created.body.id}`);
    expect(shown.body).toEqual(created.body);

    for (const body of [{}, { confirm: false }, { confirm: 'yes' }]) {
      const refused = await call('POST', `/api/plans/${created.body.id}/apply`, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('BAD_REQUEST');
      expect(refused.body.error.issues[0].path).toBe('confirm');
    }
    expect(await runs()).toHaveLength(0);
    expect((await admin.context.database.query('select applied_run_id from plans'))[0]).toEqual({
      applied_run_id: null,
    });
    expect(
      crm
        .hubspot!.portal(crm.hubspot!.defaultHubId)
        .properties('companies')
        .map((p) => p.name),
    ).not.toContain('milepost_stage');

    const started = await call('POST', `/api/plans/${created.body.id}/apply`, { confirm: true });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      kind: 'apply',
      journey: 'saas-lifecycle',
      connectionId,
      status: 'running',
      finishedAt: null,
      progress: { done: 0, total: changes },
    });
    const finished = await waitForRun(admin, started.body.id);
    expect(finished).toMatchObject({ status: 'succeeded', progress: { done: changes, total: changes } });
    expect(finished.results).toHaveLength(changes);
    expect(finished.results.every((result) => result.status === 'done')).toBe(true);
    expect(finished.results[0]!.item).toBe(created.body.plan.changes[0].summary);
    expect(finished.summary).toMatch(new RegExp(`^applied ${changes} of ${changes} changes`));
    expect(finished.finishedAt).not.toBeNull();

    const portal = crm.hubspot!.portal(crm.hubspot!.defaultHubId);
    expect(portal.properties('companies').map((property) => property.name)).toContain('milepost_stage');
    const pipeline = portal.pipelines('tickets').find((candidate) => candidate.label.includes('SaaS'));
    expect(pipeline?.stages.length).toBeGreaterThanOrEqual(4);

    const again = await call('POST', `/api/plans/${created.body.id}/apply`, { confirm: true });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('applied already');
    const second = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
    expect(second.body.plan.changes).toEqual([]);
    expect(second.body.text).toContain('No changes');
    expect(await runs()).toHaveLength(1);
  }, 120_000);

  it('refuses a stale plan: the journey or the mapping changed since', async () => {
    const connectionId = await start('hubspot');
    const byJourney = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
    const revised = await call('PUT', '/api/journeys/saas-lifecycle', {
      source: template.replace(/^version: \d+/m, 'version: 2'),
    });
    expect(revised.body.revision).toBe(2);
    const staleJourney = await call('POST', `/api/plans/${byJourney.body.id}/apply`, { confirm: true });
    expect(staleJourney.status).toBe(409);
    expect(staleJourney.body.error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('stale'),
    });
    expect(staleJourney.body.error.message).toContain('revision 1 → 2');

    const byMapping = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
    await saveMapping(
      admin.context.database,
      'saas-lifecycle',
      connectionId,
      demoMappingSource('hubspot').replace('  nps: { field: nps_score }\n', ''),
      'admin@example.com',
    );
    const staleMapping = await call('POST', `/api/plans/${byMapping.body.id}/apply`, { confirm: true });
    expect(staleMapping.status).toBe(409);
    expect(staleMapping.body.error.message).toContain('field mapping changed');
    expect(await runs()).toHaveLength(0);
    expect(
      await admin.context.database.query('select id from plans where applied_run_id is not null'),
    ).toHaveLength(0);
  });

  it('answers bad input with 4xx and stores nothing', async () => {
    const connectionId = await start('hubspot');
    const notJson = await call('POST', '/api/journeys/saas-lifecycle/plans', 'nope', {
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    const missing = await call('POST', '/api/journeys/saas-lifecycle/plans', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.issues[0].path).toBe('connectionId');
    const extra = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId, force: true });
    expect(extra.status).toBe(400);
    const unknownConnection = await call('POST', '/api/journeys/saas-lifecycle/plans', {
      connectionId: 'nope',
    });
    expect(unknownConnection.status).toBe(404);
    const unknownJourney = await call('POST', '/api/journeys/nope/plans', { connectionId });
    expect(unknownJourney.status).toBe(404);
    expect((await call('GET', '/api/plans/nope')).status).toBe(404);
    expect((await call('POST', '/api/plans/nope/apply', { confirm: true })).status).toBe(404);
    expect(await admin.context.database.query('select * from plans')).toHaveLength(0);
    expect(await runs()).toHaveLength(0);
  });

  it('answers 401 without sign-in', async () => {
    const connectionId = await start('hubspot');
    const plan = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
    const stranger = admin.client();
    for (const [method, path, body] of [
      ['POST', '/api/journeys/saas-lifecycle/plans', { connectionId }],
      ['GET', `/api/plans/${plan.body.id}`, undefined],
      ['POST', `/api/plans/${plan.body.id}/apply`, { confirm: true }],
    ] as const) {
      const response = await stranger.request(method, path, body);
      admin.responses.push(response);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(await admin.context.database.query('select * from plans')).toHaveLength(1);
    expect(await runs()).toHaveLength(0);
  });

  it('applies on Salesforce: the custom object and fields are deployed, and a second plan is empty', async () => {
    const connectionId = await start('salesforce');
    const created = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
    expect(created.status).toBe(201);
    expect(created.body.plan.refusals).toEqual([]);
    const started = await call('POST', `/api/plans/${created.body.id}/apply`, { confirm: true });
    expect(started.status).toBe(202);
    const finished = await waitForRun(admin, started.body.id);
    expect(finished.status).toBe('succeeded');
    expect(finished.results).toHaveLength(created.body.plan.changes.length);
    const org = crm.salesforce!.org();
    expect(org.component('CustomObject', 'Success_Cycle__c')).toBeDefined();
    expect(org.visibleFields('Account').some((field) => field.startsWith('Milepost'))).toBe(true);
    const second = await call('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
    expect(second.body.plan.changes).toEqual([]);
  }, 120_000);
});
