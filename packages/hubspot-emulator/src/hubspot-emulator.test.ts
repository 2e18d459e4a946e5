import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHubSpotEmulator,
  type HubSpotEmulator,
  runHubSpotEmulatorStandalone,
} from './hubspot-emulator.js';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

describe('hubspot emulator server', () => {
  let fixture: EmulatorFixture;
  afterEach(async () => {
    await fixture?.emulator.close();
  });

  it('starts one Professional portal with every scope and a default token', async () => {
    fixture = await startEmulator();
    const { emulator } = fixture;
    expect(emulator.defaultHubId).toBe(1000001);
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.portal(1000001).tier).toBe('professional');
    const details = await fixture.call('GET', '/account-info/v3/details');
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ portalId: 1000001 });
  });

  it('answers 401 INVALID_AUTHENTICATION for an unknown or missing token', async () => {
    fixture = await startEmulator();
    const failure = await apiError(fixture.clientFor('pat-na1-wrong').crm.companies.basicApi.getPage());
    expect(failure.code).toBe(401);
    expect(failure.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    expect(failure.body.message).toMatch(/^Authentication credentials not found/);
    const raw = await fetch(`${fixture.emulator.url}/crm/v3/objects/companies`);
    expect(raw.status).toBe(401);
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers 403 MISSING_SCOPES listing the scopes that would do', async () => {
    fixture = await startEmulator();
    const token = fixture.emulator.createToken(1000001, { scopes: ['crm.objects.deals.read'] });
    const failure = await apiError(fixture.clientFor(token).crm.companies.basicApi.getPage());
    expect(failure.code).toBe(403);
    expect(failure.body.category).toBe('MISSING_SCOPES');
    expect(failure.body.errors).toEqual([
      {
        message: 'One or more of the following scopes are required.',
        context: { requiredGranularScopes: ['crm.objects.companies.read'] },
      },
    ]);
  });

  it('refuses tier-gated APIs on lower tiers (custom objects need Enterprise, workflows Professional)', async () => {
    fixture = await startEmulator({ portals: [{ hubId: 42, tier: 'starter' }] });
    const schemas = await apiError(fixture.client.crm.schemas.coreApi.getAll());
    expect(schemas.code).toBe(403);
    expect(schemas.body.subCategory).toBe('PRODUCT_TIER_REQUIRED');
    const flows = await fixture.call('GET', '/automation/v4/flows');
    expect(flows.status).toBe(403);
  });

  it('serves legacy and date-versioned paths for the same resources', async () => {
    fixture = await startEmulator();
    const legacy = await fixture.call('POST', '/crm/v3/objects/companies', {
      properties: { name: 'Legacy Co' },
    });
    const dated = await fixture.call(
      'GET',
      `/crm/objects/2026-09/companies/${(legacy.body as { id: string }).id}?properties=name`,
    );
    expect(dated.status).toBe(200);
    expect(dated.body).toMatchObject({ properties: { name: 'Legacy Co' } });
    expect((await fixture.call('GET', '/crm/properties/2026-03/companies/name')).status).toBe(200);
    expect((await fixture.call('GET', '/crm/pipelines/2025-09/deals')).status).toBe(200);
    expect((await fixture.call('GET', '/crm/objects/2019-01/companies')).status).toBe(404);
  });

  it('answers JSON 404 for unknown routes and 405 for a wrong method', async () => {
    fixture = await startEmulator();
    const missing = await fixture.call('GET', '/crm/v3/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 'error' });
    expect((await fixture.call('PUT', '/crm/v3/objects/companies')).status).toBe(405);
  });

  it('rejects invalid JSON with a 400', async () => {
    fixture = await startEmulator();
    const response = await fetch(`${fixture.emulator.url}/crm/v3/objects/companies`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${fixture.emulator.defaultToken}`,
        'Content-Type': 'application/json',
      },
      body: '{"properties":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ category: 'VALIDATION_ERROR' });
  });

  it('logs every API request with counts per endpoint, and not control requests', async () => {
    fixture = await startEmulator();
    const { client, emulator } = fixture;
    const created = await client.crm.companies.basicApi.create({
      properties: { name: 'A' },
      associations: [],
    });
    await client.crm.companies.basicApi.getById(created.id);
    await client.crm.companies.basicApi.getById(created.id);
    await fetch(`${emulator.url}/__emulator/health`);
    expect(emulator.requests.count()).toBe(3);
    expect(emulator.requests.count({ method: 'GET' })).toBe(2);
    expect(emulator.requests.count({ hubId: 1000001, status: 200 })).toBe(2);
    expect(emulator.requests.countByEndpoint()).toEqual({
      'POST /crm/v3/objects/companies': 1,
      'GET /crm/v3/objects/companies/{objectId}': 2,
    });
    const entry = emulator.requests.entries[0];
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/crm/v3/objects/companies',
      status: 201,
      hubId: 1000001,
    });
    const viaControl = (await (await fetch(`${emulator.url}/__emulator/requests`)).json()) as {
      total: number;
    };
    expect(viaControl.total).toBe(3);
    emulator.requests.clear();
    expect(emulator.requests.count()).toBe(0);
  });

  it('keeps portals apart: data, tokens and tiers', async () => {
    fixture = await startEmulator({
      portals: [
        { hubId: 1, tier: 'free', tokens: ['token-one'] },
        { hubId: 2, tier: 'enterprise', tokens: ['token-two'] },
      ],
    });
    await fixture
      .clientFor('token-one')
      .crm.companies.basicApi.create({ properties: { name: 'Only in one' }, associations: [] });
    expect(fixture.emulator.portal(1).objects('companies')).toHaveLength(1);
    expect(fixture.emulator.portal(2).objects('companies')).toHaveLength(0);
    const page = await fixture.clientFor('token-two').crm.companies.basicApi.getPage();
    expect(page.results).toHaveLength(0);
    expect(fixture.emulator.defaultToken).toBe('token-one');
    expect(fixture.emulator.portal(2).tier).toBe('enterprise');
  });

  it('creates tokens through the control API', async () => {
    fixture = await startEmulator();
    const response = await fetch(`${fixture.emulator.url}/__emulator/tokens`, {
      method: 'POST',
      body: JSON.stringify({ hubId: 1000001, scopes: ['crm.objects.companies.read'] }),
    });
    const { token } = (await response.json()) as { token: string };
    expect(token).toMatch(/^pat-na1-/);
    expect((await fixture.call('GET', '/crm/v3/objects/companies', undefined, token)).status).toBe(200);
    expect((await fixture.call('GET', '/crm/v3/objects/deals', undefined, token)).status).toBe(403);
  });
});

describe('standalone and data file', () => {
  let emulator: HubSpotEmulator | undefined;
  let directory: string | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('prints the base URL and a fixed token', async () => {
    const lines: string[] = [];
    emulator = await runHubSpotEmulatorStandalone({
      seed: 'empty',
      token: 'demo-token',
      log: (line) => lines.push(line),
    });
    expect(lines).toContain(`HUBSPOT_BASE_URL=${emulator.url}`);
    expect(lines).toContain('HUBSPOT_ACCESS_TOKEN=demo-token');
    const response = await fetch(`${emulator.url}/crm/v3/owners`, {
      headers: { Authorization: 'Bearer demo-token' },
    });
    expect(response.status).toBe(200);
  });

  it('saves state to the data file on close and loads it on the next start', async () => {
    directory = await mkdtemp(join(tmpdir(), 'hubspot-emulator-'));
    const dataFile = join(directory, 'state.json');
    emulator = await createHubSpotEmulator({ dataFile, rateLimits: false });
    const first = emulator;
    const created = await fetch(`${first.url}/crm/v3/objects/companies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.defaultToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ properties: { name: 'Survivor Inc' } }),
    });
    const { id } = (await created.json()) as { id: string };
    await first.close();
    expect(JSON.parse(await readFile(dataFile, 'utf8')).format).toBe('milepost-hubspot-emulator/1');
    emulator = await createHubSpotEmulator({ dataFile, rateLimits: false });
    expect(emulator.portal(1000001).object('companies', id)?.properties.name).toBe('Survivor Inc');
    const next = await fetch(`${emulator.url}/crm/v3/objects/companies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${emulator.defaultToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ properties: { name: 'Second' } }),
    });
    expect(Number(((await next.json()) as { id: string }).id)).toBeGreaterThan(Number(id));
  });
});
