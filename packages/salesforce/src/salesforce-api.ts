/**
 * The one place with Salesforce facts: the API version, the names Milepost gives its metadata, the
 * limits it batches by, and the shapes of the vendor responses it reads (zod). Sources are the
 * project's research notes (`shared/research/salesforce-api.md`, cited as "research §n").
 */
import { z } from 'zod';

/**
 * The API version of every call and every generated file (sfdx-project `sourceApiVersion`, Flow and
 * LWC `apiVersion`, package.xml `version`, jsforce `version`): research §2.10 recommends 62.0 or 63.0,
 * the issue asks for 63.0 or later. jsforce defaults to 50.0, so it is always set (research §0.2).
 */
export const SALESFORCE_API_VERSION = '63.0';

/** Limits Milepost batches by. */
export const SALESFORCE_LIMITS = {
  /** CRUD Metadata calls take at most 10 components; jsforce does not chunk (research §0.3). */
  metadataCrudChunk: 10,
  /** listMetadata takes at most 3 queries per call. */
  listMetadataQueries: 3,
  /** sObject Collections: at most 200 records per request, one API call (research §4). */
  collectionSize: 200,
  /** "Jobs with fewer than 2,000 records should involve bulkified synchronous calls" (research §4). */
  bulkIngestThreshold: 2000,
  /** Above this many records, reads use a Bulk API 2.0 query job instead of SOQL paging. */
  bulkQueryThreshold: 10000,
  /** Keys per `IN (...)` filter, to keep query URLs well under Salesforce's 16 KB. */
  soqlInChunk: 100,
  /** A Path step holds at most 1,000 characters of guidance and 5 key fields (research §4, §2.6). */
  pathGuidanceLength: 1000,
  pathKeyFields: 5,
  /** Custom field API names: 40 characters before `__c`; labels: 40 characters. */
  fieldNameLength: 40,
  labelLength: 40,
} as const;

/** The marker Milepost puts in the descriptions of what it manages (architecture: "Principles"). */
export const SALESFORCE_MANAGED_MARKER = 'Managed by Milepost';

/** API names of everything the package adds. */
export const SALESFORCE_NAMES = {
  cycleObject: 'Success_Cycle__c',
  /** Master-detail to Account (the cycle's customer). */
  cycleAccount: 'Account__c',
  cycleAccountRelationship: 'Account__r',
  cycleStage: 'Stage__c',
  cycleStageEnteredAt: 'Stage_Entered_At__c',
  cycleDaysInStage: 'Days_In_Stage__c',
  cycleSla: 'SLA_Status__c',
  cycleJourneyKey: 'Journey_Key__c',
  cycleJourneyVersion: 'Journey_Version__c',
  cycleName: 'Cycle__c',
  /** External ID used for upserts: `journey:accountId`. */
  cycleKey: 'Cycle_Key__c',
  cycleOwnerTeam: 'Owner_Team__c',
  cycleNextMilestone: 'Next_Milestone__c',
  cycleHandoff: 'Pending_Handoff__c',
  stageValueSet: 'Milepost_Stage',
  slaValueSet: 'Milepost_SLA_Status',
  accountStage: 'Milepost_Stage__c',
  accountNextMilestone: 'Milepost_Next_Milestone__c',
  accountSla: 'Milepost_SLA_Status__c',
  /** Custom activity fields live on `Activity` and show on Task and Event. */
  taskKey: 'Milepost_Task_Key__c',
  path: 'Milepost_Success_Cycle',
  flow: 'Milepost_Stage_Tasks',
  permissionSet: 'Milepost_Journey',
  lightningComponent: 'journeyProgress',
} as const;

/** SLA status values (engine `SlaStatus`) and their labels. */
export const SALESFORCE_SLA_LABELS: Record<string, string> = {
  'on-track': 'On track',
  behind: 'Behind',
  stuck: 'Stuck',
};

/** Collection (and single-record) save results. */
export const salesforceSaveResultSchema = z.object({
  id: z.string().nullish(),
  success: z.boolean(),
  created: z.boolean().nullish(),
  errors: z
    .array(
      z.object({
        statusCode: z.string().nullish(),
        message: z.string().nullish(),
        fields: z.array(z.string()).nullish(),
      }),
    )
    .default([]),
});
/** One save result of a collection request. */
export type SalesforceSaveResult = z.infer<typeof salesforceSaveResultSchema>;

/** A DeployMessage of `checkDeployStatus` (jsforce returns XML text, so booleans are strings). */
const deployMessageSchema = z.object({
  componentType: z.string().nullish(),
  fullName: z.string().nullish(),
  fileName: z.string().nullish(),
  problem: z.string().nullish(),
  success: z.union([z.boolean(), z.string()]).nullish(),
});

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z
    .union([z.array(item), item])
    .nullish()
    .transform((value): Array<z.output<T>> => (value == null ? [] : Array.isArray(value) ? value : [value]));

/** The parts of a DeployResult Milepost reads (research §1.2). */
export const salesforceDeployResultSchema = z.object({
  id: z.string(),
  done: z.union([z.boolean(), z.string()]).transform((value) => value === true || value === 'true'),
  status: z.string(),
  success: z.union([z.boolean(), z.string()]).transform((value) => value === true || value === 'true'),
  numberComponentsDeployed: z.union([z.number(), z.string()]).nullish().transform(Number),
  numberComponentsTotal: z.union([z.number(), z.string()]).nullish().transform(Number),
  errorMessage: z.string().nullish(),
  details: z
    .object({
      componentFailures: oneOrMany(deployMessageSchema),
      componentSuccesses: oneOrMany(deployMessageSchema),
    })
    .nullish(),
});
/** A parsed DeployResult. */
export type SalesforceDeployResult = z.infer<typeof salesforceDeployResultSchema>;

/** `GET /limits`: the entries preflight reads. */
export const salesforceLimitsSchema = z.looseObject({
  DailyApiRequests: z.object({ Max: z.number(), Remaining: z.number() }),
});

/** `GET /sobjects`: the objects the user can see (the parts Milepost reads). */
export const salesforceGlobalDescribeSchema = z.looseObject({
  sobjects: z.array(z.looseObject({ name: z.string() })),
});

/** `GET /sobjects/{type}/describe`: the fields of an object (the parts Milepost reads). */
export const salesforceObjectDescribeSchema = z.looseObject({
  name: z.string(),
  fields: z.array(
    z.looseObject({
      name: z.string(),
      label: z.string(),
      type: z.string(),
      custom: z.boolean(),
      picklistValues: z
        .array(z.looseObject({ active: z.boolean(), value: z.string(), label: z.string().nullish() }))
        .nullish(),
    }),
  ),
});
/** The parsed describe of one object. */
export type SalesforceObjectDescribe = z.infer<typeof salesforceObjectDescribeSchema>;

/** `GET /services/oauth2/userinfo`. */
export const salesforceUserInfoSchema = z.looseObject({ user_id: z.string() });

/** A metadata list entry (FileProperties). */
export const salesforceFilePropertiesSchema = z.looseObject({
  fullName: z.string(),
  type: z.string(),
  manageableState: z.string().nullish(),
});

/** Splits a list into chunks. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Quotes a value for a SOQL string literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
