import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runCaptured } from './cli-test-support.js';

let emulator: HubSpotEmulator;
beforeEach(async () => {
  emulator = await createHubSpotEmulator({ rateLimits: false, seed: 'demo' });
});
afterEach(async () => {
  await emulator.close();
});

const run = (
  args: string[],
  env: NodeJS.ProcessEnv = { HUBSPOT_BASE_URL: emulator.url, HUBSPOT_ACCESS_TOKEN: emulator.defaultToken },
) => runCaptured(args, { env });

const target = ['--target', 'hubspot', '--template', 'saas-lifecycle'];

describe('plan, apply, sync, status against the HubSpot emulator', () => {
  test('preflight reports what the portal allows', async () => {
    const result = await run(['preflight', '--target', 'hubspot']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ scopes for companies: granted');
    expect(result.stdout).toContain('Ready: plan and apply can proceed.');
  });

  test('plan exits 2 with changes, apply needs --yes outside a terminal, then plan exits 0', async () => {
    const plan = await run(['plan', ...target]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('+ create property companies.milepost_stage');
    expect(plan.stdout).toMatch(/Plan: \d+ to create, 0 to update, 0 to delete\./);
    const json = await run(['plan', ...target, '--json']);
    expect(JSON.parse(json.stdout).changes.length).toBeGreaterThan(20);

    const refused = await run(['apply', ...target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'apply needs confirmation: run it in a terminal, or add --yes to apply without asking',
    );
    expect(
      emulator
        .portal(emulator.defaultHubId)
        .properties('companies')
        .some((property) => property.name === 'milepost_stage'),
    ).toBe(false);

    const applied = await run(['apply', ...target, '--yes']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/✓ applied (\d+) of \1 changes with \d+ API calls/);
    const again = await run(['plan', ...target]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('No changes: the CRM already matches the journey.\n');
  });

  test('sync --json ends with the summary object; status shows one company', async () => {
    await run(['apply', ...target, '--yes']);
    const sync = await run(['sync', ...target, '--json', '--now', '2026-11-22']);
    const lines = sync.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1)!);
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining(['records', 'changed', 'writes', 'tasksCreated', 'apiCalls', 'errors']),
    );
    expect(summary.records).toBe(300);
    const id = emulator.portal(emulator.defaultHubId).objects('companies')[0]!.id;
    const status = await run(['status', ...target, '--record', id, '--now', '2026-11-22']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^\d+ {2}saas-lifecycle v1/);
    expect(status.stdout).toContain('Next       ');
    const missing = await run(['status', ...target, '--record', '999999999']);
    expect(missing.code).toBe(1);
  });

  test('a wrong token is a clear error', async () => {
    const result = await run(['plan', ...target], {
      HUBSPOT_BASE_URL: emulator.url,
      HUBSPOT_ACCESS_TOKEN: 'not-a-token',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HubSpot refused the access token');
  });
});
