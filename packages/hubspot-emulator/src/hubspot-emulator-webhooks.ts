/**
 * App webhooks (research: hubspot-api.md §1.9): settings and subscriptions of an app (`/webhooks/v3/{appId}`,
 * `hapikey` auth), and delivery of batched events (up to 100 per request) to the app's target URL for
 * portals that installed the app, signed with `X-HubSpot-Signature-v3` (base64 HMAC-SHA256 of
 * method + URI + body + timestamp with the client secret), retried on failure.
 */
import { createHash, createHmac } from 'node:crypto';
import { notFoundError, validationError } from './hubspot-emulator-errors.js';
import { batchInputs, bodyObject, json, nowIso } from './hubspot-emulator-handler-utilities.js';
import type {
  HubSpotObjectStore,
  HubSpotPortalState,
  HubSpotRecordChange,
} from './hubspot-emulator-portal-state.js';
import type { HubSpotHandlerContext, HubSpotRoute } from './hubspot-emulator-routes.js';
import type { HubSpotApp } from './hubspot-emulator-tokens.js';
import type {
  HubSpotWebhookDelivery,
  HubSpotWebhookEvent,
  HubSpotWebhookSubscription,
} from './hubspot-emulator-types.js';

/** Delivery settings. */
export interface HubSpotWebhookOptions {
  /** Events are collected this long before a batch is sent. Default 100 ms. */
  batchWindowMilliseconds?: number;
  /** Waits between attempts; its length + 1 is the number of attempts. Default 1 s, 2 s, 4 s, 8 s, 16 s. */
  retryDelaysMilliseconds?: number[];
  /** Each delivery attempt times out after this long. Default 5,000 ms. */
  timeoutMilliseconds?: number;
}

/** An app's webhook configuration. */
export interface HubSpotWebhookSettings {
  targetUrl: string;
  maxConcurrentRequests: number;
  createdAt: string;
  updatedAt: string;
}

/** The dispatcher: configuration per app, queue, deliveries. */
export interface HubSpotWebhookDispatcher {
  settings: Map<number, HubSpotWebhookSettings>;
  subscriptions: Map<number, HubSpotWebhookSubscription[]>;
  deliveries: HubSpotWebhookDelivery[];
  recordChanged(portal: HubSpotPortalState, change: HubSpotRecordChange): void;
  associationChanged(portal: HubSpotPortalState, store: HubSpotObjectStore, recordId: string): void;
  /** Resolves once every queued event has been delivered or has exhausted its retries. */
  idle(): Promise<void>;
  close(): void;
}

/** Computes the v3 signature as HubSpot does; exported so tests and the adapter can check it. */
export function hubSpotSignatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: string,
): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${uri}${body}${timestamp}`, 'utf8')
    .digest('base64');
}

interface Pending {
  app: HubSpotApp;
  events: HubSpotWebhookEvent[];
  attempt: number;
}

/** Creates the dispatcher. */
export function createWebhookDispatcher(
  apps: () => Iterable<HubSpotApp>,
  now: () => number,
  options: HubSpotWebhookOptions = {},
): HubSpotWebhookDispatcher {
  const batchWindow = options.batchWindowMilliseconds ?? 100;
  const retryDelays = options.retryDelaysMilliseconds ?? [1000, 2000, 4000, 8000, 16_000];
  const timeout = options.timeoutMilliseconds ?? 5000;
  const settings = new Map<number, HubSpotWebhookSettings>();
  const subscriptions = new Map<number, HubSpotWebhookSubscription[]>();
  const deliveries: HubSpotWebhookDelivery[] = [];
  const queues = new Map<number, HubSpotWebhookEvent[]>();
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let eventCounter = 100;
  let waiters: (() => void)[] = [];
  let closed = false;

  const busy = () => inFlight > 0 || timers.size > 0;
  const settle = () => {
    if (busy()) return;
    const pending = waiters;
    waiters = [];
    for (const resolve of pending) resolve();
  };

  const later = (milliseconds: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
      settle();
    }, milliseconds);
    timer.unref();
    timers.add(timer);
  };

  function enqueue(
    portal: HubSpotPortalState,
    store: HubSpotObjectStore,
    recordId: string,
    kind: string,
    change?: { propertyName?: string; propertyValue?: string; source?: string },
  ) {
    // Most writes happen with no webhook configured; skip the subscription scan then.
    if (closed || settings.size === 0) return;
    for (const app of apps()) {
      if (!portal.installedApps.has(app.appId) || !settings.has(app.appId)) continue;
      for (const subscription of subscriptions.get(app.appId) ?? []) {
        if (!subscription.active) continue;
        const [family, action] = subscription.eventType.split('.');
        if (action !== kind) continue;
        if (
          family === 'object'
            ? subscription.objectTypeId !== store.info.objectTypeId
            : family !== store.info.webhookName
        )
          continue;
        if (kind === 'propertyChange' && subscription.propertyName !== change?.propertyName) continue;
        eventCounter += 1;
        const event: HubSpotWebhookEvent = {
          eventId: eventCounter,
          subscriptionId: Number(subscription.id),
          portalId: portal.hubId,
          appId: app.appId,
          occurredAt: now(),
          subscriptionType: subscription.eventType,
          attemptNumber: 0,
          objectId: Number(recordId),
          ...(family === 'object' ? { objectTypeId: store.info.objectTypeId } : {}),
          ...(change?.propertyName
            ? { propertyName: change.propertyName, propertyValue: change.propertyValue ?? '' }
            : {}),
          changeSource: change?.source === 'INTEGRATION' || !change?.source ? 'INTEGRATION' : change.source,
        };
        let queue = queues.get(app.appId);
        if (!queue) {
          queue = [];
          queues.set(app.appId, queue);
          later(batchWindow, () => flush(app));
        }
        queue.push(event);
      }
    }
  }

  function flush(app: HubSpotApp) {
    const queue = queues.get(app.appId) ?? [];
    queues.delete(app.appId);
    for (let start = 0; start < queue.length; start += 100)
      void send({ app, events: queue.slice(start, start + 100), attempt: 1 });
  }

  async function send(pending: Pending) {
    const target = settings.get(pending.app.appId);
    if (!target || closed) return;
    inFlight += 1;
    const events = pending.events.map((event) => ({ ...event, attemptNumber: pending.attempt - 1 }));
    const body = JSON.stringify(events);
    const timestamp = String(now());
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-HubSpot-Signature-v3': hubSpotSignatureV3(
        pending.app.clientSecret,
        'POST',
        target.targetUrl,
        body,
        timestamp,
      ),
      'X-HubSpot-Request-Timestamp': timestamp,
      // The v1 signature is still sent for webhooks: sha256 hex of secret + body.
      'X-HubSpot-Signature': createHash('sha256')
        .update(pending.app.clientSecret + body)
        .digest('hex'),
      'X-HubSpot-Signature-Version': 'v1',
      'User-Agent':
        'HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio-http-client) - WebhooksExecutorDaemon-executor',
    };
    let status = 0;
    try {
      const response = await fetch(target.targetUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeout),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch {
      status = 0;
    }
    deliveries.push({
      appId: pending.app.appId,
      url: target.targetUrl,
      events,
      attempt: pending.attempt,
      status,
      at: new Date(now()).toISOString(),
      headers,
      body,
    });
    inFlight -= 1;
    const failed = status === 0 || status >= 400;
    const delay = retryDelays[pending.attempt - 1];
    if (failed && delay !== undefined && !closed)
      later(delay, () => void send({ ...pending, attempt: pending.attempt + 1 }));
    settle();
  }

  return {
    settings,
    subscriptions,
    deliveries,
    recordChanged(portal, change) {
      enqueue(portal, change.store, change.recordId, change.kind, change);
    },
    associationChanged(portal, store, recordId) {
      enqueue(portal, store, recordId, 'associationChange');
    },
    idle() {
      if (!busy()) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      settle();
    },
  };
}

let subscriptionCounter = 1_000_000;
/** Subscription ids are unique across apps and emulators in one process, like HubSpot's global ids. */
function nextSubscriptionId(): number {
  subscriptionCounter += 1;
  return subscriptionCounter;
}

function requireApp(context: HubSpotHandlerContext): HubSpotApp {
  const appId = Number(context.params.appId);
  const app = context.emulator.tokens.apps.get(appId);
  if (!app) throw notFoundError(`App ${context.params.appId} not found.`);
  return app;
}

const eventTypePattern =
  /^(contact|company|deal|ticket|object|product|line_item)\.(creation|deletion|propertyChange|associationChange|merge|restore|privacyDeletion)$/;

function subscriptionView(subscription: HubSpotWebhookSubscription) {
  return { ...subscription };
}

/** Routes of the webhooks settings/subscriptions API. */
export function webhookRoutes(): HubSpotRoute[] {
  const paths = (suffix: string) => [
    `/webhooks/v3/:appId${suffix}`,
    `/app-webhooks/:version/:appId${suffix}`,
  ];
  const dispatcher = (context: HubSpotHandlerContext) => context.emulator.webhooks;
  return [
    {
      method: 'GET',
      paths: paths('/settings'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        const app = requireApp(context);
        const settings = dispatcher(context).settings.get(app.appId);
        if (!settings) throw notFoundError(`No webhook settings for app ${app.appId}.`);
        return json(200, {
          targetUrl: settings.targetUrl,
          throttling: { maxConcurrentRequests: settings.maxConcurrentRequests, period: 'SECONDLY' },
          createdAt: settings.createdAt,
          updatedAt: settings.updatedAt,
        });
      },
    },
    {
      method: 'PUT',
      paths: paths('/settings'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        const app = requireApp(context);
        const input = bodyObject(context);
        if (typeof input.targetUrl !== 'string')
          throw validationError('Some required fields were not set: [targetUrl]');
        try {
          new URL(input.targetUrl);
        } catch {
          throw validationError(`targetUrl ${input.targetUrl} is not a valid URL.`);
        }
        const throttling = (input.throttling ?? {}) as { maxConcurrentRequests?: unknown };
        const existing = dispatcher(context).settings.get(app.appId);
        const now = nowIso(context);
        const settings: HubSpotWebhookSettings = {
          targetUrl: input.targetUrl,
          maxConcurrentRequests:
            typeof throttling.maxConcurrentRequests === 'number' ? throttling.maxConcurrentRequests : 10,
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        };
        dispatcher(context).settings.set(app.appId, settings);
        return json(200, {
          targetUrl: settings.targetUrl,
          throttling: { maxConcurrentRequests: settings.maxConcurrentRequests, period: 'SECONDLY' },
          createdAt: settings.createdAt,
          updatedAt: settings.updatedAt,
        });
      },
    },
    {
      method: 'DELETE',
      paths: paths('/settings'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        dispatcher(context).settings.delete(requireApp(context).appId);
        return json(204);
      },
    },
    {
      method: 'GET',
      paths: paths('/subscriptions'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        const app = requireApp(context);
        return json(200, {
          results: (dispatcher(context).subscriptions.get(app.appId) ?? []).map(subscriptionView),
        });
      },
    },
    {
      method: 'POST',
      paths: paths('/subscriptions'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        const app = requireApp(context);
        const input = bodyObject(context);
        if (typeof input.eventType !== 'string')
          throw validationError('Some required fields were not set: [eventType]');
        if (!eventTypePattern.test(input.eventType))
          throw validationError(`Invalid eventType ${input.eventType}.`);
        if (input.eventType.endsWith('.propertyChange') && typeof input.propertyName !== 'string') {
          throw validationError('propertyName is required for propertyChange subscriptions.');
        }
        if (input.eventType.startsWith('object.') && typeof input.objectTypeId !== 'string')
          throw validationError('objectTypeId is required for object.* subscriptions.');
        const list = dispatcher(context).subscriptions.get(app.appId) ?? [];
        if (
          list.some(
            (existing) =>
              existing.eventType === input.eventType &&
              existing.propertyName === input.propertyName &&
              existing.objectTypeId === input.objectTypeId,
          )
        ) {
          throw validationError(
            `A subscription for ${input.eventType}${input.propertyName ? ` (${String(input.propertyName)})` : ''} already exists.`,
          );
        }
        const now = nowIso(context);
        const subscription: HubSpotWebhookSubscription = {
          id: String(nextSubscriptionId()),
          eventType: input.eventType,
          ...(typeof input.propertyName === 'string' ? { propertyName: input.propertyName } : {}),
          ...(typeof input.objectTypeId === 'string' ? { objectTypeId: input.objectTypeId } : {}),
          active: input.active !== false,
          createdAt: now,
          updatedAt: now,
        };
        list.push(subscription);
        dispatcher(context).subscriptions.set(app.appId, list);
        return json(201, subscriptionView(subscription));
      },
    },
    {
      method: 'POST',
      paths: paths('/subscriptions/batch/update'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        const app = requireApp(context);
        const startedAt = nowIso(context);
        const list = dispatcher(context).subscriptions.get(app.appId) ?? [];
        const results = batchInputs(context).map((raw) => {
          const input = (raw ?? {}) as { id?: unknown; active?: unknown };
          const subscription = list.find((candidate) => candidate.id === String(input.id));
          if (!subscription) throw notFoundError(`Subscription ${String(input.id)} not found.`);
          if (typeof input.active === 'boolean') subscription.active = input.active;
          subscription.updatedAt = startedAt;
          return subscriptionView(subscription);
        });
        return json(200, { status: 'COMPLETE', results, startedAt, completedAt: nowIso(context) });
      },
    },
    {
      method: 'GET',
      paths: paths('/subscriptions/:subscriptionId'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        return json(200, subscriptionView(requireSubscription(context)));
      },
    },
    {
      method: 'PATCH',
      paths: paths('/subscriptions/:subscriptionId'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        const subscription = requireSubscription(context);
        const input = bodyObject(context);
        if (typeof input.active === 'boolean') subscription.active = input.active;
        subscription.updatedAt = nowIso(context);
        return json(200, subscriptionView(subscription));
      },
    },
    {
      method: 'DELETE',
      paths: paths('/subscriptions/:subscriptionId'),
      auth: 'developer',
      budget: 'none',
      handle(context) {
        const subscription = requireSubscription(context);
        const app = requireApp(context);
        const list = dispatcher(context).subscriptions.get(app.appId) ?? [];
        dispatcher(context).subscriptions.set(
          app.appId,
          list.filter((candidate) => candidate !== subscription),
        );
        return json(204);
      },
    },
  ];
}

function requireSubscription(context: HubSpotHandlerContext): HubSpotWebhookSubscription {
  const app = requireApp(context);
  const subscription = (context.emulator.webhooks.subscriptions.get(app.appId) ?? []).find(
    (candidate) => candidate.id === context.params.subscriptionId,
  );
  if (!subscription) throw notFoundError(`Subscription ${context.params.subscriptionId} not found.`);
  return subscription;
}
