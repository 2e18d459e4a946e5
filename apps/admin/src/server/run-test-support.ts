/**
 * Helpers for the plan, run and dashboard tests: the saas-lifecycle journey, connections to the
 * emulators stored through the connection store, the CLI's demo mappings, and waiting on a run.
 */
import { readFileSync } from 'node:fs';
import { evaluateRecord, type MilepostAdapter, type SlaStatus, type SyncRecordError } from '@milepost/core';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { createSalesforceEmulator, type SalesforceEmulator } from '@milepost/salesforce-emulator';
import type { AdapterFactory } from './admin-context.js';
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

/** One customer of a {@link ScriptedCrm}: the stage its next sync reports and the day it entered it. */
export interface ScriptedCustomer {
  id: string;
  stage: string;
  /** `YYYY-MM-DD`. */
  enteredAt: string;
  sla?: SlaStatus;
  daysInStage?: number;
}

/**
 * A CRM whose syncs report exactly the customers a test lists, for stage history and pruning tests
 * that need a customer to skip a stage, move back or disappear. Every other adapter call throws.
 */
export interface ScriptedCrm {
  /** What the next sync reports, in order; edit it between syncs. */
  customers: ScriptedCustomer[];
  /** Records the next syncs report as failed (their state is still reported): the run is partial. */
  failing: string[];
  /** When set, the next syncs report this many customers and then throw: the run fails. */
  throwAfter: number | undefined;
  /** When set, the next syncs wait this long after each customer (so progress writes happen meanwhile). */
  pauseMs: number | undefined;
  adapterFor: AdapterFactory;
}

/** A {@link ScriptedCrm} without customers. */
export function createScriptedCrm(): ScriptedCrm {
  const unsupported = async (): Promise<never> => {
    throw new Error('the scripted CRM only syncs');
  };
  const crm: ScriptedCrm = {
    customers: [],
    failing: [],
    throwAfter: undefined,
    pauseMs: undefined,
    adapterFor: () => adapter,
  };
  const adapter: MilepostAdapter = {
    target: 'hubspot',
    preflight: unsupported,
    plan: unsupported,
    apply: unsupported,
    status: unsupported,
    describeFields: unsupported,
    async sync(journey, _mapping, options) {
      const customers = crm.customers.filter(
        (customer) => !options.recordIds || options.recordIds.includes(customer.id),
      );
      const errors: SyncRecordError[] = [];
      let records = 0;
      for (const customer of customers) {
        if (crm.throwAfter !== undefined && records >= crm.throwAfter) {
          throw new Error('the scripted CRM stopped answering');
        }
        records += 1;
        // A real state for the journey, then the stage the script says.
        const state = evaluateRecord(journey, { id: customer.id, facts: {} }, options.now);
        options.onState?.(
          { id: customer.id, name: `Customer ${customer.id}` },
          {
            ...state,
            stage: customer.stage,
            stageEnteredAt: customer.enteredAt,
            daysInStage: customer.daysInStage ?? 0,
            sla: customer.sla ?? 'on-track',
          },
        );
        if (crm.failing.includes(customer.id))
          errors.push({ record: customer.id, message: 'scripted failure' });
        if (crm.pauseMs !== undefined) await new Promise((resolve) => setTimeout(resolve, crm.pauseMs));
      }
      return { records, changed: records, writes: records, tasksCreated: 0, apiCalls: 1, errors };
    },
  };
  return crm;
}

/** Imports saas-lifecycle and stores a connection for a {@link ScriptedCrm}; the connection id. */
export async function journeyOnScriptedCrm(admin: TestAdmin): Promise<string> {
  const imported = await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' });
  if (imported.status !== 201) throw new Error(`journey not imported: ${imported.text}`);
  const connection = await createConnection(admin.context, {
    target: 'hubspot',
    name: 'Scripted CRM',
    auth: 'token',
    baseUrl: 'http://127.0.0.1:9',
    hubId: 1,
    secrets: { accessToken: 'scripted-token' },
  });
  return connection.id;
}
