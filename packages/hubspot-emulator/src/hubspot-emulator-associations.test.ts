import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

describe('associations v4', () => {
  let fixture: EmulatorFixture;
  let companyId: string;
  let dealIds: string[];
  beforeEach(async () => {
    fixture = await startEmulator();
    companyId = (
      await fixture.client.crm.companies.basicApi.create({ properties: { name: 'Parent' }, associations: [] })
    ).id;
    const deals = await fixture.client.crm.deals.batchApi.create({
      inputs: [1, 2, 3].map((index) => ({ properties: { dealname: `Deal ${index}` }, associations: [] })),
    });
    dealIds = deals.results.map((deal) => deal.id).sort();
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it('creates a default association (200) visible from both sides', async () => {
    const result = await fixture.client.crm.associations.v4.basicApi.createDefault(
      'deals',
      dealIds[0] as string,
      'companies',
      companyId,
    );
    expect(result.results.map((entry) => entry.associationSpec.associationTypeId)).toEqual([341, 342]);
    const fromCompany = await fixture.client.crm.associations.v4.basicApi.getPage(
      'companies',
      companyId,
      'deals',
    );
    expect(fromCompany.results).toEqual([
      {
        toObjectId: Number(dealIds[0]),
        associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 342, label: null }],
      },
    ]);
  });

  it('creates labelled associations (201) and lists their labels', async () => {
    const created = await fixture.client.crm.associations.v4.basicApi.create(
      'deals',
      dealIds[0] as string,
      'companies',
      companyId,
      [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 5 }],
    );
    expect(created).toMatchObject({ fromObjectTypeId: '0-3', toObjectTypeId: '0-2', labels: ['Primary'] });
    const invalid = await apiError(
      fixture.client.crm.associations.v4.basicApi.create(
        'deals',
        dealIds[0] as string,
        'companies',
        companyId,
        [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 192 }],
      ),
    );
    expect(invalid.code).toBe(400);
    const missingRecord = await apiError(
      fixture.client.crm.associations.v4.basicApi.create('deals', '1', 'companies', companyId, [
        { associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 5 },
      ]),
    );
    expect(missingRecord.code).toBe(404);
  });

  it('batch-creates (201, 207 with errors), batch-reads (207 for ids without associations) and batch-archives', async () => {
    const batch = fixture.client.crm.associations.v4.batchApi;
    const types = [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 342 }];
    const created = await batch.create('companies', 'deals', {
      inputs: dealIds.map((id) => ({ _from: { id: companyId }, to: { id }, types })),
    });
    expect(created.results).toHaveLength(3);
    const partial = await batch.create('companies', 'deals', {
      inputs: [{ _from: { id: companyId }, to: { id: '42' }, types }],
    });
    expect((partial as { numErrors?: number }).numErrors).toBe(1);
    const read = await batch.getPage('companies', 'deals', { inputs: [{ id: companyId }, { id: '77' }] });
    expect(read.results[0]?.to.map((entry) => String(entry.toObjectId)).sort()).toEqual(dealIds);
    expect((read as { numErrors?: number }).numErrors).toBe(1);
    await batch.archive('companies', 'deals', {
      inputs: [{ _from: { id: companyId }, to: [{ id: dealIds[0] as string }] }],
    });
    expect(fixture.emulator.portal(1000001).associations('companies', companyId, 'deals')).toHaveLength(2);
    await batch.archiveLabels('companies', 'deals', {
      inputs: [{ _from: { id: companyId }, to: { id: dealIds[1] as string }, types }],
    });
    expect(
      fixture.emulator.portal(1000001).associations('deals', dealIds[1] as string, 'companies'),
    ).toHaveLength(0);
    const tooMany = await fixture.call('POST', '/crm/v4/associations/companies/deals/batch/read', {
      inputs: Array.from({ length: 1001 }, (_, index) => ({ id: String(index) })),
    });
    expect(tooMany.status).toBe(400);
  });

  it('associates by default in batch and on the date-versioned path', async () => {
    const result = await fixture.client.crm.associations.v4.batchApi.createDefault('tickets', 'companies', {
      inputs: [],
    });
    expect(result.results).toEqual([]);
    const ticket = await fixture.client.crm.tickets.basicApi.create({
      properties: { subject: 'Help', hs_pipeline_stage: '1' },
      associations: [],
    });
    const dated = await fixture.call(
      'PUT',
      `/crm/objects/2026-09/tickets/${ticket.id}/associations/default/companies/${companyId}`,
    );
    expect(dated.status).toBe(200);
    const read = await fixture.call('POST', '/crm/associations/2026-09/companies/tickets/batch/read', {
      inputs: [{ id: companyId }],
    });
    expect(read.status).toBe(200);
    expect(
      (read.body as { results: { to: { associationTypes: { typeId: number }[] }[] }[] }).results[0]?.to[0]
        ?.associationTypes[0]?.typeId,
    ).toBe(340);
  });

  it('creates, lists, renames and deletes association labels', async () => {
    const labels = fixture.client.crm.associations.v4.schema.definitionsApi;
    const created = await labels.create('companies', 'deals', {
      label: 'Renewal deal',
      name: 'renewal_deal',
      inverseLabel: 'Renewal of',
    });
    const typeId = created.results[0]?.typeId as number;
    const all = await labels.getAll('companies', 'deals');
    expect(all.results.map((entry) => entry.label)).toContain('Renewal deal');
    await fixture.client.crm.associations.v4.basicApi.create(
      'companies',
      companyId,
      'deals',
      dealIds[0] as string,
      [{ associationCategory: 'USER_DEFINED' as never, associationTypeId: typeId }],
    );
    const reverse = fixture.emulator.portal(1000001).associations('deals', dealIds[0] as string, 'companies');
    expect(reverse[0]?.types[0]?.label).toBe('Renewal of');
    await labels.update('companies', 'deals', { associationTypeId: typeId, label: 'Renewal opportunity' });
    await labels.remove('companies', 'deals', typeId);
    expect((await labels.getAll('companies', 'deals')).results.map((entry) => entry.label)).not.toContain(
      'Renewal opportunity',
    );
  });

  it('needs the object scopes of both sides', async () => {
    const token = fixture.emulator.createToken(1000001, {
      scopes: ['crm.objects.deals.write', 'crm.objects.deals.read'],
    });
    const failure = await apiError(
      fixture
        .clientFor(token)
        .crm.associations.v4.basicApi.createDefault('deals', dealIds[0] as string, 'companies', companyId),
    );
    expect(failure.code).toBe(403);
    expect(failure.body.category).toBe('MISSING_SCOPES');
  });
});
