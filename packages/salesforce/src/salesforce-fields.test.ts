import { conformanceJourney } from '@milepost/testkit';
import { describe, expect, test } from 'vitest';
import { SALESFORCE_NAMES } from './salesforce-api.js';
import { createCustomerFields, emulatorAdapter, startEmulator } from './salesforce-test-support.js';

describe('describeFields against the emulator', () => {
  test('Account fields with their types and active picklist values; Success_Cycle__c once deployed', async () => {
    const emulator = await startEmulator();
    try {
      await createCustomerFields(emulator, [
        { fullName: 'Account.Renewal_At__c', label: 'Renewal at', type: 'DateTime' },
        { fullName: 'Account.Churned__c', label: 'Churned', type: 'Checkbox', defaultValue: 'false' },
        { fullName: 'Account.Health__c', label: 'Health', type: 'Percent', precision: 5, scale: 0 },
        {
          fullName: 'Account.Plan__c',
          label: 'Plan',
          type: 'Picklist',
          valueSet: {
            restricted: true,
            valueSetDefinition: {
              sorted: false,
              value: [
                { fullName: 'trial', default: false, label: 'Trial' },
                { fullName: 'pro', default: false, label: 'Pro' },
                { fullName: 'legacy', default: false, label: 'Legacy', isActive: false },
              ],
            },
          },
        },
      ]);
      const adapter = emulatorAdapter(emulator);
      const before = await adapter.describeFields();
      expect(new Set(before.map((field) => field.object))).toEqual(new Set(['Account']));
      const byName = (fields: typeof before, object: string, name: string) =>
        fields.find((field) => field.object === object && field.name === name);
      expect(byName(before, 'Account', 'Plan__c')).toEqual({
        object: 'Account',
        name: 'Plan__c',
        label: 'Plan',
        type: 'enum',
        options: [
          { value: 'trial', label: 'Trial' },
          { value: 'pro', label: 'Pro' },
        ],
        managed: false,
      });
      expect(
        ['Renewal_At__c', 'Churned__c', 'Health__c', 'AnnualRevenue', 'NumberOfEmployees', 'Name'].map(
          (name) => byName(before, 'Account', name)?.type,
        ),
      ).toEqual(['datetime', 'boolean', 'number', 'currency', 'number', 'string']);

      const journey = conformanceJourney();
      expect((await adapter.apply(journey, undefined, await adapter.plan(journey))).failed).toEqual([]);
      const calls = adapter.apiCalls();
      const after = await adapter.describeFields();
      // The object list, then one describe per object.
      expect(adapter.apiCalls() - calls).toBe(3);
      expect(new Set(after.map((field) => field.object))).toEqual(
        new Set(['Account', SALESFORCE_NAMES.cycleObject]),
      );
      expect(byName(after, 'Account', SALESFORCE_NAMES.accountStage)).toMatchObject({
        type: 'enum',
        managed: true,
      });
      expect(byName(after, SALESFORCE_NAMES.cycleObject, SALESFORCE_NAMES.cycleDaysInStage)).toMatchObject({
        type: 'number',
        managed: true,
      });
      expect(byName(after, SALESFORCE_NAMES.cycleObject, 'Id')?.managed).toBe(false);
      expect(byName(after, 'Account', 'Plan__c')?.managed).toBe(false);
    } finally {
      await emulator.close();
    }
  });

  test('a mapping object the org does not have is a clear error', async () => {
    const emulator = await startEmulator();
    try {
      const adapter = emulatorAdapter(emulator);
      await expect(
        adapter.describeFields({
          apiVersion: 'milepost/v1',
          kind: 'Mapping',
          journey: 'conformance',
          target: 'salesforce',
          object: 'Acount',
          facts: {},
          outputs: {},
        }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message:
          'the org has no object "Acount" visible to the integration user; check the mapping\'s "object" (an API name such as Account)',
      });
    } finally {
      await emulator.close();
    }
  });
});
