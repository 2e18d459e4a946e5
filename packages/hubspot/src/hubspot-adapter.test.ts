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
    const second = await adapter.sync(journey, mapping, { now });
    expect(second).toMatchObject({ records: 300, changed: 0, writes: 0, tasksCreated: 0, errors: [] });
    expect(second.apiCalls).toBe(4);
  });
});
