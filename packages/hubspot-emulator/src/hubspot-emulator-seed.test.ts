import { afterEach, describe, expect, it } from 'vitest';
import { createHubSpotEmulator, type HubSpotEmulator } from './hubspot-emulator.js';
import { HUBSPOT_DEMO_SEED_FACTS } from './hubspot-emulator-seed.js';

describe('demo seed', () => {
  const emulators: HubSpotEmulator[] = [];
  afterEach(async () => {
    await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
  });
  const start = async (referenceDate = Date.UTC(2026, 10, 1)) => {
    const emulator = await createHubSpotEmulator({
      seed: 'demo',
      seedReferenceDate: referenceDate,
      rateLimits: false,
    });
    emulators.push(emulator);
    return emulator.portal(emulator.defaultHubId);
  };

  it('creates the customer_data group, its properties, 300 companies and 5 owners', async () => {
    const portal = await start();
    expect(portal.propertyGroups('companies').map((group) => group.name)).toContain('customer_data');
    const properties = portal.properties('companies');
    for (const expected of HUBSPOT_DEMO_SEED_FACTS.properties) {
      expect(properties.find((property) => property.name === expected.name)).toMatchObject({
        type: expected.type,
        fieldType: expected.fieldType,
        groupName: 'customer_data',
      });
    }
    expect(
      properties.find((property) => property.name === 'plan_tier')?.options.map((option) => option.value),
    ).toEqual(['trial', 'starter', 'professional', 'enterprise']);
    const companies = portal.objects('companies');
    expect(companies).toHaveLength(300);
    expect(new Set(companies.map((company) => company.properties.domain)).size).toBe(300);
    expect(companies.every((company) => company.properties.domain?.endsWith('.example'))).toBe(true);
    expect(portal.owners()).toHaveLength(5);
    expect(companies.filter((company) => company.properties.churned === 'true')).toHaveLength(
      HUBSPOT_DEMO_SEED_FACTS.segments.churned,
    );
    expect(companies.filter((company) => !company.properties.kickoff_date)).toHaveLength(
      HUBSPOT_DEMO_SEED_FACTS.segments.just_signed,
    );
    const owners = new Set(portal.owners().map((owner) => owner.id));
    expect(companies.every((company) => owners.has(company.properties.hubspot_owner_id as string))).toBe(
      true,
    );
  });

  it('is deterministic for the same reference date', async () => {
    const first = (await start()).objects('companies');
    const second = (await start()).objects('companies');
    expect(second).toEqual(first);
  });

  it('has property histories over past months', async () => {
    const portal = await start();
    const adopted = portal
      .objects('companies')
      .filter((company) => Number(company.properties.active_users) > 50);
    expect(adopted.length).toBeGreaterThan(50);
    const history = portal.history('companies', adopted[0]?.id as string, 'active_users');
    expect(history.length).toBeGreaterThan(3);
    const oldest = Date.parse(history[history.length - 1]?.timestamp as string);
    expect(Date.UTC(2026, 10, 1) - oldest).toBeGreaterThan(90 * 86_400_000);
  });
});
