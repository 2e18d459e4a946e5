/**
 * Test harness of the HubSpot app routes: the HubSpot emulator with its OAuth app, the admin app on a
 * real port (so the emulator can deliver signed webhooks to its public URL), the install flow through
 * the emulator's consent page, and requests signed the way HubSpot signs `hubspot.fetch` calls.
 */
import { createServer } from 'node:net';
import { serve } from '@hono/node-server';
import { createHubSpotEmulator, type HubSpotEmulator, hubSpotSignatureV3 } from '@milepost/hubspot-emulator';
import { createTestAdmin, type TestAdmin, type TestResponse } from './admin-test-support.js';
import { settleHubSpotWebhookSyncs } from './hubspot-webhooks.js';

/** The emulator, the admin app serving on `publicUrl`, and helpers. */
export interface HubSpotTestRig {
  emulator: HubSpotEmulator;
  admin: TestAdmin;
  publicUrl: string;
  /** Runs the install: `/hubspot/install` → the consent page's decision → the callback. */
  install(decision?: 'allow' | 'deny', hubId?: number): Promise<TestResponse>;
  /** The authorize redirect's URL of a fresh `/hubspot/install`. */
  startInstall(): Promise<URL>;
  /** Follows HubSpot's redirect back to the callback on the admin app. */
  callback(url: URL): Promise<TestResponse>;
  /** A request signed like HubSpot's (`X-HubSpot-Signature-v3`), timestamped `ageMs` ago. */
  signed(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    body?: string,
    options?: { ageMs?: number; secret?: string },
  ): Promise<TestResponse>;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (closed again, so a server can listen on it next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts the rig; the admin's clock is the emulator's, so token expiry and signatures agree. */
export async function createHubSpotTestRig(
  options: { seed?: 'demo' | 'empty'; portals?: number[]; configured?: boolean; extraScopes?: string[] } = {},
): Promise<HubSpotTestRig> {
  const emulator = await createHubSpotEmulator({
    seed: options.seed ?? 'empty',
    rateLimits: false,
    webhooks: { batchWindowMilliseconds: 10, retryDelaysMilliseconds: [] },
    ...(options.portals
      ? {
          portals: options.portals.map((hubId) => ({
            hubId,
            tier: 'professional' as const,
            seed: options.seed ?? 'empty',
          })),
        }
      : {}),
  });
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const admin = await createTestAdmin({
    now: () => new Date(emulator.clock.now()),
    env: {
      MILEPOST_PUBLIC_URL: publicUrl,
      HUBSPOT_AUTHORIZE_URL: `${emulator.url}/oauth/authorize`,
      HUBSPOT_BASE_URL: emulator.url,
      // HUBSPOT_REQUIRED_SCOPES (and the app manifest) miss `crm.objects.contacts.read`, which the
      // adapter's plan needs to read task properties; the provisioning tests ask for it explicitly.
      ...(options.extraScopes
        ? {
            HUBSPOT_SCOPES: [
              'oauth',
              'crm.objects.companies.read',
              'crm.objects.companies.write',
              'crm.schemas.companies.write',
              'tickets',
              'crm.objects.contacts.write',
              'crm.objects.owners.read',
              ...options.extraScopes,
            ].join(' '),
          }
        : {}),
      ...(options.configured === false
        ? {}
        : { HUBSPOT_CLIENT_ID: emulator.app.clientId, HUBSPOT_CLIENT_SECRET: emulator.app.clientSecret }),
    },
  });
  const server = serve({ fetch: admin.app.fetch, port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));

  const startInstall = async () => {
    const start = await admin.request('GET', '/hubspot/install');
    if (start.status !== 302) throw new Error(`/hubspot/install answered ${start.status}: ${start.text}`);
    return new URL(start.headers.get('location') ?? '');
  };
  const callback = (url: URL) => admin.request('GET', `${url.pathname}${url.search}`);

  return {
    emulator,
    admin,
    publicUrl,
    startInstall,
    callback,
    async install(decision = 'allow', hubId) {
      const authorize = await startInstall();
      if (hubId !== undefined) authorize.searchParams.set('hub_id', String(hubId));
      // The consent page, then the link a person clicks on it.
      const consent = await fetch(authorize);
      const html = await consent.text();
      const href = new RegExp(`id="${decision}" href="([^"]+)"`).exec(html)?.[1]?.replaceAll('&#38;', '&');
      if (!href) throw new Error(`no ${decision} link on the consent page: ${html}`);
      const decided = await fetch(new URL(href, emulator.url), { redirect: 'manual' });
      return callback(new URL(decided.headers.get('location') ?? ''));
    },
    async signed(method, pathAndQuery, body = '', signOptions = {}) {
      const timestamp = String(emulator.clock.now() - (signOptions.ageMs ?? 0));
      const signature = hubSpotSignatureV3(
        signOptions.secret ?? emulator.app.clientSecret,
        method,
        `${publicUrl}${pathAndQuery}`,
        body,
        timestamp,
      );
      const response = await admin.app.request(pathAndQuery, {
        method,
        headers: {
          'x-hubspot-signature-v3': signature,
          'x-hubspot-request-timestamp': timestamp,
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(method === 'POST' ? { body } : {}),
      });
      const text = await response.text();
      const json = (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
      return { status: response.status, headers: response.headers, body: json, text };
    },
    async close() {
      await settleHubSpotWebhookSyncs(admin.context);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
      await admin.close();
    },
  };
}
