import { createHubSpotEmulator } from '@milepost/hubspot-emulator';
import { CONFORMANCE_RECORDS, runAdapterConformance } from '@milepost/testkit';
import { createHubSpotAdapter } from './hubspot-adapter.js';

runAdapterConformance({
  name: 'HubSpot',
  async create() {
    const emulator = await createHubSpotEmulator({ rateLimits: false });
    const portal = emulator.portal(emulator.defaultHubId);
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${emulator.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${emulator.defaultToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.status === 204 ? undefined : response.json();
    };
    // The customer's own fields, as their RevOps would have them.
    await call('POST', '/crm/v3/properties/companies', {
      name: 'kickoff_date',
      label: 'Kick-off date',
      type: 'date',
      fieldType: 'date',
      groupName: 'companyinformation',
    });
    await call('POST', '/crm/v3/properties/companies', {
      name: 'active_users',
      label: 'Active users',
      type: 'number',
      fieldType: 'number',
      groupName: 'companyinformation',
    });
    await call('POST', '/crm/v3/properties/companies', {
      name: 'plan',
      label: 'Plan',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'companyinformation',
      options: ['trial', 'pro'].map((value, index) => ({
        label: value,
        value,
        displayOrder: index,
        hidden: false,
      })),
    });
    const recordIds = CONFORMANCE_RECORDS.map(
      (record) => portal.createObject('companies', { name: record.name, ...record.facts }).id,
    );
    const adapter = createHubSpotAdapter({
      accessToken: emulator.defaultToken,
      baseUrl: emulator.url,
      env: {},
    });
    return {
      adapter,
      recordIds,
      readStage: async (id) => portal.object('companies', id)?.properties.milepost_stage ?? null,
      setFact: async (id, fact, value) => {
        await call('PATCH', `/crm/v3/objects/companies/${id}`, { properties: { [fact]: String(value) } });
      },
      countTasks: async (id) => portal.associations('companies', id, 'tasks').length,
      createUnmanagedField: async (id) => {
        await call('POST', '/crm/v3/properties/companies', {
          name: 'health_notes',
          label: 'Health notes',
          type: 'string',
          fieldType: 'text',
          groupName: 'companyinformation',
        });
        await call('PATCH', `/crm/v3/objects/companies/${id}`, {
          properties: { health_notes: 'Champion left in October' },
        });
        return async () => ({
          definition: portal.properties('companies').find((property) => property.name === 'health_notes'),
          value: portal.object('companies', id)?.properties.health_notes,
        });
      },
      close: () => emulator.close(),
    };
  },
});
