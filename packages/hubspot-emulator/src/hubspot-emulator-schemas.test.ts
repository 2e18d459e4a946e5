import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

const egg = {
  name: 'success_cycle',
  description: 'One customer success cycle',
  labels: { singular: 'Success cycle', plural: 'Success cycles' },
  primaryDisplayProperty: 'cycle_name',
  secondaryDisplayProperties: ['stage'],
  searchableProperties: ['cycle_name'],
  requiredProperties: ['cycle_name'],
  properties: [
    { name: 'cycle_name', label: 'Cycle', type: 'string' as never, fieldType: 'text' as never },
    {
      name: 'stage',
      label: 'Stage',
      type: 'enumeration' as never,
      fieldType: 'select' as never,
      options: [{ label: 'Onboarding', value: 'onboarding', hidden: false, displayOrder: 0 }],
    },
  ],
  associatedObjects: ['COMPANY', 'DEAL'],
};

describe('custom object schemas (Enterprise)', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator({ portals: [{ hubId: 900, tier: 'enterprise' }] });
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it('creates a schema (201) with a 2-… object type id, properties and associations', async () => {
    const schema = await fixture.client.crm.schemas.coreApi.create(egg);
    expect(schema.objectTypeId as string).toMatch(/^2-\d+$/);
    expect(schema.fullyQualifiedName).toBe('p900_success_cycle');
    expect(schema.properties.map((property) => property.name)).toEqual(
      expect.arrayContaining(['cycle_name', 'stage', 'hs_object_id']),
    );
    expect(schema.associations.map((association) => association.toObjectTypeId)).toEqual(['0-2', '0-3']);
    const all = await fixture.client.crm.schemas.coreApi.getAll();
    expect(all.results).toHaveLength(1);
    const byName = await fixture.client.crm.schemas.coreApi.getById('success_cycle');
    expect(byName.objectTypeId).toBe(schema.objectTypeId as string);
  });

  it('validates the egg: duplicates 409, unknown required property 400, missing fields 400', async () => {
    await fixture.client.crm.schemas.coreApi.create(egg);
    expect((await apiError(fixture.client.crm.schemas.coreApi.create(egg))).code).toBe(409);
    const badRequired = await apiError(
      fixture.client.crm.schemas.coreApi.create({ ...egg, name: 'other', requiredProperties: ['missing'] }),
    );
    expect(badRequired.code).toBe(400);
    const missing = await fixture.call('POST', '/crm-object-schemas/v3/schemas', {
      name: 'x',
      labels: { singular: 'X', plural: 'Xs' },
    });
    expect(missing.status).toBe(400);
  });

  it('updates, adds association definitions, and deletes only an empty schema', async () => {
    const schema = await fixture.client.crm.schemas.coreApi.create(egg);
    const updated = await fixture.client.crm.schemas.coreApi.update(
      schema.objectTypeId as string,
      {
        labels: { singular: 'Cycle', plural: 'Cycles' },
        searchableProperties: ['cycle_name', 'stage'],
      } as never,
    );
    expect(updated.labels.singular).toBe('Cycle');
    const association = await fixture.client.crm.schemas.coreApi.createAssociation(
      schema.objectTypeId as string,
      {
        fromObjectTypeId: schema.objectTypeId as string,
        toObjectTypeId: '0-5',
        name: 'cycle_to_ticket',
      },
    );
    expect(association.toObjectTypeId).toBe('0-5');
    const record = await fixture.client.crm.objects.basicApi.create(schema.objectTypeId as string, {
      properties: { cycle_name: 'FY27' },
      associations: [],
    });
    expect(
      (await apiError(fixture.client.crm.schemas.coreApi.archive(schema.objectTypeId as string))).code,
    ).toBe(400);
    await fixture.client.crm.objects.basicApi.archive(schema.objectTypeId as string, record.id);
    await fixture.client.crm.schemas.coreApi.archive(schema.objectTypeId as string);
    expect(
      (await apiError(fixture.client.crm.schemas.coreApi.getById(schema.objectTypeId as string))).code,
    ).toBe(404);
  });

  it('gives custom objects pipelines (Enterprise) and custom association types', async () => {
    const schema = await fixture.client.crm.schemas.coreApi.create(egg);
    const pipeline = await fixture.client.crm.pipelines.pipelinesApi.create(schema.objectTypeId as string, {
      label: 'Cycle stages',
      displayOrder: 0,
      stages: [{ label: 'Open', displayOrder: 0, metadata: {} }],
    });
    expect(pipeline.stages).toHaveLength(1);
    const company = await fixture.client.crm.companies.basicApi.create({
      properties: { name: 'Co' },
      associations: [],
    });
    const record = await fixture.client.crm.objects.basicApi.create(schema.objectTypeId as string, {
      properties: { cycle_name: 'FY28' },
      associations: [],
    });
    await fixture.client.crm.associations.v4.basicApi.createDefault(
      schema.objectTypeId as string,
      record.id,
      'companies',
      company.id,
    );
    expect(
      fixture.emulator.portal(900).associations('companies', company.id, schema.objectTypeId as string),
    ).toHaveLength(1);
  });
});
