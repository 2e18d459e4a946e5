/**
 * Apply: deploy the components a plan creates or updates as one Metadata API zip (validated first
 * with `checkOnly`, then deployed, polling with progress, per-component errors reported), move the
 * records of removed stages, delete removed components with CRUD calls in chunks of 10, assign the
 * permission set and check the fields are visible (research §0.3, §0.4, §1.2).
 */
import {
  type ApplyProgress,
  type ApplyReport,
  MilepostError,
  type Plan,
  type PlanChange,
} from '@milepost/core';
import {
  chunk,
  SALESFORCE_LIMITS,
  SALESFORCE_NAMES,
  type SalesforceDeployResult,
  salesforceDeployResultSchema,
  salesforceUserInfoSchema,
  soqlString,
} from './salesforce-api.js';
import type { SalesforceClient } from './salesforce-client.js';
import { componentKey, type SalesforcePackageModel, salesforceMetadataZip } from './salesforce-package.js';
import { componentOfResource, crudTypeOfKey } from './salesforce-schema.js';

const N = SALESFORCE_NAMES;

/** Options of {@link applySalesforcePlan}. */
export interface SalesforceApplyOptions {
  onProgress?: (progress: ApplyProgress) => void;
  /** Users (IDs) besides the integration user who get the permission set, e.g. the CSMs. */
  permissionSetAssignees?: readonly string[];
  /** Deploy polling interval in milliseconds. */
  pollIntervalMs: number;
}

async function runDeploy(
  client: SalesforceClient,
  zip: Uint8Array,
  checkOnly: boolean,
  pollIntervalMs: number,
): Promise<SalesforceDeployResult> {
  const action = checkOnly ? 'validate the package (checkOnly deploy)' : 'deploy the package';
  const started = await client.call(action, (connection) =>
    connection.metadata
      .deploy(Buffer.from(zip), { checkOnly, rollbackOnError: true, singlePackage: true })
      .check(),
  );
  const id = String((started as { id: string }).id);
  for (;;) {
    const raw = await client.call(`check the status of deploy ${id}`, (connection) =>
      connection.metadata.checkDeployStatus(id, true),
    );
    const result = salesforceDeployResultSchema.parse(raw);
    if (result.done) return result;
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

function failuresByComponent(result: SalesforceDeployResult): Map<string, string[]> {
  const failures = new Map<string, string[]>();
  for (const failure of result.details?.componentFailures ?? []) {
    const key = `${failure.componentType ?? ''}:${failure.fullName ?? ''}`;
    const problems = failures.get(key) ?? [];
    problems.push(failure.problem ?? 'failed');
    failures.set(key, problems);
  }
  return failures;
}

/** The integration user's ID (the user the token acts as). */
export async function integrationUserId(client: SalesforceClient): Promise<string> {
  const info = await client.call('read the integration user', (connection) =>
    connection.request({
      method: 'GET',
      // jsforce sends the token as a Bearer header; it never goes in the URL (URLs end up in logs).
      url: '/services/oauth2/userinfo',
    }),
  );
  return salesforceUserInfoSchema.parse(info).user_id;
}

/** Assigns the package's permission set to users that do not have it yet; returns how many were added. */
export async function assignPermissionSet(
  client: SalesforceClient,
  userIds: readonly string[],
): Promise<number> {
  const permissionSets = await client.call('find the permission set', (connection) =>
    connection.query<{ Id: string }>(
      `SELECT Id FROM PermissionSet WHERE Name = ${soqlString(N.permissionSet)}`,
    ),
  );
  const permissionSetId = permissionSets.records[0]?.Id;
  if (!permissionSetId)
    throw new MilepostError({
      code: 'INTERNAL',
      message: `the permission set ${N.permissionSet} was deployed but cannot be found; run apply again`,
    });
  const existing = await client.call('read permission set assignments', (connection) =>
    connection.query<{ AssigneeId: string }>(
      `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlString(permissionSetId)}`,
    ),
  );
  const assigned = new Set(existing.records.map((record) => record.AssigneeId));
  let added = 0;
  for (const userId of new Set(userIds)) {
    if (assigned.has(userId)) continue;
    await client.call('assign the permission set', (connection) =>
      connection
        .sobject('PermissionSetAssignment')
        .create({ AssigneeId: userId, PermissionSetId: permissionSetId }),
    );
    added++;
  }
  return added;
}

/** Fields of the package the integration user cannot see (should be none after the assignment). */
export async function invisibleFields(
  client: SalesforceClient,
  model: SalesforcePackageModel,
): Promise<string[]> {
  const byObject = new Map<string, string[]>();
  for (const component of model.components) {
    if (component.type !== 'CustomField') continue;
    const [objectName = '', fieldName = ''] = component.fullName.split('.');
    const describedAs = objectName === 'Activity' ? 'Task' : objectName;
    const names = byObject.get(describedAs) ?? [];
    names.push(fieldName);
    byObject.set(describedAs, names);
  }
  const missing: string[] = [];
  for (const [objectName, names] of byObject) {
    const description = await client.call(`describe ${objectName}`, (connection) =>
      connection.describe(objectName),
    );
    const visible = new Set(description.fields.map((entry) => entry.name.toLowerCase()));
    for (const name of names) if (!visible.has(name.toLowerCase())) missing.push(`${objectName}.${name}`);
  }
  return missing;
}

async function moveRemovedStages(
  client: SalesforceClient,
  model: SalesforcePackageModel,
  moves: Array<{ from: string; to: string }>,
): Promise<void> {
  const stageField = model.accountOutputs.stage;
  for (const move of moves) {
    const targets: Array<{ object: string; field: string; from: string; to: string }> = [
      { object: N.cycleObject, field: N.cycleStage, from: move.from, to: move.to },
    ];
    if (stageField)
      targets.push({
        object: 'Account',
        field: stageField.field,
        from: stageField.values?.[move.from] ?? move.from,
        to: stageField.values?.[move.to] ?? move.to,
      });
    for (const target of targets) {
      // Re-query until none are left: each round moves at most one collection of records.
      for (;;) {
        const found = await client.call(`find records in stage ${move.from}`, (connection) =>
          connection.query<{ Id: string }>(
            `SELECT Id FROM ${target.object} WHERE ${target.field} = ${soqlString(target.from)} LIMIT ${SALESFORCE_LIMITS.collectionSize}`,
          ),
        );
        if (found.records.length === 0) break;
        const results = await client.call(`move records from ${move.from} to ${move.to}`, (connection) =>
          connection
            .sobject(target.object)
            .update(found.records.map((record) => ({ Id: record.Id, [target.field]: target.to }))),
        );
        const failed = (Array.isArray(results) ? results : [results]).filter((result) => !result.success);
        if (failed.length)
          throw new MilepostError({
            code: 'VENDOR_REJECTED',
            message: `could not move ${failed.length} ${target.object} record(s) from stage ${move.from} to ${move.to}: ${JSON.stringify((failed[0] as { errors?: unknown }).errors)}; nothing was removed, run apply again`,
          });
      }
    }
  }
}

/** Applies a plan to the org. */
export async function applySalesforcePlan(
  client: SalesforceClient,
  model: SalesforcePackageModel,
  plan: Plan,
  options: SalesforceApplyOptions,
): Promise<ApplyReport> {
  if (plan.refusals.length)
    throw new MilepostError({
      code: 'UNSAFE_CHANGE',
      message: `the plan has refused changes; resolve them first:\n${plan.refusals.map((refusal) => `  - ${refusal.summary}`).join('\n')}`,
    });
  const before = client.calls();
  const total = plan.changes.length;
  const applied: PlanChange[] = [];
  const failed: ApplyReport['failed'] = [];
  let index = 0;
  const report = (change: PlanChange, error?: string) => {
    index++;
    if (error) failed.push({ change, error });
    else applied.push(change);
    options.onProgress?.({
      change,
      index,
      total,
      status: error ? 'failed' : 'done',
      ...(error ? { error } : {}),
    });
  };

  const deployed = plan.changes.filter(
    (change) => change.action !== 'delete' || change.resource.kind === 'stage',
  );
  const deletes = plan.changes.filter(
    (change) => change.action === 'delete' && change.resource.kind !== 'stage',
  );
  const keys = new Set(deployed.map((change) => componentOfResource(change.resource.id)));
  const known = new Set(model.components.map(componentKey));
  for (const key of keys)
    if (!known.has(key))
      throw new MilepostError({
        code: 'INTERNAL',
        message: `the plan names ${key}, which the package does not have`,
      });

  if (keys.size > 0) {
    const zip = salesforceMetadataZip(model, keys);
    const check = await runDeploy(client, zip, true, options.pollIntervalMs);
    const failures = failuresByComponent(check);
    if (!check.success || failures.size > 0) {
      const summary = [...failures].map(([key, problems]) => `${key}: ${problems.join('; ')}`).join('\n');
      for (const change of deployed) {
        const key = componentOfResource(change.resource.id);
        const own = failures.get(key);
        report(
          change,
          own
            ? own.join('; ')
            : `not deployed: the validation failed on other components${summary ? ` (${summary.split('\n')[0]})` : ''}`,
        );
      }
      for (const change of deletes) report(change, 'not deleted: the validation of the other changes failed');
      return { applied, failed, apiCalls: client.calls() - before };
    }
    const moves = deployed
      .filter((change) => change.action === 'delete' && change.resource.kind === 'stage')
      .map((change) => ({
        from: change.resource.id.slice('stage:'.length),
        to: (change.action === 'delete' ? (change.movesTo ?? '') : '').slice('stage:'.length),
      }))
      .filter((move) => move.to);
    await moveRemovedStages(client, model, moves);
    const result = await runDeploy(client, zip, false, options.pollIntervalMs);
    const deployFailures = failuresByComponent(result);
    for (const change of deployed) {
      const own = deployFailures.get(componentOfResource(change.resource.id));
      report(
        change,
        own?.join('; ') ??
          (result.success
            ? undefined
            : `not deployed: the deploy rolled back (${result.errorMessage ?? result.status})`),
      );
    }
    if (!result.success) return { applied, failed, apiCalls: client.calls() - before };
  }

  // Deletes go by type, at most 10 components per call (research §0.3); fields before objects.
  const order = [
    'Flow',
    'PathAssistant',
    'PermissionSet',
    'LightningComponentBundle',
    'CustomField',
    'CustomObject',
    'GlobalValueSet',
  ];
  const byType = new Map<string, PlanChange[]>();
  for (const change of deletes) {
    const { type } = crudTypeOfKey(change.resource.id);
    const list = byType.get(type) ?? [];
    list.push(change);
    byType.set(type, list);
  }
  for (const type of [...byType.keys()].sort((left, right) => order.indexOf(left) - order.indexOf(right))) {
    for (const batch of chunk(byType.get(type)!, SALESFORCE_LIMITS.metadataCrudChunk)) {
      const names = batch.map((change) => crudTypeOfKey(change.resource.id).fullName);
      const results = await client.call(`delete ${type}`, (connection) =>
        connection.metadata.delete(type as never, names),
      );
      const list = Array.isArray(results) ? results : [results];
      batch.forEach((change, position) => {
        const result = list[position] as { success?: unknown; errors?: unknown } | undefined;
        const ok = result?.success === true || result?.success === 'true';
        report(change, ok ? undefined : `delete failed: ${JSON.stringify(result?.errors ?? 'no result')}`);
      });
    }
  }

  const userId = await integrationUserId(client);
  await assignPermissionSet(client, [userId, ...(options.permissionSetAssignees ?? [])]);
  const hidden = await invisibleFields(client, model);
  if (hidden.length)
    throw new MilepostError({
      code: 'PERMISSION_DENIED',
      message: `the deploy succeeded but the integration user cannot see ${hidden.join(', ')}; check that the ${N.permissionSet} permission set is assigned to it`,
      details: { fields: hidden },
    });
  return { applied, failed, apiCalls: client.calls() - before };
}
