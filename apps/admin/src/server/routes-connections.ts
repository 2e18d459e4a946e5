/**
 * Connections: add (checked against the CRM before anything is stored), list, remove, preflight and
 * the live fields. Every CRM call goes through {@link callCrm}, so failures answer 502 with the
 * vendor's reason and never carry a secret.
 */
import { type CrmField, MilepostError, type PreflightReport } from '@milepost/core';
import { z } from 'zod';
import { signedIn } from './admin-auth.js';
import type { AdminApp, AdminContext, ConnectionWithSecrets } from './admin-context.js';
import { createConnection, listConnections, loadConnection, publicConnection } from './connection-store.js';
import { HttpError, readBody } from './http-errors.js';
import { loadStoredJourney } from './journey-store.js';
import { loadMapping } from './mapping-store.js';

/** HubSpot's API host when a HubSpot connection names none. */
export const HUBSPOT_DEFAULT_BASE_URL = 'https://api.hubapi.com';

// Plain http only reaches this machine (the emulators); anywhere else a token would travel in clear.
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An API base URL: https, or http on this machine; no credentials, query or fragment. */
const apiUrlSchema = z
  .string()
  .trim()
  .max(500)
  .transform((text, context) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      context.addIssue({
        code: 'custom',
        message: 'must be a URL such as https://example.my.salesforce.com',
      });
      return z.NEVER;
    }
    const local = LOCAL_HOSTS.has(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
      context.addIssue({
        code: 'custom',
        message: 'must start with https:// (plain http is allowed only for localhost, the emulators)',
      });
      return z.NEVER;
    }
    if (url.username || url.password || url.search || url.hash) {
      context.addIssue({ code: 'custom', message: 'must not carry a user, password, query or fragment' });
      return z.NEVER;
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });

const nameSchema = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const secretSchema = z.string().trim().min(1, 'must not be empty').max(4000);

const hubSpotConnectionSchema = z.strictObject({
  target: z.literal('hubspot'),
  name: nameSchema,
  accessToken: secretSchema,
  baseUrl: apiUrlSchema.optional(),
});

const salesforceConnectionSchema = z
  .strictObject({
    target: z.literal('salesforce'),
    name: nameSchema,
    instanceUrl: apiUrlSchema,
    accessToken: secretSchema.optional(),
    clientId: secretSchema.optional(),
    clientSecret: secretSchema.optional(),
  })
  .superRefine((body, context) => {
    const clientCredentials = body.clientId !== undefined || body.clientSecret !== undefined;
    if (body.accessToken !== undefined && clientCredentials) {
      context.addIssue({
        code: 'custom',
        path: ['accessToken'],
        message: 'give either accessToken or clientId and clientSecret, not both',
      });
    } else if (body.accessToken === undefined && !clientCredentials) {
      context.addIssue({
        code: 'custom',
        path: ['accessToken'],
        message: 'give accessToken, or clientId and clientSecret of a connected app',
      });
    } else if (clientCredentials && (body.clientId === undefined || body.clientSecret === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [body.clientId === undefined ? 'clientId' : 'clientSecret'],
        message: 'client credentials need both clientId and clientSecret',
      });
    }
  });

const newConnectionSchema = z.discriminatedUnion('target', [
  hubSpotConnectionSchema,
  salesforceConnectionSchema,
]);

/** Error codes from adapters that describe the CRM's answer; anything else is "could not reach it". */
const CRM_ANSWER_CODES = new Map<string, 502 | 503>([
  ['AUTHENTICATION_FAILED', 502],
  ['PERMISSION_DENIED', 502],
  ['VENDOR_REJECTED', 502],
  ['VENDOR_UNAVAILABLE', 502],
  ['CAPABILITY_MISSING', 502],
  ['RATE_LIMITED', 503],
  ['DAILY_LIMIT_REACHED', 503],
]);

const VENDOR_NAMES = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;

/** `text` with every secret of the connection blanked out. */
function redact(text: string, connection: ConnectionWithSecrets): string {
  let result = text;
  for (const value of Object.values(connection.secrets)) {
    // Short values (ids) could blank ordinary words; real secrets are long.
    if (typeof value === 'string' && value.length >= 8) result = result.split(value).join('[redacted]');
  }
  return result;
}

/**
 * Runs `work` against the connection's adapter. CRM failures become 502/503 answers with the
 * adapter's code and the vendor's reason (rate limits 503, anything unexpected `CONNECTION_FAILED`),
 * never a 500, and never with a secret in the message.
 */
export async function callCrm<T>(
  context: AdminContext,
  connection: ConnectionWithSecrets,
  action: string,
  work: (adapter: ReturnType<AdminContext['adapterFor']>) => Promise<T>,
): Promise<T> {
  try {
    return await work(context.adapterFor(connection));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const message = redact(error instanceof Error ? error.message : String(error), connection);
    const vendor = VENDOR_NAMES[connection.target];
    if (MilepostError.isInstance(error)) {
      const status = CRM_ANSWER_CODES.get(error.code);
      if (status) throw new HttpError(status, error.code, message);
    }
    context.log(`${vendor} call failed (${action}, connection ${connection.id}): ${message}`);
    throw new HttpError(502, 'CONNECTION_FAILED', `${vendor} could not ${action}: ${message}`);
  }
}

/** A preflight report, and the portal id when the adapter knows it (HubSpot). */
async function preflightWithHubId(
  context: AdminContext,
  connection: ConnectionWithSecrets,
): Promise<{ report: PreflightReport; hubId?: number }> {
  return callCrm(context, connection, 'run the preflight', async (adapter) => {
    // The HubSpot adapter's own preflight also names the portal, which the connection keeps.
    const hubSpot = adapter as { hubSpotPreflight?: () => Promise<PreflightReport & { hubId?: number }> };
    if (typeof hubSpot.hubSpotPreflight === 'function') {
      const result = await hubSpot.hubSpotPreflight();
      return {
        report: { ok: result.ok, checks: result.checks },
        ...(result.hubId !== undefined ? { hubId: result.hubId } : {}),
      };
    }
    return { report: await adapter.preflight() };
  });
}

/** Registers the connection routes of API.md. */
export function registerConnectionRoutes(app: AdminApp, context: AdminContext): void {
  app.get('/api/connections', async (c) =>
    c.json((await listConnections(context)).map((connection) => publicConnection(connection))),
  );

  app.post('/api/connections', async (c) => {
    const admin = signedIn(c);
    const body = await readBody(c, newConnectionSchema);
    const candidate: ConnectionWithSecrets =
      body.target === 'hubspot'
        ? {
            id: 'unsaved',
            target: 'hubspot',
            name: body.name,
            auth: 'token',
            baseUrl: body.baseUrl ?? HUBSPOT_DEFAULT_BASE_URL,
            hubId: null,
            secrets: { accessToken: body.accessToken },
          }
        : {
            id: 'unsaved',
            target: 'salesforce',
            name: body.name,
            auth: body.accessToken !== undefined ? 'token' : 'client-credentials',
            baseUrl: body.instanceUrl,
            hubId: null,
            secrets:
              body.accessToken !== undefined
                ? { accessToken: body.accessToken }
                : { clientId: body.clientId, clientSecret: body.clientSecret },
          };
    let checked: { report: PreflightReport; hubId?: number };
    try {
      checked = await preflightWithHubId(context, candidate);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      throw new HttpError(
        502,
        'CONNECTION_FAILED',
        `${VENDOR_NAMES[candidate.target]} refused the connection, so it was not added: ${error.message}`,
      );
    }
    // An adapter that cannot get in at all stops at its first check (Salesforce reports a refused
    // session that way instead of throwing); a report with some passing checks is a connection that
    // works, and its failing checks are shown by the preflight route.
    const { report } = checked;
    if (!report.ok && !report.checks.some((check) => check.ok)) {
      const reasons = report.checks.map((check) => `${check.name}: ${redact(check.detail, candidate)}`);
      throw new HttpError(
        502,
        'CONNECTION_FAILED',
        `${VENDOR_NAMES[candidate.target]} refused the connection, so it was not added: ${reasons.join('; ') || 'no reason given'}`,
      );
    }
    const stored = await createConnection(context, { ...candidate, hubId: checked.hubId ?? null });
    context.log(`connection ${stored.id} (${stored.target}, ${stored.baseUrl}) added by ${admin.email}`);
    return c.json(publicConnection(stored), 201);
  });

  app.delete('/api/connections/:id', async (c) => {
    const admin = signedIn(c);
    const id = c.req.param('id');
    const deleted = await context.database.query('delete from connections where id = $1 returning id', [id]);
    if (deleted.length === 0) throw new HttpError(404, 'NOT_FOUND', `no connection "${id}"`);
    context.log(`connection ${id} removed by ${admin.email}`);
    return c.body(null, 204);
  });

  app.get('/api/connections/:id/preflight', async (c) => {
    const connection = await loadConnection(context, c.req.param('id'));
    const { report } = await preflightWithHubId(context, connection);
    return c.json({
      ok: report.ok,
      checks: report.checks.map((check) => ({ ...check, detail: redact(check.detail, connection) })),
    });
  });

  app.get('/api/connections/:id/fields', async (c) => {
    const connection = await loadConnection(context, c.req.param('id'));
    const journeyKey = c.req.query('journey');
    // A saved mapping may move the customer record or the cycles to other objects; read those.
    let mapping: Awaited<ReturnType<typeof loadMapping>>;
    if (journeyKey) {
      await loadStoredJourney(context.database, journeyKey);
      mapping = await loadMapping(context, journeyKey, connection.id);
    }
    const fields: CrmField[] = await callCrm(context, connection, 'describe its fields', (adapter) =>
      adapter.describeFields(mapping),
    );
    return c.json(fields);
  });
}
