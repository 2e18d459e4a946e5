/**
 * `createSalesforceAdapter(settings)`: the Salesforce implementation of core's adapter contract,
 * on jsforce. Credentials are read lazily, so creating an adapter never throws.
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
  type Plan,
  type PreflightCheck,
  type PreflightReport,
  planSchema,
  type SyncOptions,
  type SyncSummary,
} from '@milepost/core';
import { SALESFORCE_LIMITS, SALESFORCE_NAMES, salesforceLimitsSchema, soqlString } from './salesforce-api.js';
import {
  clientCredentialsToken,
  createSalesforceClient,
  type SalesforceClient,
  type SalesforceCredentials,
} from './salesforce-client.js';
import { applySalesforcePlan } from './salesforce-deploy.js';
import { toMilepostError } from './salesforce-errors.js';
import { describeSalesforceFields } from './salesforce-fields.js';
import { type SalesforcePackageModel, salesforcePackageModel } from './salesforce-package.js';
import { salesforceSnapshot, syncSalesforceRecords } from './salesforce-records.js';
import { describeSalesforceOrg, salesforceDesiredSchema, stageResourceId } from './salesforce-schema.js';

const N = SALESFORCE_NAMES;

/** Settings of {@link createSalesforceAdapter}. */
export interface SalesforceAdapterSettings {
  /** The org's instance URL; defaults to `SF_INSTANCE_URL` (the emulator's URL in tests and the demo). */
  instanceUrl?: string;
  /** An access token; defaults to `SF_ACCESS_TOKEN`. Without one, OAuth client credentials are used. */
  accessToken?: string;
  /** OAuth client credentials (`SF_CLIENT_ID`, `SF_CLIENT_SECRET`), traded at `loginUrl` (default the instance URL, `SF_LOGIN_URL`). */
  clientId?: string;
  clientSecret?: string;
  loginUrl?: string;
  /** Users (IDs) who get the permission set besides the integration user, e.g. the CSMs. */
  permissionSetAssignees?: readonly string[];
  /** Above this many Accounts, reads use Bulk API 2.0 query jobs; default 10,000. */
  bulkQueryThreshold?: number;
  /** Above this many records in one write, Bulk API 2.0 ingest replaces collections; default 2,000. */
  bulkIngestThreshold?: number;
  /** Attempts per call for retryable failures; default 4. */
  maxAttempts?: number;
  /** First retry back-off in milliseconds; default 500. */
  retryDelayMs?: number;
  /** Deploy and bulk job polling interval in milliseconds; default 1,000. */
  pollIntervalMs?: number;
  /** Environment to read defaults from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** The Salesforce adapter, with Salesforce extras beside the core contract. */
export interface SalesforceAdapter extends MilepostAdapter {
  readonly target: 'salesforce';
  /** Requests sent so far, retries included. */
  apiCalls(): number;
  /** The package a journey compiles to (what `plan` compares and `apply` deploys). */
  packageModel(journey: Journey, mapping?: Mapping): SalesforcePackageModel;
}

/** Creates a Salesforce adapter for one org. */
export function createSalesforceAdapter(settings: SalesforceAdapterSettings = {}): SalesforceAdapter {
  const env = settings.env ?? process.env;
  let client: Promise<SalesforceClient> | undefined;
  let calls = 0;
  const pollIntervalMs = settings.pollIntervalMs ?? 1000;

  const credentials = async (): Promise<SalesforceCredentials> => {
    const instanceUrl = settings.instanceUrl ?? env.SF_INSTANCE_URL;
    const accessToken = settings.accessToken ?? env.SF_ACCESS_TOKEN;
    if (instanceUrl && accessToken) return { instanceUrl, accessToken };
    const clientId = settings.clientId ?? env.SF_CLIENT_ID;
    const clientSecret = settings.clientSecret ?? env.SF_CLIENT_SECRET;
    const loginUrl = settings.loginUrl ?? env.SF_LOGIN_URL ?? instanceUrl;
    if (clientId && clientSecret && loginUrl) return clientCredentialsToken(loginUrl, clientId, clientSecret);
    throw new MilepostError({
      code: 'AUTHENTICATION_FAILED',
      message:
        'no Salesforce credentials: set SF_INSTANCE_URL and SF_ACCESS_TOKEN, or SF_CLIENT_ID, SF_CLIENT_SECRET and SF_LOGIN_URL for OAuth client credentials',
    });
  };
  const connect = (): Promise<SalesforceClient> => {
    client ??= credentials().then((found) => {
      const created = createSalesforceClient({
        credentials: found,
        maxAttempts: settings.maxAttempts,
        retryDelayMs: settings.retryDelayMs,
        pollIntervalMs,
      });
      return {
        ...created,
        call: (action, run) =>
          created.call(action, run).finally(() => {
            calls = created.calls();
          }),
      };
    });
    client.catch(() => {
      client = undefined;
    });
    return client;
  };
  const model = (journey: Journey, mapping?: Mapping) => salesforcePackageModel(journey, mapping);

  const plan = async (journey: Journey, mapping?: Mapping): Promise<Plan> => {
    const org = await connect();
    const packageModel = model(journey, mapping);
    const snapshot = await describeSalesforceOrg(org, packageModel);
    const moves: Record<string, string> = {};
    for (const removed of journey.removedStages ?? [])
      moves[stageResourceId(removed.key)] = stageResourceId(removed.movesTo);
    const result = planSchema(salesforceDesiredSchema(packageModel), snapshot.remote, { moves });
    for (const path of snapshot.foreignPaths)
      result.refusals.push({
        id: `PathAssistant:${path}`,
        reason: 'unmanaged-conflict',
        summary: `the org already has the path "${path}" on ${N.cycleObject} (one path per object and record type); delete it or let Milepost's path replace it`,
      });
    return result;
  };

  return {
    target: 'salesforce',
    apiCalls: () => calls,
    packageModel: model,

    async preflight(): Promise<PreflightReport> {
      const org = await connect();
      const checks: PreflightCheck[] = [];
      try {
        const limits = salesforceLimitsSchema.parse(
          await org.call('read the org limits', (connection) => connection.limits()),
        );
        checks.push({ name: 'API access', ok: true, detail: 'the REST and Metadata APIs answer' });
        const { Max, Remaining } = limits.DailyApiRequests;
        const headroom = Remaining >= Math.min(1000, Max * 0.05);
        checks.push({
          name: 'daily API requests',
          ok: headroom,
          detail: `${Remaining.toLocaleString('en-US')} of ${Max.toLocaleString('en-US')} left today${headroom ? '' : ': too few for a sync; wait for the rolling 24-hour window'}`,
        });
      } catch (error) {
        const failure = toMilepostError(error, 'read the org limits');
        checks.push({ name: 'API access', ok: false, detail: failure.message });
        return { ok: false, checks };
      }
      try {
        await org.call('describe the metadata', (connection) => connection.metadata.describe());
        checks.push({ name: 'deploy permission', ok: true, detail: 'the user may use the Metadata API' });
      } catch (error) {
        checks.push({
          name: 'deploy permission',
          ok: false,
          detail: toMilepostError(error, 'use the Metadata API').message,
        });
      }
      const settingsRead = await org.call('read the Path settings', (connection) =>
        connection.metadata.read('PathAssistantSettings', 'PathAssistant'),
      );
      const pathEnabled =
        (settingsRead as { pathAssistantEnabled?: unknown })?.pathAssistantEnabled === 'true';
      checks.push({
        name: 'Path',
        ok: true,
        detail: pathEnabled ? 'enabled' : 'not enabled yet: the package enables it (settings/PathAssistant)',
      });
      const paths = await org.call('list paths', (connection) =>
        connection.metadata.list([{ type: 'PathAssistant' }]),
      );
      const others = (Array.isArray(paths) ? paths : [paths]).filter(
        (row) => row?.fullName && row.fullName !== N.path,
      );
      const collisions: string[] = [];
      if (others.length) {
        const read = await org.call('read paths', (connection) =>
          connection.metadata.read(
            'PathAssistant',
            others.slice(0, SALESFORCE_LIMITS.metadataCrudChunk).map((row) => row.fullName),
          ),
        );
        for (const entry of (Array.isArray(read) ? read : [read]) as Array<Record<string, unknown>>)
          if (entry?.entityName === N.cycleObject && entry.recordTypeName === '__MASTER__')
            collisions.push(String(entry.fullName));
      }
      checks.push({
        name: `existing path on ${N.cycleObject}`,
        ok: collisions.length === 0,
        detail: collisions.length
          ? `the org already has the path ${collisions.join(', ')} on ${N.cycleObject} (only one path per object and record type)`
          : 'none: Milepost can add its path',
      });
      return { ok: checks.every((check) => check.ok), checks };
    },

    plan,

    async apply(
      journey,
      mapping,
      planned,
      onProgress?: (progress: ApplyProgress) => void,
    ): Promise<ApplyReport> {
      const org = await connect();
      return applySalesforcePlan(org, model(journey, mapping), planned, {
        onProgress,
        permissionSetAssignees: settings.permissionSetAssignees,
        pollIntervalMs,
      });
    },

    async sync(journey, mapping, options: SyncOptions): Promise<SyncSummary> {
      const org = await connect();
      return syncSalesforceRecords(org, model(journey, mapping), {
        ...options,
        thresholds: {
          bulkQuery: settings.bulkQueryThreshold ?? SALESFORCE_LIMITS.bulkQueryThreshold,
          bulkIngest: settings.bulkIngestThreshold ?? SALESFORCE_LIMITS.bulkIngestThreshold,
        },
      });
    },

    async describeFields(mapping) {
      return describeSalesforceFields(await connect(), mapping);
    },

    async status(journey, mapping, recordId, now): Promise<JourneyState> {
      // A status is a read: evaluate the one Account without writing anything.
      const org = await connect();
      const packageModel = model(journey, mapping);
      const description = await org.call('describe Account', (connection) => connection.describe('Account'));
      const visible = new Map(description.fields.map((entry) => [entry.name.toLowerCase(), entry.name]));
      const fieldName = (name: string) => visible.get(name.toLowerCase());
      const columns = new Set(['Id', 'OwnerId']);
      for (const name of [
        ...Object.values(packageModel.factFields),
        ...Object.values(packageModel.accountOutputs).map((output) => output.field),
      ]) {
        const column = fieldName(name);
        if (column) columns.add(column);
      }
      const accounts = await org.call('read the Account', (connection) =>
        connection.query<Record<string, unknown>>(
          `SELECT ${[...columns].join(', ')} FROM Account WHERE Id = ${soqlString(recordId)}`,
        ),
      );
      const account = accounts.records[0];
      if (!account)
        throw new MilepostError({ code: 'INVALID_INPUT', message: `Salesforce has no Account ${recordId}` });
      const cycles = await org
        .call('read the success cycle', (connection) =>
          connection.query<Record<string, unknown>>(
            `SELECT Id, ${N.cycleStage}, ${N.cycleStageEnteredAt}, ${N.cycleJourneyVersion} FROM ${N.cycleObject} WHERE ${N.cycleKey} = ${soqlString(`${journey.key}:${account.Id}`)}`,
          ),
        )
        .catch(() => ({ records: [] as Array<Record<string, unknown>> }));
      const tasks = await org
        .call('read the tasks', (connection) =>
          connection.query<Record<string, unknown>>(
            `SELECT ${N.taskKey}, Status FROM Task WHERE ${N.taskKey} LIKE ${soqlString(`${journey.key}:%:${account.Id}:%`)}`,
          ),
        )
        .catch(() => ({ records: [] as Array<Record<string, unknown>> }));
      const statuses = new Map<string, 'open' | 'done'>(
        tasks.records.map((task) => [String(task[N.taskKey]), task.Status === 'Completed' ? 'done' : 'open']),
      );
      const { snapshot } = salesforceSnapshot(packageModel, account, cycles.records[0], statuses, fieldName);
      return evaluate(compileJourney(journey), snapshot, now);
    },
  };
}
