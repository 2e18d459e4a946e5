/**
 * Test harness: the admin app on a fresh database (PGlite in memory, or a new schema on the server
 * `MILEPOST_TEST_DATABASE_URL` names — CI runs the suite on both), driven through `app.request()`
 * with a cookie jar and the CSRF header, like a browser.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { createSalesforceEmulator, type SalesforceEmulator } from '@milepost/salesforce-emulator';
import { afterAll, beforeAll, expect } from 'vitest';
import { createAdminApp } from './admin-app.js';
import { adminConfigFromEnv } from './admin-config.js';
import type { AdapterFactory, AdminContext } from './admin-context.js';
import { createAdminContext } from './admin-server.js';
import { createAdapterFactory } from './crm-adapters.js';
import { type Database, openDatabase, pgliteAsDatabase } from './database.js';

// Booting PGlite takes seconds: one instance per test file, a fresh schema per test admin. The
// instance has one connection, so each use sets its schema's search path under a lock.
let shared: Promise<PGlite> | undefined;
let queue: Promise<unknown> = Promise.resolve();
function locked<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(work, work);
  queue = result.catch(() => undefined);
  return result;
}
async function freshPglite(schema: string): Promise<Database> {
  shared ??= (async () => {
    const lite = new PGlite();
    await lite.waitReady;
    return lite;
  })();
  const lite = await shared;
  const base = pgliteAsDatabase(lite);
  await locked(() => base.exec(`create schema ${schema}`));
  const inSchema = async () => {
    await lite.exec(`set search_path to ${schema}`);
  };
  return {
    kind: 'pglite',
    query: (sql, parameters) =>
      locked(async () => {
        await inSchema();
        return base.query(sql, parameters);
      }),
    exec: (sql) =>
      locked(async () => {
        await inSchema();
        return base.exec(sql);
      }),
    transaction: (work) =>
      locked(async () => {
        await inSchema();
        return base.transaction(work);
      }),
    close: () => locked(() => base.exec(`drop schema ${schema} cascade`)),
  };
}

/** A response decoded for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on decoded JSON of every route's shape
export interface TestResponse<Body = any> {
  status: number;
  headers: Headers;
  body: Body;
  text: string;
}

/** A browser-like client of the app. */
export interface TestClient {
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on decoded JSON of every route's shape
  request<Body = any>(
    method: string,
    path: string,
    body?: unknown,
    options?: { csrf?: boolean; headers?: Record<string, string> },
  ): Promise<TestResponse<Body>>;
  /** Completes first-run setup (or signs in) as `admin@example.com`. */
  signIn(email?: string, password?: string): Promise<void>;
}

/** The app, its context, and a client; `close()` drops the database. */
export interface TestAdmin extends TestClient {
  app: ReturnType<typeof createAdminApp>;
  context: AdminContext;
  logs: string[];
  /** A second, independent browser. */
  client(): TestClient;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** Starts the app on a fresh database. */
export async function createTestAdmin(
  options: { adapterFor?: AdapterFactory; now?: () => Date; env?: NodeJS.ProcessEnv } = {},
): Promise<TestAdmin> {
  const serverUrl = process.env.MILEPOST_TEST_DATABASE_URL;
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const database = serverUrl ? await openDatabase({ url: serverUrl, schema }) : await freshPglite(schema);
  const logs: string[] = [];
  const config = adminConfigFromEnv({
    MILEPOST_DATA_DIR: '/nonexistent',
    MILEPOST_SECRET_KEY: randomBytes(32).toString('hex'),
    MILEPOST_PUBLIC_URL: 'http://localhost:4400',
    ...options.env,
  });
  const context = await createAdminContext({
    config,
    database,
    log: (line) => logs.push(line),
    ...(options.adapterFor ? { adapterFor: options.adapterFor } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const app = createAdminApp(context);

  const client = (): TestClient => {
    const jar = new Map<string, string>();
    let csrfToken: string | undefined;
    const request: TestClient['request'] = async (method, path, body, requestOptions = {}) => {
      const headers: Record<string, string> = { ...requestOptions.headers };
      if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      if (method !== 'GET' && method !== 'HEAD' && requestOptions.csrf !== false) {
        if (!csrfToken) {
          const session = await request('GET', '/api/session');
          csrfToken = session.body.csrfToken;
        }
        headers['x-milepost-csrf'] = csrfToken ?? '';
        headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      }
      if (body !== undefined && typeof body !== 'string') headers['content-type'] = 'application/json';
      const response = await app.request(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const [name, ...rest] = (pair ?? '').split('=');
        if (!name) continue;
        const value = rest.join('=');
        if (value === '' || /max-age=0/i.test(cookie)) jar.delete(name.trim());
        else jar.set(name.trim(), value);
      }
      const text = await response.text();
      let parsed: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
      if (path === '/api/session' && method === 'GET' && parsed && typeof parsed === 'object') {
        csrfToken = (parsed as { csrfToken?: string }).csrfToken;
      }
      // biome-ignore lint/suspicious/noExplicitAny: tests assert on decoded JSON of every route's shape
      return { status: response.status, headers: response.headers, body: parsed as any, text };
    };
    return {
      request,
      async signIn(email = 'admin@example.com', password = TEST_PASSWORD) {
        const session = await request('GET', '/api/session');
        const route = session.body.setupRequired ? '/api/setup' : '/api/login';
        const result = await request('POST', route, { email, password });
        if (result.status >= 300) throw new Error(`sign-in failed: ${result.status} ${result.text}`);
      },
    };
  };

  const main = client();
  return {
    ...main,
    app,
    context,
    logs,
    client,
    async close() {
      if (database.kind === 'postgres') await database.exec(`drop schema ${schema} cascade`);
      await database.close();
    },
  };
}

/** A signed-in test admin whose `request` keeps every response, to check for leaked secrets at the end. */
export interface RecordingAdmin extends TestAdmin {
  /** Every response of `request`; push a second client's responses here to have them checked too. */
  responses: TestResponse[];
}

/**
 * A fresh test admin, signed in, with real adapters (Salesforce polling shortened for the emulator)
 * unless `adapterFor` says otherwise. Close it with {@link closeCheckingSecrets}.
 */
export async function createRecordingAdmin(
  options: { adapterFor?: AdapterFactory } = {},
): Promise<RecordingAdmin> {
  const admin = await createTestAdmin({
    adapterFor: options.adapterFor ?? createAdapterFactory({ salesforcePollIntervalMs: 5 }),
  });
  await admin.signIn();
  const responses: TestResponse[] = [];
  return {
    ...admin,
    responses,
    async request(...args) {
      const response = await admin.request(...args);
      responses.push(response);
      return response;
    },
  };
}

/**
 * Asserts that no secret the test sent is in a recorded response, a log line or the rows of `tables`
 * (secrets may only be stored sealed), then closes the admin. Undefined secrets (an emulator the
 * test did not start) are skipped.
 */
export async function closeCheckingSecrets(
  admin: RecordingAdmin,
  secrets: ReadonlyArray<string | undefined>,
  tables: readonly string[] = [],
): Promise<void> {
  // Closed even when a check fails, so one leak does not also leave a database schema behind.
  try {
    const stored = await Promise.all(
      tables.map(async (table) =>
        JSON.stringify(await admin.context.database.query(`select * from ${table}`)),
      ),
    );
    for (const secret of secrets) {
      if (secret === undefined) continue;
      for (const response of admin.responses) expect(response.text).not.toContain(secret);
      for (const line of admin.logs) expect(line).not.toContain(secret);
      for (const rows of stored) expect(rows).not.toContain(secret);
    }
  } finally {
    await admin.close();
  }
}

/** Both emulators on their demo seed, shared by the tests of a file. */
export interface DemoEmulators {
  hubspot: HubSpotEmulator;
  salesforce: SalesforceEmulator;
}

/**
 * Registers a `beforeAll` that starts both emulators on the demo seed (HubSpot without rate limits,
 * so a burst of route tests never waits) and an `afterAll` that closes them. The fields are filled
 * by `beforeAll`: read them inside tests and hooks only.
 */
export function withDemoEmulators(): DemoEmulators {
  const emulators = {} as DemoEmulators;
  beforeAll(async () => {
    [emulators.hubspot, emulators.salesforce] = await Promise.all([
      createHubSpotEmulator({ seed: 'demo', rateLimits: false }),
      createSalesforceEmulator({ seed: 'demo' }),
    ]);
  });
  afterAll(async () => {
    await emulators.hubspot?.close();
    await emulators.salesforce?.close();
  });
  return emulators;
}
