import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

describe('fault injection', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator();
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it('answers a 429 storm for the next N matching requests', async () => {
    fixture.emulator.faults.set({ rateLimitStorm: { count: 2, pathIncludes: '/companies' } });
    const first = await apiError(fixture.client.crm.companies.basicApi.getPage());
    expect(first).toMatchObject({ code: 429, body: { policyName: 'TEN_SECONDLY_ROLLING' } });
    expect((await fixture.call('GET', '/crm/v3/objects/deals')).status).toBe(200);
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(429);
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(200);
    expect(fixture.emulator.requests.count({ status: 429 })).toBe(2);
  });

  it('answers 5xx, and the client retries them when asked to', async () => {
    fixture.emulator.faults.set({ serverErrors: { count: 2, status: 503 } });
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(503);
    fixture.emulator.faults.set({ serverErrors: { count: 1, status: 502 } });
    const { Client } = await import('@hubspot/api-client');
    const retrying = new Client({
      accessToken: fixture.emulator.defaultToken,
      basePath: fixture.emulator.url,
      numberOfApiCallRetries: 2,
    });
    const page = await retrying.crm.deals.basicApi.getPage();
    expect(page.results).toEqual([]);
    expect(fixture.emulator.requests.count({ path: '/crm/v3/objects/deals' })).toBe(2);
  });

  it('adds latency and drops connections', async () => {
    // Latency is applied but not timed here: unit tests carry no timing assertions.
    fixture.emulator.faults.set({ latency: { milliseconds: 5 } });
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(200);
    expect(fixture.emulator.faults.get().latency).toEqual({ milliseconds: 5 });
    fixture.emulator.faults.set({ dropConnections: { count: 1 } });
    await expect(
      fetch(`${fixture.emulator.url}/crm/v3/objects/companies`, {
        headers: { Authorization: `Bearer ${fixture.emulator.defaultToken}` },
      }),
    ).rejects.toThrow();
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(200);
  });

  it('fails chosen records of a batch with 207 per-input errors', async () => {
    fixture.emulator.faults.set({ batchFailures: { inputIndexes: [1] } });
    const created = await fixture.client.crm.companies.batchApi.create({
      inputs: ['A', 'B', 'C'].map((name) => ({ properties: { name }, associations: [] })),
    });
    expect(created.results.map((company) => company.properties.name).sort()).toEqual(['A', 'C']);
    expect((created as { numErrors?: number }).numErrors).toBe(1);
    const ids = created.results.map((company) => company.id);
    fixture.emulator.faults.set({ batchFailures: { ids: [ids[0] as string], message: 'boom' } });
    const updated = await fixture.client.crm.companies.batchApi.update({
      inputs: ids.map((id) => ({ id, properties: { domain: 'x.example' } })),
    });
    expect(updated.results.map((company) => company.id)).toEqual([ids[1]]);
    expect((updated as { errors?: { message: string }[] }).errors?.[0]?.message).toBe('boom');
  });

  it('crashes after N writes until the faults are cleared (also through the control API)', async () => {
    await fetch(`${fixture.emulator.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ crashAfterWrites: 2 }),
    });
    await fixture.client.crm.companies.basicApi.create({ properties: { name: 'one' }, associations: [] });
    await fixture.client.crm.companies.basicApi.create({ properties: { name: 'two' }, associations: [] });
    expect(fixture.emulator.faults.crashed).toBe(true);
    await expect(fixture.client.crm.companies.basicApi.getPage()).rejects.toThrow();
    expect(fixture.emulator.portal(1000001).objects('companies')).toHaveLength(2);
    await fetch(`${fixture.emulator.url}/__emulator/faults`, { method: 'DELETE' });
    expect((await fixture.client.crm.companies.basicApi.getPage()).results).toHaveLength(2);
  });
});
