import { readFileSync } from 'node:fs';
import { type Journey, type Mapping, MilepostError, parseJourneySources, readTemplate } from '@milepost/core';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { afterEach, describe, expect, test } from 'vitest';
import { createHubSpotAdapter, type HubSpotAdapterSettings } from './hubspot-adapter.js';
import { virtualClock } from './hubspot-test-clock.js';

const NOW = new Date('2026-11-22T12:00:00Z');

function demoJourneyAndMapping(): { journey: Journey; mapping: Mapping } {
  const loaded = parseJourneySources([
    { file: 'saas-lifecycle.yaml', text: readTemplate('saas-lifecycle') },
    {
      file: 'mapping.yaml',
      text: readFileSync(
        new URL('./__fixtures__/saas-lifecycle.hubspot.mapping.yaml', import.meta.url),
        'utf8',
      ),
    },
  ]);
  return { journey: loaded.journeys[0]!, mapping: loaded.mappings[0]! };
}

let emulator: HubSpotEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function demoPortal(settings: Partial<HubSpotAdapterSettings> = {}) {
  emulator = await createHubSpotEmulator({ rateLimits: false, seed: 'demo' });
  const clock = virtualClock();
  const adapter = createHubSpotAdapter({
    accessToken: emulator.defaultToken,
    baseUrl: emulator.url,
    env: {},
    clock,
    random: () => 0.5,
    ...settings,
  });
  return { emulator, adapter, clock, ...demoJourneyAndMapping() };
}

/** Every task key must appear once in the portal. */
function duplicateTaskKeys(current: HubSpotEmulator): Array<string | null | undefined> {
  const keys = current
    .portal(current.defaultHubId)
    .objects('tasks')
    .map((task) => task.properties.milepost_task_key);
  return keys.filter((key, index) => keys.indexOf(key) !== index);
}

describe('HubSpot scenarios against the emulator', () => {
  test('a 429 storm is waited out by policy, and the sync completes with nothing lost', async () => {
    const { emulator, adapter, journey, mapping, clock } = await demoPortal();
    await adapter.apply(journey, mapping, await adapter.plan(journey, mapping));
    emulator.faults.set({
      rateLimitStorm: { count: 4, policyName: 'TEN_SECONDLY_ROLLING', pathIncludes: '/batch/' },
    });
    const summary = await adapter.sync(journey, mapping, { now: NOW });
    expect(summary.errors).toEqual([]);
    expect(summary.changed).toBe(300);
    expect(clock.slept.filter((milliseconds) => milliseconds >= 9_000)).toHaveLength(4);
    expect(
      emulator
        .portal(emulator.defaultHubId)
        .objects('companies')
        .every((company) => company.properties.milepost_stage),
    ).toBe(true);
  });

  test('the DAILY limit stops the run at once with a clear error, never retried', async () => {
    const { emulator, adapter, journey, mapping } = await demoPortal();
    await adapter.apply(journey, mapping, await adapter.plan(journey, mapping));
    emulator.requests.clear();
    emulator.faults.set({ rateLimitStorm: { count: 100, policyName: 'DAILY' } });
    const error = await adapter.sync(journey, mapping, { now: NOW }).catch((caught: unknown) => caught);
    expect(MilepostError.isInstance(error) && error.code).toBe('DAILY_LIMIT_REACHED');
    expect((error as Error).message).toContain("HubSpot's daily API limit is spent");
    expect(emulator.requests.count()).toBe(1);
  });

  test('5xx answers and dropped connections are retried with backoff', async () => {
    const { emulator, adapter, journey, mapping, clock } = await demoPortal();
    await adapter.apply(journey, mapping, await adapter.plan(journey, mapping));
    emulator.faults.set({
      serverErrors: { count: 3, status: 502 },
      dropConnections: { count: 2, pathIncludes: '/batch/update' },
    });
    const summary = await adapter.sync(journey, mapping, { now: NOW });
    expect(summary.errors).toEqual([]);
    expect(summary.changed).toBe(300);
    expect(clock.slept.length).toBeGreaterThanOrEqual(5);
  });

  test('a 207 partial batch reports the failed records, and the next sync converges', async () => {
    const { emulator, adapter, journey, mapping } = await demoPortal();
    await adapter.apply(journey, mapping, await adapter.plan(journey, mapping));
    const companies = emulator.portal(emulator.defaultHubId).objects('companies');
    const failing = [companies[3]!.id, companies[150]!.id];
    emulator.faults.set({
      batchFailures: { ids: failing, status: 400, message: 'Property values were not valid' },
    });
    const first = await adapter.sync(journey, mapping, { now: NOW });
    expect(first.errors.filter((error) => failing.includes(error.record)).length).toBeGreaterThanOrEqual(2);
    expect(first.changed).toBe(298);
    emulator.faults.clear();
    const second = await adapter.sync(journey, mapping, { now: NOW });
    expect(second.errors).toEqual([]);
    expect(second.changed).toBe(2);
    expect((await adapter.sync(journey, mapping, { now: NOW })).writes).toBe(0);
    expect(duplicateTaskKeys(emulator)).toEqual([]);
  });

  test('a crash mid-apply, then a re-run converges to an empty plan', async () => {
    const { emulator, adapter, journey, mapping } = await demoPortal({ maxAttempts: 2 });
    emulator.faults.set({ crashAfterWrites: 4 });
    const plan = await adapter.plan(journey, mapping);
    const report = await adapter.apply(journey, mapping, plan);
    expect(report.failed.length).toBeGreaterThan(0);
    expect(report.applied.length).toBeLessThan(plan.changes.length);
    emulator.faults.clear();
    const rest = await adapter.plan(journey, mapping);
    expect(rest.changes.length).toBeLessThan(plan.changes.length);
    expect((await adapter.apply(journey, mapping, rest)).failed).toEqual([]);
    expect((await adapter.plan(journey, mapping)).changes).toEqual([]);
  });

  test('a crash mid-sync, then a re-run converges: every record in step, no task twice', async () => {
    const { emulator, adapter, journey, mapping } = await demoPortal({ maxAttempts: 2 });
    await adapter.apply(journey, mapping, await adapter.plan(journey, mapping));
    emulator.faults.set({ crashAfterWrites: 7 });
    await expect(adapter.sync(journey, mapping, { now: NOW })).rejects.toMatchObject({
      code: 'VENDOR_UNAVAILABLE',
    });
    emulator.faults.clear();
    const rerun = await adapter.sync(journey, mapping, { now: NOW });
    expect(rerun.errors).toEqual([]);
    const companies = emulator.portal(emulator.defaultHubId).objects('companies');
    expect(companies.every((company) => company.properties.milepost_stage)).toBe(true);
    expect(duplicateTaskKeys(emulator)).toEqual([]);
    expect((await adapter.sync(journey, mapping, { now: NOW })).writes).toBe(0);
  });

  test('a token without the schema scopes: preflight says which, plan stops with what to do, nothing is written', async () => {
    const { emulator, journey, mapping } = await demoPortal();
    const token = emulator.createToken(emulator.defaultHubId, {
      scopes: ['crm.objects.companies.read', 'crm.objects.companies.write', 'tickets', 'oauth'],
    });
    const adapter = createHubSpotAdapter({ accessToken: token, baseUrl: emulator.url, env: {} });
    const preflight = await adapter.preflight();
    expect(preflight.ok).toBe(false);
    expect(preflight.checks.find((check) => check.name === 'scopes for companies')).toMatchObject({
      ok: false,
      detail: 'missing crm.schemas.companies.write',
    });
    emulator.requests.clear();
    const error = await adapter.plan(journey, mapping).catch((caught: unknown) => caught);
    expect(MilepostError.isInstance(error) && error.code).toBe('PERMISSION_DENIED');
    expect((error as Error).message).toMatch(
      /the token lacks a scope for GET .*; grant the scope and reinstall/,
    );
    expect(
      emulator.requests.entries.filter(
        (entry) => entry.method !== 'GET' && !entry.path.includes('token-info'),
      ),
    ).toEqual([]);
  });

  test('tiers: a free portal has no workflows or custom objects; an enterprise portal has both', async () => {
    emulator = await createHubSpotEmulator({
      rateLimits: false,
      portals: [
        { hubId: 2001, tier: 'free' },
        { hubId: 2002, tier: 'enterprise' },
      ],
    });
    const free = createHubSpotAdapter({
      accessToken: emulator.portal(2001).token,
      baseUrl: emulator.url,
      env: {},
    });
    const enterprise = createHubSpotAdapter({
      accessToken: emulator.portal(2002).token,
      baseUrl: emulator.url,
      env: {},
    });
    expect((await free.hubSpotPreflight()).capabilities).toMatchObject({
      workflows: false,
      customObjects: false,
    });
    expect((await enterprise.hubSpotPreflight()).capabilities).toMatchObject({
      workflows: true,
      customObjects: true,
    });
    const { journey } = demoJourneyAndMapping();
    const freePlan = await free.plan(journey);
    expect(freePlan.notes).toEqual([
      'no room for another tickets pipeline on this portal: cycle records are left out; the journey state lives on each company',
    ]);
    expect(freePlan.changes.some((change) => change.resource.kind === 'pipeline')).toBe(false);
    for (const adapter of [free, enterprise]) {
      const report = await adapter.apply(journey, undefined, await adapter.plan(journey));
      expect(report.failed).toEqual([]);
      expect((await adapter.plan(journey)).changes).toEqual([]);
    }
    emulator.portal(2001).createObject('companies', { name: 'Free Co' });
    const summary = await free.sync(journey, undefined, { now: NOW });
    expect(summary).toMatchObject({ records: 1, changed: 1, errors: [] });
  });

  test('10,000 companies: reads and writes at the batch minimum, a second sync reads only', async () => {
    // A budget far above HubSpot's, announced in the rate-limit headers the adapter follows: the
    // test is about call counts, the benchmark about pacing.
    emulator = await createHubSpotEmulator({
      rateLimits: false,
      limits: { privateTenSecondly: { professional: 1_000_000 } },
    });
    const portal = emulator.portal(emulator.defaultHubId);
    const journey = demoJourneyAndMapping().journey;
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
    });
    await adapter.apply(journey, undefined, await adapter.plan(journey));
    portal.loadObjects(
      'companies',
      Array.from({ length: 10_000 }, (_, index) => ({
        name: `Company ${index}`,
        contract_signed_date: '2026-10-01',
        plan: index % 2 ? 'pro' : 'starter',
      })),
    );
    emulator.requests.clear();
    const first = await adapter.sync(journey, undefined, { now: NOW });
    expect(first).toMatchObject({ records: 10_000, changed: 10_000, errors: [] });
    // Company reads and writes at exactly ⌈N/100⌉ each; cycle records and tasks in batches of 100 too.
    const calls = emulator.requests.countByEndpoint();
    expect(calls).toEqual({
      // Which stages' tasks an enabled Milepost workflow creates (none: they are created disabled).
      'GET /automation/v4/flows': 1,
      'POST /automation/v4/flows/batch/read': 1,
      'GET /crm/pipelines/2026-09/tickets': 1,
      'GET /crm/objects/2026-09/companies': 100,
      'POST /crm/objects/2026-09/tickets/batch/upsert': 100,
      'POST /crm/associations/2026-09/tickets/companies/batch/associate/default': 100,
      // 18 onboarding tasks per company, looked up and created 100 at a time.
      'POST /crm/objects/2026-09/tasks/batch/read': 1_800,
      'POST /crm/objects/2026-09/tasks/batch/create': 1_800,
      'POST /crm/objects/2026-09/companies/batch/update': 100,
    });
    const second = await adapter.sync(journey, undefined, { now: NOW });
    expect(second).toMatchObject({ records: 10_000, changed: 0, writes: 0, apiCalls: 103 });
  }, 120_000);
});

describe('incremental sync', () => {
  test('companies modified since a date are read by search, with windows split past the 10,000-result cap', async () => {
    emulator = await createHubSpotEmulator({
      rateLimits: false,
      limits: { privateTenSecondly: { professional: 1_000_000 } },
    });
    const portal = emulator.portal(emulator.defaultHubId);
    const journey = demoJourneyAndMapping().journey;
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
      limits: { tenSecondly: 1_000_000, searchPerSecond: 1_000 },
    });
    await adapter.apply(journey, undefined, await adapter.plan(journey));
    portal.loadObjects(
      'companies',
      Array.from({ length: 10_250 }, (_, index) => ({ name: `Company ${index}` })),
    );
    emulator.requests.clear();
    const summary = await adapter.sync(journey, undefined, {
      now: NOW,
      since: new Date('2020-01-01T00:00:00Z'),
    });
    expect(summary).toMatchObject({ records: 10_250, changed: 10_250, errors: [] });
    const searches = emulator.requests.entries.filter((entry) => entry.path.endsWith('/companies/search'));
    expect(searches.every((entry) => entry.status === 200)).toBe(true);
    expect(searches.length).toBeGreaterThanOrEqual(52);
    expect(new Set(portal.objects('companies').map((company) => company.properties.milepost_stage))).toEqual(
      new Set(['prospecting']),
    );
  }, 120_000);
});

describe('cycle host object', () => {
  test('deals instead of tickets: a deal pipeline with probabilities, cycle deals associated with their company', async () => {
    emulator = await createHubSpotEmulator({ rateLimits: false, seed: 'demo' });
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
    });
    const { journey, mapping } = demoJourneyAndMapping();
    const onDeals = { ...mapping, cycleObject: 'deals' };
    const report = await adapter.apply(journey, onDeals, await adapter.plan(journey, onDeals));
    expect(report.failed).toEqual([]);
    const portal = emulator.portal(emulator.defaultHubId);
    const pipeline = portal
      .pipelines('deals')
      .find((candidate) => candidate.id === 'milepost-saas-lifecycle');
    expect(pipeline?.stages.map((stage) => [stage.label, stage.metadata.probability])).toEqual([
      ['Prospecting', '0.2'],
      ['Purchase', '0.4'],
      ['Onboarding', '0.6'],
      ['Customer Success', '0.8'],
    ]);
    const summary = await adapter.sync(journey, onDeals, { now: NOW });
    expect(summary.errors).toEqual([]);
    const company = portal.objects('companies')[0]!;
    const [deal] = portal.associations('companies', company.id, 'deals');
    expect(portal.object('deals', String(deal!.toObjectId))?.properties.dealstage).toBe(
      `milepost-saas-lifecycle-${company.properties.milepost_stage}`,
    );
    expect((await adapter.plan(journey, onDeals)).changes).toEqual([]);
  });
});
