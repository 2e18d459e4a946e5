import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { createSalesforceEmulator } from '@milepost/salesforce-emulator';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runCaptured } from './cli-test-support.js';

const HUBSPOT_MAPPING = new URL(
  '../../hubspot/src/__fixtures__/saas-lifecycle.hubspot.mapping.yaml',
  import.meta.url,
);

async function tempFile(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'milepost-fields-')), name);
  await writeFile(path, text);
  return path;
}

describe('fields and mapping check against the HubSpot emulator', () => {
  let emulator: HubSpotEmulator;
  beforeEach(async () => {
    emulator = await createHubSpotEmulator({ rateLimits: false, seed: 'demo' });
  });
  afterEach(async () => {
    await emulator.close();
  });
  const run = (args: string[]) =>
    runCaptured(args, {
      env: { HUBSPOT_BASE_URL: emulator.url, HUBSPOT_ACCESS_TOKEN: emulator.defaultToken },
    });

  test('fields lists the company and ticket properties by object; --json has every field', async () => {
    const applied = await run(['apply', '--target', 'hubspot', '--template', 'saas-lifecycle', '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    const result = await run(['fields', '--target', 'hubspot']);
    expect(result.code, result.stderr).toBe(0);
    const headings = result.stdout.split('\n').filter((text) => /^\S/.test(text));
    expect(headings.map((heading) => heading.replace(/\(\d+ fields\)/, '(n fields)'))).toEqual([
      'companies (n fields)',
      'tickets (n fields)',
    ]);
    expect(result.stdout).toMatch(
      /\n {2}milepost_stage +Journey stage +enum: prospecting, purchase, onboarding, customer-success {2}\[Milepost\]\n/,
    );
    expect(result.stdout).toMatch(/\n {2}annualrevenue +Annual Revenue +currency\n/);

    const json = await run(['fields', '--target', 'hubspot', '--json']);
    const fields = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(fields.find((field) => field.name === 'milepost_sla_status')).toEqual({
      object: 'companies',
      name: 'milepost_sla_status',
      label: 'Journey SLA status',
      type: 'enum',
      options: [
        { value: 'on-track', label: 'on track' },
        { value: 'behind', label: 'behind' },
        { value: 'stuck', label: 'stuck' },
      ],
      managed: true,
    });
  });

  test("fields --mapping lists the mapping's cycle object instead of tickets", async () => {
    const mapping = await tempFile(
      'mapping.yaml',
      'apiVersion: milepost/v1\nkind: Mapping\njourney: saas-lifecycle\ntarget: hubspot\ncycleObject: deals\n',
    );
    const result = await run(['fields', '--target', 'hubspot', '--mapping', mapping, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const objects = new Set(
      (JSON.parse(result.stdout) as Array<{ object: string }>).map((field) => field.object),
    );
    expect(objects).toEqual(new Set(['companies', 'deals']));
    const wrongTarget = await run(['fields', '--target', 'salesforce', '--mapping', mapping]);
    expect(wrongTarget.code).toBe(1);
    expect(wrongTarget.stderr).toContain(
      `${mapping} has no mapping with target salesforce; check its "target" (or pass the matching --target)`,
    );
  });

  test('mapping check passes the demo mapping and reports a broken one with exit 1', async () => {
    const good = await tempFile('good.yaml', await readFile(HUBSPOT_MAPPING, 'utf8'));
    const passed = await run([
      'mapping',
      'check',
      '--target',
      'hubspot',
      '--template',
      'saas-lifecycle',
      '--mapping',
      good,
    ]);
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toBe("✓ the mapping fits the CRM's fields\n");

    const broken = await tempFile(
      'broken.yaml',
      [
        'apiVersion: milepost/v1',
        'kind: Mapping',
        'journey: saas-lifecycle',
        'target: hubspot',
        'facts:',
        '  active_users: { field: active_user }',
        '  plan: { field: plan_tier, values: { pro: pro } }',
        'outputs:',
        '  daysInStage: { field: kickoff_date }',
        '',
      ].join('\n'),
    );
    const args = [
      'mapping',
      'check',
      '--target',
      'hubspot',
      '--template',
      'saas-lifecycle',
      '--mapping',
      broken,
    ];
    const failed = await run(args);
    expect(failed.code).toBe(1);
    expect(failed.stdout.split('\n')).toEqual([
      '✗ fact "active_users" is mapped to companies.active_user, which does not exist; did you mean "active_users"?',
      '✗ fact "plan": values maps "pro" to "pro", which is not an option of companies.plan_tier (options: "trial", "starter", "professional", "enterprise")',
      '! fact "plan": companies.plan_tier has no option for "pro", so criteria on it never match; add the options in the CRM or map the values under "values"',
      '✗ output "daysInStage" writes a whole number, but companies.kickoff_date is a date field; map a number field',
      '3 errors, 1 warning: fix the errors before syncing',
      '',
    ]);
    const json = await run([...args, '--json']);
    expect(json.code).toBe(1);
    const answer = JSON.parse(json.stdout);
    expect(answer.ok).toBe(false);
    expect(
      answer.issues.map((issue: { key: string; severity: string }) => `${issue.severity} ${issue.key}`),
    ).toEqual(['error active_users', 'error plan', 'warning plan', 'error daysInStage']);
    expect(answer.issues[2].unmappedValues).toEqual(['pro']);
  });
});

describe('fields and mapping check against the Salesforce emulator', () => {
  test('fields lists Account; mapping check reports a picklist value the org lacks', async () => {
    const emulator = await createSalesforceEmulator({ seed: 'demo' });
    try {
      const run = (args: string[]) =>
        runCaptured(args, { env: { SF_INSTANCE_URL: emulator.url, SF_ACCESS_TOKEN: emulator.defaultToken } });
      const listed = await run(['fields', '--target', 'salesforce', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const fields = JSON.parse(listed.stdout) as Array<{ object: string; name: string; type: string }>;
      expect(fields.find((field) => field.object === 'Account' && field.name === 'AnnualRevenue')?.type).toBe(
        'currency',
      );
      const mapping = await tempFile(
        'mapping.yaml',
        [
          'apiVersion: milepost/v1',
          'kind: Mapping',
          'journey: saas-lifecycle',
          'target: salesforce',
          'facts:',
          '  arr: { field: annualrevenue }',
          'outputs:',
          '  stage: { field: Type }',
          '',
        ].join('\n'),
      );
      const checked = await run([
        'mapping',
        'check',
        '--target',
        'salesforce',
        '--template',
        'saas-lifecycle',
        '--mapping',
        mapping,
        '--json',
      ]);
      expect(checked.code).toBe(1);
      const answer = JSON.parse(checked.stdout);
      expect(answer.issues).toEqual([
        {
          key: 'stage',
          kind: 'output',
          severity: 'error',
          message:
            'output "stage": Account.Type has no option for "prospecting", "purchase", "onboarding", "customer-success"; add the options in the CRM or map the values under "values"',
          unmappedValues: ['prospecting', 'purchase', 'onboarding', 'customer-success'],
        },
      ]);
    } finally {
      await emulator.close();
    }
  }, 30_000);
});
