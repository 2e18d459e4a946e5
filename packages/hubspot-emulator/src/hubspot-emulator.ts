/**
 * The HubSpot emulator: a `node:http` server holding several portals, answering HubSpot's API with
 * HubSpot's status codes, bodies and headers, plus a separate `/__emulator/...` control API.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountRoutes } from './hubspot-emulator-account.js';
import { associationRoutes, associationsOf } from './hubspot-emulator-associations.js';
import { ALL_SCOPES } from './hubspot-emulator-catalog.js';
import {
  expiredAuthenticationError,
  HubSpotEmulatorHttpError,
  invalidAuthenticationError,
  missingScopesError,
  rateLimitBody,
  tierNotAllowedError,
} from './hubspot-emulator-errors.js';
import { createFaults, type HubSpotFaultSettings, type HubSpotFaults } from './hubspot-emulator-faults.js';
import { oauthRoutes } from './hubspot-emulator-oauth.js';
import { objectRoutes } from './hubspot-emulator-objects.js';
import { readState, restorePortal, snapshotState, writeState } from './hubspot-emulator-persistence.js';
import { pipelineRoutes, pipelineView } from './hubspot-emulator-pipelines.js';
import {
  createPortalState,
  createRecord,
  type HubSpotPortalState,
  propertyHistory,
  resolveStore,
} from './hubspot-emulator-portal-state.js';
import { propertyRoutes, propertyView } from './hubspot-emulator-properties.js';
import {
  createRateLimiter,
  type HubSpotRateLimitOverrides,
  type HubSpotRateLimitSettings,
  mergeRateLimits,
} from './hubspot-emulator-rate-limits.js';
import { createRequestLog, type HubSpotRequestLog } from './hubspot-emulator-request-log.js';
import {
  createRouter,
  type HubSpotEmulatorInternals,
  type HubSpotHandlerContext,
  type HubSpotHandlerResult,
  type HubSpotRoute,
} from './hubspot-emulator-routes.js';
import { schemaRoutes, schemaView } from './hubspot-emulator-schemas.js';
import { seedDemoPortal } from './hubspot-emulator-seed.js';
import {
  createTokenRegistry,
  deterministicApp,
  type HubSpotApp,
  type HubSpotTokenRecord,
} from './hubspot-emulator-tokens.js';
import type {
  HubSpotHistoryEntry,
  HubSpotOwner,
  HubSpotPipeline,
  HubSpotPropertyDefinition,
  HubSpotPropertyGroup,
  HubSpotTier,
  HubSpotWebhookDelivery,
} from './hubspot-emulator-types.js';
import {
  createWebhookDispatcher,
  type HubSpotWebhookOptions,
  webhookRoutes,
} from './hubspot-emulator-webhooks.js';
import { flowView, workflowRoutes } from './hubspot-emulator-workflows.js';

/** One portal (HubSpot account) of the emulator. */
export interface HubSpotPortalOptions {
  hubId: number;
  tier: HubSpotTier;
  /** Kind of the portal's default token: `private` (static token, 100/190 per 10 s) or `public` (OAuth app, 110 per 10 s). */
  appKind?: 'private' | 'public';
  /** Scopes the default token holds and an OAuth install may grant. Default: every scope. */
  scopes?: string[];
  /** Tokens accepted for this portal (the first is its default token). Default: one generated token. */
  tokens?: string[];
  seed?: 'demo' | 'empty';
}

/** An OAuth app known to the emulator. */
export interface HubSpotAppOptions {
  appId: number;
  clientId?: string;
  clientSecret?: string;
  developerApiKey?: string;
  redirectUris?: string[];
  scopes?: string[];
}

/** Settings of {@link createHubSpotEmulator}. */
export interface HubSpotEmulatorOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default: one Professional portal, hub id 1000001, every scope. */
  portals?: HubSpotPortalOptions[];
  /** Seed of portals that do not set their own. Default `empty`. */
  seed?: 'demo' | 'empty';
  /** Loads state from this JSON file when it exists and saves to it (debounced, and on close). */
  dataFile?: string;
  /** `false` turns budget 429s off (unit tests); headers are still sent. Default true. */
  rateLimits?: boolean;
  /** Overrides of the published budgets (e.g. a tiny ten-secondly budget to test 429 handling). */
  limits?: HubSpotRateLimitOverrides;
  /** OAuth apps; default one app (id 3000001) with every scope, installed in every portal. */
  apps?: HubSpotAppOptions[];
  webhooks?: HubSpotWebhookOptions;
  /** "Today" for the demo seed (epoch ms); default today's UTC midnight. */
  seedReferenceDate?: number;
  /** How many request log entries to keep. Default 200,000. */
  requestLogLimit?: number;
}

/** A record as the direct (no-HTTP) API returns it: a copy. */
export interface HubSpotRecordSnapshot {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** An association as the direct API returns it. */
export interface HubSpotAssociationSnapshot {
  toObjectTypeId: string;
  toObjectId: string;
  types: { associationCategory: string; associationTypeId: number; label: string | null }[];
}

/** Direct (no-HTTP) access to a portal's state, for test assertions and fast loading. */
export interface HubSpotEmulatorPortal {
  readonly hubId: number;
  readonly tier: HubSpotTier;
  /** The portal's default token. */
  readonly token: string;
  properties(objectType: string): HubSpotPropertyDefinition[];
  propertyGroups(objectType: string): HubSpotPropertyGroup[];
  pipelines(objectType: string): HubSpotPipeline[];
  objects(objectType: string): HubSpotRecordSnapshot[];
  object(objectType: string, id: string): HubSpotRecordSnapshot | undefined;
  /** A property's history, newest first. */
  history(objectType: string, id: string, property: string): HubSpotHistoryEntry[];
  /** Creates a record with full validation (no HTTP, no request log entry, no rate limit). */
  createObject(objectType: string, properties: Record<string, unknown>): HubSpotRecordSnapshot;
  /** Loads many records fast without validation or webhooks (benchmarks, fixtures). Returns the new ids. */
  loadObjects(objectType: string, records: readonly Record<string, string>[]): string[];
  associations(objectType: string, id: string, toObjectType: string): HubSpotAssociationSnapshot[];
  workflows(): Record<string, unknown>[];
  schemas(): Record<string, unknown>[];
  owners(): HubSpotOwner[];
  /** Delivery attempts of webhook batches holding events of this portal. */
  readonly webhooksDelivered: HubSpotWebhookDelivery[];
}

/** The emulator's clock (tests move it forward to expire tokens or refill budgets). */
export interface HubSpotEmulatorClock {
  now(): number;
  advance(milliseconds: number): void;
}

/** A running emulator. */
export interface HubSpotEmulator {
  /** `http://127.0.0.1:<port>`, the `basePath` for `@hubspot/api-client`. */
  readonly url: string;
  close(): Promise<void>;
  portal(hubId: number): HubSpotEmulatorPortal;
  readonly requests: HubSpotRequestLog;
  readonly defaultToken: string;
  readonly defaultHubId: number;
  /** Creates a token for a portal (`private` by default; `oauth` tokens expire after 30 minutes). */
  createToken(
    hubId: number,
    options?: { scopes?: string[]; kind?: 'private' | 'oauth'; appId?: number },
  ): string;
  readonly faults: HubSpotFaults;
  /** The default OAuth app (client id/secret, developer API key for webhooks). */
  readonly app: HubSpotApp;
  readonly apps: readonly HubSpotApp[];
  readonly clock: HubSpotEmulatorClock;
  /** Budgets in force; `set` merges overrides, `enabled` switches 429s on/off. */
  readonly rateLimits: {
    readonly settings: HubSpotRateLimitSettings;
    enabled: boolean;
    set(overrides: HubSpotRateLimitOverrides): void;
    reset(): void;
  };
  /** Webhook deliveries (all portals) and a way to wait until the queue is empty. */
  readonly webhooks: { readonly deliveries: HubSpotWebhookDelivery[]; idle(): Promise<void> };
  /** Writes the data file now (no-op without `dataFile`). */
  save(): Promise<void>;
}

const DEFAULT_HUB_ID = 1_000_001;
const DEFAULT_APP_ID = 3_000_001;

function defaultTokenFor(hubId: number): string {
  return `pat-na1-00000000-0000-4000-8000-${String(hubId).padStart(12, '0')}`;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Starts an emulator. */
export async function createHubSpotEmulator(options: HubSpotEmulatorOptions = {}): Promise<HubSpotEmulator> {
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  const tokens = createTokenRegistry(now);
  const faults = createFaults();
  const limiter = createRateLimiter(mergeRateLimits(options.limits), options.rateLimits !== false, now);
  const requestLog = createRequestLog(options.requestLogLimit);
  const portals = new Map<number, HubSpotPortalState>();
  const appOptions = options.apps ?? [{ appId: DEFAULT_APP_ID }];
  for (const app of appOptions) {
    const base = deterministicApp(app.appId, app.scopes ?? [...ALL_SCOPES]);
    tokens.apps.set(app.appId, {
      ...base,
      ...(app.clientId ? { clientId: app.clientId } : {}),
      ...(app.clientSecret ? { clientSecret: app.clientSecret } : {}),
      ...(app.developerApiKey ? { developerApiKey: app.developerApiKey } : {}),
      redirectUris: app.redirectUris ?? [],
    });
  }
  const webhooks = createWebhookDispatcher(() => tokens.apps.values(), now, options.webhooks);
  let baseUrl = '';
  let saveTimer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();

  const save = async () => {
    if (!options.dataFile) return;
    const file = options.dataFile;
    saving = saving.then(() => writeState(file, snapshotState(portals.values(), tokens, webhooks, now())));
    await saving;
  };

  const internals: HubSpotEmulatorInternals = {
    portals,
    tokens,
    faults,
    limiter,
    webhooks,
    now,
    url: () => baseUrl,
    defaultAppId: appOptions[0]?.appId ?? DEFAULT_APP_ID,
    changed() {
      if (!options.dataFile || saveTimer) return;
      saveTimer = setTimeout(() => {
        saveTimer = undefined;
        void save().catch(() => undefined);
      }, 500);
      saveTimer.unref();
    },
  };

  const portalOptions = options.portals ?? [{ hubId: DEFAULT_HUB_ID, tier: 'professional' as const }];
  const defaultTokens = new Map<number, string>();
  portalOptions.forEach((settings, index) => {
    const portal = createPortalState({
      hubId: settings.hubId,
      tier: settings.tier,
      appKind: settings.appKind ?? 'private',
      scopes: settings.scopes ?? [...ALL_SCOPES],
      now,
      onChange: (change) => webhooks.recordChanged(portal, change),
    });
    for (const app of tokens.apps.values()) portal.installedApps.add(app.appId);
    portals.set(settings.hubId, portal);
    const fixed =
      settings.tokens && settings.tokens.length > 0 ? settings.tokens : [defaultTokenFor(settings.hubId)];
    for (const token of fixed) {
      const kind = settings.appKind === 'public' ? 'oauth' : 'private';
      const record = tokens.issueAccessToken({
        token,
        kind,
        hubId: settings.hubId,
        appId: kind === 'oauth' ? internals.defaultAppId : 2_000_001 + index,
        scopes: portal.scopes,
        userId: 9_000_001,
      });
      // Configured tokens never expire, even on a `public` portal: a test suite should not die after 30 minutes.
      delete record.expiresAt;
    }
    defaultTokens.set(settings.hubId, fixed[0] as string);
    const seed = settings.seed ?? options.seed ?? 'empty';
    if (seed === 'demo')
      seedDemoPortal(
        portal,
        options.seedReferenceDate !== undefined ? { referenceDate: options.seedReferenceDate } : {},
      );
  });

  if (options.dataFile) {
    const saved = await readState(options.dataFile);
    if (saved) {
      for (const savedPortal of saved.portals) {
        let portal = portals.get(savedPortal.hubId);
        if (!portal) {
          const created = createPortalState({
            hubId: savedPortal.hubId,
            tier: savedPortal.tier,
            appKind: savedPortal.appKind,
            scopes: savedPortal.scopes,
            now,
            onChange: (change) => webhooks.recordChanged(created, change),
          });
          portal = created;
          portals.set(savedPortal.hubId, portal);
        }
        restorePortal(portal, savedPortal);
      }
      for (const app of saved.apps) if (!tokens.apps.has(app.appId)) tokens.apps.set(app.appId, app);
      for (const token of saved.tokens)
        if (!tokens.tokens.has(token.token)) tokens.tokens.set(token.token, token);
      for (const refresh of saved.refreshTokens) tokens.refreshTokens.set(refresh.token, refresh);
      for (const [appId, settings] of saved.webhookSettings) webhooks.settings.set(appId, settings);
      for (const [appId, list] of saved.webhookSubscriptions) webhooks.subscriptions.set(appId, list);
    }
  }

  const checkScopes = (context: HubSpotHandlerContext, scopes: readonly string[]) => {
    if (!scopes.some((scope) => context.token.scopes.includes(scope))) throw missingScopesError(scopes);
  };
  const routes: HubSpotRoute[] = [
    ...propertyRoutes(),
    ...pipelineRoutes(),
    ...objectRoutes(),
    ...associationRoutes(checkScopes),
    ...schemaRoutes(),
    ...workflowRoutes(),
    ...accountRoutes(),
    ...oauthRoutes(),
    ...webhookRoutes(),
  ];
  const router = createRouter(routes);

  const server = createServer((request, response) => {
    void handleRequest(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, {
          status: 'error',
          message: `Emulator failure: ${(error as Error).message}`,
          correlationId: randomUUID(),
          category: 'INTERNAL_ERROR',
        });
    });
  });
  server.keepAliveTimeout = 60_000;

  async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8');
  }

  function parseBody(raw: string, contentType: string | undefined): unknown {
    if (raw === '') return undefined;
    if (contentType?.includes('application/x-www-form-urlencoded'))
      return Object.fromEntries(new URLSearchParams(raw));
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw new HubSpotEmulatorHttpError(400, {
        message: `Invalid input JSON on line 1, column 1: ${(error as Error).message}`,
        category: 'VALIDATION_ERROR',
      });
    }
  }

  function authenticate(request: IncomingMessage): HubSpotTokenRecord {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const record = token ? tokens.tokens.get(token) : undefined;
    if (!record || record.revoked || !portals.has(record.hubId)) throw invalidAuthenticationError();
    if (record.expiresAt !== undefined && record.expiresAt <= now())
      throw expiredAuthenticationError((now() - record.expiresAt) / 60_000);
    return record;
  }

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const rawUrl = request.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const path = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
    if (path.startsWith('/__emulator/')) {
      await handleControl(method, path, query, await readBody(request), response);
      return;
    }
    const at = now();
    const fault = faults.before(method, path);
    if (fault?.kind === 'drop') {
      requestLog.add({ method, path, endpoint: `${method} ${path}`, status: 0, at });
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.milliseconds));
    const segments = path.split('/').filter(Boolean);
    const matched = router.match(method, segments);
    const endpoint = matched && 'route' in matched ? matched.endpoint : `${method} ${path}`;
    let status = 500;
    let hubId: number | undefined;
    try {
      if (fault?.kind === 'status') {
        const body =
          fault.status === 429
            ? rateLimitBody(
                (fault.policyName ?? 'TEN_SECONDLY_ROLLING') as 'TEN_SECONDLY_ROLLING',
                'publicapi:emulator-fault',
              )
            : {
                status: 'error',
                message: 'internal error',
                correlationId: randomUUID(),
                category: 'INTERNAL_ERROR',
              };
        status = fault.status;
        sendJson(response, status, body);
        await readBody(request);
        return;
      }
      if (!matched)
        throw new HubSpotEmulatorHttpError(404, {
          message: `No route for ${method} ${path}`,
          category: 'OBJECT_NOT_FOUND',
        });
      if ('methodNotAllowed' in matched)
        throw new HubSpotEmulatorHttpError(405, {
          message: `Method ${method} is not allowed on ${path}`,
          category: 'VALIDATION_ERROR',
        });
      const { route, params, dated } = matched;
      const rawBody = await readBody(request);
      const context: HubSpotHandlerContext = {
        method,
        path,
        params,
        query,
        body: undefined,
        rawBody,
        headers: request.headers,
        portal: undefined as unknown as HubSpotPortalState,
        token: undefined as unknown as HubSpotTokenRecord,
        dated,
        emulator: internals,
      };
      let rateHeaders: Record<string, string> = {};
      if (route.auth === 'token') {
        const token = authenticate(request);
        hubId = token.hubId;
        context.token = token;
        context.portal = portals.get(token.hubId) as HubSpotPortalState;
        const scopes = route.scopes?.(context);
        if (scopes) checkScopes(context, scopes);
        if (route.tier && tierRank[context.portal.tier] < tierRank[route.tier])
          throw tierNotAllowedError(route.tier, context.portal.tier);
        if (route.budget !== 'none') {
          const decision = limiter.charge(
            token,
            context.portal.tier,
            route.budget === 'search' ? 'search' : 'standard',
          );
          rateHeaders = decision.headers;
          if (!decision.allowed) {
            status = 429;
            sendJson(response, 429, decision.body, rateHeaders);
            return;
          }
        }
      } else if (route.auth === 'developer') {
        const app = tokens.apps.get(Number(params.appId));
        if (!app || query.get('hapikey') !== app.developerApiKey) throw invalidAuthenticationError();
      }
      context.body = parseBody(rawBody, request.headers['content-type']);
      const result: HubSpotHandlerResult = await route.handle(context);
      status = result.status;
      send(response, result, rateHeaders);
      if (route.write && status >= 200 && status < 300) {
        faults.countWrite();
        internals.changed();
      }
    } catch (error) {
      if (error instanceof HubSpotEmulatorHttpError) {
        status = error.status;
        sendJson(response, status, error.body);
      } else {
        status = 500;
        sendJson(response, 500, {
          status: 'error',
          message: `internal error: ${(error as Error).message}`,
          correlationId: randomUUID(),
          category: 'INTERNAL_ERROR',
        });
      }
    } finally {
      requestLog.add({ method, path, endpoint, status, ...(hubId !== undefined ? { hubId } : {}), at });
    }
  }

  function send(
    response: ServerResponse,
    result: HubSpotHandlerResult,
    extraHeaders: Record<string, string>,
  ): void {
    const headers: Record<string, string | number> = { ...extraHeaders, ...result.headers };
    if (result.contentType) {
      const text = typeof result.body === 'string' ? result.body : '';
      headers['Content-Type'] = result.contentType;
      headers['Content-Length'] = Buffer.byteLength(text);
      response.writeHead(result.status, headers);
      response.end(text);
      return;
    }
    if (result.status === 204 || result.body === undefined) {
      // Always a JSON content type, even without a body: the client refuses responses without one.
      headers['Content-Type'] = 'application/json;charset=utf-8';
      headers['Content-Length'] = 0;
      response.writeHead(result.status, headers);
      response.end();
      return;
    }
    sendJson(response, result.status, result.body, headers as Record<string, string>);
  }

  function sendJson(
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      ...headers,
      'Content-Type': 'application/json;charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    response.end(text);
  }

  async function handleControl(
    method: string,
    path: string,
    query: URLSearchParams,
    raw: string,
    response: ServerResponse,
  ): Promise<void> {
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      sendJson(response, 400, { status: 'error', message: 'Control API bodies are JSON.' });
      return;
    }
    const route = `${method} ${path.replace(/\/+$/, '')}`;
    const portalMatch = /^\/__emulator\/portals\/(\d+)\/install$/.exec(path);
    switch (true) {
      case route === 'GET /__emulator/health':
        return sendJson(response, 200, { ok: true, portals: [...portals.keys()] });
      case route === 'GET /__emulator/requests':
        return sendJson(response, 200, {
          total: requestLog.count(),
          byEndpoint: requestLog.countByEndpoint(),
          entries: requestLog.entries.slice(-Number(query.get('limit') ?? 1000)),
        });
      case route === 'DELETE /__emulator/requests':
        requestLog.clear();
        return sendJson(response, 200, { ok: true });
      case route === 'GET /__emulator/faults':
        return sendJson(response, 200, { ...faults.get(), crashed: faults.crashed });
      case route === 'POST /__emulator/faults':
      case route === 'PUT /__emulator/faults':
        faults.set(body as HubSpotFaultSettings);
        return sendJson(response, 200, faults.get());
      case route === 'DELETE /__emulator/faults':
        faults.clear();
        return sendJson(response, 200, { ok: true });
      case route === 'POST /__emulator/tokens': {
        try {
          const token = emulator.createToken(Number(body.hubId ?? DEFAULT_HUB_ID), {
            ...(Array.isArray(body.scopes) ? { scopes: body.scopes.map(String) } : {}),
            ...(body.kind === 'oauth' || body.kind === 'private' ? { kind: body.kind } : {}),
          });
          return sendJson(response, 201, { token });
        } catch (error) {
          return sendJson(response, 400, { status: 'error', message: (error as Error).message });
        }
      }
      case route === 'POST /__emulator/clock':
        emulator.clock.advance(Number(body.advanceMilliseconds ?? 0));
        return sendJson(response, 200, { now: now() });
      case route === 'GET /__emulator/rate-limits':
        return sendJson(response, 200, { enabled: limiter.enabled, settings: limiter.settings });
      case route === 'POST /__emulator/rate-limits':
        if (typeof body.enabled === 'boolean') limiter.enabled = body.enabled;
        limiter.settings = mergeRateLimits(body as HubSpotRateLimitOverrides, limiter.settings);
        limiter.reset();
        return sendJson(response, 200, { enabled: limiter.enabled, settings: limiter.settings });
      case route === 'GET /__emulator/webhooks/deliveries':
        return sendJson(response, 200, { results: webhooks.deliveries });
      case route === 'GET /__emulator/apps':
        return sendJson(response, 200, { results: [...tokens.apps.values()] });
      case method === 'POST' && portalMatch !== null: {
        const portal = portals.get(Number(portalMatch?.[1]));
        if (!portal) return sendJson(response, 404, { status: 'error', message: 'Unknown portal' });
        portal.installedApps.add(Number(body.appId ?? internals.defaultAppId));
        return sendJson(response, 200, { installedApps: [...portal.installedApps] });
      }
      case route === 'POST /__emulator/save':
        await save();
        return sendJson(response, 200, { ok: true });
      default:
        return sendJson(response, 404, { status: 'error', message: `Unknown control endpoint ${route}` });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  const requirePortal = (hubId: number): HubSpotPortalState => {
    const portal = portals.get(hubId);
    if (!portal)
      throw new Error(`The emulator has no portal ${hubId}; configured: ${[...portals.keys()].join(', ')}`);
    return portal;
  };
  const requireObjectStore = (portal: HubSpotPortalState, objectType: string) => {
    const store = resolveStore(portal, objectType);
    if (!store) throw new Error(`Unknown object type ${objectType} in portal ${portal.hubId}`);
    return store;
  };
  const snapshot = (record: {
    id: string;
    properties: Record<string, string | null>;
    createdAt: string;
    updatedAt: string;
    archived: boolean;
  }): HubSpotRecordSnapshot => ({
    id: record.id,
    properties: { ...record.properties },
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
  });

  const defaultHubId = portalOptions[0]?.hubId ?? DEFAULT_HUB_ID;
  const emulator: HubSpotEmulator = {
    url: baseUrl,
    requests: requestLog,
    defaultToken: defaultTokens.get(defaultHubId) as string,
    defaultHubId,
    faults,
    get app() {
      return tokens.apps.get(internals.defaultAppId) as HubSpotApp;
    },
    get apps() {
      return [...tokens.apps.values()];
    },
    clock: {
      now,
      advance(milliseconds) {
        clockOffset += milliseconds;
      },
    },
    rateLimits: {
      get settings() {
        return limiter.settings;
      },
      get enabled() {
        return limiter.enabled;
      },
      set enabled(value: boolean) {
        limiter.enabled = value;
      },
      set(overrides) {
        limiter.settings = mergeRateLimits(overrides, limiter.settings);
        limiter.reset();
      },
      reset() {
        limiter.reset();
      },
    },
    webhooks: {
      deliveries: webhooks.deliveries,
      idle: () => webhooks.idle(),
    },
    createToken(hubId, settings = {}) {
      const portal = requirePortal(hubId);
      const kind = settings.kind ?? 'private';
      const appId =
        settings.appId ??
        (kind === 'oauth' ? internals.defaultAppId : 2_000_001 + [...portals.keys()].indexOf(hubId));
      if (kind === 'oauth') portal.installedApps.add(appId);
      return tokens.issueAccessToken({
        kind,
        hubId,
        appId,
        scopes: settings.scopes ?? [...portal.scopes],
        userId: 9_000_001,
      }).token;
    },
    portal(hubId) {
      const portal = requirePortal(hubId);
      return {
        hubId,
        get tier() {
          return portal.tier;
        },
        token: defaultTokens.get(hubId) ?? '',
        properties: (objectType) =>
          [...requireObjectStore(portal, objectType).properties.values()].map(
            (property) => propertyView(property) as unknown as HubSpotPropertyDefinition,
          ),
        propertyGroups: (objectType) => [...requireObjectStore(portal, objectType).groups.values()].map(copy),
        pipelines: (objectType) =>
          [...requireObjectStore(portal, objectType).pipelines.values()]
            .filter((pipeline) => !pipeline.archived)
            .map((pipeline) => pipelineView(pipeline) as unknown as HubSpotPipeline),
        objects: (objectType) => [...requireObjectStore(portal, objectType).records.values()].map(snapshot),
        object(objectType, id) {
          const store = requireObjectStore(portal, objectType);
          const record = store.records.get(id) ?? store.archivedRecords.get(id);
          return record ? snapshot(record) : undefined;
        },
        history(objectType, id, property) {
          const store = requireObjectStore(portal, objectType);
          const record = store.records.get(id) ?? store.archivedRecords.get(id);
          return record ? propertyHistory(record, property) : [];
        },
        createObject(objectType, properties) {
          return snapshot(createRecord(portal, requireObjectStore(portal, objectType), properties));
        },
        loadObjects(objectType, records) {
          const store = requireObjectStore(portal, objectType);
          return records.map(
            (properties) =>
              createRecord(portal, store, { ...properties }, { trusted: true, silent: true }).id,
          );
        },
        associations(objectType, id, toObjectType) {
          const from = requireObjectStore(portal, objectType);
          const to = requireObjectStore(portal, toObjectType);
          return associationsOf(portal, from, id, to).map(([toObjectId, types]) => ({
            toObjectTypeId: to.info.objectTypeId,
            toObjectId,
            types: types.map(copy),
          }));
        },
        workflows: () => [...portal.flows.values()].map(flowView),
        schemas: () =>
          [...portal.schemas.values()]
            .filter((schema) => !schema.archived)
            .map((schema) => schemaView(portal, schema)),
        owners: () => portal.owners.map(copy),
        get webhooksDelivered() {
          return webhooks.deliveries.filter((delivery) =>
            delivery.events.some((event) => event.portalId === hubId),
          );
        },
      };
    },
    save,
    async close() {
      webhooks.close();
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await save();
    },
  };
  return emulator;
}

const tierRank: Record<HubSpotTier, number> = { free: 0, starter: 1, professional: 2, enterprise: 3 };

/** Settings of {@link runHubSpotEmulatorStandalone}. */
export interface HubSpotEmulatorStandaloneOptions {
  port?: number;
  seed?: 'demo' | 'empty';
  dataFile?: string;
  /** Fixes the default portal's token (so a demo's `.env` stays valid across restarts). */
  token?: string;
  log?: (line: string) => void;
}

/**
 * Starts an emulator with one Professional portal holding every scope and prints
 * `HUBSPOT_BASE_URL=…` and `HUBSPOT_ACCESS_TOKEN=…`.
 */
export async function runHubSpotEmulatorStandalone(
  options: HubSpotEmulatorStandaloneOptions,
): Promise<HubSpotEmulator> {
  const log = options.log ?? ((line: string) => console.log(line));
  const emulator = await createHubSpotEmulator({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.dataFile ? { dataFile: options.dataFile } : {}),
    portals: [
      {
        hubId: DEFAULT_HUB_ID,
        tier: 'professional',
        seed: options.seed ?? 'demo',
        ...(options.token ? { tokens: [options.token] } : {}),
      },
    ],
  });
  log(`HUBSPOT_BASE_URL=${emulator.url}`);
  log(`HUBSPOT_ACCESS_TOKEN=${emulator.defaultToken}`);
  log(`HUBSPOT_PORTAL_ID=${emulator.defaultHubId}`);
  log(`HUBSPOT_CLIENT_ID=${emulator.app.clientId}`);
  log(`HUBSPOT_CLIENT_SECRET=${emulator.app.clientSecret}`);
  return emulator;
}
