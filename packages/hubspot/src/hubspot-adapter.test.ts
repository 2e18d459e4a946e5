import { loadTemplate } from '@milepost/core';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { afterEach, describe, expect, test } from 'vitest';
import { createHubSpotAdapter } from './hubspot-adapter.js';

let emulator: HubSpotEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('HubSpot adapter against the emulator', () => {
  test('a fresh Professional portal: plan, apply, and a second plan is empty', async () => {
    emulator = await createHubSpotEmulator({ rateLimits: false });
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
    });
    const journey = loadTemplate('saas-lifecycle');
    const plan = await adapter.plan(journey);
    expect(plan.refusals).toEqual([]);
    expect(plan.changes.length).toBeGreaterThan(20);
    const report = await adapter.apply(journey, undefined, plan);
    expect(report.failed).toEqual([]);
    const again = await adapter.plan(journey);
    expect(again.changes.map((change) => change.summary)).toEqual([]);
  });
});

describe('sync', () => {
  test('the demo portal: first sync writes states, cycle tickets and tasks; a second sync writes nothing', async () => {
    const { parseJourneySources, readTemplate } = await import('@milepost/core');
    const { readFileSync } = await import('node:fs');
    const loaded = parseJourneySources([
      { file: 'saas-lifecycle.yaml', text: readTemplate('saas-lifecycle') },
      {
        file: 'mapping.yaml',
        text: readFileSync(
          new URL('./__fixtures__/saas-lifecycle.hubspot.mapping.yaml', import.meta.url),
          'utf8',
        ),
      },
    ]);
    expect(loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
    const journey = loaded.journeys[0]!;
    const mapping = loaded.mappings[0]!;
    emulator = await createHubSpotEmulator({ rateLimits: false, seed: 'demo' });
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
    });
    await adapter.apply(journey, mapping, await adapter.plan(journey, mapping));
    const now = new Date('2026-11-22T12:00:00Z');
    const first = await adapter.sync(journey, mapping, { now });
    expect(first.errors).toEqual([]);
    expect(first.records).toBe(300);
    expect(first.changed).toBe(300);
    expect(first.tasksCreated).toBeGreaterThan(0);
    // Each company has its cycle ticket in the journey's pipeline, and its tasks hang on both.
    const portal = emulator.portal(emulator.defaultHubId);
    const company = portal
      .objects('companies')
      .find((candidate) => candidate.properties.milepost_stage === 'onboarding')!;
    const [ticket] = portal.associations('companies', company.id, 'tickets');
    expect(ticket).toBeDefined();
    expect(portal.object('tickets', String(ticket!.toObjectId))?.properties).toMatchObject({
      hs_pipeline: 'milepost-saas-lifecycle',
      hs_pipeline_stage: 'milepost-saas-lifecycle-onboarding',
    });
    const tasks = portal.associations('tickets', String(ticket!.toObjectId), 'tasks');
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.length).toBe(portal.associations('companies', company.id, 'tasks').length);
    const second = await adapter.sync(journey, mapping, { now });
    expect(second).toMatchObject({ records: 300, changed: 0, writes: 0, tasksCreated: 0, errors: [] });
    // Three pages of companies, the pipeline check, and the workflow list and read.
    expect(second.apiCalls).toBe(6);
  });
});

describe('workflows', () => {
  test("a Professional portal gets disabled workflows per stage; an enabled one takes over its stage's tasks", async () => {
    emulator = await createHubSpotEmulator({ rateLimits: false });
    const portal = emulator.portal(emulator.defaultHubId);
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
    });
    const journey = loadTemplate('saas-lifecycle');
    const plan = await adapter.plan(journey);
    const workflows = plan.changes.filter((change) => change.resource.kind === 'workflow');
    expect(workflows.map((change) => change.resource.id)).toEqual([
      'workflow:tickets:saas-lifecycle:purchase',
      'workflow:tickets:saas-lifecycle:onboarding',
      'workflow:tickets:saas-lifecycle:customer-success',
    ]);
    expect((await adapter.apply(journey, undefined, plan)).failed).toEqual([]);
    const flows = portal.workflows() as Array<{
      id: string;
      isEnabled: boolean;
      name: string;
      actions: unknown[];
    }>;
    expect(flows.map((flow) => [flow.name, flow.isEnabled])).toEqual([
      ['Milepost · SaaS customer success lifecycle · Purchase: create tasks', false],
      ['Milepost · SaaS customer success lifecycle · Onboarding: create tasks', false],
      ['Milepost · SaaS customer success lifecycle · Customer Success: create tasks', false],
    ]);
    expect((await adapter.plan(journey)).changes).toEqual([]);

    // The admin turns the onboarding workflow on: the sync no longer creates onboarding tasks itself.
    const onboarding = flows[1]!;
    const headers = { authorization: `Bearer ${emulator.defaultToken}`, 'content-type': 'application/json' };
    const current = (await (
      await fetch(`${emulator.url}/automation/v4/flows/${onboarding.id}`, { headers })
    ).json()) as Record<string, unknown>;
    const enabled = await fetch(`${emulator.url}/automation/v4/flows/${onboarding.id}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ ...current, isEnabled: true }),
    });
    expect(enabled.status).toBe(200);
    const [companyId] = portal.loadObjects('companies', [
      { name: 'Onboarding Co', plan: 'pro', contract_signed_date: '2026-11-01' },
    ]);
    const summary = await adapter.sync(journey, undefined, { now: new Date('2026-11-22T12:00:00Z') });
    expect(summary.errors).toEqual([]);
    expect(portal.object('companies', companyId!)?.properties.milepost_stage).toBe('onboarding');
    expect(summary.tasksCreated).toBe(0);

    // A changed task subject updates the workflow and keeps the admin's choice to enable it.
    const edited = structuredClone(journey);
    edited.successCycles![0]!.stages[1]!.activities[0]!.tasks[0]!.subject =
      'Read the handoff notes before the kick-off';
    const update = await adapter.plan(edited);
    expect(update.changes.map((change) => `${change.action} ${change.resource.id}`)).toEqual([
      'update workflow:tickets:saas-lifecycle:onboarding',
    ]);
    expect((await adapter.apply(edited, undefined, update)).failed).toEqual([]);
    const after = (portal.workflows() as Array<{ id: string; isEnabled: boolean }>).find(
      (flow) => flow.id === onboarding.id,
    );
    expect(after?.isEnabled).toBe(true);
    expect((await adapter.plan(edited)).changes).toEqual([]);
  });
});
