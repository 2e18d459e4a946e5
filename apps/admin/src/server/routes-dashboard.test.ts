import { parseJourneySources, readTemplate } from '@milepost/core';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, type TestAdmin, type TestResponse } from './admin-test-support.js';
import { createAdapterFactory } from './crm-adapters.js';
import { buildDashboard, type DashboardJson, type StoredCustomerJourney } from './routes-dashboard.js';
import { journeyOnEmulator, planAndApply, waitForRun } from './run-test-support.js';

const journey = parseJourneySources([{ file: 'j.yaml', text: readTemplate('saas-lifecycle') }]).journeys[0]!;

describe('buildDashboard', () => {
  const state = (
    recordId: string,
    stage: string,
    sla: StoredCustomerJourney['sla'],
    daysInStage: number,
    history: Array<[string, string]> = [],
  ): StoredCustomerJourney => ({
    recordId,
    name: recordId === 'nameless' ? null : `Customer ${recordId}`,
    stage,
    sla,
    daysInStage,
    expectedDays: 30,
    whatsNext: 'next',
    persona: null,
    stageEnteredAt: history.at(-1)?.[1] ?? '2026-06-01',
    history: history.map(([stage, enteredAt]) => ({ stage, enteredAt })),
  });
  const funnelOf = (dashboard: DashboardJson) =>
    dashboard.funnel.map((step) => [step.stage, step.reached, step.current, step.conversion]);

  it('counts the stages each customer reached in its history, with the ongoing stays where there is none', () => {
    const dashboard = buildDashboard(journey, [
      state('a', 'prospecting', 'on-track', 3),
      state('b', 'onboarding', 'behind', 70),
      state('c', 'onboarding', 'on-track', 10),
      state('d', 'customer-success', 'stuck', 400),
      state('nameless', 'old-stage', 'on-track', 1),
    ]);
    expect(dashboard.customers).toBe(5);
    // Without history a customer reached its current stage only: nothing before it is assumed.
    expect(funnelOf(dashboard)).toEqual([
      ['prospecting', 1, 1, 0],
      ['purchase', 0, 0, null],
      ['onboarding', 2, 2, 0],
      ['customer-success', 1, 1, null],
    ]);
    expect(dashboard.timeInStage.find((row) => row.stage === 'onboarding')).toEqual({
      stage: 'onboarding',
      name: expect.any(String),
      expectedDays: 60,
      stays: 2,
      medianDays: 10,
      p90Days: 70,
      overTimeFrame: 0.5,
      onTrack: 1,
      behind: 1,
      stuck: 0,
    });
    expect(dashboard.timeInStage.find((row) => row.stage === 'purchase')).toMatchObject({
      stays: 0,
      medianDays: null,
      p90Days: null,
    });
    expect(dashboard.behind.map((row) => row.recordId)).toEqual(['b']);
    expect(dashboard.stuck).toEqual([
      {
        recordId: 'd',
        name: 'Customer d',
        stage: 'customer-success',
        daysInStage: 400,
        expectedDays: 30,
        sla: 'stuck',
        whatsNext: 'next',
      },
    ]);
  });

  it('does not count a skipped stage as reached (it used to: reached meant "this stage or a later one")', () => {
    const dashboard = buildDashboard(journey, [
      state('straight', 'onboarding', 'on-track', 5, [
        ['prospecting', '2026-01-01'],
        ['purchase', '2026-01-11'],
        ['onboarding', '2026-01-31'],
      ]),
      state('skipper', 'onboarding', 'on-track', 5, [
        ['prospecting', '2026-01-01'],
        ['onboarding', '2026-01-21'],
      ]),
    ]);
    expect(funnelOf(dashboard)).toEqual([
      ['prospecting', 2, 0, 0.5],
      ['purchase', 1, 0, 1],
      ['onboarding', 2, 2, 0],
      ['customer-success', 0, 0, null],
    ]);
    // Finished stays come from the history: 10 and 20 days in prospecting, 20 in purchase.
    const prospecting = dashboard.timeInStage.find((row) => row.stage === 'prospecting')!;
    expect(prospecting).toMatchObject({ stays: 2, medianDays: 10, p90Days: 20, onTrack: 0 });
    expect(dashboard.timeInStage.find((row) => row.stage === 'purchase')).toMatchObject({
      stays: 1,
      medianDays: 20,
    });
  });

  it('keeps a stage reached after a backward move, counting the customer where it is now', () => {
    const dashboard = buildDashboard(journey, [
      state('back', 'purchase', 'behind', 40, [
        ['prospecting', '2026-01-01'],
        ['purchase', '2026-01-05'],
        ['onboarding', '2026-01-10'],
        ['purchase', '2026-02-01'],
      ]),
    ]);
    expect(funnelOf(dashboard)).toEqual([
      ['prospecting', 1, 0, 1],
      ['purchase', 1, 1, 1],
      ['onboarding', 1, 0, 0],
      ['customer-success', 0, 0, null],
    ]);
    // Two stays in purchase: 5 days (finished) and 40 (ongoing).
    expect(dashboard.timeInStage.find((row) => row.stage === 'purchase')).toMatchObject({
      stays: 2,
      medianDays: 5,
      p90Days: 40,
      behind: 1,
    });
  });

  it('answers zeros and null conversions without customers', () => {
    const dashboard = buildDashboard(journey, []);
    expect(dashboard.customers).toBe(0);
    expect(dashboard.historySince).toBeNull();
    expect(dashboard.funnel.every((step) => step.reached === 0 && step.conversion === null)).toBe(true);
  });
});

describe('dashboard routes (HubSpot emulator, after apply and sync)', () => {
  let admin: TestAdmin;
  let hubspot: HubSpotEmulator;
  let connectionId: string;
  const responses: TestResponse[] = [];
  const call: TestAdmin['request'] = async (...args) => {
    const response = await admin.request(...args);
    responses.push(response);
    return response;
  };

  beforeAll(async () => {
    // A first sync finds no stage history, so every customer enters its stage that day (all on
    // track); a second sync 100 days later finds some behind and some stuck.
    let clock = new Date();
    admin = await createTestAdmin({ adapterFor: createAdapterFactory(), now: () => clock });
    await admin.signIn();
    hubspot = await createHubSpotEmulator({ seed: 'demo', rateLimits: false });
    connectionId = await journeyOnEmulator(admin, { target: 'hubspot', hubspot });
    expect((await planAndApply(admin, connectionId)).status).toBe('succeeded');
    for (const days of [0, 100]) {
      clock = new Date(clock.getTime() + days * 86_400_000);
      await admin.signIn();
      const started = await admin.request('POST', '/api/journeys/saas-lifecycle/syncs', { connectionId });
      expect((await waitForRun(admin, started.body.id)).status).toBe('succeeded');
    }
  }, 180_000);
  afterAll(async () => {
    for (const response of responses) expect(response.text).not.toContain(hubspot.defaultToken);
    for (const line of admin.logs) expect(line).not.toContain(hubspot.defaultToken);
    await admin.close();
    await hubspot.close();
  });

  const states = () =>
    admin.context.database.query<{
      record_id: string;
      name: string;
      stage: string;
      sla: string;
      days_in_stage: number;
    }>('select record_id, name, stage, sla, days_in_stage from customer_states');

  const historyRows = () =>
    admin.context.database.query<{ record_id: string; stage: string }>(
      'select record_id, stage from stage_history order by record_id, entered_at, entry_number',
    );

  it('builds the funnel from the stage history, time in stage and the behind and stuck lists', async () => {
    const response = await call('GET', `/api/journeys/saas-lifecycle/dashboard?connectionId=${connectionId}`);
    expect(response.status).toBe(200);
    const dashboard = response.body;
    const stored = await states();
    expect(dashboard.customers).toBe(300);
    expect(dashboard.historySince).toEqual(expect.any(String));
    expect(dashboard.funnel.map((step: { stage: string }) => step.stage)).toEqual(
      journey.stages.map((stage) => stage.key),
    );
    // Every customer is in one stage; it reached the stages of its history and its stage now.
    const currents = dashboard.funnel.map((step: { current: number }) => step.current);
    expect(currents.reduce((sum: number, count: number) => sum + count, 0)).toBe(300);
    const reachedBy = new Map(stored.map((state) => [state.record_id, new Set([state.stage])]));
    for (const entry of await historyRows()) reachedBy.get(entry.record_id)?.add(entry.stage);
    dashboard.funnel.forEach(
      (
        step: { stage: string; reached: number; current: number; conversion: number | null },
        index: number,
      ) => {
        expect(step.current).toBe(stored.filter((state) => state.stage === step.stage).length);
        const reached = [...reachedBy.values()].filter((stages) => stages.has(step.stage));
        expect(step.reached).toBe(reached.length);
        const next = dashboard.funnel[index + 1];
        if (!next || reached.length === 0) expect(step.conversion).toBeNull();
        else {
          const went = reached.filter((stages) => stages.has(next.stage)).length;
          expect(step.conversion).toBeCloseTo(went / reached.length);
        }
      },
    );
    // Behind and stuck match the SLA the sync stored.
    const behind = stored.filter((state) => state.sla === 'behind');
    const stuck = stored.filter((state) => state.sla === 'stuck');
    expect(behind.length + stuck.length).toBeGreaterThan(0);
    const sum = (key: 'behind' | 'stuck') =>
      dashboard.timeInStage.reduce((total: number, row: Record<string, number>) => total + row[key]!, 0);
    expect(sum('behind')).toBe(behind.length);
    expect(sum('stuck')).toBe(stuck.length);
    expect(dashboard.behind).toHaveLength(Math.min(50, behind.length));
    expect(dashboard.stuck).toHaveLength(Math.min(50, stuck.length));
    expect(dashboard.behind.every((row: { sla: string }) => row.sla === 'behind')).toBe(true);
    const behindIds = new Set(behind.map((state) => state.record_id));
    expect(dashboard.behind.every((row: { recordId: string }) => behindIds.has(row.recordId))).toBe(true);
    const days = dashboard.behind.map((row: { daysInStage: number }) => row.daysInStage);
    expect(days).toEqual([...days].sort((left: number, right: number) => right - left));
    expect(dashboard.behind[0]).toEqual({
      recordId: expect.any(String),
      name: expect.any(String),
      stage: expect.any(String),
      daysInStage: expect.any(Number),
      expectedDays: expect.any(Number),
      sla: 'behind',
      whatsNext: expect.any(String),
    });
    // Each customer in a stage now has an ongoing stay there; finished stays come on top.
    for (const row of dashboard.timeInStage) {
      const inStage = stored.filter((state) => state.stage === row.stage);
      expect(row.stays).toBeGreaterThanOrEqual(inStage.length);
      expect(row.onTrack + row.behind + row.stuck).toBe(inStage.length);
      if (row.stays === 0)
        expect([row.medianDays, row.p90Days, row.overTimeFrame]).toEqual([null, null, null]);
      else expect(row.p90Days).toBeGreaterThanOrEqual(row.medianDays);
    }
  });

  it('keeps one history entry per stage a sync found a customer in, none for a stage it was in already', async () => {
    const entries = await historyRows();
    const stored = await states();
    const byCustomer = new Map<string, string[]>();
    for (const entry of entries)
      byCustomer.set(entry.record_id, [...(byCustomer.get(entry.record_id) ?? []), entry.stage]);
    expect(byCustomer.size).toBe(300);
    for (const state of stored) {
      const stages = byCustomer.get(state.record_id)!;
      // Two syncs: the stage first seen, and a second entry only for a move; the last is the stage now.
      expect(stages.length).toBeLessThanOrEqual(2);
      if (stages.length === 2) expect(stages[0]).not.toBe(stages[1]);
      expect(stages.at(-1)).toBe(state.stage);
    }
  });

  it('searches customers by name, 50 at most, wildcards taken literally', async () => {
    const stored = await states();
    const sample = stored[0]!.name.slice(0, 3);
    const found = await call(
      'GET',
      `/api/journeys/saas-lifecycle/customers?connectionId=${connectionId}&query=${encodeURIComponent(sample.toUpperCase())}`,
    );
    expect(found.status).toBe(200);
    const expected = stored.filter((state) => state.name.toLowerCase().includes(sample.toLowerCase()));
    expect(found.body).toHaveLength(Math.min(50, expected.length));
    expect(
      found.body.every((row: { name: string }) => row.name.toLowerCase().includes(sample.toLowerCase())),
    ).toBe(true);
    const all = await call('GET', `/api/journeys/saas-lifecycle/customers?connectionId=${connectionId}`);
    expect(all.body).toHaveLength(50);
    const wildcard = await call(
      'GET',
      `/api/journeys/saas-lifecycle/customers?connectionId=${connectionId}&query=%25`,
    );
    expect(wildcard.body).toEqual([]);
  });

  it('shows one customer live from the CRM', async () => {
    const [first] = await states();
    const response = await call(
      'GET',
      `/api/journeys/saas-lifecycle/customers/${first!.record_id}?connectionId=${connectionId}`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: first!.record_id,
      journey: 'saas-lifecycle',
      stage: first!.stage,
      sla: first!.sla,
      whatsNext: expect.any(String),
      milestones: expect.any(Object),
    });
    const missing = await call(
      'GET',
      `/api/journeys/saas-lifecycle/customers/999999999?connectionId=${connectionId}`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it('answers bad input with 4xx', async () => {
    for (const path of [
      '/api/journeys/saas-lifecycle/dashboard',
      '/api/journeys/saas-lifecycle/customers',
      '/api/journeys/saas-lifecycle/customers/1',
    ]) {
      const response = await call('GET', path);
      expect(response.status).toBe(400);
      expect(response.body.error.issues[0].path).toBe('connectionId');
      expect((await call('GET', `${path}?connectionId=nope`)).status).toBe(404);
    }
    expect((await call('GET', `/api/journeys/nope/dashboard?connectionId=${connectionId}`)).status).toBe(404);
  });

  it('answers 401 without sign-in', async () => {
    const stranger = admin.client();
    for (const path of [
      `/api/journeys/saas-lifecycle/dashboard?connectionId=${connectionId}`,
      `/api/journeys/saas-lifecycle/customers?connectionId=${connectionId}`,
      `/api/journeys/saas-lifecycle/customers/1?connectionId=${connectionId}`,
    ]) {
      const response = await stranger.request('GET', path);
      responses.push(response);
      expect(response.status).toBe(401);
    }
  });
});
