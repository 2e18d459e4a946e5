import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

describe('CRM objects', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator({ seed: 'demo', seedReferenceDate: Date.UTC(2026, 10, 1) });
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it('creates (201), reads, updates and archives a company', async () => {
    const { client } = fixture;
    const created = await client.crm.companies.basicApi.create({
      properties: {
        name: 'Nimbus Labs',
        domain: 'nimbus.example',
        plan_tier: 'starter',
        licensed_seats: '25',
      },
      associations: [],
    });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.properties).toMatchObject({
      name: 'Nimbus Labs',
      plan_tier: 'starter',
      licensed_seats: '25',
      hs_object_id: created.id,
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    const read = await client.crm.companies.basicApi.getById(created.id, [
      'name',
      'licensed_seats',
      'nps_score',
    ]);
    expect(read.properties).toMatchObject({ name: 'Nimbus Labs', licensed_seats: '25', nps_score: null });
    const updated = await client.crm.companies.basicApi.update(created.id, {
      properties: { licensed_seats: 30 as never, setup_complete: true as never },
    });
    expect(updated.properties).toMatchObject({ licensed_seats: '30', setup_complete: 'true' });
    await client.crm.companies.basicApi.archive(created.id);
    expect((await apiError(client.crm.companies.basicApi.getById(created.id))).code).toBe(404);
    const archived = await client.crm.companies.basicApi.getById(
      created.id,
      undefined,
      undefined,
      undefined,
      true,
    );
    expect(archived.archived).toBe(true);
  });

  it('answers HubSpot validation errors: unknown property, invalid option, wrong number, non-midnight date', async () => {
    const unknown = await apiError(
      fixture.client.crm.companies.basicApi.create({
        properties: { name: 'X', favourite_colour: 'blue' },
        associations: [],
      }),
    );
    expect(unknown.code).toBe(400);
    expect(unknown.body.category).toBe('VALIDATION_ERROR');
    expect(unknown.body.message).toMatch(/^Property values were not valid: \[/);
    expect(unknown.body.errors).toEqual([
      {
        message: 'Property "favourite_colour" does not exist',
        code: 'PROPERTY_DOESNT_EXIST',
        context: { propertyName: ['favourite_colour'] },
      },
    ]);
    const option = await fixture.call('POST', '/crm/v3/objects/companies', {
      properties: { plan_tier: 'gold' },
    });
    expect((option.body as { errors: { code: string; message: string }[] }).errors[0]).toMatchObject({
      code: 'INVALID_OPTION',
      message: 'gold was not one of the allowed options: [trial, starter, professional, enterprise]',
    });
    const number = await fixture.call('POST', '/crm/v3/objects/companies', {
      properties: { active_users: 'many' },
    });
    expect((number.body as { errors: { code: string; message: string }[] }).errors[0]).toMatchObject({
      code: 'INVALID_INTEGER',
      message: 'many was not a valid number.',
    });
    const date = await fixture.call('POST', '/crm/v3/objects/companies', {
      properties: { kickoff_date: String(Date.UTC(2026, 0, 5, 5)) },
    });
    expect((date.body as { errors: { message: string }[] }).errors[0]?.message).toMatch(/not midnight!$/);
    const good = await fixture.call('POST', '/crm/v3/objects/companies', {
      properties: { kickoff_date: String(Date.UTC(2026, 0, 5)), churned: 'TRUE' },
    });
    expect(good.status).toBe(201);
    expect((good.body as { properties: Record<string, string> }).properties).toMatchObject({
      kickoff_date: '2026-01-05',
      churned: 'true',
    });
  });

  it('lists with paging (limit, after) over 300 seeded companies', async () => {
    const seen = new Set<string>();
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await fixture.client.crm.companies.basicApi.getPage(100, after, ['name']);
      for (const company of page.results) seen.add(company.id);
      after = page.paging?.next?.after;
      pages++;
    } while (after);
    expect(seen.size).toBe(300);
    expect(pages).toBe(3);
  });

  it('returns propertiesWithHistory newest first, with timestamps over past months', async () => {
    const companies = fixture.emulator.portal(1000001).objects('companies');
    const adopted = companies.find(
      (company) => company.properties.setup_complete === 'true' && company.properties.churned === 'false',
    );
    expect(adopted).toBeDefined();
    const read = await fixture.client.crm.companies.basicApi.getById(
      adopted?.id as string,
      ['active_users'],
      ['active_users', 'setup_complete'],
    );
    const history = read.propertiesWithHistory?.active_users ?? [];
    expect(history.length).toBeGreaterThan(2);
    expect(history[0]?.value).toBe(read.properties.active_users);
    const times = history.map((entry) => entry.timestamp.getTime());
    expect([...times].sort((left, right) => right - left)).toEqual(times);
    expect(read.propertiesWithHistory?.setup_complete?.map((entry) => entry.value)).toEqual([
      'true',
      'false',
    ]);
  });

  it('records history for API updates with sourceType INTEGRATION', async () => {
    const created = await fixture.client.crm.companies.basicApi.create({
      properties: { name: 'History Co', nps_score: '10' },
      associations: [],
    });
    fixture.emulator.clock.advance(60_000);
    await fixture.client.crm.companies.basicApi.update(created.id, { properties: { nps_score: '40' } });
    const history = fixture.emulator.portal(1000001).history('companies', created.id, 'nps_score');
    expect(history.map((entry) => [entry.value, entry.sourceType])).toEqual([
      ['40', 'INTEGRATION'],
      ['10', 'INTEGRATION'],
    ]);
  });

  it('batch-creates (201), reads (200, or 207 for missing ids), updates and archives', async () => {
    const { client } = fixture;
    const created = await client.crm.companies.batchApi.create({
      inputs: [
        { properties: { name: 'Batch A' }, associations: [] },
        { properties: { name: 'Batch B' }, associations: [] },
      ],
    });
    expect(created.status).toBe('COMPLETE');
    const ids = created.results.map((company) => company.id);
    const read = await client.crm.companies.batchApi.read({
      inputs: [...ids, '999'].map((id) => ({ id })),
      properties: ['name'],
      propertiesWithHistory: [],
    });
    expect(read.results.map((company) => company.properties.name).sort()).toEqual(['Batch A', 'Batch B']);
    expect((read as { numErrors?: number }).numErrors).toBe(1);
    expect(
      (read as { errors?: { category: string; context: Record<string, string[]> }[] }).errors?.[0],
    ).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999'] } });
    const updated = await client.crm.companies.batchApi.update({
      inputs: ids.map((id) => ({ id, properties: { plan_tier: 'enterprise' } })),
    });
    expect(updated.results.every((company) => company.properties.plan_tier === 'enterprise')).toBe(true);
    await client.crm.companies.batchApi.archive({ inputs: ids.map((id) => ({ id })) });
    expect(fixture.emulator.portal(1000001).object('companies', ids[0] as string)?.archived).toBe(true);
  });

  it('fails a whole batch on one invalid input and refuses more than 100 inputs', async () => {
    const before = fixture.emulator.portal(1000001).objects('companies').length;
    const invalid = await apiError(
      fixture.client.crm.companies.batchApi.create({
        inputs: [
          { properties: { name: 'Fine' }, associations: [] },
          { properties: { plan_tier: 'nope' }, associations: [] },
        ],
      }),
    );
    expect(invalid.code).toBe(400);
    expect(fixture.emulator.portal(1000001).objects('companies')).toHaveLength(before);
    const tooMany = await apiError(
      fixture.client.crm.companies.batchApi.create({
        inputs: Array.from({ length: 101 }, (_, index) => ({
          properties: { name: `C${index}` },
          associations: [],
        })),
      }),
    );
    expect(tooMany.code).toBe(400);
    expect(tooMany.body.message).toMatch(/maximum number of inputs supported in a batch request is 100/);
    const history = await fixture.call('POST', '/crm/v3/objects/companies/batch/read', {
      inputs: Array.from({ length: 51 }, (_, index) => ({ id: String(index) })),
      properties: [],
      propertiesWithHistory: ['name'],
    });
    expect((history.body as { message: string }).message).toMatch(/for property histories is 50/);
  });

  it('batch update answers 207 for unknown ids and 400 for duplicate ids', async () => {
    const created = await fixture.client.crm.companies.basicApi.create({
      properties: { name: 'U' },
      associations: [],
    });
    const partial = await fixture.client.crm.companies.batchApi.update({
      inputs: [
        { id: created.id, properties: { name: 'U2' } },
        { id: '123', properties: { name: 'Nope' } },
      ],
    });
    expect(partial.results).toHaveLength(1);
    expect((partial as { numErrors?: number }).numErrors).toBe(1);
    const duplicates = await fixture.call('POST', '/crm/v3/objects/companies/batch/update', {
      inputs: [
        { id: created.id, properties: { name: 'A' } },
        { id: created.id, properties: { name: 'B' } },
      ],
    });
    expect(duplicates.status).toBe(400);
    expect((duplicates.body as { message: string }).message).toMatch(/^Duplicate IDs found in batch input/);
  });

  it('upserts by a unique idProperty (new true/false) and refuses a non-unique one', async () => {
    await fixture.client.crm.properties.coreApi.create('companies', {
      name: 'external_id',
      label: 'External id',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'companyinformation',
      hasUniqueValue: true,
    });
    const first = await fixture.client.crm.companies.batchApi.upsert({
      inputs: [{ id: 'ext-1', idProperty: 'external_id', properties: { name: 'Upserted' } }],
    });
    expect(first.results[0]).toMatchObject({ _new: true });
    const second = await fixture.client.crm.companies.batchApi.upsert({
      inputs: [{ id: 'ext-1', idProperty: 'external_id', properties: { name: 'Upserted again' } }],
    });
    expect(second.results[0]).toMatchObject({ _new: false, id: first.results[0]?.id });
    expect(second.results[0]?.properties.name).toBe('Upserted again');
    const nonUnique = await apiError(
      fixture.client.crm.companies.batchApi.upsert({
        inputs: [{ id: 'x', idProperty: 'name', properties: { domain: 'x.example' } }],
      }),
    );
    expect(nonUnique.code).toBe(400);
    expect(nonUnique.body.message).toBe('Unable to perform update/upsert by non-unique 0-2 property name');
    const conflict = await apiError(
      fixture.client.crm.companies.basicApi.create({
        properties: { external_id: 'ext-1' },
        associations: [],
      }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.body.category).toBe('CONFLICT');
    const byIdProperty = await fixture.client.crm.companies.basicApi.getById(
      'ext-1',
      ['name'],
      undefined,
      undefined,
      undefined,
      'external_id',
    );
    expect(byIdProperty.properties.name).toBe('Upserted again');
  });

  it('creates tasks (hs_timestamp required) associated to a company with type 192', async () => {
    const company = await fixture.client.crm.companies.basicApi.create({
      properties: { name: 'Task target' },
      associations: [],
    });
    const missing = await apiError(
      fixture.client.crm.objects.tasks.basicApi.create({
        properties: { hs_task_subject: 'No due date' },
        associations: [],
      }),
    );
    expect(missing.code).toBe(400);
    const task = await fixture.client.crm.objects.tasks.basicApi.create({
      properties: {
        hs_timestamp: '2026-12-01T09:00:00Z',
        hs_task_subject: 'Kick-off call',
        hs_task_status: 'NOT_STARTED',
        hs_task_priority: 'HIGH',
        hs_task_type: 'TODO',
        hubspot_owner_id: '75000002',
      },
      associations: [
        {
          to: { id: company.id },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 192 }],
        },
      ],
    });
    expect(task.properties.hs_timestamp).toBe('2026-12-01T09:00:00.000Z');
    expect(fixture.emulator.portal(1000001).associations('tasks', task.id, 'companies')).toEqual([
      {
        toObjectTypeId: '0-2',
        toObjectId: company.id,
        types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192, label: null }],
      },
    ]);
    const badOwner = await fixture.call('POST', '/crm/v3/objects/tasks', {
      properties: { hs_timestamp: '2026-12-01T09:00:00Z', hubspot_owner_id: '1' },
    });
    expect(badOwner.status).toBe(400);
  });

  it('tracks deal stages: default pipeline, stage validation, date-entered properties', async () => {
    const deal = await fixture.client.crm.deals.basicApi.create({
      properties: { dealname: 'Renewal', dealstage: 'qualifiedtobuy' },
      associations: [],
    });
    expect(deal.properties).toMatchObject({ pipeline: 'default', dealstage: 'qualifiedtobuy' });
    expect(deal.properties.hs_date_entered_qualifiedtobuy).toBeTruthy();
    fixture.emulator.clock.advance(3_600_000);
    const moved = await fixture.client.crm.deals.basicApi.update(deal.id, {
      properties: { dealstage: 'closedwon' },
    });
    expect(moved.properties.hs_date_exited_qualifiedtobuy).toBe(moved.properties.hs_date_entered_closedwon);
    const wrong = await fixture.call('PATCH', `/crm/v3/objects/deals/${deal.id}`, {
      properties: { dealstage: 'not-a-stage' },
    });
    expect(wrong.status).toBe(400);
    const readOnly = await fixture.call('PATCH', `/crm/v3/objects/deals/${deal.id}`, {
      properties: { hs_date_entered_closedwon: '2026-01-01' },
    });
    expect(readOnly.status).toBe(400);
  });

  it('serves custom object records on the generic objects API (Enterprise)', async () => {
    await fixture.emulator.close();
    fixture = await startEmulator({ portals: [{ hubId: 5, tier: 'enterprise' }] });
    const schema = await fixture.client.crm.schemas.coreApi.create({
      name: 'success_cycle',
      labels: { singular: 'Success cycle', plural: 'Success cycles' },
      primaryDisplayProperty: 'cycle_name',
      requiredProperties: ['cycle_name'],
      properties: [
        { name: 'cycle_name', label: 'Cycle', type: 'string' as never, fieldType: 'text' as never },
      ],
      associatedObjects: ['COMPANY'],
      secondaryDisplayProperties: [],
      searchableProperties: ['cycle_name'],
    });
    const record = await fixture.client.crm.objects.basicApi.create(schema.objectTypeId as string, {
      properties: { cycle_name: 'FY27' },
      associations: [],
    });
    expect(record.properties.cycle_name).toBe('FY27');
    const byName = await fixture.call(
      'GET',
      `/crm/v3/objects/${schema.fullyQualifiedName}/${record.id}?properties=cycle_name`,
    );
    expect(byName.status).toBe(200);
    const missingRequired = await apiError(
      fixture.client.crm.objects.basicApi.create(schema.objectTypeId as string, {
        properties: {},
        associations: [],
      }),
    );
    expect(missingRequired.code).toBe(400);
  });
});

describe('CRM search', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator({ seed: 'demo', seedReferenceDate: Date.UTC(2026, 10, 1) });
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  const search = (body: Record<string, unknown>) =>
    fixture.client.crm.companies.searchApi.doSearch({
      filterGroups: [],
      sorts: [],
      properties: [],
      limit: 10,
      after: '0',
      ...body,
    } as never);

  it('filters with AND inside a group and OR across groups, returns totals and paging', async () => {
    const churned = await search({
      filterGroups: [{ filters: [{ propertyName: 'churned', operator: 'EQ', value: 'true' }] }],
      limit: 200,
    });
    expect(churned.total).toBe(21);
    const trialOrChurned = await search({
      filterGroups: [
        { filters: [{ propertyName: 'churned', operator: 'EQ', value: 'true' }] },
        { filters: [{ propertyName: 'plan_tier', operator: 'EQ', value: 'trial' }] },
      ],
      limit: 5,
    });
    expect(trialOrChurned.total).toBeGreaterThan(21);
    expect(trialOrChurned.results).toHaveLength(5);
    expect(trialOrChurned.paging?.next?.after).toBe('5');
  });

  it('supports the range, set, presence and token operators, and sorts', async () => {
    const busy = await search({
      filterGroups: [{ filters: [{ propertyName: 'active_users', operator: 'GTE', value: '100' }] }],
      sorts: [{ propertyName: 'active_users', direction: 'DESCENDING' }],
      properties: ['active_users'],
      limit: 200,
    });
    const values = busy.results.map((company) => Number(company.properties.active_users));
    expect(values.every((value) => value >= 100)).toBe(true);
    expect([...values].sort((left, right) => right - left)).toEqual(values);
    const between = await search({
      filterGroups: [
        { filters: [{ propertyName: 'nps_score', operator: 'BETWEEN', value: '0', highValue: '20' }] },
      ],
      properties: ['nps_score'],
      limit: 200,
    });
    expect(
      between.results.every(
        (company) => Number(company.properties.nps_score) >= 0 && Number(company.properties.nps_score) <= 20,
      ),
    ).toBe(true);
    const tiers = await search({
      filterGroups: [
        { filters: [{ propertyName: 'plan_tier', operator: 'IN', values: ['trial', 'starter'] }] },
      ],
      properties: ['plan_tier'],
      limit: 200,
    });
    expect(
      tiers.results.every((company) => ['trial', 'starter'].includes(company.properties.plan_tier as string)),
    ).toBe(true);
    const noKickoff = await search({
      filterGroups: [{ filters: [{ propertyName: 'kickoff_date', operator: 'NOT_HAS_PROPERTY' }] }],
    });
    expect(noKickoff.total).toBe(45);
    const token = await search({
      filterGroups: [{ filters: [{ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: 'analyt*' }] }],
      properties: ['name'],
      limit: 200,
    });
    expect(token.results.every((company) => /Analytics/.test(company.properties.name as string))).toBe(true);
    const recent = await search({
      filterGroups: [
        {
          filters: [
            { propertyName: 'contract_signed_date', operator: 'GT', value: String(Date.UTC(2026, 9, 10)) },
          ],
        },
      ],
      limit: 200,
    });
    expect(recent.total).toBeGreaterThan(0);
    const query = await search({ query: 'acme' });
    expect(query.total).toBeGreaterThan(0);
  });

  it('enforces filter and page limits and the 10,000-result cap', async () => {
    const groups = Array.from({ length: 6 }, () => ({
      filters: [{ propertyName: 'name', operator: 'HAS_PROPERTY' }],
    }));
    expect((await apiError(search({ filterGroups: groups }))).code).toBe(400);
    const wide = [
      { filters: Array.from({ length: 11 }, () => ({ propertyName: 'name', operator: 'HAS_PROPERTY' })) },
    ];
    expect((await apiError(search({ filterGroups: wide }))).code).toBe(400);
    expect((await apiError(search({ limit: 201 }))).code).toBe(400);
    const capped = await apiError(search({ after: '10000' }));
    expect(capped.code).toBe(400);
    expect(capped.body.message).toMatch(/capped at 10000/);
    expect(
      (
        await apiError(
          search({ filterGroups: [{ filters: [{ propertyName: 'nope', operator: 'EQ', value: 'x' }] }] }),
        )
      ).code,
    ).toBe(400);
  });

  it('sends no rate-limit headers on search and limits it to 5 requests per second per account', async () => {
    fixture.emulator.rateLimits.enabled = true;
    const statuses: number[] = [];
    for (let index = 0; index < 6; index++) {
      const response = await fixture.call('POST', '/crm/v3/objects/companies/search', {
        filterGroups: [],
        limit: 1,
      });
      statuses.push(response.status);
      if (response.status === 200) expect(response.headers.get('x-hubspot-ratelimit-max')).toBeNull();
      else
        expect(response.body).toMatchObject({
          policyName: 'SECONDLY',
          message: 'You have reached your secondly limit.',
          errorType: 'RATE_LIMIT',
        });
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    fixture.emulator.clock.advance(1001);
    expect(
      (await fixture.call('POST', '/crm/v3/objects/companies/search', { filterGroups: [], limit: 1 })).status,
    ).toBe(200);
  });
});
