import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

describe('properties and property groups', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator();
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  const group = { name: 'cs_journey', label: 'CS journey', displayOrder: 1 };
  const stageProperty = {
    name: 'cs_journey_stage',
    label: 'CS journey stage',
    type: 'enumeration' as never,
    fieldType: 'select' as never,
    groupName: 'cs_journey',
    options: [
      { label: 'Onboarding', value: 'onboarding', hidden: false, displayOrder: 0 },
      { label: 'Adoption', value: 'adoption', hidden: false, displayOrder: 1 },
    ],
  };

  it('lists the HubSpot-defined default properties of companies, deals, tickets and tasks', async () => {
    const { client } = fixture;
    const companies = await client.crm.properties.coreApi.getAll('companies');
    const names = companies.results.map((property) => property.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'name',
        'domain',
        'industry',
        'annualrevenue',
        'hubspot_owner_id',
        'createdate',
      ]),
    );
    expect(companies.results.find((property) => property.name === 'name')).toMatchObject({
      hubspotDefined: true,
      type: 'string',
      fieldType: 'text',
    });
    const deals = (await client.crm.properties.coreApi.getAll('deals')).results.map(
      (property) => property.name,
    );
    expect(deals).toEqual(
      expect.arrayContaining(['dealname', 'dealstage', 'pipeline', 'amount', 'hs_date_entered_closedwon']),
    );
    const tickets = (await client.crm.properties.coreApi.getAll('0-5')).results.map(
      (property) => property.name,
    );
    expect(tickets).toEqual(expect.arrayContaining(['subject', 'hs_pipeline', 'hs_pipeline_stage']));
    const tasks = (await client.crm.properties.coreApi.getAll('tasks')).results.map(
      (property) => property.name,
    );
    expect(tasks).toEqual(
      expect.arrayContaining([
        'hs_timestamp',
        'hs_task_subject',
        'hs_task_status',
        'hs_task_priority',
        'hs_task_type',
      ]),
    );
  });

  it('creates a group and an enumeration property (201), reads, updates and archives it', async () => {
    const { client } = fixture;
    const createdGroup = await client.crm.properties.groupsApi.create('companies', group);
    expect(createdGroup).toMatchObject({ name: 'cs_journey', label: 'CS journey', archived: false });
    const created = await client.crm.properties.coreApi.create('companies', stageProperty);
    expect(created).toMatchObject({
      name: 'cs_journey_stage',
      type: 'enumeration',
      fieldType: 'select',
      hubspotDefined: false,
    });
    expect(created.options.map((option) => option.value)).toEqual(['onboarding', 'adoption']);
    const read = await client.crm.properties.coreApi.getByName('companies', 'cs_journey_stage');
    expect(read.label).toBe('CS journey stage');
    const updated = await client.crm.properties.coreApi.update('companies', 'cs_journey_stage', {
      label: 'Journey stage',
      options: [{ label: 'Renewal', value: 'renewal', hidden: false, displayOrder: 0 }],
    });
    expect(updated.label).toBe('Journey stage');
    expect(updated.options.map((option) => option.value)).toEqual(['renewal']);
    await client.crm.properties.coreApi.archive('companies', 'cs_journey_stage');
    const missing = await apiError(client.crm.properties.coreApi.getByName('companies', 'cs_journey_stage'));
    expect(missing.code).toBe(404);
    const archived = await client.crm.properties.coreApi.getAll('companies', true);
    expect(archived.results.map((property) => property.name)).toContain('cs_journey_stage');
  });

  it('answers 409 OBJECT_ALREADY_EXISTS for a duplicate name', async () => {
    const { client } = fixture;
    await client.crm.properties.groupsApi.create('companies', group);
    await client.crm.properties.coreApi.create('companies', stageProperty);
    const duplicate = await apiError(client.crm.properties.coreApi.create('companies', stageProperty));
    expect(duplicate.code).toBe(409);
    expect(duplicate.body).toMatchObject({
      category: 'OBJECT_ALREADY_EXISTS',
      message: "Property named 'cs_journey_stage' already exists.",
    });
    const duplicateGroup = await apiError(client.crm.properties.groupsApi.create('companies', group));
    expect(duplicateGroup.code).toBe(409);
  });

  it('enforces type/fieldType combinations, required fields, names and existing groups', async () => {
    const { client } = fixture;
    const combination = await apiError(
      client.crm.properties.coreApi.create('companies', {
        name: 'seats',
        label: 'Seats',
        type: 'number' as never,
        fieldType: 'select' as never,
        groupName: 'companyinformation',
      }),
    );
    expect(combination.code).toBe(400);
    expect(combination.body).toMatchObject({ category: 'VALIDATION_ERROR' });
    expect(combination.body.message).toMatch(/fieldType|field type/i);
    const badType = await fixture.call('POST', '/crm/v3/properties/companies', {
      name: 'x1',
      label: 'X',
      type: 'money',
      fieldType: 'number',
      groupName: 'companyinformation',
    });
    expect(badType.status).toBe(400);
    const missing = await fixture.call('POST', '/crm/v3/properties/companies', {
      name: 'x2',
      label: 'X',
      fieldType: 'text',
      groupName: 'companyinformation',
    });
    expect(missing.status).toBe(400);
    expect((missing.body as { message: string }).message).toBe('Some required fields were not set: [type]');
    const badName = await fixture.call('POST', '/crm/v3/properties/companies', {
      name: 'Bad Name',
      label: 'X',
      type: 'string',
      fieldType: 'text',
      groupName: 'companyinformation',
    });
    expect(badName.status).toBe(400);
    const noGroup = await fixture.call('POST', '/crm/v3/properties/companies', {
      name: 'x3',
      label: 'X',
      type: 'string',
      fieldType: 'text',
      groupName: 'nope',
    });
    expect(noGroup.status).toBe(400);
  });

  it('refuses to archive a HubSpot-defined property', async () => {
    const failure = await apiError(fixture.client.crm.properties.coreApi.archive('companies', 'name'));
    expect(failure.code).toBe(400);
  });

  it('fills bool options and validates option lists', async () => {
    const created = await fixture.client.crm.properties.coreApi.create('companies', {
      name: 'is_pilot',
      label: 'Pilot',
      type: 'bool' as never,
      fieldType: 'booleancheckbox' as never,
      groupName: 'companyinformation',
    });
    expect(created.options.map((option) => option.value)).toEqual(['true', 'false']);
    const duplicateOptions = await fixture.call('POST', '/crm/v3/properties/companies', {
      ...stageProperty,
      groupName: 'companyinformation',
      options: [
        { label: 'A', value: 'a', hidden: false },
        { label: 'B', value: 'a', hidden: false },
      ],
    });
    expect(duplicateOptions.status).toBe(400);
  });

  it('batch-creates (201, or 207 with per-input errors), batch-reads and batch-archives', async () => {
    const { client } = fixture;
    const inputs = [
      {
        name: 'p_one',
        label: 'One',
        type: 'string' as never,
        fieldType: 'text' as never,
        groupName: 'companyinformation',
      },
      {
        name: 'p_two',
        label: 'Two',
        type: 'number' as never,
        fieldType: 'number' as never,
        groupName: 'companyinformation',
      },
    ];
    const created = await client.crm.properties.batchApi.create('companies', { inputs });
    expect(created.results).toHaveLength(2);
    expect('errors' in created ? created.errors : undefined).toBeUndefined();
    const partial = await client.crm.properties.batchApi.create('companies', {
      inputs: [
        inputs[0] as never,
        {
          name: 'p_three',
          label: 'Three',
          type: 'string' as never,
          fieldType: 'text' as never,
          groupName: 'companyinformation',
        },
      ],
    });
    expect(partial.results.map((property) => property.name)).toEqual(['p_three']);
    expect((partial as { numErrors?: number }).numErrors).toBe(1);
    const read = await client.crm.properties.batchApi.read('companies', {
      inputs: [{ name: 'p_one' }, { name: 'p_two' }],
      archived: false,
    });
    expect(read.results.map((property) => property.name).sort()).toEqual(['p_one', 'p_two']);
    await client.crm.properties.batchApi.archive('companies', {
      inputs: [{ name: 'p_one' }, { name: 'p_two' }],
    });
    expect((await apiError(client.crm.properties.coreApi.getByName('companies', 'p_one'))).code).toBe(404);
  });

  it('lists, updates and deletes property groups; a group holding properties cannot be deleted', async () => {
    const { client } = fixture;
    await client.crm.properties.groupsApi.create('deals', group);
    const groups = await client.crm.properties.groupsApi.getAll('deals');
    expect(groups.results.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['dealinformation', 'cs_journey']),
    );
    const updated = await client.crm.properties.groupsApi.update('deals', 'cs_journey', { label: 'Journey' });
    expect(updated.label).toBe('Journey');
    await client.crm.properties.coreApi.create('deals', { ...stageProperty });
    expect((await apiError(client.crm.properties.groupsApi.archive('deals', 'cs_journey'))).code).toBe(400);
    await client.crm.properties.coreApi.archive('deals', 'cs_journey_stage');
    await client.crm.properties.groupsApi.archive('deals', 'cs_journey');
    expect((await apiError(client.crm.properties.groupsApi.getByName('deals', 'cs_journey'))).code).toBe(404);
  });

  it('answers 400 for an unknown object type and 403 without a schema write scope', async () => {
    const unknown = await fixture.call('GET', '/crm/v3/properties/spaceships');
    expect(unknown.status).toBe(400);
    expect((unknown.body as { message: string }).message).toBe(
      'Unable to infer object type from: spaceships',
    );
    const token = fixture.emulator.createToken(1000001, { scopes: ['crm.objects.companies.read'] });
    const denied = await fixture.call('POST', '/crm/v3/properties/companies', stageProperty, token);
    expect(denied.status).toBe(403);
    expect((await fixture.call('GET', '/crm/v3/properties/companies', undefined, token)).status).toBe(200);
  });
});
