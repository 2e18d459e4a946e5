import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

const journey = {
  label: 'Customer success journey',
  displayOrder: 2,
  stages: [
    { label: 'Adoption', displayOrder: 1, metadata: { probability: '0.5' } },
    { label: 'Onboarding', displayOrder: 0, metadata: { probability: '0.2' } },
    { label: 'Renewed', displayOrder: 2, metadata: { probability: '1.0' } },
  ],
};

describe('pipelines and stages', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator();
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it('has the default deal and ticket pipelines', async () => {
    const deals = await fixture.client.crm.pipelines.pipelinesApi.getAll('deals');
    expect(deals.results.map((pipeline) => pipeline.id)).toEqual(['default']);
    expect(deals.results[0]?.stages.find((stage) => stage.id === 'closedwon')?.metadata).toEqual({
      isClosed: 'true',
      probability: '1.0',
    });
    const tickets = await fixture.client.crm.pipelines.pipelinesApi.getAll('tickets');
    expect(tickets.results[0]?.stages.map((stage) => stage.metadata?.ticketState)).toEqual([
      'OPEN',
      'OPEN',
      'OPEN',
      'CLOSED',
    ]);
  });

  it('creates a deal pipeline (201) with stages in display order and date-entered properties', async () => {
    const created = await fixture.client.crm.pipelines.pipelinesApi.create('deals', journey);
    expect(created.label).toBe('Customer success journey');
    expect(created.stages.map((stage) => stage.label)).toEqual(['Onboarding', 'Adoption', 'Renewed']);
    expect(created.stages[0]?.metadata).toEqual({ probability: '0.2', isClosed: 'false' });
    const stageId = created.stages[0]?.id as string;
    const names = fixture.emulator
      .portal(1000001)
      .properties('deals')
      .map((property) => property.name);
    expect(names).toEqual(
      expect.arrayContaining([
        `hs_date_entered_${stageId}`,
        `hs_v2_date_entered_${stageId}`,
        `hs_date_exited_${stageId}`,
      ]),
    );
    const all = await fixture.client.crm.pipelines.pipelinesApi.getAll('deals');
    expect(all.results.map((pipeline) => pipeline.label)).toEqual([
      'Sales Pipeline',
      'Customer success journey',
    ]);
  });

  it('enforces stage metadata rules: deal probability 0.0-1.0, ticket state OPEN/CLOSED, metadata required', async () => {
    const noProbability = await apiError(
      fixture.client.crm.pipelines.pipelinesApi.create('deals', {
        label: 'Bad',
        displayOrder: 1,
        stages: [{ label: 'A', displayOrder: 0, metadata: {} }],
      }),
    );
    expect(noProbability.code).toBe(400);
    expect(noProbability.body.category).toBe('VALIDATION_ERROR');
    const tooHigh = await fixture.call('POST', '/crm/v3/pipelines/deals', {
      label: 'Bad',
      displayOrder: 1,
      stages: [{ label: 'A', displayOrder: 0, metadata: { probability: '1.5' } }],
    });
    expect(tooHigh.status).toBe(400);
    const noMetadata = await fixture.call('POST', '/crm/v3/pipelines/deals', {
      label: 'Bad',
      displayOrder: 1,
      stages: [{ label: 'A', displayOrder: 0 }],
    });
    expect((noMetadata.body as { message: string }).message).toBe(
      'Some required fields were not set: [metadata]',
    );
    const badTicket = await fixture.call('POST', '/crm/v3/pipelines/tickets', {
      label: 'Support 2',
      displayOrder: 1,
      stages: [{ label: 'A', displayOrder: 0, metadata: { ticketState: 'DONE' } }],
    });
    expect(badTicket.status).toBe(400);
    const duplicateLabels = await fixture.call('POST', '/crm/v3/pipelines/deals', {
      label: 'Dupes',
      displayOrder: 1,
      stages: [
        { label: 'Same', displayOrder: 0, metadata: { probability: '0.1' } },
        { label: 'same', displayOrder: 1, metadata: { probability: '0.2' } },
      ],
    });
    expect(duplicateLabels.status).toBe(400);
  });

  it('refuses pipelines for objects without pipelines, and beyond the tier limit', async () => {
    expect((await fixture.call('GET', '/crm/v3/pipelines/companies')).status).toBe(400);
    await fixture.emulator.close();
    fixture = await startEmulator({ portals: [{ hubId: 7, tier: 'free' }] });
    const failure = await apiError(fixture.client.crm.pipelines.pipelinesApi.create('deals', journey));
    expect(failure.code).toBe(400);
    expect(String(failure.body.message)).toMatch(/limit of 1 deal pipeline/);
  });

  it('adds, updates and deletes stages; PATCH and PUT keep the stage id', async () => {
    const pipeline = await fixture.client.crm.pipelines.pipelinesApi.create('deals', journey);
    const stage = await fixture.client.crm.pipelines.pipelineStagesApi.create('deals', pipeline.id, {
      label: 'Churned',
      displayOrder: 3,
      metadata: { probability: '0.0' },
    });
    expect(stage.metadata).toEqual({ probability: '0.0', isClosed: 'true' });
    const patched = await fixture.client.crm.pipelines.pipelineStagesApi.update(
      'deals',
      pipeline.id,
      stage.id,
      { label: 'Lost', metadata: { probability: '0.0' } },
    );
    expect(patched).toMatchObject({ id: stage.id, label: 'Lost', displayOrder: 3 });
    const replaced = await fixture.client.crm.pipelines.pipelineStagesApi.replace(
      'deals',
      pipeline.id,
      stage.id,
      { label: 'Lost for good', displayOrder: 4, metadata: { probability: '0.0' } },
    );
    expect(replaced.id).toBe(stage.id);
    await fixture.client.crm.pipelines.pipelineStagesApi.archive('deals', pipeline.id, stage.id);
    const stages = await fixture.client.crm.pipelines.pipelineStagesApi.getAll('deals', pipeline.id);
    expect(stages.results.map((entry) => entry.label)).toEqual(['Onboarding', 'Adoption', 'Renewed']);
    expect(
      (await apiError(fixture.client.crm.pipelines.pipelineStagesApi.getById('deals', pipeline.id, stage.id)))
        .code,
    ).toBe(404);
  });

  it('refuses to delete a stage still holding records on 2026-09 paths, and on v3 when asked to validate', async () => {
    const pipeline = await fixture.client.crm.pipelines.pipelinesApi.create('deals', journey);
    const onboarding = pipeline.stages[0]?.id as string;
    await fixture.client.crm.deals.basicApi.create({
      properties: { dealname: 'Deal', pipeline: pipeline.id, dealstage: onboarding },
      associations: [],
    });
    const dated = await fixture.call(
      'DELETE',
      `/crm/pipelines/2026-09/deals/${pipeline.id}/stages/${onboarding}`,
    );
    expect(dated.status).toBe(400);
    expect((dated.body as { message: string }).message).toMatch(/is in use by 1 deals/);
    // v3 does not validate references by default: the client's archive (a v3 call) succeeds.
    await fixture.client.crm.pipelines.pipelineStagesApi.archive('deals', pipeline.id, onboarding);
    expect(
      fixture.emulator
        .portal(1000001)
        .pipelines('deals')
        .find((entry) => entry.id === pipeline.id)?.stages,
    ).toHaveLength(2);
  });

  it('v3 deletes an in-use stage unless validateReferencesBeforeDelete=true', async () => {
    const pipeline = await fixture.client.crm.pipelines.pipelinesApi.create('deals', journey);
    const [onboarding, adoption] = pipeline.stages.map((stage) => stage.id) as [string, string];
    await fixture.client.crm.deals.basicApi.create({
      properties: { dealname: 'A', pipeline: pipeline.id, dealstage: onboarding },
      associations: [],
    });
    await fixture.client.crm.deals.basicApi.create({
      properties: { dealname: 'B', pipeline: pipeline.id, dealstage: adoption },
      associations: [],
    });
    const refused = await fixture.call(
      'DELETE',
      `/crm/v3/pipelines/deals/${pipeline.id}/stages/${adoption}?validateDealStageUsagesBeforeDelete=true`,
    );
    expect(refused.status).toBe(400);
    const allowed = await fixture.call(
      'DELETE',
      `/crm/v3/pipelines/deals/${pipeline.id}/stages/${onboarding}`,
    );
    expect(allowed.status).toBe(204);
    const bypass = await fixture.call(
      'DELETE',
      `/crm/pipelines/2026-09/deals/${pipeline.id}?validateDealStageUsagesBeforeDelete=false`,
    );
    expect(bypass.status).toBe(204);
  });

  it('replaces (PUT) and patches (PATCH) a pipeline; a duplicate label is a 409', async () => {
    const pipeline = await fixture.client.crm.pipelines.pipelinesApi.create('deals', journey);
    const patched = await fixture.client.crm.pipelines.pipelinesApi.update('deals', pipeline.id, {
      label: 'Journey v2',
    });
    expect(patched.label).toBe('Journey v2');
    const keep = pipeline.stages[0] as { id: string };
    // The client's PipelineStageInput model drops `stageId`, so keeping an id on PUT needs a raw call.
    const response = await fixture.call('PUT', `/crm/v3/pipelines/deals/${pipeline.id}`, {
      label: 'Journey v3',
      displayOrder: 5,
      stages: [
        { stageId: keep.id, label: 'Onboarding', displayOrder: 0, metadata: { probability: '0.3' } },
        { label: 'Value', displayOrder: 1, metadata: { probability: '0.6' } },
      ],
    });
    expect(response.status).toBe(200);
    const replaced = response.body as { stages: { id: string; label: string }[] };
    expect(replaced.stages.map((stage) => stage.label)).toEqual(['Onboarding', 'Value']);
    expect(replaced.stages[0]?.id).toBe(keep.id);
    const duplicate = await apiError(
      fixture.client.crm.pipelines.pipelinesApi.create('deals', { ...journey, label: 'Journey v3' }),
    );
    expect(duplicate.code).toBe(409);
  });

  it('answers 404 for an unknown pipeline', async () => {
    expect((await apiError(fixture.client.crm.pipelines.pipelinesApi.getById('deals', 'nope'))).code).toBe(
      404,
    );
  });
});
