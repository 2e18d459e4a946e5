import { CONFORMANCE_RECORDS, runAdapterConformance } from '@milepost/testkit';
import { SALESFORCE_NAMES } from './salesforce-api.js';
import {
  createCustomerFields,
  emulatorAdapter,
  emulatorConnection,
  startEmulator,
} from './salesforce-test-support.js';

const FACT_FIELDS: Record<string, string> = {
  kickoff_date: 'Kickoff_Date__c',
  active_users: 'Active_Users__c',
  plan: 'Plan__c',
};

runAdapterConformance({
  name: 'Salesforce',
  async create() {
    const emulator = await startEmulator();
    const org = emulator.org();
    await createCustomerFields(emulator, [
      { fullName: 'Account.Kickoff_Date__c', label: 'Kick-off date', type: 'Date' },
      { fullName: 'Account.Active_Users__c', label: 'Active users', type: 'Number', precision: 8, scale: 0 },
      {
        fullName: 'Account.Plan__c',
        label: 'Plan',
        type: 'Picklist',
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            sorted: false,
            value: ['trial', 'pro'].map((value) => ({ fullName: value, default: false, label: value })),
          },
        },
      },
    ]);
    const recordIds = CONFORMANCE_RECORDS.map((record) =>
      org.insert('Account', {
        Name: record.name,
        ...Object.fromEntries(
          Object.entries(record.facts).map(([fact, value]) => [FACT_FIELDS[fact]!, value]),
        ),
      }),
    );
    return {
      adapter: emulatorAdapter(emulator),
      recordIds,
      readStage: async (id) =>
        (org.record(id)?.[SALESFORCE_NAMES.accountStage] as string | undefined) ?? null,
      setFact: async (id, fact, value) => org.update('Account', id, { [FACT_FIELDS[fact]!]: value }),
      countTasks: async (id) =>
        org.records('Task').filter((task) => String(task[SALESFORCE_NAMES.taskKey] ?? '').includes(`:${id}:`))
          .length,
      createUnmanagedField: async (id) => {
        await createCustomerFields(emulator, [
          { fullName: 'Account.Health_Notes__c', label: 'Health notes', type: 'Text', length: 255 },
        ]);
        await emulatorConnection(emulator)
          .sobject('Account')
          .update({ Id: id, Health_Notes__c: 'Champion left in October' });
        return async () => ({
          definition: org.component('CustomField', 'Account.Health_Notes__c'),
          value: org.record(id)?.Health_Notes__c,
        });
      },
      close: () => emulator.close(),
    };
  },
});
