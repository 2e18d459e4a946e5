#!/usr/bin/env node
/**
 * `pnpm demo`: both emulators seeded with a few hundred customers, the admin app with the
 * saas-lifecycle journey applied to both and synced, and the URL and sign-in to look at it.
 *
 * The demo drives its own admin server through the public HTTP API, as the UI does, so what it
 * shows is what people get. Everything lives in memory or in `.milepost/demo` (wiped on start:
 * the emulators start fresh each time, so stale connections would point at dead ports).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHubSpotEmulator } from '@milepost/hubspot-emulator';
import { createSalesforceEmulator } from '@milepost/salesforce-emulator';
import { adminConfigFromEnv } from './admin-config.js';
import { defaultUiDir, startAdminServer } from './admin-server.js';
import { createAdapterFactory } from './crm-adapters.js';
import { createApiClient, type RunView } from './demo-api-client.js';

/** What the demo started, for tests and for stopping it. */
export interface RunningDemo {
  adminUrl: string;
  email: string;
  password: string;
  hubspotUrl: string;
  salesforceUrl: string;
  close(): Promise<void>;
}

/** Options of {@link startDemo}. */
export interface DemoOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
  /** Where the demo's PGlite lives (default `.milepost/demo`). */
  dataDir?: string;
  /** Admin server port (default `PORT` or 4400; 0 picks a free one). */
  port?: number;
}

// The demo mappings map the saas-lifecycle template onto the fields the emulators' demo seeds hold.
const MAPPINGS = {
  hubspot: 'saas-lifecycle.hubspot.mapping.yaml',
  salesforce: 'saas-lifecycle.salesforce.mapping.yaml',
} as const;

async function demoMapping(file: string): Promise<string> {
  const cliDemo = fileURLToPath(new URL('../../../../packages/cli/demo/', import.meta.url));
  return readFile(join(cliDemo, file), 'utf8');
}

/** Logs a run's progress when it moves (the demo polls faster than runs advance). */
function progressLine(log: (line: string) => void, label: string) {
  let last = '';
  return (run: RunView) => {
    if (run.progress.total === 0) return;
    const text = `${label} ${run.progress.done}/${run.progress.total}`;
    if (text !== last) log(text);
    last = text;
  };
}

/** Starts everything and applies and syncs the journey on both CRMs. */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dataDir = options.dataDir ?? join(process.cwd(), '.milepost', 'demo');
  await rm(dataDir, { recursive: true, force: true });

  const hubspot = await createHubSpotEmulator({ seed: 'demo' });
  const salesforce = await createSalesforceEmulator({ seed: 'demo' });
  log(`local HubSpot at ${hubspot.url}, local Salesforce at ${salesforce.url}`);

  const email = env.MILEPOST_ADMIN_EMAIL ?? 'admin@milepost.local';
  const password = env.MILEPOST_ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
  const base = adminConfigFromEnv({ ...env, MILEPOST_DATA_DIR: dataDir });
  const port = options.port ?? (env.PORT ? Number(env.PORT) : 4400);
  const uiDir = base.uiDir ?? defaultUiDir();
  const start = (listenOn: number) =>
    startAdminServer({
      config: {
        ...base,
        // The demo always runs on embedded storage, whatever DATABASE_URL says.
        databaseUrl: undefined,
        port: listenOn,
        adminEmail: email,
        adminPassword: password,
        ...(uiDir ? { uiDir } : {}),
      },
      adapterFor: createAdapterFactory({ salesforcePollIntervalMs: 50 }),
      log,
    });
  const server = await start(port).catch(async (error: unknown) => {
    if ((error as { code?: string }).code !== 'EADDRINUSE' || port === 0) throw error;
    log(`port ${port} is taken; using a free one`);
    return start(0);
  });

  const close = async () => {
    await server.close();
    await hubspot.close();
    await salesforce.close();
  };
  try {
    const api = createApiClient(server.url);
    await api.signIn(email, password);
    await api.call('POST', '/api/journeys', { template: 'saas-lifecycle' });
    log('journey saas-lifecycle imported from its template');

    const connections = [
      await api.call<{ id: string; name: string }>('POST', '/api/connections', {
        target: 'hubspot',
        name: 'Local HubSpot (demo portal)',
        accessToken: hubspot.defaultToken,
        baseUrl: hubspot.url,
      }),
      await api.call<{ id: string; name: string }>('POST', '/api/connections', {
        target: 'salesforce',
        name: 'Local Salesforce (demo org)',
        instanceUrl: salesforce.url,
        accessToken: salesforce.defaultToken,
      }),
    ];
    for (const [index, target] of (['hubspot', 'salesforce'] as const).entries()) {
      const connection = connections[index];
      if (!connection) continue;
      await api.call('PUT', `/api/journeys/saas-lifecycle/mappings/${connection.id}`, {
        source: await demoMapping(MAPPINGS[target]),
      });
      const plan = await api.call<{ id: string; plan: { changes: unknown[] } }>(
        'POST',
        '/api/journeys/saas-lifecycle/plans',
        {
          connectionId: connection.id,
        },
      );
      log(`${connection.name}: plan of ${plan.plan.changes.length} changes`);
      const applied = await api.waitForRun(
        await api.call<{ id: string }>('POST', `/api/plans/${plan.id}/apply`, { confirm: true }),
        progressLine(log, `${connection.name}: applying`),
      );
      log(`${connection.name}: apply ${applied.status}`);
      const synced = await api.waitForRun(
        await api.call<{ id: string }>('POST', '/api/journeys/saas-lifecycle/syncs', {
          connectionId: connection.id,
        }),
        (run) => log(`${connection.name}: syncing ${run.progress.done}/${run.progress.total}`),
      );
      log(`${connection.name}: sync ${synced.status} (${synced.errors.length} record errors)`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    adminUrl: server.url,
    email,
    password,
    hubspotUrl: hubspot.url,
    salesforceUrl: salesforce.url,
    close,
  };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const demo = await startDemo();
  console.log(`\nAdmin: ${demo.adminUrl}`);
  console.log(`E-mail: ${demo.email}`);
  console.log(`Password: ${demo.password}`);
  console.log(`HubSpot emulator: ${demo.hubspotUrl}`);
  console.log(`Salesforce emulator: ${demo.salesforceUrl}`);
  console.log('\nCtrl-C stops everything.');
  const stop = async () => {
    await demo.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
