/**
 * Helpers for the plan, run and dashboard tests: the saas-lifecycle journey, connections to the
 * emulators stored through the connection store, the CLI's demo mappings, and waiting on a run.
 */
import { readFileSync } from 'node:fs';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { createSalesforceEmulator, type SalesforceEmulator } from '@milepost/salesforce-emulator';
import type { TestAdmin, TestClient } from './admin-test-support.js';
import { createConnection } from './connection-store.js';
import { saveMapping } from './mapping-store.js';
import type { RunJson } from './run-executor.js';

/** The demo mapping file of the CLI (`packages/cli/demo`) for a target. */
export function demoMappingSource(target: 'hubspot' | 'salesforce'): string {
  return readFileSync(
    new URL(`../../../../packages/cli/demo/saas-lifecycle.${target}.mapping.yaml`, import.meta.url),
    'utf8',
  );
}

/** Imports saas-lifecycle and stores a connection to the emulator with the demo mapping; the connection id. */
export async function journeyOnEmulator(
  admin: TestAdmin,
  emulator:
    | { target: 'hubspot'; hubspot: HubSpotEmulator }
    | { target: 'salesforce'; salesforce: SalesforceEmulator },
): Promise<string> {
  const imported = await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' });
  if (imported.status !== 201) throw new Error(`journey not imported: ${imported.text}`);
  const connection =
    emulator.target === 'hubspot'
      ? await createConnection(admin.context, {
          target: 'hubspot',
          name: 'Demo portal',
          auth: 'token',
          baseUrl: emulator.hubspot.url,
          hubId: emulator.hubspot.defaultHubId,
          secrets: { accessToken: emulator.hubspot.defaultToken },
        })
      : await createConnection(admin.context, {
          target: 'salesforce',
          name: 'Demo org',
          auth: 'token',
          baseUrl: emulator.salesforce.url,
          hubId: null,
          secrets: { accessToken: emulator.salesforce.defaultToken },
        });
  await saveMapping(
    admin.context.database,
    'saas-lifecycle',
    connection.id,
    demoMappingSource(emulator.target),
    'admin@example.com',
  );
  return connection.id;
}

/** Polls a run until it is no longer 'running' (60 s at most) and answers it. */
export async function waitForRun(client: TestClient, id: string): Promise<RunJson> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await client.request<RunJson>('GET', `/api/runs/${id}`);
    if (response.status !== 200) throw new Error(`GET run ${id}: ${response.status} ${response.text}`);
    if (response.body.status !== 'running') return response.body;
    if (Date.now() > deadline) throw new Error(`run ${id} still running after 60 s: ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Plans and applies through the routes, waits for the run, and answers it. */
export async function planAndApply(client: TestClient, connectionId: string): Promise<RunJson> {
  const plan = await client.request('POST', '/api/journeys/saas-lifecycle/plans', { connectionId });
  if (plan.status !== 201) throw new Error(`plan: ${plan.status} ${plan.text}`);
  const started = await client.request('POST', `/api/plans/${plan.body.id}/apply`, { confirm: true });
  if (started.status !== 202) throw new Error(`apply: ${started.status} ${started.text}`);
  return waitForRun(client, started.body.id);
}

/** The emulators the current test started (each test gets fresh ones: runs change the CRM). */
export interface EmulatorsPerTest {
  hubspot: HubSpotEmulator | undefined;
  salesforce: SalesforceEmulator | undefined;
  /** Starts the HubSpot emulator without rate limits, so polling tests never wait on a budget. */
  startHubSpot(seed: 'demo' | 'empty'): Promise<HubSpotEmulator>;
  startSalesforce(): Promise<SalesforceEmulator>;
  /** The started emulators' tokens, for `closeCheckingSecrets`. */
  tokens(): Array<string | undefined>;
  /** Closes what was started and forgets it; call it after the admin is closed. */
  close(): Promise<void>;
}

/**
 * Holder of the emulators a test starts. No hook of its own: the file's `afterEach` closes the admin
 * (checking the tokens) first and these next, in that order, while the tokens are still known.
 */
export function emulatorsPerTest(): EmulatorsPerTest {
  const emulators: EmulatorsPerTest = {
    hubspot: undefined,
    salesforce: undefined,
    async startHubSpot(seed) {
      emulators.hubspot = await createHubSpotEmulator({ seed, rateLimits: false });
      return emulators.hubspot;
    },
    async startSalesforce() {
      emulators.salesforce = await createSalesforceEmulator({ seed: 'demo' });
      return emulators.salesforce;
    },
    tokens: () => [emulators.hubspot?.defaultToken, emulators.salesforce?.defaultToken],
    async close() {
      await emulators.hubspot?.close();
      await emulators.salesforce?.close();
      emulators.hubspot = undefined;
      emulators.salesforce = undefined;
    },
  };
  return emulators;
}
