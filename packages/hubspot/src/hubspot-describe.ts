/**
 * Reads what a portal has (the parts Milepost looks at) and what it allows: scopes, tier
 * capabilities and headroom, before anything is written.
 */
import type { Journey, Mapping } from '@milepost/core';
import { z } from 'zod';
import {
  type HubSpotPaths,
  hubSpotIntrospectionSchema,
  hubSpotListSchema,
  hubSpotPipelineProperties,
  hubSpotPipelineSchema,
  hubSpotPropertyGroupSchema,
  hubSpotPropertySchema,
} from './hubspot-api.js';
import { type HubSpotSchemaSnapshot, hubSpotSchemaTarget } from './hubspot-schema.js';
import type { HubSpotTransport } from './hubspot-transport.js';

/** Fetches the groups, properties and pipelines Milepost compares, and counts records in stages it may remove. */
export async function describeHubSpotPortal(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  journey: Journey,
  mapping?: Mapping,
): Promise<HubSpotSchemaSnapshot> {
  const { recordObject, cycleObject } = hubSpotSchemaTarget(mapping);
  const snapshot: HubSpotSchemaSnapshot = { groups: {}, properties: {}, pipelines: {}, stageCounts: {} };
  for (const objectType of new Set([recordObject, cycleObject, 'tasks'])) {
    const groups = await transport.request({
      method: 'GET',
      path: paths.propertyGroups(objectType),
      schema: hubSpotListSchema(hubSpotPropertyGroupSchema),
    });
    snapshot.groups[objectType] = groups.body.results;
    const properties = await transport.request({
      method: 'GET',
      path: paths.properties(objectType),
      schema: hubSpotListSchema(hubSpotPropertySchema),
    });
    snapshot.properties[objectType] = properties.body.results;
  }
  const pipelines = await transport.request({
    method: 'GET',
    path: paths.pipelines(cycleObject),
    schema: hubSpotListSchema(hubSpotPipelineSchema),
  });
  snapshot.pipelines[cycleObject] = pipelines.body.results;

  // Only stages the journey no longer has can be removed, so only they need a record count.
  const pipelineId = `milepost-${journey.key}`;
  const kept = new Set(journey.stages.map((stage) => `${pipelineId}-${stage.key}`));
  const stageProperty = hubSpotPipelineProperties(cycleObject).stage;
  for (const pipeline of pipelines.body.results.filter((candidate) => candidate.id === pipelineId)) {
    for (const stage of pipeline.stages.filter(
      (candidate) => !kept.has(candidate.id) && !candidate.archived,
    )) {
      const found = await transport.request({
        method: 'POST',
        path: paths.search(cycleObject),
        budget: 'search',
        body: {
          filterGroups: [{ filters: [{ propertyName: stageProperty, operator: 'EQ', value: stage.id }] }],
          limit: 1,
        },
        schema: z.object({ total: z.number() }),
      });
      snapshot.stageCounts![stage.id] = found.body.total;
    }
  }
  return snapshot;
}

/** What the portal will and will not allow, before anything is written. */
export interface HubSpotPreflight {
  hubId?: number;
  scopes: string[];
  /** Each check, for a readable report. */
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  capabilities: { workflows: boolean; customObjects: boolean; additionalPipelines: boolean };
  /** True when nothing blocks plan/apply/sync. */
  ok: boolean;
}

/** Scopes Milepost needs, by purpose (research: hubspot-api.md §1.11). */
export const HUBSPOT_REQUIRED_SCOPES = {
  companies: ['crm.objects.companies.read', 'crm.objects.companies.write', 'crm.schemas.companies.write'],
  tickets: ['tickets'],
  tasks: ['crm.objects.contacts.read', 'crm.objects.contacts.write'],
  owners: ['crm.objects.owners.read'],
} as const;

/** Checks a portal: scopes from token introspection, tier capabilities from probes, headroom from the limits endpoints. */
export async function hubSpotPreflight(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  accessToken: string,
): Promise<HubSpotPreflight> {
  const checks: HubSpotPreflight['checks'] = [];
  // A private app token and an OAuth token are described by different endpoints: ask the first, then the other.
  let introspection = await transport.request({
    method: 'POST',
    path: paths.privateAppTokenInfo,
    body: { tokenKey: accessToken },
    schema: hubSpotIntrospectionSchema,
    accept: [400, 401, 404],
  });
  if (introspection.status !== 200) {
    introspection = await transport.request({
      method: 'GET',
      path: paths.accessTokenInfo(accessToken),
      schema: hubSpotIntrospectionSchema,
      accept: [400, 401, 404],
    });
  }
  const known = introspection.status === 200;
  const scopes = known ? introspection.body.scopes : [];
  const hubId = known ? (introspection.body.hub_id ?? introspection.body.hubId ?? undefined) : undefined;
  if (!known)
    checks.push({
      name: 'access token',
      ok: false,
      detail: 'HubSpot does not recognise the token; create a new one or reinstall the app',
    });
  for (const [purpose, needed] of Object.entries(HUBSPOT_REQUIRED_SCOPES)) {
    const missing = needed.filter((scope) => !scopes.includes(scope));
    checks.push({
      name: `scopes for ${purpose}`,
      ok: missing.length === 0,
      detail: missing.length ? `missing ${missing.join(', ')}` : 'granted',
    });
  }
  const workflows = await transport.request({ method: 'GET', path: `${paths.flows}?limit=1`, accept: [403] });
  const customObjects = await transport.request({ method: 'GET', path: paths.schemas, accept: [403] });
  const additionalPipelines = await pipelineHeadroom(transport, paths, 'tickets');
  checks.push({
    name: 'a pipeline for the journey',
    ok: true,
    detail: additionalPipelines
      ? 'room for the journey pipeline'
      : 'no room for another ticket pipeline: the journey state lives on companies only',
  });
  const propertyLimits = await transport.request({
    method: 'GET',
    path: paths.limits('custom-properties'),
    schema: z
      .object({
        byObjectType: z
          .array(z.object({ objectTypeId: z.string(), limit: z.number(), usage: z.number() }))
          .nullish(),
      })
      .passthrough(),
    accept: [403, 404],
  });
  const companyProperties =
    propertyLimits.status === 200
      ? propertyLimits.body.byObjectType?.find((item) => item.objectTypeId === '0-2')
      : undefined;
  if (companyProperties) {
    const room = companyProperties.limit - companyProperties.usage;
    // Milepost adds eight state properties plus one date per milestone; 40 covers the bundled templates.
    checks.push({
      name: 'custom company properties',
      ok: room >= 40,
      detail: `${companyProperties.usage} of ${companyProperties.limit} used; Milepost adds one per journey output and milestone`,
    });
  }
  checks.push({
    name: 'workflows',
    ok: true,
    detail:
      workflows.status === 403
        ? 'not available on this tier: Milepost will create tasks itself'
        : 'available: stage tasks run as workflows (created disabled)',
  });
  checks.push({
    name: 'custom objects',
    ok: true,
    detail:
      customObjects.status === 403
        ? 'not available (Enterprise only): cycles live on tickets or deals'
        : 'available',
  });
  return {
    hubId,
    scopes,
    checks,
    capabilities: {
      workflows: workflows.status !== 403,
      customObjects: customObjects.status !== 403,
      additionalPipelines,
    },
    ok: checks.every((check) => check.ok),
  };
}

const OBJECT_TYPE_IDS: Record<string, string> = { deals: '0-3', tickets: '0-5' };

/** True when the portal can hold one more pipeline on `objectType` (read from the limits endpoint). */
export async function pipelineHeadroom(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  objectType: string,
): Promise<boolean> {
  const response = await transport.request({
    method: 'GET',
    path: paths.limits('pipelines'),
    schema: z
      .object({
        hubspotDefinedObjectTypes: z
          .array(z.object({ objectTypeId: z.string(), limit: z.number(), usage: z.number() }))
          .nullish(),
      })
      .passthrough(),
    accept: [403, 404],
  });
  if (response.status !== 200) return true;
  const usage = response.body.hubspotDefinedObjectTypes?.find(
    (item) => item.objectTypeId === OBJECT_TYPE_IDS[objectType],
  );
  return usage ? usage.usage < usage.limit : true;
}
