/**
 * OAuth 2 (research: hubspot-api.md §1.10): an authorize page that simulates consent (allow or deny),
 * code exchange and refresh on `/oauth/v1/token` (legacy body) and `/oauth/2026-03/token` (RFC 6749
 * errors), 30-minute access tokens, introspection, revocation, private-app token info, and uninstall.
 */
import { randomBytes } from 'node:crypto';
import { HubSpotEmulatorHttpError, validationError } from './hubspot-emulator-errors.js';
import { json } from './hubspot-emulator-handler-utilities.js';
import type { HubSpotPortalState } from './hubspot-emulator-portal-state.js';
import type {
  HubSpotEmulatorInternals,
  HubSpotHandlerContext,
  HubSpotHandlerResult,
  HubSpotRoute,
} from './hubspot-emulator-routes.js';
import {
  ACCESS_TOKEN_LIFETIME_MILLISECONDS,
  type HubSpotApp,
  type HubSpotTokenRecord,
} from './hubspot-emulator-tokens.js';

/** Authorization codes stay valid this long. */
const CODE_LIFETIME_MILLISECONDS = 10 * 60 * 1000;

function splitScopes(value: string | null): string[] {
  return (value ?? '').split(/[\s+,]+/).filter(Boolean);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function html(status: number, body: string): HubSpotHandlerResult {
  return { status, body, contentType: 'text/html; charset=utf-8' };
}

function redirect(location: string): HubSpotHandlerResult {
  return { status: 302, headers: { Location: location }, body: '' };
}

interface AuthorizeRequest {
  app: HubSpotApp;
  portal: HubSpotPortalState;
  redirectUri: string;
  scopes: string[];
  state: string | null;
}

/** Validates an authorize request; problems are shown as an error page, as HubSpot does. */
function readAuthorize(context: HubSpotHandlerContext): AuthorizeRequest | HubSpotHandlerResult {
  const query = context.query;
  const clientId = query.get('client_id') ?? '';
  const app = context.emulator.tokens.appByClientId(clientId);
  if (!app)
    return html(400, `<h1>Authorization failed</h1><p>Unknown client_id ${escapeHtml(clientId)}.</p>`);
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!redirectUri) return html(400, '<h1>Authorization failed</h1><p>Missing redirect_uri.</p>');
  if (!URL.canParse(redirectUri)) {
    return html(
      400,
      `<h1>Authorization failed</h1><p>redirect_uri ${escapeHtml(redirectUri)} is not an absolute URL.</p>`,
    );
  }
  if (app.redirectUris.length > 0 && !app.redirectUris.includes(redirectUri)) {
    return html(
      400,
      `<h1>Authorization failed</h1><p>redirect_uri ${escapeHtml(redirectUri)} does not match the app's redirect URLs.</p>`,
    );
  }
  const hubIdText = context.params.portalId ?? query.get('hub_id') ?? query.get('portalId');
  const portal = hubIdText
    ? context.emulator.portals.get(Number(hubIdText))
    : context.emulator.portals.values().next().value;
  if (!portal)
    return html(400, `<h1>Authorization failed</h1><p>Unknown account ${escapeHtml(hubIdText ?? '')}.</p>`);
  const required = splitScopes(query.get('scope'));
  const optional = splitScopes(query.get('optional_scope'));
  const unknown = required.filter((scope) => !app.scopes.includes(scope));
  if (unknown.length > 0) {
    return html(
      400,
      `<h1>Authorization failed</h1><p>Scope mismatch: the app does not request ${escapeHtml(unknown.join(', '))}.</p>`,
    );
  }
  const unavailable = required.filter((scope) => !portal.scopes.includes(scope));
  if (unavailable.length > 0) {
    return html(
      400,
      `<h1>Authorization failed</h1><p>Account ${portal.hubId} does not have access to ${escapeHtml(unavailable.join(', '))}.</p>`,
    );
  }
  // Optional scopes the account cannot grant are silently dropped.
  const scopes = [...new Set([...required, ...optional.filter((scope) => portal.scopes.includes(scope))])];
  return { app, portal, redirectUri, scopes, state: query.get('state') };
}

function decide(
  context: HubSpotHandlerContext,
  request: AuthorizeRequest,
  decision: string,
): HubSpotHandlerResult {
  const target = new URL(request.redirectUri);
  if (request.state !== null) target.searchParams.set('state', request.state);
  if (decision !== 'allow') {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'The user denied the authorization request.');
    return redirect(target.toString());
  }
  const code = randomBytes(18).toString('hex');
  context.emulator.tokens.codes.set(code, {
    code,
    clientId: request.app.clientId,
    redirectUri: request.redirectUri,
    hubId: request.portal.hubId,
    scopes: request.scopes,
    expiresAt: context.emulator.now() + CODE_LIFETIME_MILLISECONDS,
    used: false,
  });
  target.searchParams.set('code', code);
  return redirect(target.toString());
}

function consentPage(context: HubSpotHandlerContext, request: AuthorizeRequest): HubSpotHandlerResult {
  const link = (decision: string) => {
    const url = new URL('/oauth/authorize/decision', context.emulator.url());
    for (const [key, value] of context.query) url.searchParams.set(key, value);
    url.searchParams.set('hub_id', String(request.portal.hubId));
    url.searchParams.set('decision', decision);
    return escapeHtml(url.pathname + url.search);
  };
  return html(
    200,
    `<!doctype html><html><head><title>Connect app</title></head><body>
<h1>Connect app ${request.app.appId} to account ${request.portal.hubId}</h1>
<p>The app asks for: ${request.scopes.map(escapeHtml).join(', ') || '(no scopes)'}</p>
<p><a id="allow" href="${link('allow')}">Connect app</a> <a id="deny" href="${link('deny')}">Cancel</a></p>
<p><small>HubSpot emulator: add <code>emulator_decision=allow</code> or <code>deny</code> to skip this page.</small></p>
</body></html>`,
  );
}

/** Reads `application/x-www-form-urlencoded` or JSON bodies as a string map. */
function formBody(context: HubSpotHandlerContext): Record<string, string> {
  const body = context.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    return Object.fromEntries(
      Object.entries(body as Record<string, unknown>).map(([key, value]) => [key, String(value)]),
    );
  }
  return {};
}

type TokenStyle = 'v1' | 'v3';

function oauthError(
  style: TokenStyle,
  status: string,
  error: string,
  message: string,
): HubSpotEmulatorHttpError {
  const failure = new HubSpotEmulatorHttpError(400, { message });
  if (style === 'v1') {
    // The legacy endpoint puts the error code in `status` (e.g. BAD_REFRESH_TOKEN).
    (failure as { body: unknown }).body = { status, message, correlationId: failure.body.correlationId };
    return failure;
  }
  // RFC 6749 fields first, HubSpot's own fields after (changelog "new-oauth-v3-api-endpoints…").
  (failure as { body: unknown }).body = {
    error,
    error_description: message,
    status,
    message,
    correlationId: failure.body.correlationId,
  };
  return failure;
}

function tokenResponse(
  style: TokenStyle,
  access: HubSpotTokenRecord,
  refreshToken: string,
): Record<string, unknown> {
  const base = {
    token_type: 'bearer',
    refresh_token: refreshToken,
    access_token: access.token,
    expires_in: ACCESS_TOKEN_LIFETIME_MILLISECONDS / 1000,
  };
  if (style === 'v1') return base;
  return {
    ...base,
    token_use: 'access_token',
    hub_id: access.hubId,
    user_id: access.userId,
    scopes: access.scopes,
  };
}

function exchange(context: HubSpotHandlerContext, style: TokenStyle): HubSpotHandlerResult {
  const form = formBody(context);
  const emulator = context.emulator;
  const app = emulator.tokens.appByClientId(form.client_id ?? '');
  if (!app) throw oauthError(style, 'BAD_CLIENT_ID', 'invalid_client', 'missing or unknown client id');
  if (form.client_secret !== app.clientSecret)
    throw oauthError(style, 'BAD_CLIENT_SECRET', 'invalid_client', 'missing or invalid client secret');
  if (form.grant_type === 'authorization_code') {
    const code = emulator.tokens.codes.get(form.code ?? '');
    if (!code || code.used || code.expiresAt < emulator.now() || code.clientId !== app.clientId) {
      throw oauthError(style, 'BAD_AUTH_CODE', 'invalid_grant', 'missing or unknown auth code');
    }
    if (form.redirect_uri !== code.redirectUri)
      throw oauthError(
        style,
        'BAD_REDIRECT_URI',
        'invalid_grant',
        'redirect_uri does not match the one used to authorize',
      );
    code.used = true;
    const portal = emulator.portals.get(code.hubId);
    portal?.installedApps.add(app.appId);
    const userId = 1_000_000 + (code.hubId % 1000);
    const access = emulator.tokens.issueAccessToken({
      kind: 'oauth',
      hubId: code.hubId,
      appId: app.appId,
      scopes: code.scopes,
      userId,
    });
    const refresh = emulator.tokens.issueRefreshToken({
      hubId: code.hubId,
      appId: app.appId,
      clientId: app.clientId,
      scopes: code.scopes,
      userId,
    });
    return json(200, tokenResponse(style, access, refresh.token));
  }
  if (form.grant_type === 'refresh_token') {
    const refresh = emulator.tokens.refreshTokens.get(form.refresh_token ?? '');
    if (!refresh || refresh.revoked || refresh.clientId !== app.clientId) {
      throw oauthError(style, 'BAD_REFRESH_TOKEN', 'invalid_grant', 'missing or unknown refresh token');
    }
    const access = emulator.tokens.issueAccessToken({
      kind: 'oauth',
      hubId: refresh.hubId,
      appId: refresh.appId,
      scopes: refresh.scopes,
      userId: refresh.userId,
    });
    return json(200, tokenResponse(style, access, refresh.token));
  }
  throw oauthError(
    style,
    'BAD_GRANT_TYPE',
    'unsupported_grant_type',
    `unsupported grant_type ${form.grant_type ?? '(missing)'}`,
  );
}

function accessTokenInfo(emulator: HubSpotEmulatorInternals, record: HubSpotTokenRecord) {
  return {
    token: record.token,
    user: `user-${record.userId}@example.com`,
    hub_domain: `hub-${record.hubId}.example.com`,
    scopes: record.scopes,
    hub_id: record.hubId,
    app_id: record.appId,
    expires_in:
      record.expiresAt === undefined
        ? 0
        : Math.max(0, Math.floor((record.expiresAt - emulator.now()) / 1000)),
    user_id: record.userId,
    token_type: 'access',
  };
}

function liveToken(emulator: HubSpotEmulatorInternals, token: string): HubSpotTokenRecord | undefined {
  const record = emulator.tokens.tokens.get(token);
  if (!record || record.revoked) return undefined;
  if (record.expiresAt !== undefined && record.expiresAt <= emulator.now()) return undefined;
  return record;
}

/** Routes of OAuth, token info and uninstall. */
export function oauthRoutes(): HubSpotRoute[] {
  const tokenPaths = ['/oauth/:version/token', '/oauth/v3/token'];
  return [
    {
      method: 'GET',
      paths: ['/oauth/authorize', '/oauth/:portalId/authorize'],
      auth: 'none',
      budget: 'none',
      handle(context) {
        const request = readAuthorize(context);
        if ('status' in request) return request;
        const decision = context.query.get('emulator_decision');
        return decision ? decide(context, request, decision) : consentPage(context, request);
      },
    },
    {
      method: 'GET',
      paths: ['/oauth/authorize/decision'],
      auth: 'none',
      budget: 'none',
      handle(context) {
        const request = readAuthorize(context);
        if ('status' in request) return request;
        return decide(context, request, context.query.get('decision') ?? 'deny');
      },
    },
    {
      method: 'POST',
      paths: ['/oauth/v1/token'],
      auth: 'none',
      budget: 'none',
      handle: (context) => exchange(context, 'v1'),
    },
    {
      method: 'POST',
      paths: tokenPaths,
      auth: 'none',
      budget: 'none',
      handle: (context) => exchange(context, 'v3'),
    },
    {
      method: 'GET',
      paths: ['/oauth/v1/access-tokens/:token'],
      auth: 'none',
      budget: 'none',
      handle(context) {
        const record = liveToken(context.emulator, context.params.token ?? '');
        if (!record)
          throw new HubSpotEmulatorHttpError(404, {
            message: 'Token not found or expired',
            category: 'OBJECT_NOT_FOUND',
          });
        return json(200, accessTokenInfo(context.emulator, record));
      },
    },
    {
      method: 'GET',
      paths: ['/oauth/v1/refresh-tokens/:token'],
      auth: 'none',
      budget: 'none',
      handle(context) {
        const refresh = context.emulator.tokens.refreshTokens.get(context.params.token ?? '');
        if (!refresh || refresh.revoked)
          throw new HubSpotEmulatorHttpError(404, {
            message: 'Refresh token not found',
            category: 'OBJECT_NOT_FOUND',
          });
        return json(200, {
          token: refresh.token,
          user: `user-${refresh.userId}@example.com`,
          hub_domain: `hub-${refresh.hubId}.example.com`,
          scopes: refresh.scopes,
          hub_id: refresh.hubId,
          client_id: refresh.clientId,
          user_id: refresh.userId,
          token_type: 'refresh',
        });
      },
    },
    {
      method: 'DELETE',
      paths: ['/oauth/v1/refresh-tokens/:token'],
      auth: 'none',
      budget: 'none',
      handle(context) {
        const refresh = context.emulator.tokens.refreshTokens.get(context.params.token ?? '');
        if (!refresh)
          throw new HubSpotEmulatorHttpError(404, {
            message: 'Refresh token not found',
            category: 'OBJECT_NOT_FOUND',
          });
        refresh.revoked = true;
        return json(204);
      },
    },
    {
      method: 'POST',
      paths: tokenPaths.map((path) => `${path}/introspect`),
      auth: 'none',
      budget: 'none',
      handle(context) {
        const form = formBody(context);
        const app = context.emulator.tokens.appByClientId(form.client_id ?? '');
        if (!app || app.clientSecret !== form.client_secret)
          throw oauthError('v3', 'BAD_CLIENT_ID', 'invalid_client', 'missing or invalid client credentials');
        const record = liveToken(context.emulator, form.token ?? '');
        if (record) {
          return json(200, {
            active: true,
            ...accessTokenInfo(context.emulator, record),
            client_id: app.clientId,
            token_type: 'access_token',
          });
        }
        const refresh = context.emulator.tokens.refreshTokens.get(form.token ?? '');
        if (refresh && !refresh.revoked) {
          return json(200, {
            active: true,
            hub_id: refresh.hubId,
            app_id: refresh.appId,
            client_id: refresh.clientId,
            scopes: refresh.scopes,
            user_id: refresh.userId,
            token_type: 'refresh_token',
          });
        }
        return json(200, { active: false });
      },
    },
    {
      method: 'POST',
      paths: tokenPaths.map((path) => `${path}/revoke`),
      auth: 'none',
      budget: 'none',
      handle(context) {
        const form = formBody(context);
        const app = context.emulator.tokens.appByClientId(form.client_id ?? '');
        if (!app || app.clientSecret !== form.client_secret)
          throw oauthError('v3', 'BAD_CLIENT_ID', 'invalid_client', 'missing or invalid client credentials');
        const access = context.emulator.tokens.tokens.get(form.token ?? '');
        if (access) access.revoked = true;
        const refresh = context.emulator.tokens.refreshTokens.get(form.token ?? '');
        if (refresh) refresh.revoked = true;
        // RFC 7009: revoking an unknown token is not an error.
        return json(200, {});
      },
    },
    {
      method: 'POST',
      paths: ['/oauth/v2/private-apps/get/access-token-info'],
      auth: 'none',
      budget: 'none',
      handle(context) {
        const tokenKey = String((context.body as { tokenKey?: unknown } | undefined)?.tokenKey ?? '');
        const record = liveToken(context.emulator, tokenKey);
        if (record?.kind !== 'private') throw validationError('Invalid private app access token.');
        return json(200, {
          userId: record.userId,
          hubId: record.hubId,
          appId: record.appId,
          scopes: record.scopes,
        });
      },
    },
    {
      method: 'DELETE',
      paths: ['/appinstalls/v3/external-install', '/appinstalls/:version/external-install'],
      auth: 'token',
      write: true,
      handle(context) {
        if (context.token.kind !== 'oauth')
          throw validationError('Only OAuth apps can be uninstalled through this endpoint.');
        context.portal.installedApps.delete(context.token.appId);
        context.emulator.tokens.revokeInstall(context.token.hubId, context.token.appId);
        return json(204);
      },
    },
  ];
}
