/**
 * `POST /hubspot/webhooks` (research: hubspot-api.md §1.9): HubSpot's signed event batches. The route
 * checks the v3 signature over the raw body, records each event once (HubSpot retries deliveries),
 * answers 204 at once, and syncs the changed records of each portal in the background as a sync run.
 * Events stay pending until a sync covers them, so nothing is lost while a token is refused.
 */
import { z } from 'zod';
import type { AdminApp, AdminContext, ConnectionWithSecrets } from './admin-context.js';
import { loadConnection } from './connection-store.js';
import { HttpError } from './http-errors.js';
import {
  hubSpotClient,
  type InstallJourney,
  isAuthenticationFailure,
  loadHubSpotInstall,
  loadInstallJourneys,
  markHubSpotNeedsReinstall,
  markHubSpotUninstalled,
} from './hubspot-install.js';
import { checkHubSpotSignatureV3 } from './hubspot-signatures.js';
import { runSyncToEnd, type SyncRunOutcome } from './run-executor.js';

/** HubSpot sends at most 100 events per request; this is far above any real batch. */
const MAX_WEBHOOK_BYTES = 2_000_000;
/** When another run holds the connection, the webhook sync tries again after this long. */
const BUSY_RETRY_MS = 5_000;
const BUSY_RETRIES = 60;

const idSchema = z.union([z.number().int(), z.string().regex(/^\d{1,30}$/)]).transform(String);
const eventSchema = z.looseObject({
  eventId: idSchema,
  subscriptionId: idSchema.optional(),
  portalId: z.number().int().positive(),
  subscriptionType: z.string().max(200).optional(),
  eventType: z.string().max(200).optional(),
  objectId: idSchema.optional(),
  objectTypeId: z.string().max(50).optional(),
  propertyName: z.string().max(200).optional(),
});
const batchSchema = z.array(eventSchema).max(1000);
type WebhookEvent = z.infer<typeof eventSchema>;

const OBJECT_TYPES: Record<string, string> = {
  contact: 'contacts',
  company: 'companies',
  deal: 'deals',
  ticket: 'tickets',
  '0-1': 'contacts',
  '0-2': 'companies',
  '0-3': 'deals',
  '0-5': 'tickets',
};
/** Events whose record may now evaluate differently; deletions leave nothing to sync. */
const SYNCING_ACTIONS = new Set(['creation', 'propertyChange', 'associationChange', 'restore', 'merge']);

function eventKind(event: WebhookEvent): string {
  return event.subscriptionType ?? event.eventType ?? '';
}

/**
 * The research note names no app-uninstall event type, so any lifecycle event type that says
 * "uninstall" counts (e.g. `app.uninstall`); an uninstall is otherwise noticed as a refused token.
 */
function isUninstall(event: WebhookEvent): boolean {
  return /uninstall/i.test(eventKind(event));
}

/** The record an event asks to sync, as `{ objectType, objectId }`, or null. */
function recordOf(event: WebhookEvent): { objectType: string; objectId: string } | null {
  const [family, action] = eventKind(event).split('.');
  if (!family || !action || !SYNCING_ACTIONS.has(action) || !event.objectId) return null;
  const objectType =
    family === 'object'
      ? event.objectTypeId && (OBJECT_TYPES[event.objectTypeId] ?? event.objectTypeId)
      : OBJECT_TYPES[family];
  return objectType ? { objectType, objectId: event.objectId } : null;
}

// One background loop per portal: a webhook arriving during a sync asks for another pass, and
// passes never overlap (HubSpot delivers in bursts of concurrent requests).
interface PortalQueue {
  running: Promise<void> | undefined;
  again: boolean;
}
const queues = new WeakMap<AdminContext, Map<number, PortalQueue>>();

/** Resolves once every webhook sync started in this process has finished (tests, shutdown). */
export async function settleHubSpotWebhookSyncs(context: AdminContext): Promise<void> {
  const portals = queues.get(context);
  while (portals && [...portals.values()].some((queue) => queue.running)) {
    await Promise.allSettled([...portals.values()].map((queue) => queue.running));
  }
}

/** Syncs the records of a portal's pending events in the background (again, if one is running). */
export function scheduleHubSpotWebhookSync(context: AdminContext, hubId: number, attempt = 0): void {
  const portals = queues.get(context) ?? new Map<number, PortalQueue>();
  queues.set(context, portals);
  const queue = portals.get(hubId) ?? { running: undefined, again: false };
  portals.set(hubId, queue);
  if (queue.running) {
    queue.again = true;
    return;
  }
  queue.running = (async () => {
    let busy = false;
    do {
      queue.again = false;
      try {
        busy = (await syncPendingEvents(context, hubId)) === 'busy';
      } catch (error) {
        context.log(
          `HubSpot account ${hubId}: webhook sync failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    } while (queue.again && !busy);
    if (busy && attempt < BUSY_RETRIES) {
      setTimeout(() => scheduleHubSpotWebhookSync(context, hubId, attempt + 1), BUSY_RETRY_MS).unref();
    }
  })().finally(() => {
    queue.running = undefined;
  });
}

/** The key an event is de-duplicated by: eventId alone is not unique across subscriptions. */
function eventKey(event: WebhookEvent): string {
  return `${event.portalId}:${event.subscriptionId ?? ''}:${event.eventId}`;
}

/** Records the events not seen before (HubSpot retries, replays) and returns their keys. */
async function recordEvents(context: AdminContext, events: WebhookEvent[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const now = context.now();
  const rows = events.map((event) => {
    const record = isUninstall(event) ? null : recordOf(event);
    return {
      event_key: eventKey(event),
      hub_id: event.portalId,
      object_type: record?.objectType ?? null,
      object_id: record?.objectId ?? null,
    };
  });
  // Events without a record to sync are stored as done: they only serve de-duplication.
  const inserted = await context.database.query<{ event_key: string }>(
    `insert into webhook_events (event_key, hub_id, object_type, object_id, received_at, processed_at)
     select x.event_key, x.hub_id, x.object_type, x.object_id, $2,
            case when x.object_id is null then $2::timestamptz end
       from jsonb_to_recordset($1::jsonb) as x(event_key text, hub_id bigint, object_type text, object_id text)
     on conflict (event_key) do nothing
     returning event_key`,
    [JSON.stringify(rows), now],
  );
  return new Set(inserted.map((row) => row.event_key));
}

/**
 * One pass over a portal's pending events: a sync run per journey on the portal for the records the
 * events name. Events are marked synced only when no run was refused, so a revoked token (the
 * install turns needs-reinstall) or a busy connection leaves them for the next pass.
 */
async function syncPendingEvents(
  context: AdminContext,
  hubId: number,
): Promise<'done' | 'busy' | 'refused' | 'skipped'> {
  const install = await loadHubSpotInstall(context, hubId);
  if (install?.status !== 'active') return 'skipped';
  const pending = await context.database.query<{ event_key: string; object_type: string; object_id: string }>(
    `select event_key, object_type, object_id from webhook_events
      where hub_id = $1 and processed_at is null and object_id is not null order by received_at, event_key limit 10000`,
    [hubId],
  );
  if (pending.length === 0) return 'done';
  const connection = await loadConnection(context, install.connectionId);
  for (const journey of await loadInstallJourneys(context, connection.id)) {
    const recordIds = [
      ...new Set(
        pending.filter((event) => event.object_type === journey.recordObject).map((event) => event.object_id),
      ),
    ];
    if (recordIds.length === 0) continue;
    const outcome = await runWebhookSync(context, connection, journey, recordIds);
    if (outcome !== 'done') return outcome;
  }
  await context.database.query(
    'update webhook_events set processed_at = $2 where event_key = any($1::text[]) and processed_at is null',
    [pending.map((event) => event.event_key), context.now()],
  );
  return 'done';
}

/** A sync of some records of one journey, recorded in `runs` (kind 'sync') like one started from the UI. */
async function runWebhookSync(
  context: AdminContext,
  connection: ConnectionWithSecrets,
  journey: InstallJourney,
  recordIds: string[],
): Promise<'done' | 'busy' | 'refused'> {
  let outcome: SyncRunOutcome;
  try {
    outcome = await runSyncToEnd(context, {
      journeyKey: journey.key,
      journey: journey.journey,
      mapping: journey.mapping,
      connection,
      recordIds,
      trigger: 'hubspot-webhook',
      summaryPrefix: 'HubSpot webhook',
      describeFailure: (error) =>
        isAuthenticationFailure(error)
          ? 'HubSpot refused the token; reinstall Milepost on this account (the changes are kept and synced after the reinstall)'
          : undefined,
    });
  } catch (error) {
    // Another apply or sync holds the connection (one running run per connection); try again later.
    if (error instanceof HttpError && error.status === 409) return 'busy';
    throw error;
  }
  if (outcome.error === undefined) return 'done';
  if (isAuthenticationFailure(outcome.error)) await markHubSpotNeedsReinstall(context, connection.id);
  return 'refused';
}

/** Registers `POST /hubspot/webhooks`. */
export function registerHubSpotWebhookRoutes(app: AdminApp, context: AdminContext): void {
  app.post('/hubspot/webhooks', async (c) => {
    const { clientSecret } = hubSpotClient(context);
    if (Number(c.req.header('content-length') ?? 0) > MAX_WEBHOOK_BYTES) {
      throw new HttpError(413, 'TOO_LARGE', 'the webhook body is larger than any HubSpot batch');
    }
    // The signature covers the bytes as sent: read the raw text before any parsing.
    const body = await c.req.text();
    if (body.length > MAX_WEBHOOK_BYTES) {
      throw new HttpError(413, 'TOO_LARGE', 'the webhook body is larger than any HubSpot batch');
    }
    const url = new URL(c.req.url);
    const check = checkHubSpotSignatureV3(
      clientSecret,
      {
        method: 'POST',
        uri: `${context.config.publicUrl}${url.pathname}${url.search}`,
        body,
        signature: c.req.header('x-hubspot-signature-v3'),
        timestamp: c.req.header('x-hubspot-request-timestamp'),
      },
      context.now().getTime(),
    );
    if (check !== 'ok') {
      context.log(`refused a HubSpot webhook: ${check} signature`);
      throw new HttpError(
        401,
        'INVALID_SIGNATURE',
        check === 'stale'
          ? 'the X-HubSpot-Request-Timestamp is more than 5 minutes away from this server’s clock'
          : 'the X-HubSpot-Signature-v3 header is missing or does not match this request',
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'BAD_REQUEST', 'the webhook body is not JSON');
    }
    const events = batchSchema.parse(parsed);
    const fresh = await recordEvents(context, events);
    const portals = new Set<number>();
    for (const event of events) {
      if (!fresh.has(eventKey(event))) continue;
      if (isUninstall(event)) await markHubSpotUninstalled(context, event.portalId);
      else if (recordOf(event)) portals.add(event.portalId);
    }
    for (const hubId of portals) scheduleHubSpotWebhookSync(context, hubId);
    return c.body(null, 204);
  });
}
