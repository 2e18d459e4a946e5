import { readFileSync } from 'node:fs';
import { loadTemplate, type Mapping, MilepostError, parseJourneySources } from '@milepost/core';
import { afterEach, describe, expect, test } from 'vitest';
import { SALESFORCE_NAMES } from './salesforce-api.js';
import { emulatorAdapter, emulatorConnection, startEmulator } from './salesforce-test-support.js';

const N = SALESFORCE_NAMES;
const NOW = new Date('2026-11-22T12:00:00Z');
const journey = loadTemplate('saas-lifecycle');
const mapping: Mapping = (() => {
  const text = readFileSync(new URL('./__fixtures__/demo-mapping.yaml', import.meta.url), 'utf8');
  const result = parseJourneySources([
    { file: 'journey.json', text: JSON.stringify(journey) },
    { file: 'demo-mapping.yaml', text },
  ]);
  const found = result.mappings[0];
  if (!found) throw new Error(JSON.stringify(result.diagnostics));
  return found;
})();

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function demoOrg(
  settings: Parameters<typeof emulatorAdapter>[1] = {},
  orgs?: NonNullable<Parameters<typeof startEmulator>[0]>['orgs'],
) {
  const emulator = await startEmulator({ seed: 'demo', now: () => NOW, ...(orgs ? { orgs } : {}) });
  closers.push(() => emulator.close());
  return { emulator, org: emulator.org(), adapter: emulatorAdapter(emulator, settings) };
}

async function applied(settings: Parameters<typeof emulatorAdapter>[1] = {}) {
  const setup = await demoOrg(settings);
  const plan = await setup.adapter.plan(journey, mapping);
  expect(plan.refusals).toEqual([]);
  const report = await setup.adapter.apply(journey, mapping, plan);
  expect(report.failed).toEqual([]);
  return setup;
}

describe('Salesforce adapter against the emulator through jsforce', () => {
  test('a fresh Enterprise org: preflight, apply (validate then deploy), fields visible only after the permission set, re-apply plans nothing', async () => {
    const { emulator, org, adapter } = await demoOrg();
    const preflight = await adapter.preflight();
    expect(preflight.ok).toBe(true);
    expect(preflight.checks.find((check) => check.name === 'Path')?.detail).toMatch(/not enabled yet/);
    const plan = await adapter.plan(journey, mapping);
    // More than 10 components: read and deleted in chunks of 10, deployed as one zip.
    expect(plan.changes.length).toBeGreaterThan(30);
    const progress: number[] = [];
    const report = await adapter.apply(journey, mapping, plan, (event) => progress.push(event.index));
    expect(report.failed).toEqual([]);
    expect(progress).toHaveLength(plan.changes.length);
    const deploys = org.deploys();
    expect(deploys.map((deploy) => deploy.checkOnly)).toEqual([true, false]);
    expect(org.visibleFields(N.cycleObject)).toContain(N.cycleStage);
    expect(org.visibleFields('Account')).toContain(N.accountStage);
    // A CSM without the permission set does not see the fields (FLS before the assignment).
    const csm = org.users().find((user) => user.name === 'Maya Okafor')!;
    expect(org.visibleFields('Account', csm.id)).not.toContain(N.accountStage);
    org.assignPermissionSet(csm.id, N.permissionSet);
    expect(org.visibleFields('Account', csm.id)).toContain(N.accountStage);
    const again = await adapter.plan(journey, mapping);
    expect(again.changes.map((change) => change.summary)).toEqual([]);
    expect(emulator.requests.count('SOAP deploy')).toBe(2);
  });

  test('a Professional org without the API fails with a clear error', async () => {
    const emulator = await startEmulator({
      orgs: [{ orgId: '00D000000000002AAA', edition: 'professional' }],
    });
    closers.push(() => emulator.close());
    const adapter = emulatorAdapter(emulator, { accessToken: emulator.createToken('00D000000000002AAA') });
    const preflight = await adapter.preflight();
    expect(preflight.ok).toBe(false);
    expect(preflight.checks[0]?.detail).toMatch(/no API access \(Professional Edition/);
    const failure = await adapter.plan(journey, mapping).catch((error: unknown) => error);
    expect(MilepostError.isInstance(failure) && failure.code).toBe('CAPABILITY_MISSING');
  });

  test('sync of 300 accounts: collections of 200, the Flow creates each stage task once, a second sync writes nothing', async () => {
    const { emulator, org, adapter } = await applied();
    emulator.requests.clear();
    const summary = await adapter.sync(journey, mapping, { now: NOW });
    expect(summary.errors).toEqual([]);
    expect(summary.records).toBe(300);
    expect(summary.changed).toBe(300);
    expect(summary.tasksCreated).toBe(0);
    const counts = emulator.requests.counts();
    expect(counts['PATCH /services/data/v{version}/composite/sobjects/{sobject}/{field}']).toBe(2);
    expect(counts['PATCH /services/data/v{version}/composite/sobjects']).toBe(2);
    expect(summary.apiCalls).toBe(emulator.requests.count());
    const cycles = org.records(N.cycleObject);
    expect(cycles).toHaveLength(300);
    const tasks = org.records('Task');
    const keys = tasks.map((task) => String(task[N.taskKey]));
    expect(new Set(keys).size).toBe(keys.length);
    expect(tasks.length).toBeGreaterThan(0);
    const second = await adapter.sync(journey, mapping, { now: NOW });
    expect(second).toMatchObject({ changed: 0, writes: 0, tasksCreated: 0, errors: [] });
  });

  test('moving a cycle record through the stages creates each stage’s tasks once (the Flow interpreter)', async () => {
    const { org, adapter } = await applied();
    const accountId = String(org.records('Account')[0]!.Id);
    const cycleId = org.insert(N.cycleObject, {
      [N.cycleAccount]: accountId,
      [N.cycleKey]: `${journey.key}:${accountId}`,
      [N.cycleJourneyKey]: journey.key,
      [N.cycleStage]: 'prospecting',
    });
    const tasksOf = () => org.records('Task').filter((task) => task.WhatId === cycleId);
    for (const stage of ['purchase', 'onboarding', 'customer-success'])
      org.update(N.cycleObject, cycleId, { [N.cycleStage]: stage });
    const model = adapter.packageModel(journey, mapping);
    const expected = Object.values(model.flowTasks).flat().length;
    expect(tasksOf()).toHaveLength(expected);
    org.update(N.cycleObject, cycleId, { [N.cycleSla]: 'behind' });
    expect(tasksOf()).toHaveLength(expected);
    expect(String(tasksOf()[0]![N.taskKey])).toBe(
      `${journey.key}:onboarding-program:${accountId}:write-handoff-notes`,
    );
  });

  test('Bulk API 2.0 above the thresholds, with the same result', async () => {
    const { emulator, org, adapter } = await applied({ bulkQueryThreshold: 100, bulkIngestThreshold: 100 });
    emulator.requests.clear();
    const summary = await adapter.sync(journey, mapping, { now: NOW });
    expect(summary.errors).toEqual([]);
    expect(summary.changed).toBe(300);
    const endpoints = Object.keys(emulator.requests.counts());
    expect(endpoints.some((endpoint) => endpoint.includes('jobs/query'))).toBe(true);
    expect(endpoints.some((endpoint) => endpoint.includes('jobs/ingest'))).toBe(true);
    expect(org.records(N.cycleObject)).toHaveLength(300);
    expect(org.records('Account').filter((account) => account[N.accountStage]).length).toBe(300);
    const second = await adapter.sync(journey, mapping, { now: NOW });
    expect(second).toMatchObject({ changed: 0, writes: 0, errors: [] });
  });

  test('per-record failures are reported, retryable ones retried, and a re-run converges', async () => {
    const { emulator, org, adapter } = await applied();
    const [first, second] = org.records('Account').map((account) => String(account.Id));
    emulator.faults.add({
      type: 'record-failure',
      sobject: 'Account',
      operation: 'update',
      field: 'Id',
      value: first,
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Region is required',
    });
    emulator.faults.add({
      type: 'record-failure',
      sobject: 'Account',
      operation: 'update',
      field: 'Id',
      value: second,
      statusCode: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access',
      times: 1,
    });
    const summary = await adapter.sync(journey, mapping, { now: NOW });
    expect(summary.errors).toEqual([
      { record: first, message: 'Account: FIELD_CUSTOM_VALIDATION_EXCEPTION: Region is required' },
    ]);
    expect(org.record(second!)?.[N.accountStage]).toBeTruthy();
    emulator.faults.clear();
    const rerun = await adapter.sync(journey, mapping, { now: NOW });
    expect(rerun).toMatchObject({ changed: 1, errors: [] });
  });

  test('REQUEST_LIMIT_EXCEEDED stops the sync with DAILY_LIMIT_REACHED', async () => {
    const { emulator, adapter } = await applied();
    emulator.faults.add({ type: 'request-limit' });
    const failure = await adapter.sync(journey, mapping, { now: NOW }).catch((error: unknown) => error);
    expect(MilepostError.isInstance(failure) && failure.code).toBe('DAILY_LIMIT_REACHED');
  });

  test('a crash mid-sync, then a re-run converges with no duplicate tasks', async () => {
    const { emulator, org, adapter } = await applied();
    const reference = await applied();
    await reference.adapter.sync(journey, mapping, { now: NOW });
    emulator.faults.add({ type: 'crash-after-writes', writes: 1 });
    const crashed = await adapter.sync(journey, mapping, { now: NOW }).catch((error: unknown) => error);
    expect(MilepostError.isInstance(crashed) && crashed.code).toBe('VENDOR_UNAVAILABLE');
    emulator.faults.clear();
    const rerun = await adapter.sync(journey, mapping, { now: NOW });
    expect(rerun.errors).toEqual([]);
    const stages = (records: Array<Record<string, unknown>>) =>
      records.map((record) => record[N.accountStage]).sort();
    expect(stages(org.records('Account'))).toEqual(stages(reference.org.records('Account')));
    const keys = org.records('Task').map((task) => String(task[N.taskKey]));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(reference.org.records('Task').length);
    expect(await adapter.sync(journey, mapping, { now: NOW })).toMatchObject({ writes: 0 });
  });

  test('tasks are created by sync, idempotently by key, when the Flow is not active', async () => {
    const { org, adapter, emulator } = await applied();
    await emulatorConnection(emulator).metadata.delete('Flow', N.flow);
    const summary = await adapter.sync(journey, mapping, { now: NOW });
    expect(summary.errors).toEqual([]);
    expect(summary.tasksCreated).toBeGreaterThan(0);
    expect(org.flowRuns()).toHaveLength(0);
    const again = await adapter.sync(journey, mapping, { now: NOW });
    expect(again.tasksCreated).toBe(0);
  });

  test('status reads one Account and says what is next', async () => {
    const { org, adapter } = await applied();
    await adapter.sync(journey, mapping, { now: NOW });
    const account = org.records('Account').find((record) => record[N.accountStage] === 'onboarding')!;
    const state = await adapter.status(journey, mapping, String(account.Id), NOW);
    expect(state.stage).toBe('onboarding');
    expect(state.whatsNext).toBeTruthy();
    await expect(adapter.status(journey, mapping, '001000000000000XXX', NOW)).rejects.toThrow(/no Account/);
  });
});
