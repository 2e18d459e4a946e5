/** Starts the admin server: storage, migrations, the secret key, the first admin, and HTTP. */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createAdminApp } from './admin-app.js';
import { createFirstAdmin, setupRequired } from './admin-auth.js';
import type { AdminConfig } from './admin-config.js';
import type { AdapterFactory, AdminContext, AdminEnv } from './admin-context.js';
import { createAdapterFactory } from './crm-adapters.js';
import { type Database, openDatabase } from './database.js';
import { hubSpotOAuthAccessToken } from './hubspot-install.js';
import { migrate } from './migrate.js';
import { recoverRuns } from './run-executor.js';
import { createSecretBox, loadOrCreateSecretKey } from './secret-box.js';

/** Options of {@link createAdminContext} and {@link startAdminServer}. */
export interface AdminServerOptions {
  config: AdminConfig;
  /** An open database (tests); otherwise opened from the config. */
  database?: Database;
  adapterFor?: AdapterFactory;
  now?: () => Date;
  log?: (line: string) => void;
}

/** A running admin server. */
export interface RunningAdminServer {
  url: string;
  app: Hono<AdminEnv>;
  context: AdminContext;
  close(): Promise<void>;
}

/** Opens storage, runs migrations, loads the secret key and creates the first admin from the config. */
export async function createAdminContext(options: AdminServerOptions): Promise<AdminContext> {
  const { config } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const database =
    options.database ??
    (await openDatabase(
      config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, 'pglite') },
    ));
  const applied = await migrate(database);
  if (applied.length > 0) log(`database migrated (${applied.join(', ')}) on ${database.kind}`);
  const key = loadOrCreateSecretKey(config.secretKey, join(config.dataDir, 'secret.key'));
  const context: AdminContext = {
    config,
    database,
    secrets: createSecretBox(key),
    now: options.now ?? (() => new Date()),
    log,
    // OAuth connections (HubSpot installs) get tokens refreshed before expiry and sealed back.
    adapterFor:
      options.adapterFor ??
      createAdapterFactory({
        oauthAccessToken: (connection) => hubSpotOAuthAccessToken(context)(connection),
      }),
  };
  await recoverRuns(context);
  if (config.adminEmail && config.adminPassword && (await setupRequired(database))) {
    await createFirstAdmin(database, config.adminEmail, config.adminPassword);
    log(`admin account ${config.adminEmail} created from MILEPOST_ADMIN_EMAIL`);
  }
  return context;
}

/** The built UI next to the built server (`dist/ui`), when it exists. */
export function defaultUiDir(): string | undefined {
  const dir = fileURLToPath(new URL('../ui/', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/** Starts the server on `config.port` (0 picks a free port). */
export async function startAdminServer(options: AdminServerOptions): Promise<RunningAdminServer> {
  const context = await createAdminContext(options);
  const app = createAdminApp(context);
  const server = serve({ fetch: app.fetch, port: options.config.port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  return {
    url,
    app,
    context,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.database) await context.database.close();
    },
  };
}
