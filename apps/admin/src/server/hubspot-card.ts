/**
 * The journey card's API (API.md "HubSpot app", `CardState`): `GET /hubspot/card` and
 * `POST /hubspot/card/actions`, called by the card through `hubspot.fetch`, which HubSpot signs with
 * `X-HubSpot-Signature-v3` and sends with the calling portal as the `portalId` query parameter. Data is
 * read with the calling portal's own token only, so a record of another portal is simply not found.
 */
import {
  compileJourney,
  type Journey,
  type JourneyState,
  type Mapping,
  type MilepostAdapter,
  MilepostError,
} from '@milepost/core';
import {
  type HubSpotAdapter,
  hubSpotOutputProperties,
  hubSpotPipelineId,
  hubSpotPipelineProperties,
  isHubSpotDeadlineExceeded,
} from '@milepost/hubspot';
import type { Context } from 'hono';
import { z } from 'zod';
import type { AdminApp, AdminContext, AdminEnv, ConnectionWithSecrets } from './admin-context.js';
import { loadConnection } from './connection-store.js';
import { HttpError, parseRequestPart } from './http-errors.js';
import {
  hubSpotClient,
  type InstallJourney,
  isAuthenticationFailure,
  loadHubSpotInstall,
  loadInstallJourneys,
  markHubSpotNeedsReinstall,
} from './hubspot-install.js';
import { checkHubSpotSignatureV3 } from './hubspot-signatures.js';
import { scheduleHubSpotWebhookSync } from './hubspot-webhooks.js';

/** Under `hubspot.fetch`'s 15 s limit, with room for the answer to travel back. */
export const CARD_DEADLINE_MS = 12_000;
/** Keeps a card answer far below `hubspot.fetch`'s 1 MB limit, whatever a record accumulated. */
const MAX_CARD_TASKS = 200;

/** What the card shows for one record: the `CardState` of API.md (checked by the card's `isCardState`). */
export interface CardState {
  portalId: number;
  objectType: string;
  objectId: string;
  journey: { key: string; name: string; version: number };
  path: Array<{ key: string; name: string; status: 'done' | 'current' | 'upcoming' }>;
  stage: { key: string; name: string; daysInStage: number; expectedDays: number | null; enteredAt: string };
  sla: 'on-track' | 'behind' | 'stuck';
  milestones: Array<{
    key: string;
    name: string;
    success: string | null;
    status: 'achieved' | 'pending' | 'not-applicable';
    achievedAt: string | null;
    progress: string | null;
    manual: boolean;
  }>;
  nextMilestone: { key: string; name: string; progress: string | null } | null;
  tasks: Array<{ key: string; subject: string; dueDate: string; status: 'open' | 'overdue' | 'done' }>;
  owner: { team: string; name: string } | null;
  handoff: { from: string; to: string; toName: string; artifacts: string[] } | null;
  whatsNext: string;
  actions: { advanceStage: boolean; nextStage: { key: string; name: string } | null };
}

/** The record a card is on. */
export interface CardRecord {
  portalId: number;
  objectType: string;
  objectId: string;
}

/** `Name — progress` → `progress` (the engine's one-line text of the next milestone). */
function progressText(name: string, text: string): string | null {
  const rest = text.startsWith(`${name} — `) ? text.slice(name.length + 3) : '';
  return rest === '' ? null : rest;
}

/** Builds the card's view of one record from the engine's state (pure). */
export function cardStateFromJourneyState(
  journey: Journey,
  record: CardRecord,
  state: JourneyState,
): CardState {
  const compiled = compileJourney(journey);
  const plan =
    (state.persona !== null ? compiled.plans.get(state.persona) : undefined) ?? compiled.defaultPlan;
  const current = plan.path.findIndex((stage) => stage.key === state.stage);
  const stage = compiled.stages[compiled.stageIndex.get(state.stage) ?? -1];
  const sourceStage = journey.stages.find((candidate) => candidate.key === state.stage);
  // The next stage on the record's path, or null at its end.
  const following = current >= 0 ? plan.path[current + 1] : undefined;
  const nextStage = following ? { key: following.key, name: following.name } : null;
  const next = state.nextMilestone;
  return {
    portalId: record.portalId,
    objectType: record.objectType,
    objectId: record.objectId,
    journey: { key: journey.key, name: journey.name, version: journey.version },
    path: plan.path.map((step, position) => ({
      key: step.key,
      name: step.name,
      status: current < 0 || position > current ? 'upcoming' : position === current ? 'current' : 'done',
    })),
    stage: {
      key: state.stage,
      name: state.stageName,
      daysInStage: state.daysInStage,
      expectedDays: state.expectedDays,
      enteredAt: state.stageEnteredAt,
    },
    sla: state.sla,
    milestones: (stage?.milestones ?? []).map((milestone) => {
      const milestoneState = state.milestones[milestone.key];
      return {
        key: milestone.key,
        name: milestone.name,
        success:
          sourceStage?.milestones?.find((candidate) => candidate.key === milestone.key)?.success ?? null,
        status: milestoneState?.status ?? 'not-applicable',
        achievedAt: milestoneState?.achievedAt ?? null,
        progress: next?.key === milestone.key ? progressText(next.name, next.text) : null,
        manual: milestone.criteria === undefined,
      };
    }),
    nextMilestone: next
      ? { key: next.key, name: next.name, progress: progressText(next.name, next.text) }
      : null,
    tasks: state.tasks
      .slice(0, MAX_CARD_TASKS)
      .map((task) => ({ key: task.key, subject: task.subject, dueDate: task.due, status: task.status })),
    owner: state.owner ? { team: state.owner, name: state.ownerName ?? state.owner } : null,
    handoff: state.handoff
      ? {
          from: state.handoff.from ?? state.stageName,
          to: state.handoff.to,
          toName: state.handoff.toName,
          artifacts: [...state.handoff.artifacts],
        }
      : null,
    whatsNext: state.whatsNext,
    actions: {
      advanceStage:
        journey.stagePolicy !== undefined && journey.stagePolicy !== 'derived' && nextStage !== null,
      nextStage,
    },
  };
}

const recordQuerySchema = z.object({
  objectType: z.string().regex(/^[a-z0-9_-]{1,50}$/i, 'must be an object type such as companies'),
  objectId: z.string().regex(/^\d{1,30}$/, 'must be a record id'),
});
const portalQuerySchema = z.object({
  portalId: z.string().regex(/^\d{1,15}$/, 'must be a HubSpot account id'),
});
const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({
    objectType: recordQuerySchema.shape.objectType,
    objectId: recordQuerySchema.shape.objectId,
    action: z.literal('achieve-milestone'),
    milestone: z.string().min(1).max(100),
  }),
  z.strictObject({
    objectType: recordQuerySchema.shape.objectType,
    objectId: recordQuerySchema.shape.objectId,
    action: z.literal('advance-stage'),
  }),
]);

/** Checks HubSpot's signature of a card request and answers the calling portal (signed, in the query). */
function signedPortal(
  c: Context<AdminEnv>,
  context: AdminContext,
  body: string,
): { hubId: number; signature: string } {
  const { clientSecret } = hubSpotClient(context);
  const url = new URL(c.req.url);
  const signature = c.req.header('x-hubspot-signature-v3');
  const check = checkHubSpotSignatureV3(
    clientSecret,
    {
      method: c.req.method,
      uri: `${context.config.publicUrl}${url.pathname}${url.search}`,
      body,
      signature,
      timestamp: c.req.header('x-hubspot-request-timestamp'),
    },
    context.now().getTime(),
  );
  if (check !== 'ok') {
    throw new HttpError(
      401,
      'INVALID_SIGNATURE',
      check === 'stale'
        ? 'the request timestamp is more than 5 minutes old; reload the card'
        : 'this request is not signed by HubSpot for the Milepost app',
    );
  }
  const { portalId } = parseRequestPart(portalQuerySchema, c.req.query(), 'request');
  return { hubId: Number(portalId), signature: signature ?? '' };
}

interface CardTarget {
  connection: ConnectionWithSecrets;
  /** The connection's adapter, every call of which settles within the card's deadline. */
  adapter: HubSpotAdapter;
  journey: InstallJourney;
  /** The customer record whose state the card shows: the record itself, or the company of a cycle record. */
  customerId: string;
}

const NOT_FOUND_MESSAGE = 'this HubSpot account has no such record';

/**
 * The calling portal's connection, the journey the record is on and the customer record to read, or the
 * card's error codes. A record of the journey's object is its own customer; a record of its cycle host
 * object (tickets unless the mapping says otherwise) stands for the company it is associated with.
 */
async function cardTarget(
  context: AdminContext,
  hubId: number,
  record: CardRecord,
  startedAt: number,
): Promise<CardTarget> {
  const install = await loadHubSpotInstall(context, hubId);
  if (!install || install.status === 'uninstalled') {
    throw new HttpError(
      404,
      'NOT_INSTALLED',
      'Milepost is not installed on this HubSpot account; an admin can install it',
    );
  }
  if (install.status === 'needs-reinstall') {
    throw new HttpError(
      409,
      'NEEDS_REINSTALL',
      'HubSpot no longer accepts Milepost’s access to this account; an admin must install Milepost again (nothing was lost)',
    );
  }
  const journeys = await loadInstallJourneys(context, install.connectionId);
  const journey = journeys.find((candidate) => candidate.recordObject === record.objectType);
  if (journey) {
    const connection = await loadConnection(context, install.connectionId);
    return {
      connection,
      adapter: cardAdapter(context, connection, startedAt),
      journey,
      customerId: record.objectId,
    };
  }
  const hosting = journeys.filter(
    (candidate) => (candidate.mapping?.cycleObject ?? 'tickets') === record.objectType,
  );
  if (hosting.length === 0) {
    throw new HttpError(
      404,
      'NOT_TRACKED',
      journeys.length === 0
        ? 'no journey is set up on this HubSpot account yet; apply one in Milepost first'
        : `no journey tracks ${record.objectType} records on this account`,
    );
  }
  const connection = await loadConnection(context, install.connectionId);
  const adapter = cardAdapter(context, connection, startedAt);
  try {
    return await cycleTarget(connection, adapter, hosting, record);
  } catch (error) {
    return cardFailure(context, connection, error);
  }
}

/**
 * The connection's HubSpot adapter for one card request: its calls go through `@milepost/hubspot`'s
 * transport (rate limiter, retries, validated answers, counted calls) and settle by the card's
 * deadline, so no retry outlasts it. One per request, so its calls share one token (an expiring OAuth
 * token is refreshed once) and one limiter.
 */
function cardAdapter(
  context: AdminContext,
  connection: ConnectionWithSecrets,
  startedAt: number,
): HubSpotAdapter {
  const adapter: MilepostAdapter = context.adapterFor(connection);
  if (adapter.target !== 'hubspot' || !('withDeadline' in adapter)) {
    throw new Error(`connection ${connection.id} of a HubSpot install has no HubSpot adapter`);
  }
  return (adapter as HubSpotAdapter).withDeadline(startedAt + CARD_DEADLINE_MS);
}

/**
 * A cycle record's journey (the one whose Milepost pipeline it is in) and its company (read through
 * the v4 associations, which the adapter's sync creates with each cycle record).
 */
async function cycleTarget(
  connection: ConnectionWithSecrets,
  adapter: HubSpotAdapter,
  hosting: InstallJourney[],
  record: CardRecord,
): Promise<CardTarget> {
  const pipelineProperty = hubSpotPipelineProperties(record.objectType).pipeline;
  const cycle = await adapter.readRecord(record.objectType, record.objectId, [
    pipelineProperty,
    'milepost_cycle_id',
  ]);
  if (!cycle) throw new HttpError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
  const pipeline = cycle.properties[pipelineProperty];
  const journey = hosting.find((candidate) => hubSpotPipelineId(candidate.key) === pipeline);
  if (!journey) {
    throw new HttpError(
      404,
      'NOT_TRACKED',
      `this record is not in a Milepost pipeline; only ${record.objectType} Milepost creates for a journey show one`,
    );
  }
  const customerIds = await adapter.readAssociatedIds(
    record.objectType,
    record.objectId,
    journey.recordObject,
  );
  if (customerIds.length === 0) {
    throw new HttpError(
      404,
      'NOT_TRACKED',
      `this record is in the Milepost pipeline but not associated with one of its ${journey.recordObject}`,
    );
  }
  // The cycle id (journey:company) names the company Milepost made it for, should more be associated.
  const named = (cycle.properties.milepost_cycle_id ?? '').split(':').at(-1) ?? '';
  return {
    connection,
    adapter,
    journey,
    customerId: customerIds.includes(named) ? named : customerIds[0]!,
  };
}

/** HubSpot's failures, which the card answers as CONNECTION_FAILED. */
const HUBSPOT_FAILURES = new Set([
  'PERMISSION_DENIED',
  'RATE_LIMITED',
  'DAILY_LIMIT_REACHED',
  'VENDOR_UNAVAILABLE',
  'VENDOR_REJECTED',
  'CAPABILITY_MISSING',
]);

/**
 * Turns CRM failures into the card's codes: a refused token marks the install needs-reinstall, the
 * deadline answers TIMEOUT, and any other HubSpot failure CONNECTION_FAILED.
 */
async function cardFailure(
  context: AdminContext,
  connection: ConnectionWithSecrets,
  error: unknown,
): Promise<never> {
  if (isAuthenticationFailure(error)) {
    await markHubSpotNeedsReinstall(context, connection.id);
    throw new HttpError(
      409,
      'NEEDS_REINSTALL',
      'HubSpot no longer accepts Milepost’s access to this account; an admin must install Milepost again (nothing was lost)',
    );
  }
  if (isHubSpotDeadlineExceeded(error)) {
    throw new HttpError(504, 'TIMEOUT', 'HubSpot did not answer in time; try again');
  }
  if (MilepostError.isInstance(error) && error.code === 'INVALID_INPUT') {
    throw new HttpError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
  }
  if (MilepostError.isInstance(error) && HUBSPOT_FAILURES.has(error.code)) {
    throw new HttpError(502, 'CONNECTION_FAILED', `HubSpot refused the request (${error.code}); try again`);
  }
  throw error;
}

async function readCardState(
  context: AdminContext,
  target: CardTarget,
  record: CardRecord,
): Promise<CardState> {
  try {
    const state = await target.adapter.status(
      target.journey.journey,
      target.journey.mapping,
      target.customerId,
      context.now(),
    );
    return cardStateFromJourneyState(target.journey.journey, record, state);
  } catch (error) {
    return cardFailure(context, target.connection, error);
  }
}

/**
 * Writes journey outputs of the target's customer record with the portal's own token (the card's two
 * actions); the adapter refuses any property that is not one of the journey's outputs.
 */
async function writeRecord(target: CardTarget, properties: Record<string, string>): Promise<void> {
  const written = await target.adapter.writeJourneyOutputs(
    target.journey.journey,
    target.journey.mapping,
    target.customerId,
    properties,
  );
  if (written === 'not-found') throw new HttpError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
}

function today(context: AdminContext): string {
  return context.now().toISOString().slice(0, 10);
}

/** Registers `GET /hubspot/card` and `POST /hubspot/card/actions`. */
export function registerHubSpotCardRoutes(app: AdminApp, context: AdminContext): void {
  app.get('/hubspot/card', async (c) => {
    const startedAt = Date.now();
    const { hubId } = signedPortal(c, context, '');
    const query = parseRequestPart(recordQuerySchema, c.req.query(), 'request');
    const record = { portalId: hubId, objectType: query.objectType, objectId: query.objectId };
    const target = await cardTarget(context, hubId, record, startedAt);
    const card = await readCardState(context, target, record);
    c.header('cache-control', 'no-store');
    return c.json(card);
  });

  app.post('/hubspot/card/actions', async (c) => {
    const startedAt = Date.now();
    const body = await c.req.text();
    if (body.length > 10_000) throw new HttpError(413, 'TOO_LARGE', 'a card action is a few fields');
    const { hubId, signature } = signedPortal(c, context, body);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'BAD_REQUEST', 'the request body must be JSON');
    }
    const action = parseRequestPart(actionSchema, json, 'request');
    const record = { portalId: hubId, objectType: action.objectType, objectId: action.objectId };
    const target = await cardTarget(context, hubId, record, startedAt);
    const { journey, mapping } = target.journey;
    // On a cycle record the action changes its company, which is what the journey reads and writes.
    const customer = { objectType: target.journey.recordObject, objectId: target.customerId };
    const outputs = hubSpotOutputProperties(journey, mapping);
    const properties: Record<string, string> = {};
    if (action.action === 'achieve-milestone') {
      const milestone = journey.stages
        .flatMap((stage) => stage.milestones ?? [])
        .find((candidate) => candidate.key === action.milestone);
      if (!milestone) {
        throw new HttpError(
          400,
          'BAD_REQUEST',
          `journey "${journey.key}" has no milestone "${action.milestone}"`,
        );
      }
      if (milestone.criteria !== undefined) {
        throw new HttpError(
          409,
          'CONFLICT',
          `milestone "${milestone.name}" is achieved by its criteria, not by hand; update the record’s data instead`,
        );
      }
      properties[outputs[`milestone.${milestone.key}`]!] = today(context);
    } else {
      if (journey.stagePolicy === undefined || journey.stagePolicy === 'derived') {
        throw new HttpError(
          409,
          'CONFLICT',
          `journey "${journey.key}" moves records by their milestones (stagePolicy derived); stages are not moved by hand`,
        );
      }
      const next = (await readCardState(context, target, record)).actions.nextStage;
      if (!next) throw new HttpError(409, 'CONFLICT', 'the record is at the last stage of its path');
      properties[outputs.stage!] =
        (mapping as Mapping | undefined)?.outputs.stage?.values?.[next.key] ?? next.key;
      properties[outputs.stageEnteredAt!] = `${today(context)}T00:00:00.000Z`;
    }
    // The signature is single-use for writes: a replayed action (within the 5-minute window) must not
    // move a record twice. The row is also a pending event, so a sync writes the record's other outputs.
    const claimed = await context.database.query(
      `insert into webhook_events (event_key, hub_id, object_type, object_id, received_at)
       values ($1, $2, $3, $4, $5) on conflict (event_key) do nothing returning event_key`,
      [`card-action:${signature}`, hubId, customer.objectType, customer.objectId, context.now()],
    );
    if (claimed.length === 0) throw new HttpError(409, 'CONFLICT', 'this action was sent already');
    try {
      await writeRecord(target, properties);
    } catch (error) {
      await cardFailure(context, target.connection, error);
    }
    context.log(
      `card action ${action.action} on ${record.objectType} ${record.objectId} of HubSpot account ${hubId}`,
    );
    const card = await readCardState(context, target, record);
    scheduleHubSpotWebhookSync(context, hubId);
    return c.json(card);
  });
}
