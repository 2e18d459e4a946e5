import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSalesforceEmulator } from './salesforce-emulator.js';
import { DEMO_ACCOUNT_FIELDS } from './salesforce-emulator-seed.js';
import { runSalesforceEmulatorStandalone } from './salesforce-emulator-standalone.js';
import { connect } from './salesforce-emulator-test-support.js';

const fixedNow = () => new Date('2026-06-15T12:00:00Z');
const directory = mkdtempSync(join(tmpdir(), 'salesforce-emulator-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('the demo seed', () => {
  it('is deterministic and realistic: 300 accounts, 5 CSMs, visible custom fields', async () => {
    const first = await createSalesforceEmulator({ seed: 'demo', now: fixedNow });
    const second = await createSalesforceEmulator({ seed: 'demo', now: fixedNow });
    try {
      const accounts = first.org().records('Account');
      expect(accounts).toHaveLength(300);
      expect(second.org().records('Account')).toEqual(accounts);
      expect(new Set(accounts.map((account) => account.Name)).size).toBe(300);
      expect(first.org().users()).toHaveLength(6);
      const owners = new Set(accounts.map((account) => account.OwnerId));
      expect(owners.size).toBe(5);
      const visible = first.org().visibleFields('Account');
      for (const field of DEMO_ACCOUNT_FIELDS)
        expect(visible).toContain(String(field.fullName).split('.')[1]);
      const connection = connect(first);
      const churned = await connection.query('SELECT COUNT() FROM Account WHERE Churned__c = true');
      expect(churned.totalSize).toBe(21);
      const justSigned = await connection.query(
        'SELECT Id FROM Account WHERE Contract_Signed_Date__c = LAST_N_DAYS:14 AND Kickoff_Date__c = null',
      );
      expect(justSigned.totalSize).toBeGreaterThanOrEqual(40);
      const plans = new Set(accounts.map((account) => account.Plan__c));
      expect(plans).toEqual(new Set(['Trial', 'Starter', 'Professional', 'Enterprise']));
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('the standalone emulator', () => {
  it('prints the connection lines and keeps state across restarts with a data file', async () => {
    const dataFile = join(directory, 'state.json');
    const lines: string[] = [];
    const first = await runSalesforceEmulatorStandalone({
      dataFile,
      token: '00D000000000001AAA!demo-token',
      log: (line) => lines.push(line),
    });
    expect(lines[0]).toBe(`SF_INSTANCE_URL=${first.url}`);
    expect(lines[1]).toBe('SF_ACCESS_TOKEN=00D000000000001AAA!demo-token');
    const connection = connect(first, '00D000000000001AAA!demo-token');
    const created = await connection.sobject('Account').create({ Name: 'Survives Restart Co' });
    await connection.metadata.create('CustomField', {
      fullName: 'Account.Persisted__c',
      label: 'Persisted',
      type: 'Date',
    });
    await first.close();
    const second = await runSalesforceEmulatorStandalone({
      dataFile,
      token: '00D000000000001AAA!demo-token',
      log: () => {},
    });
    try {
      const again = connect(second, '00D000000000001AAA!demo-token');
      const found = await again.sobject('Account').retrieve(created.id!);
      expect(found.Name).toBe('Survives Restart Co');
      expect(second.org().records('Account')).toHaveLength(301);
      expect(second.org().component('CustomField', 'Account.Persisted__c')?.label).toBe('Persisted');
      const next = await again.sobject('Account').create({ Name: 'After Restart Co' });
      expect(next.id!).not.toBe(created.id!);
    } finally {
      await second.close();
    }
  });
});
