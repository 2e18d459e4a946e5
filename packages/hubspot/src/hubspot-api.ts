/**
 * The one place that knows HubSpot's endpoint paths, API version and response shapes
 * (research: hubspot-api.md §1). Date-versioned paths (`2026-09`) are the default; the v3/v4 paths
 * end in September 2027 and stay selectable for portals or tools that still need them.
 */
import { z } from 'zod';

/** The API version Milepost speaks by default. */
export const HUBSPOT_API_VERSION = '2026-09';

/** `2026-09` (date-versioned paths) or `legacy` (`/crm/v3`, `/crm/v4`, `/oauth/v1`). */
export type HubSpotApiVersion = typeof HUBSPOT_API_VERSION | 'legacy';

/** The largest batch HubSpot accepts for CRM object batch endpoints. */
export const HUBSPOT_BATCH_SIZE = 100;
/** The largest search page. */
export const HUBSPOT_SEARCH_PAGE_SIZE = 200;
/** Search never returns more than this many results for one query; split by time window past it. */
export const HUBSPOT_SEARCH_RESULT_CAP = 10_000;

/** Association type ids Milepost uses (HUBSPOT_DEFINED). */
export const HUBSPOT_ASSOCIATION_TYPES = {
  taskToCompany: 192,
  taskToDeal: 216,
  taskToTicket: 230,
  ticketToCompany: 26,
  dealToCompany: 5,
} as const;

const encode = encodeURIComponent;

/** The properties that hold a record's pipeline, stage and name on a pipeline object (deals differ). */
export function hubSpotPipelineProperties(objectType: string): {
  pipeline: string;
  stage: string;
  name: string;
} {
  return objectType === 'deals'
    ? { pipeline: 'pipeline', stage: 'dealstage', name: 'dealname' }
    : {
        pipeline: 'hs_pipeline',
        stage: 'hs_pipeline_stage',
        name: objectType === 'tickets' ? 'subject' : 'hs_name',
      };
}

/** Endpoint paths for one API version. */
export function hubSpotPaths(version: HubSpotApiVersion = HUBSPOT_API_VERSION) {
  const dated = version !== 'legacy';
  const properties = (objectType: string) =>
    dated ? `/crm/properties/${version}/${encode(objectType)}` : `/crm/v3/properties/${encode(objectType)}`;
  const pipelines = (objectType: string) =>
    dated ? `/crm/pipelines/${version}/${encode(objectType)}` : `/crm/v3/pipelines/${encode(objectType)}`;
  const objects = (objectType: string) =>
    dated ? `/crm/objects/${version}/${encode(objectType)}` : `/crm/v3/objects/${encode(objectType)}`;
  const associations = (from: string, to: string) =>
    dated
      ? `/crm/associations/${version}/${encode(from)}/${encode(to)}`
      : `/crm/v4/associations/${encode(from)}/${encode(to)}`;
  return {
    properties,
    property: (objectType: string, name: string) => `${properties(objectType)}/${encode(name)}`,
    propertiesBatchCreate: (objectType: string) => `${properties(objectType)}/batch/create`,
    propertyGroups: (objectType: string) => `${properties(objectType)}/groups`,
    propertyGroup: (objectType: string, name: string) => `${properties(objectType)}/groups/${encode(name)}`,
    pipelines,
    pipeline: (objectType: string, id: string) => `${pipelines(objectType)}/${encode(id)}`,
    pipelineStages: (objectType: string, id: string) => `${pipelines(objectType)}/${encode(id)}/stages`,
    pipelineStage: (objectType: string, id: string, stageId: string) =>
      `${pipelines(objectType)}/${encode(id)}/stages/${encode(stageId)}`,
    objects,
    object: (objectType: string, id: string) => `${objects(objectType)}/${encode(id)}`,
    batch: (objectType: string, action: 'read' | 'create' | 'update' | 'upsert' | 'archive') =>
      `${objects(objectType)}/batch/${action}`,
    search: (objectType: string) => `${objects(objectType)}/search`,
    associationsBatch: (
      from: string,
      to: string,
      action: 'create' | 'read' | 'archive' | 'associate/default',
    ) => `${associations(from, to)}/batch/${action}`,
    schemas: dated ? `/crm-object-schemas/${version}/schemas` : '/crm-object-schemas/v3/schemas',
    limits: (kind: 'pipelines' | 'custom-properties' | 'custom-object-types' | 'records') =>
      dated ? `/crm/limits/${version}/${kind}` : `/crm/v3/limits/${kind}`,
    owners: dated ? `/crm/owners/${version}` : '/crm/v3/owners',
    // Workflows have no date-versioned GA path yet (only -beta): v4 is the stable one.
    flows: '/automation/v4/flows',
    flow: (id: string) => `/automation/v4/flows/${encode(id)}`,
    token: dated ? '/oauth/2026-03/token' : '/oauth/v1/token',
    /** Scopes and hub of a private app (static) token. */
    privateAppTokenInfo: '/oauth/v2/private-apps/get/access-token-info',
    /** Scopes and hub of an OAuth access token (needs no client secret, unlike the 2026-03 introspection). */
    accessTokenInfo: (token: string) => `/oauth/v1/access-tokens/${encode(token)}`,
  };
}

/** Endpoint paths of one version. */
export type HubSpotPaths = ReturnType<typeof hubSpotPaths>;

// Response schemas are minimal and lenient (`nullish`) so vendor additions never break parsing.

const propertyOptionSchema = z.object({
  label: z.string(),
  value: z.string(),
  displayOrder: z.number().nullish(),
  hidden: z.boolean().nullish(),
  description: z.string().nullish(),
});

export const hubSpotPropertySchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  fieldType: z.string(),
  groupName: z.string().nullish(),
  description: z.string().nullish(),
  options: z.array(propertyOptionSchema).nullish(),
  hubspotDefined: z.boolean().nullish(),
  hasUniqueValue: z.boolean().nullish(),
  archived: z.boolean().nullish(),
  /** `currency` (among others) on number properties: how the number is shown. */
  numberDisplayHint: z.string().nullish(),
  showCurrencySymbol: z.boolean().nullish(),
});
/** A HubSpot property definition. */
export type HubSpotProperty = z.infer<typeof hubSpotPropertySchema>;

export const hubSpotPropertyGroupSchema = z.object({
  name: z.string(),
  label: z.string(),
  displayOrder: z.number().nullish(),
});
/** A HubSpot property group. */
export type HubSpotPropertyGroup = z.infer<typeof hubSpotPropertyGroupSchema>;

export const hubSpotPipelineStageSchema = z.object({
  id: z.string(),
  label: z.string(),
  displayOrder: z.number(),
  metadata: z.record(z.string(), z.string()).nullish(),
  archived: z.boolean().nullish(),
});
export const hubSpotPipelineSchema = z.object({
  id: z.string(),
  label: z.string(),
  displayOrder: z.number(),
  archived: z.boolean().nullish(),
  stages: z.array(hubSpotPipelineStageSchema),
});
/** A HubSpot pipeline with its stages. */
export type HubSpotPipeline = z.infer<typeof hubSpotPipelineSchema>;

export const hubSpotObjectSchema = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  propertiesWithHistory: z
    .record(
      z.string(),
      z.array(
        z.object({ value: z.string().nullable(), timestamp: z.string(), sourceType: z.string().nullish() }),
      ),
    )
    .nullish(),
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
  archived: z.boolean().nullish(),
});
/** A CRM record as HubSpot returns it (all property values are strings). */
export type HubSpotObject = z.infer<typeof hubSpotObjectSchema>;

export const hubSpotListSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    results: z.array(item),
    paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
  });

export const hubSpotSearchSchema = z.object({
  total: z.number(),
  results: z.array(hubSpotObjectSchema),
  paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
});

const standardErrorSchema = z.object({
  status: z.string().nullish(),
  category: z.string().nullish(),
  message: z.string(),
  context: z.record(z.string(), z.array(z.string())).nullish(),
  id: z.string().nullish(),
});

export const hubSpotBatchResultSchema = z.object({
  status: z.string(),
  results: z.array(hubSpotObjectSchema),
  numErrors: z.number().nullish(),
  errors: z.array(standardErrorSchema).nullish(),
});
/** A batch response; a 207 carries `errors` per failed input. */
export type HubSpotBatchResult = z.infer<typeof hubSpotBatchResultSchema>;

/**
 * A v4 batch associations read. A record without associations of the type is not a result but an
 * entry in `errors` (the response is a 207).
 */
export const hubSpotAssociationsReadSchema = z.object({
  status: z.string().nullish(),
  results: z.array(
    z.object({
      from: z.object({ id: z.union([z.number(), z.string()]).transform(String) }).nullish(),
      to: z.array(z.object({ toObjectId: z.union([z.number(), z.string()]).transform(String) })),
    }),
  ),
  errors: z.array(standardErrorSchema).nullish(),
});

export const hubSpotErrorBodySchema = z.object({
  status: z.string().nullish(),
  message: z.string(),
  correlationId: z.string().nullish(),
  category: z.string().nullish(),
  subCategory: z.string().nullish(),
  errorType: z.string().nullish(),
  policyName: z.string().nullish(),
  errors: z.array(z.object({ message: z.string(), code: z.string().nullish() })).nullish(),
});
/** HubSpot's error body (and its 429 variant with `policyName`). */
export type HubSpotErrorBody = z.infer<typeof hubSpotErrorBodySchema>;

/** Token information: private app (`hubId`, camel case) or OAuth (`hub_id`). */
export const hubSpotIntrospectionSchema = z.object({
  hub_id: z.number().nullish(),
  hubId: z.number().nullish(),
  scopes: z.array(z.string()),
  token_type: z.string().nullish(),
  app_id: z.number().nullish(),
  expires_in: z.number().nullish(),
});
