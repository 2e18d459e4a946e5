import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { conformanceJourney } from '@milepost/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { createHubSpotAdapter } from './hubspot-adapter.js';
import { hubSpotCrmField } from './hubspot-fields.js';

let emulator: HubSpotEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const property = (overrides: Record<string, unknown>) => ({
  name: 'p',
  label: 'P',
  type: 'string',
  fieldType: 'text',
  groupName: 'companyinformation',
  ...overrides,
});

describe('hubSpotCrmField', () => {
  test('maps HubSpot types and field types to CrmField types', () => {
    const typeOf = (overrides: Record<string, unknown>) =>
      hubSpotCrmField('companies', property(overrides)).type;
    expect(typeOf({ type: 'number', fieldType: 'number' })).toBe('number');
    expect(typeOf({ type: 'number', fieldType: 'number', showCurrencySymbol: true })).toBe('currency');
    expect(typeOf({ type: 'number', fieldType: 'number', numberDisplayHint: 'currency' })).toBe('currency');
    expect(typeOf({ type: 'number', fieldType: 'currency' })).toBe('currency');
    expect(typeOf({ type: 'date', fieldType: 'date' })).toBe('date');
    expect(typeOf({ type: 'datetime', fieldType: 'date' })).toBe('datetime');
    expect(typeOf({ type: 'bool', fieldType: 'booleancheckbox' })).toBe('boolean');
    expect(typeOf({ type: 'enumeration', fieldType: 'booleancheckbox' })).toBe('boolean');
    expect(typeOf({ type: 'phone_number', fieldType: 'phonenumber' })).toBe('string');
    expect(
      hubSpotCrmField(
        'companies',
        property({
          type: 'enumeration',
          fieldType: 'select',
          options: [{ label: 'Pro', value: 'pro', displayOrder: 0, hidden: false }],
        }),
      ),
    ).toEqual({
      object: 'companies',
      name: 'p',
      label: 'P',
      type: 'enum',
      options: [{ value: 'pro', label: 'Pro' }],
      managed: false,
    });
  });

  test("Milepost's properties are managed: in its group, or carrying its marker", () => {
    expect(hubSpotCrmField('companies', property({ groupName: 'milepost' })).managed).toBe(true);
    expect(
      hubSpotCrmField('companies', property({ description: 'Stage. [managed by Milepost]' })).managed,
    ).toBe(true);
    expect(
      hubSpotCrmField('companies', property({ groupName: 'milepost', hubspotDefined: true })).managed,
    ).toBe(false);
  });
});

describe('describeFields against the emulator', () => {
  test('lists the company and ticket properties with their types, options and who manages them', async () => {
    emulator = await createHubSpotEmulator({ rateLimits: false });
    const portal = emulator.portal(emulator.defaultHubId);
    const response = await fetch(`${emulator.url}/crm/v3/properties/companies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.defaultToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'contract_value',
        label: 'Contract value',
        type: 'number',
        fieldType: 'number',
        groupName: 'companyinformation',
        showCurrencySymbol: true,
      }),
    });
    expect(response.status).toBe(201);
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
    });
    const journey = conformanceJourney();
    expect((await adapter.apply(journey, undefined, await adapter.plan(journey))).failed).toEqual([]);

    const before = adapter.apiCalls();
    const fields = await adapter.describeFields();
    // One properties call per object: companies and the default cycle host, tickets.
    expect(adapter.apiCalls() - before).toBe(2);
    expect(new Set(fields.map((field) => field.object))).toEqual(new Set(['companies', 'tickets']));
    const byName = (object: string, name: string) =>
      fields.find((field) => field.object === object && field.name === name);
    expect(byName('companies', 'contract_value')).toEqual({
      object: 'companies',
      name: 'contract_value',
      label: 'Contract value',
      type: 'currency',
      managed: false,
    });
    expect(byName('companies', 'milepost_stage')).toEqual({
      object: 'companies',
      name: 'milepost_stage',
      label: 'Journey stage',
      type: 'enum',
      options: [
        { value: 'onboarding', label: 'Onboarding' },
        { value: 'adoption', label: 'Adoption' },
        { value: 'advocacy', label: 'Advocacy' },
      ],
      managed: true,
    });
    expect(byName('companies', 'milepost_stage_entered_at')?.type).toBe('datetime');
    expect(byName('companies', 'milepost_ms_kickoff_held')).toMatchObject({ type: 'date', managed: true });
    expect(byName('companies', 'name')).toMatchObject({ type: 'string', managed: false });
    expect(byName('tickets', 'milepost_cycle_id')).toMatchObject({ type: 'string', managed: true });
    expect(byName('tickets', 'subject')).toMatchObject({ managed: false });
    expect(fields.length).toBe(
      portal.properties('companies').filter((entry) => !entry.archived).length +
        portal.properties('tickets').filter((entry) => !entry.archived).length,
    );
  });

  test("the mapping's object and cycle object are the ones described", async () => {
    emulator = await createHubSpotEmulator({ rateLimits: false });
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
    });
    const fields = await adapter.describeFields({
      apiVersion: 'milepost/v1',
      kind: 'Mapping',
      journey: 'conformance',
      target: 'hubspot',
      object: 'companies',
      cycleObject: 'deals',
      facts: {},
      outputs: {},
    });
    expect(new Set(fields.map((field) => field.object))).toEqual(new Set(['companies', 'deals']));
    expect(fields.find((field) => field.object === 'deals' && field.name === 'amount')?.type).toBe(
      'currency',
    );
  });
});
