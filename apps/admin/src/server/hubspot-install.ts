/**
 * The HubSpot app's install (research: hubspot-api.md §1.10): single-use OAuth `state`, the code
 * exchange, tokens sealed per portal, refresh before expiry, and the install's status (active,
 * needs-reinstall when HubSpot refuses its token, uninstalled).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Journey, type Mapping, MilepostError, type PreflightReport } from '@milepost/core';
import { createHubSpotOAuthTokens, HUBSPOT_REQUIRED_SCOPES } from '@milepost/hubspot';
import { z } from 'zod';
import type { AdminContext, ConnectionWithSecrets } from './admin-context.js';
import { loadConnection, updateConnectionSecrets } from './connection-store.js';
import type { AccessTokenProvider } from './crm-adapters.js';
import { HttpError } from './http-errors.js';
import { loadStoredJourney } from './journey-store.js';
import { loadMapping } from './mapping-store.js';

/** A `state` is good for this long: enough to read the consent page, short enough to be useless later. */
export const OAUTH_STATE_LIFETIME_MS = 10 * 60_000;
/** Calls to HubSpot's OAuth endpoints give up after this long. */
const OAUTH_TIMEOUT_MS = 10_000;

/** Where HubSpot sends the browser back to. */
export const HUBSPOT_CALLBACK_PATH = '/hubspot/oauth/callback';

/** An installed portal as the API shows it (API.md "HubSpot app"). */
export interface HubSpotInstall {
  hubId: number;
  connectionId: string;
  installedAt: string;
  status: 'active' | 'needs-reinstall' | 'uninstalled';
  preflight: PreflightReport | null;
}

interface InstallRow {
  hub_id: string | number;
  connection_id: string;
  status: HubSpotInstall['status'];
  installed_at: Date | string;
  preflight: PreflightReport | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function installFromRow(row: InstallRow): HubSpotInstall {
  return {
    hubId: Number(row.hub_id),
    connectionId: row.connection_id,
    installedAt: new Date(row.installed_at).toISOString(),
    status: row.status,
    preflight: row.preflight,
  };
}

/** The OAuth client from the configuration, or 503 naming the settings to add. */
export function hubSpotClient(context: AdminContext): { clientId: string; clientSecret: string } {
  const { clientId, clientSecret } = context.config.hubspot;
  if (!clientId || !clientSecret) {
    throw new HttpError(
      503,
      'NOT_CONFIGURED',
      'the HubSpot app is not configured on this server: set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET (the app’s OAuth client) and restart',
    );
  }
  return { clientId, clientSecret };
}

/** The redirect URL registered with the app: the public URL plus the callback path. */
export function hubSpotRedirectUri(context: AdminContext): string {
  return `${context.config.publicUrl}${HUBSPOT_CALLBACK_PATH}`;
}

/** The scopes to ask for: the configured ones, else `oauth` and what the adapter's preflight checks. */
export function hubSpotInstallScopes(context: AdminContext): { required: string[]; optional: string[] } {
  const { scopes, optionalScopes } = context.config.hubspot;
  return {
    required:
      scopes.length > 0 ? scopes : ['oauth', ...new Set(Object.values(HUBSPOT_REQUIRED_SCOPES).flat())],
    // Workflows need Professional; asking for `automation` optionally lets smaller portals install.
    optional: optionalScopes.length > 0 ? optionalScopes : ['automation'],
  };
}

/** Makes a new single-use `state` (32 random bytes); only its hash is stored. */
export async function createOAuthState(context: AdminContext): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  const now = context.now();
  await context.database.query(
    'insert into oauth_states (state_hash, created_at, expires_at) values ($1, $2, $3)',
    [sha256(state), now, new Date(now.getTime() + OAUTH_STATE_LIFETIME_MS)],
  );
  return state;
}

/**
 * Uses up a `state`: true once for a state this server made that has not expired. The update is the
 * check, so two callbacks racing with one state cannot both pass.
 */
export async function consumeOAuthState(context: AdminContext, state: string): Promise<boolean> {
  if (state.length < 16 || state.length > 200) return false;
  const now = context.now();
  const rows = await context.database.query(
    `update oauth_states set used_at = $2
      where state_hash = $1 and used_at is null and expires_at > $2 returning state_hash`,
    [sha256(state), now],
  );
  return rows.length === 1;
}

/** HubSpot's authorize URL for a new install. */
export function hubSpotAuthorizeUrl(context: AdminContext, state: string): string {
  const { clientId } = hubSpotClient(context);
  const scopes = hubSpotInstallScopes(context);
  const url = new URL(context.config.hubspot.authorizeUrl);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', hubSpotRedirectUri(context));
  url.searchParams.set('scope', scopes.required.join(' '));
  if (scopes.optional.length > 0) url.searchParams.set('optional_scope', scopes.optional.join(' '));
  url.searchParams.set('state', state);
  return url.toString();
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
});
const introspectionSchema = z.object({
  active: z.boolean(),
  hub_id: z.number().int().positive().optional(),
  scopes: z.array(z.string()).optional(),
});

/** The tokens of a new install and the portal they belong to. */
export interface HubSpotInstallTokens {
  hubId: number;
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  scopes: string[];
}

async function postForm(
  context: AdminContext,
  path: string,
  fields: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${context.config.hubspot.apiBaseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(fields),
      signal: AbortSignal.timeout(OAUTH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new HttpError(
      502,
      'CONNECTION_FAILED',
      `HubSpot could not be reached (${error instanceof Error ? error.message : String(error)}); try the install again`,
    );
  }
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

/**
 * Exchanges an authorization code for tokens (`/oauth/2026-03/token`) and reads the portal's hub id
 * from the token's introspection. 502 when HubSpot refuses; the message never holds a token.
 */
export async function exchangeHubSpotCode(
  context: AdminContext,
  code: string,
): Promise<HubSpotInstallTokens> {
  const client = hubSpotClient(context);
  const issuedAt = context.now().getTime();
  const exchanged = await postForm(context, '/oauth/2026-03/token', {
    grant_type: 'authorization_code',
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uri: hubSpotRedirectUri(context),
    code,
  });
  const tokens = tokenResponseSchema.safeParse(exchanged.body);
  if (exchanged.status !== 200 || !tokens.success) {
    const reason = z.object({ error_description: z.string() }).safeParse(exchanged.body);
    throw new HttpError(
      502,
      'CONNECTION_FAILED',
      `HubSpot refused the authorization code (${exchanged.status}${reason.success ? `: ${reason.data.error_description}` : ''}); start the install again`,
    );
  }
  const info = await postForm(context, '/oauth/2026-03/token/introspect', {
    token: tokens.data.access_token,
    token_type_hint: 'access_token',
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
  const introspection = introspectionSchema.safeParse(info.body);
  if (
    info.status !== 200 ||
    !introspection.success ||
    !introspection.data.active ||
    !introspection.data.hub_id
  ) {
    throw new HttpError(
      502,
      'CONNECTION_FAILED',
      `HubSpot did not say which account the new token belongs to (${info.status}); start the install again`,
    );
  }
  return {
    hubId: introspection.data.hub_id,
    accessToken: tokens.data.access_token,
    refreshToken: tokens.data.refresh_token,
    expiresAt: issuedAt + tokens.data.expires_in * 1000,
    scopes: introspection.data.scopes ?? [],
  };
}

/**
 * Stores an install: a new OAuth connection for a new portal, or new tokens on the existing one for a
 * reinstall (so its mappings, plans and runs stay). Tokens are sealed; the install becomes active.
 */
export async function storeHubSpotInstall(
  context: AdminContext,
  tokens: HubSpotInstallTokens,
): Promise<{ hubId: number; connectionId: string; reinstall: boolean }> {
  const now = context.now();
  const sealed = context.secrets.seal({
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: tokens.expiresAt,
  });
  return context.database.transaction(async (transaction) => {
    const [existing] = await transaction.query<{ connection_id: string }>(
      `select i.connection_id from hubspot_installs i join connections c on c.id = i.connection_id
        where i.hub_id = $1 for update`,
      [tokens.hubId],
    );
    let connectionId = existing?.connection_id;
    if (connectionId) {
      await transaction.query('update connections set secrets = $2, base_url = $3 where id = $1', [
        connectionId,
        sealed,
        context.config.hubspot.apiBaseUrl,
      ]);
    } else {
      connectionId = randomUUID();
      await transaction.query(
        `insert into connections (id, target, name, auth, base_url, hub_id, secrets, created_at)
         values ($1, 'hubspot', $2, 'oauth', $3, $4, $5, $6)`,
        [
          connectionId,
          `HubSpot account ${tokens.hubId}`,
          context.config.hubspot.apiBaseUrl,
          tokens.hubId,
          sealed,
          now,
        ],
      );
    }
    // A reinstall after an uninstall is a new install; after a revoked token it is the same one.
    await transaction.query(
      `insert into hubspot_installs (hub_id, connection_id, status, installed_at, updated_at)
       values ($1, $2, 'active', $3, $3)
       on conflict (hub_id) do update set connection_id = excluded.connection_id, status = 'active',
         updated_at = excluded.updated_at,
         installed_at = case when hubspot_installs.status = 'uninstalled'
           then excluded.installed_at else hubspot_installs.installed_at end`,
      [tokens.hubId, connectionId, now],
    );
    return { hubId: tokens.hubId, connectionId, reinstall: existing !== undefined };
  });
}

/** Runs the adapter's preflight on the install's connection and keeps the report with the install. */
export async function preflightHubSpotInstall(
  context: AdminContext,
  hubId: number,
): Promise<PreflightReport> {
  const install = await loadHubSpotInstall(context, hubId);
  if (!install) throw new HttpError(404, 'NOT_FOUND', `HubSpot account ${hubId} has not installed Milepost`);
  let report: PreflightReport;
  try {
    report = await context.adapterFor(await loadConnection(context, install.connectionId)).preflight();
  } catch (error) {
    report = {
      ok: false,
      checks: [
        {
          name: 'preflight',
          ok: false,
          detail: MilepostError.isInstance(error)
            ? `${error.code}: ${error.message}`
            : 'the preflight failed; see the server log',
        },
      ],
    };
    if (!MilepostError.isInstance(error))
      context.log(`preflight of HubSpot account ${hubId} failed: ${String(error)}`);
  }
  await context.database.query(
    'update hubspot_installs set preflight = $2::jsonb, updated_at = $3 where hub_id = $1',
    [hubId, JSON.stringify(report), context.now()],
  );
  return report;
}

/** One install, or undefined. */
export async function loadHubSpotInstall(
  context: AdminContext,
  hubId: number,
): Promise<HubSpotInstall | undefined> {
  if (!Number.isSafeInteger(hubId) || hubId <= 0) return undefined;
  const [row] = await context.database.query<InstallRow>(
    'select hub_id, connection_id, status, installed_at, preflight from hubspot_installs where hub_id = $1',
    [hubId],
  );
  return row ? installFromRow(row) : undefined;
}

/** Every install, newest first. */
export async function listHubSpotInstalls(context: AdminContext): Promise<HubSpotInstall[]> {
  const rows = await context.database.query<InstallRow>(
    'select hub_id, connection_id, status, installed_at, preflight from hubspot_installs order by installed_at desc, hub_id',
  );
  return rows.map(installFromRow);
}

/**
 * HubSpot refused the connection's token (revoked, or the refresh token no longer works): the install
 * needs a reinstall. Its tokens, mappings and runs stay, so a reinstall picks up where it left off.
 */
export async function markHubSpotNeedsReinstall(context: AdminContext, connectionId: string): Promise<void> {
  const rows = await context.database.query<{ hub_id: string | number }>(
    `update hubspot_installs set status = 'needs-reinstall', updated_at = $2
      where connection_id = $1 and status = 'active' returning hub_id`,
    [connectionId, context.now()],
  );
  for (const row of rows)
    context.log(`HubSpot account ${row.hub_id}: token refused; the app must be reinstalled`);
}

/** HubSpot says the app was uninstalled: the install is marked so and its tokens are dropped. */
export async function markHubSpotUninstalled(context: AdminContext, hubId: number): Promise<void> {
  await context.database.transaction(async (transaction) => {
    const [row] = await transaction.query<{ connection_id: string }>(
      `update hubspot_installs set status = 'uninstalled', updated_at = $2 where hub_id = $1 returning connection_id`,
      [hubId, context.now()],
    );
    if (!row) return;
    await transaction.query('update connections set secrets = $2 where id = $1', [
      row.connection_id,
      context.secrets.seal({}),
    ]);
  });
  context.log(`HubSpot account ${hubId}: Milepost was uninstalled; its tokens are deleted`);
}

/** True when HubSpot refused the credentials (as opposed to being down or slow). */
export function isAuthenticationFailure(error: unknown): boolean {
  return MilepostError.isInstance(error) && error.code === 'AUTHENTICATION_FAILED';
}

/**
 * Fresh access tokens for OAuth connections: refreshed five minutes before expiry with the refresh
 * token, the new tokens sealed back into the connection; a refused refresh marks the install
 * needs-reinstall. For {@link createAdapterFactory}'s `oauthAccessToken`.
 */
export function hubSpotOAuthAccessToken(context: AdminContext): AccessTokenProvider {
  return (connection: ConnectionWithSecrets) => {
    const { accessToken, refreshToken, expiresAt } = connection.secrets;
    const { clientId, clientSecret } = context.config.hubspot;
    if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || !clientId || !clientSecret) {
      return async () => {
        throw new MilepostError({
          code: 'AUTHENTICATION_FAILED',
          message: `HubSpot account ${connection.hubId ?? ''} has no valid tokens (uninstalled, or the server has no OAuth client); install Milepost again from /hubspot/install`,
        });
      };
    }
    const tokens = createHubSpotOAuthTokens({
      clientId,
      clientSecret,
      baseUrl: connection.baseUrl,
      tokens: {
        accessToken,
        refreshToken,
        expiresAt: Number(expiresAt ?? 0),
        ...(connection.hubId !== null ? { hubId: connection.hubId } : {}),
      },
      now: () => context.now().getTime(),
      onRefresh: async (next) => {
        await updateConnectionSecrets(context, connection.id, {
          accessToken: next.accessToken,
          refreshToken: next.refreshToken,
          expiresAt: next.expiresAt,
        });
      },
    });
    return async () => {
      try {
        return await tokens();
      } catch (error) {
        if (isAuthenticationFailure(error)) await markHubSpotNeedsReinstall(context, connection.id);
        throw error;
      }
    };
  };
}

/** A journey provisioned on an install's connection, with the mapping its syncs use. */
export interface InstallJourney {
  key: string;
  journey: Journey;
  /** The saved mapping; undefined means the adapter's defaults. */
  mapping: Mapping | undefined;
  /** The object its customer records live on (`companies` unless the mapping says otherwise). */
  recordObject: string;
}

/**
 * The journeys a connection carries: those with a saved mapping on it, or with a plan applied to it
 * (those use the default mapping). Journeys never set up on the portal are left alone.
 */
export async function loadInstallJourneys(
  context: AdminContext,
  connectionId: string,
): Promise<InstallJourney[]> {
  const rows = await context.database.query<{ journey_key: string }>(
    `select journey_key from mappings where connection_id = $1
     union select journey_key from plans where connection_id = $1 and applied_run_id is not null
     union select journey_key from runs where connection_id = $1 and kind = 'apply' and status <> 'failed'
     order by journey_key`,
    [connectionId],
  );
  const journeys: InstallJourney[] = [];
  for (const row of rows) {
    const stored = await loadStoredJourney(context.database, row.journey_key);
    const mapping = await loadMapping(context, row.journey_key, connectionId);
    journeys.push({
      key: stored.key,
      journey: stored.journey,
      mapping,
      recordObject: mapping?.object ?? 'companies',
    });
  }
  return journeys;
}
