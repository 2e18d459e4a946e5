/**
 * `createHubSpotAdapter(settings)`: the HubSpot implementation of core's adapter contract.
 */
import {
  type ApplyProgress,
  type ApplyReport,
  compileJourney,
  evaluate,
  type Journey,
  type JourneyState,
  type Mapping,
  type MilepostAdapter,
  MilepostError,
  type PreflightReport,
  planSchema,
  type SyncOptions,
  type SyncSummary,
} from '@milepost/core';
import { type HubSpotApiVersion, type HubSpotObject, hubSpotPaths } from './hubspot-api.js';
import {
  describeHubSpotPortal,
  type HubSpotPreflight,
  hubSpotPreflight,
  pipelineHeadroom,
} from './hubspot-describe.js';
import { describeHubSpotFields } from './hubspot-fields.js';
import { type HubSpotRateLimits, hubSpotRateLimits, type LimiterClock } from './hubspot-rate-limiter.js';
import {
  readHubSpotAssociatedIds,
  readHubSpotRecord,
  writeHubSpotJourneyOutputs,
} from './hubspot-record-access.js';
import { createHubSpotRecordReader, readCompanies, syncHubSpotRecords } from './hubspot-records.js';
import { hubSpotDesiredSchema, hubSpotRemoteSchema, hubSpotSchemaTarget } from './hubspot-schema.js';
import { applyHubSpotSchemaPlan, hubSpotPipelineId } from './hubspot-schema-apply.js';
import { createHubSpotTransport, type HubSpotTransport } from './hubspot-transport.js';
import { comparableDefinition, hubSpotWorkflowResources, readHubSpotWorkflows } from './hubspot-workflows.js';

const SINGULAR: Record<string, string> = {
  companies: 'company',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
};

/** Settings of {@link createHubSpotAdapter}. Credentials are read lazily: creating an adapter never throws. */
export interface HubSpotAdapterSettings {
  /** A private app (static) token, an OAuth access token, or a function returning a fresh one. Defaults to `HUBSPOT_ACCESS_TOKEN`. */
  accessToken?: string | (() => Promise<string>);
  /** The API's base URL; defaults to `HUBSPOT_BASE_URL`, then `https://api.hubapi.com`. The emulator's URL in tests and the demo. */
  baseUrl?: string;
  /** Rate limits; defaults to a private app on a free portal until HubSpot's headers say otherwise. */
  limits?: HubSpotRateLimits;
  /** `2026-09` (default) or `legacy` paths. */
  apiVersion?: HubSpotApiVersion;
  /** Attempts per call for retryable failures; default 6. */
  maxAttempts?: number;
  /** Injectable for tests. */
  clock?: LimiterClock;
  random?: () => number;
  /** Environment to read defaults from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** The HubSpot adapter, with HubSpot-specific extras beside the core contract. */
export interface HubSpotAdapter extends MilepostAdapter {
  readonly target: 'hubspot';
  /** The full HubSpot preflight (scopes, capabilities). */
  hubSpotPreflight(): Promise<HubSpotPreflight>;
  /** Calls made so far, retries included. */
  apiCalls(): number;
  /**
   * The same adapter (same portal, token, rate limiter and call count) with every call settling by
   * `deadline`, a time on the adapter's clock (epoch milliseconds by default): no retry starts whose
   * wait would pass it, a call in flight at it is abandoned, and the call fails with an error
   * `isHubSpotDeadlineExceeded` recognises. For interactive callers such as the CRM card.
   */
  withDeadline(deadline: number): HubSpotAdapter;
  /** One record's properties, or null when the portal has no such record. */
  readRecord(
    objectType: string,
    recordId: string,
    properties: readonly string[],
  ): Promise<HubSpotObject | null>;
  /** Ids of the `toObjectType` records associated with one record; empty when there are none. */
  readAssociatedIds(objectType: string, recordId: string, toObjectType: string): Promise<string[]>;
  /**
   * Writes journey outputs onto one customer record (the mapping's object, companies by default).
   * Refuses, with `UNSAFE_CHANGE` and before any call, a property that is not one of the journey's
   * outputs (the properties a sync writes). `not-found` when the portal has no such record.
   */
  writeJourneyOutputs(
    journey: Journey,
    mapping: Mapping | undefined,
    recordId: string,
    properties: Readonly<Record<string, string | null>>,
  ): Promise<'updated' | 'not-found'>;
}

/** Creates a HubSpot adapter for one portal. */
export function createHubSpotAdapter(settings: HubSpotAdapterSettings = {}): HubSpotAdapter {
  const env = settings.env ?? process.env;
  const paths = hubSpotPaths(settings.apiVersion);
  let transport: HubSpotTransport | undefined;

  const token = async (): Promise<string> => {
    const value =
      typeof settings.accessToken === 'function'
        ? await settings.accessToken()
        : (settings.accessToken ?? env.HUBSPOT_ACCESS_TOKEN);
    if (!value) {
      throw new MilepostError({
        code: 'AUTHENTICATION_FAILED',
        message:
          'no HubSpot access token: set HUBSPOT_ACCESS_TOKEN (a private app token) or connect the portal with OAuth',
      });
    }
    return value;
  };
  const portalTransport = (): HubSpotTransport => {
    transport ??= createHubSpotTransport({
      accessToken: token,
      baseUrl: settings.baseUrl ?? env.HUBSPOT_BASE_URL,
      limits: settings.limits ?? hubSpotRateLimits('private', 'free'),
      maxAttempts: settings.maxAttempts,
      clock: settings.clock,
      random: settings.random,
    });
    return transport;
  };
  let workflowsProbe: Promise<boolean> | undefined;
  return adapterOver(portalTransport);

  /** The adapter's methods over `connection` (the portal's transport, or a deadline view of it). */
  function adapterOver(connection: () => HubSpotTransport): HubSpotAdapter {
    // Workflows need Professional: a 403 on the flows list means the portal cannot have them.
    const workflowsAvailable = (): Promise<boolean> => {
      workflowsProbe ??= connection()
        .request({ method: 'GET', path: `${paths.flows}?limit=1`, accept: [403] })
        .then((response) => response.status !== 403)
        .catch((error: unknown) => {
          // A failed probe (a deadline, an outage) is asked again next time rather than remembered.
          workflowsProbe = undefined;
          throw error;
        });
      return workflowsProbe;
    };
    const preflight = async (): Promise<HubSpotPreflight> => {
      return hubSpotPreflight(connection(), paths, await token());
    };

    return {
      target: 'hubspot',
      hubSpotPreflight: preflight,
      apiCalls: () => transport?.calls().total ?? 0,

      withDeadline: (deadline) =>
        adapterOver(() => {
          const shared = connection();
          return { ...shared, request: (request) => shared.request({ deadline, ...request }) };
        }),

      readRecord: (objectType, recordId, properties) =>
        readHubSpotRecord(connection(), paths, objectType, recordId, properties),

      readAssociatedIds: (objectType, recordId, toObjectType) =>
        readHubSpotAssociatedIds(connection(), paths, objectType, recordId, toObjectType),

      writeJourneyOutputs: (journey, mapping, recordId, properties) =>
        writeHubSpotJourneyOutputs(connection(), paths, journey, mapping, recordId, properties),

      async preflight(): Promise<PreflightReport> {
        const result = await preflight();
        return { ok: result.ok, checks: result.checks };
      },

      async plan(journey: Journey, mapping?: Mapping) {
        const snapshot = await describeHubSpotPortal(connection(), paths, journey, mapping);
        const moves: Record<string, string> = {};
        const { cycleObject } = hubSpotSchemaTarget(mapping);
        for (const removed of journey.removedStages ?? []) {
          moves[`pipeline-stage:${cycleObject}:${journey.key}:${removed.key}`] =
            `pipeline-stage:${cycleObject}:${journey.key}:${removed.movesTo}`;
        }
        const hasPipeline = (snapshot.pipelines[cycleObject] ?? []).some(
          (pipeline) => pipeline.id === hubSpotPipelineId(journey.key),
        );
        // Without room for another pipeline (free portals have one), the journey lives on the company alone.
        const cycles = hasPipeline || (await pipelineHeadroom(connection(), paths, cycleObject));
        const desired = [...hubSpotDesiredSchema(journey, mapping, { cycles }).resources];
        const remote = [...hubSpotRemoteSchema(snapshot, journey).resources];
        if (cycles && (await workflowsAvailable())) {
          const wanted = hubSpotWorkflowResources(journey, cycleObject);
          desired.push(...wanted);
          const definitions = new Map(
            wanted.map((resource) => [
              resource.id,
              resource.attributes.definition as Record<string, unknown>,
            ]),
          );
          for (const flow of await readHubSpotWorkflows(connection(), paths, journey)) {
            const id = `workflow:${cycleObject}:${journey.key}:${flow.stage}`;
            const like = definitions.get(id) ?? flow.definition;
            remote.push({
              id,
              kind: 'workflow',
              label: `workflow "${String(flow.definition.name)}"`,
              attributes: { definition: comparableDefinition(flow.definition, like) },
              managed: true,
              remoteId: flow.id,
            });
          }
        }
        const plan = planSchema({ resources: desired }, { resources: remote }, { moves });
        if (!cycles)
          plan.notes = [
            `no room for another ${cycleObject} pipeline on this portal: cycle records are left out; the journey state lives on each ${SINGULAR[hubSpotSchemaTarget(mapping).recordObject] ?? 'record'}`,
          ];
        return plan;
      },

      async apply(
        _journey,
        _mapping,
        plan,
        onProgress?: (progress: ApplyProgress) => void,
      ): Promise<ApplyReport> {
        if (plan.refusals.length) {
          throw new MilepostError({
            code: 'UNSAFE_CHANGE',
            message: `the plan has refused changes; resolve them first:\n${plan.refusals.map((refusal) => `  - ${refusal.summary}`).join('\n')}`,
          });
        }
        const before = connection().calls().total;
        const result = await applyHubSpotSchemaPlan(connection(), paths, plan, onProgress);
        return { ...result, apiCalls: connection().calls().total - before };
      },

      async sync(journey, mapping, options: SyncOptions): Promise<SyncSummary> {
        const callsBefore = connection().calls().total;
        // Stages whose tasks an enabled Milepost workflow creates are left to it, so no task is made twice.
        const workflowStages = new Set<string>();
        if (await workflowsAvailable()) {
          for (const flow of await readHubSpotWorkflows(connection(), paths, journey))
            if (flow.enabled) workflowStages.add(flow.stage);
        }
        const summary = await syncHubSpotRecords(connection(), paths, {
          workflowStages,
          journey,
          mapping,
          now: options.now,
          since: options.since,
          recordIds: options.recordIds,
          createTasks: true,
          onProgress: options.onProgress,
          onState: options.onState,
        });
        return { ...summary, apiCalls: connection().calls().total - callsBefore };
      },

      describeFields: (mapping) => describeHubSpotFields(connection(), paths, mapping),

      async status(journey, mapping, recordId, now): Promise<JourneyState> {
        // A status is a read: evaluate the one company without writing anything.
        const reader = createHubSpotRecordReader(journey, mapping);
        const objectType = mapping?.object ?? 'companies';
        for await (const page of readCompanies(connection(), paths, objectType, reader.properties, {
          recordIds: [recordId],
        })) {
          const company = page[0];
          if (company) return evaluate(compileJourney(journey), reader.toSnapshot(company).snapshot, now);
        }
        throw new MilepostError({
          code: 'INVALID_INPUT',
          message: `HubSpot has no ${objectType} record ${recordId}`,
        });
      },
    };
  }
}
