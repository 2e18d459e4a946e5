/**
 * Test helpers: an emulated org through jsforce, the customer's own Account fields created the way an
 * admin would (Metadata API + a permission set), and a fast adapter.
 */
import {
  createSalesforceEmulator,
  type SalesforceEmulator,
  type SalesforceOrgOptions,
} from '@milepost/salesforce-emulator';
import { Connection } from 'jsforce';
import { createSalesforceAdapter, type SalesforceAdapterSettings } from './salesforce-adapter.js';
import { SALESFORCE_API_VERSION } from './salesforce-api.js';

/** A jsforce connection to the emulator's default org. */
export function emulatorConnection(emulator: SalesforceEmulator, token = emulator.defaultToken): Connection {
  const connection = new Connection({
    instanceUrl: emulator.url,
    accessToken: token,
    version: SALESFORCE_API_VERSION,
  });
  connection.metadata.pollInterval = 5;
  return connection;
}

/** An adapter for the emulator with short polls and back-offs. */
export function emulatorAdapter(emulator: SalesforceEmulator, settings: SalesforceAdapterSettings = {}) {
  return createSalesforceAdapter({
    instanceUrl: emulator.url,
    accessToken: emulator.defaultToken,
    pollIntervalMs: 5,
    retryDelayMs: 5,
    env: {},
    ...settings,
  });
}

/** Starts an emulator. */
export function startEmulator(
  options: { seed?: 'demo' | 'empty'; orgs?: SalesforceOrgOptions[]; now?: () => Date } = {},
) {
  return createSalesforceEmulator({
    seed: options.seed ?? 'empty',
    ...(options.orgs ? { orgs: options.orgs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Creates Account fields as a customer's admin would, visible to the integration user. */
export async function createCustomerFields(
  emulator: SalesforceEmulator,
  fields: Array<Record<string, unknown> & { fullName: string }>,
): Promise<void> {
  const connection = emulatorConnection(emulator);
  const results = await connection.metadata.create('CustomField', fields as never);
  for (const result of Array.isArray(results) ? results : [results])
    if (!result.success) throw new Error(`field not created: ${JSON.stringify(result)}`);
  const name = `Customer_Fields_${Math.random().toString(36).slice(2, 8)}`;
  const created = await connection.metadata.create('PermissionSet', {
    fullName: name,
    label: 'Customer fields',
    fieldPermissions: fields.map((field) => ({ field: field.fullName, readable: true, editable: true })),
  } as never);
  if (!(created as unknown as { success: boolean }).success)
    throw new Error(`permission set not created: ${JSON.stringify(created)}`);
  emulator.org().assignPermissionSet(emulator.org().integrationUserId, name);
}
