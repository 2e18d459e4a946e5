import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

describe('owners, limits, account', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator({ seed: 'demo' });
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it('lists owners, filters by email, reads by id and by userId', async () => {
    const owners = await fixture.client.crm.owners.ownersApi.getPage();
    expect(owners.results).toHaveLength(5);
    const maya = await fixture.client.crm.owners.ownersApi.getPage('maya.lindqvist@milepost-demo.example');
    expect(maya.results.map((owner) => owner.id)).toEqual(['75000001']);
    const byId = await fixture.client.crm.owners.ownersApi.getById(75000002);
    expect(byId).toMatchObject({ firstName: 'Tomás', lastName: 'Herrera' });
    const byUser = await fixture.client.crm.owners.ownersApi.getById(9000001, 'userId');
    expect(byUser.id).toBe('75000001');
    expect((await apiError(fixture.client.crm.owners.ownersApi.getById(1))).code).toBe(404);
  });

  it('reports custom property, pipeline, custom object and record limits', async () => {
    const properties = await fixture.call('GET', '/crm/limits/2026-09/custom-properties');
    const companies = (
      properties.body as { byObjectType: { objectTypeId: string; usage: number }[] }
    ).byObjectType.find((entry) => entry.objectTypeId === '0-2');
    expect(companies?.usage).toBe(12);
    const pipelines = await fixture.call('GET', '/crm/v3/limits/pipelines');
    expect(
      (
        pipelines.body as {
          hubspotDefinedObjectTypes: { objectTypeId: string; limit: number; usage: number }[];
        }
      ).hubspotDefinedObjectTypes,
    ).toEqual(
      expect.arrayContaining([expect.objectContaining({ objectTypeId: '0-3', limit: 15, usage: 1 })]),
    );
    const types = await fixture.call('GET', '/crm/v3/limits/custom-object-types');
    expect(types.body).toMatchObject({ limit: 0, usage: 0 });
    const records = await fixture.call('GET', '/crm/v3/limits/records');
    expect(records.status).toBe(200);
  });
});
