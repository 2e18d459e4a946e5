import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSalesforceEmulator, type SalesforceEmulator } from '@milepost/salesforce-emulator';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runCaptured } from './cli-test-support.js';

let emulator: SalesforceEmulator;
beforeEach(async () => {
  emulator = await createSalesforceEmulator({ seed: 'demo' });
});
afterEach(async () => {
  await emulator.close();
});

const run = (args: string[]) =>
  runCaptured(args, { env: { SF_INSTANCE_URL: emulator.url, SF_ACCESS_TOKEN: emulator.defaultToken } });
const target = ['--target', 'salesforce', '--template', 'saas-lifecycle'];

describe('milepost with a Salesforce org', () => {
  test('export salesforce writes a source-format SFDX project', async () => {
    const out = await mkdtemp(join(tmpdir(), 'milepost-sfdx-'));
    const result = await run(['export', 'salesforce', '--template', 'saas-lifecycle', '--out', out]);
    expect(result.code).toBe(0);
    const entries = await readdir(out, { recursive: true });
    expect(entries).toEqual(expect.arrayContaining(['sfdx-project.json', '.forceignore']));
    expect(entries.some((entry) => entry.endsWith('Success_Cycle__c.object-meta.xml'))).toBe(true);
  });

  test('plan exits 2, apply --yes deploys, a second plan exits 0, sync --json ends with its summary', async () => {
    const plan = await run(['plan', ...target]);
    expect(plan.code).toBe(2);
    const applied = await run(['apply', ...target, '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    const again = await run(['plan', ...target]);
    expect(again.code, again.stdout).toBe(0);
    const sync = await run(['sync', ...target, '--json', '--now', '2026-11-22']);
    const summary = JSON.parse(sync.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ records: expect.any(Number), errors: expect.any(Array) });
    expect(summary.records).toBeGreaterThan(0);
  }, 60_000);
});
