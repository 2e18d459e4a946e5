/**
 * `runAdapterConformance(target)`: what every Milepost adapter must do, run against a fresh CRM
 * account (an emulator) per test. Each adapter's test file mostly just calls this.
 */
import type { Journey, JourneyState, Mapping, MilepostAdapter } from '@milepost/core';
import { describe, expect, test } from 'vitest';
import { CONFORMANCE_RECORDS, conformanceJourney } from './conformance-journey.js';

/** A fresh CRM account seeded with the conformance records, and ways to look into it. */
export interface ConformanceHarness {
  adapter: MilepostAdapter;
  /** The mapping of the conformance journey's facts onto this CRM's fields. */
  mapping?: Mapping;
  /** Ids of the seeded records, in the order of {@link CONFORMANCE_RECORDS}. */
  recordIds: string[];
  /** The journey stage key the CRM holds for a record (read from the CRM, not from the adapter). */
  readStage(recordId: string): Promise<string | null>;
  /** Changes a fact in the CRM, as a user would. */
  setFact(recordId: string, fact: string, value: string | number): Promise<void>;
  /** Tasks the CRM holds for a record. */
  countTasks(recordId: string): Promise<number>;
  /** Creates a field Milepost does not manage and returns a reader of its definition and a record's value. */
  createUnmanagedField(recordId: string): Promise<() => Promise<unknown>>;
  close(): Promise<void>;
}

/** A CRM under test. */
export interface ConformanceTarget {
  name: string;
  /** A fresh account holding {@link CONFORMANCE_RECORDS}. */
  create(): Promise<ConformanceHarness>;
}

const NOW = new Date('2026-11-22T12:00:00Z');

async function withHarness(
  target: ConformanceTarget,
  run: (harness: ConformanceHarness, journey: Journey) => Promise<void>,
): Promise<void> {
  const harness = await target.create();
  try {
    await run(harness, conformanceJourney());
  } finally {
    await harness.close();
  }
}

async function applyAll(harness: ConformanceHarness, journey: Journey): Promise<void> {
  const plan = await harness.adapter.plan(journey, harness.mapping);
  expect(plan.refusals).toEqual([]);
  const report = await harness.adapter.apply(journey, harness.mapping, plan);
  expect(report.failed).toEqual([]);
}

/** Registers the conformance tests for one adapter. */
export function runAdapterConformance(target: ConformanceTarget): void {
  describe(`${target.name} adapter conformance`, () => {
    test('apply on a fresh account, then a second plan is empty', async () => {
      await withHarness(target, async (harness, journey) => {
        const first = await harness.adapter.plan(journey, harness.mapping);
        expect(first.changes.length).toBeGreaterThan(0);
        expect(first.changes.every((change) => change.action === 'create')).toBe(true);
        await applyAll(harness, journey);
        const second = await harness.adapter.plan(journey, harness.mapping);
        expect(second.changes.map((change) => change.summary)).toEqual([]);
        expect(second.refusals).toEqual([]);
      });
    });

    test("sync writes the engine's stages, and a second sync writes nothing", async () => {
      await withHarness(target, async (harness, journey) => {
        await applyAll(harness, journey);
        const first = await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        expect(first.errors).toEqual([]);
        expect(first.records).toBe(CONFORMANCE_RECORDS.length);
        expect(first.changed).toBe(CONFORMANCE_RECORDS.length);
        expect(await Promise.all(harness.recordIds.map((id) => harness.readStage(id)))).toEqual([
          'onboarding',
          'adoption',
          'advocacy',
        ]);
        const second = await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        expect(second).toMatchObject({ changed: 0, writes: 0, tasksCreated: 0, errors: [] });
      });
    });

    test('sync reports each evaluated record and its state once through onState', async () => {
      await withHarness(target, async (harness, journey) => {
        await applyAll(harness, journey);
        const reported: Array<{ id: string; name: string | null; state: JourneyState }> = [];
        const summary = await harness.adapter.sync(journey, harness.mapping, {
          now: NOW,
          onState: (record, state) => reported.push({ ...record, state }),
        });
        expect(summary.errors).toEqual([]);
        expect(reported.map((entry) => entry.id).sort()).toEqual([...harness.recordIds].sort());
        for (const [index, id] of harness.recordIds.entries()) {
          const entry = reported.find((candidate) => candidate.id === id)!;
          expect(entry.name).toBe(CONFORMANCE_RECORDS[index]!.name);
          expect([entry.state.id, entry.state.journey]).toEqual([id, journey.key]);
          // The state reported is the one written: the CRM holds its stage.
          expect(entry.state.stage).toBe(await harness.readStage(id));
        }
      });
    });

    test('after apply, describeFields lists the stage output as a managed enum of every journey stage', async () => {
      await withHarness(target, async (harness, journey) => {
        await applyAll(harness, journey);
        const fields = await harness.adapter.describeFields(harness.mapping);
        const stageOptions = journey.stages.map((stage) => ({ value: stage.key, label: stage.name }));
        const stageFields = fields.filter(
          (field) =>
            field.managed &&
            field.type === 'enum' &&
            JSON.stringify(field.options) === JSON.stringify(stageOptions),
        );
        expect(stageFields.length, JSON.stringify(fields.filter((field) => field.managed))).toBeGreaterThan(
          0,
        );
        // The customer's own fields are listed too, and never as Milepost's.
        const unmanaged = fields.filter((field) => !field.managed);
        expect(unmanaged.some((field) => field.type === 'date')).toBe(true);
        expect(unmanaged.some((field) => field.type === 'number')).toBe(true);
        expect(
          unmanaged.some(
            (field) =>
              field.type === 'enum' &&
              JSON.stringify(field.options?.map((option) => option.value)) ===
                JSON.stringify(['trial', 'pro']),
          ),
        ).toBe(true);
      });
    });

    test("a changed fact moves only that record, and its new stage's tasks are created once", async () => {
      await withHarness(target, async (harness, journey) => {
        await applyAll(harness, journey);
        await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        const tasksBefore = await harness.countTasks(harness.recordIds[0]!);
        await harness.setFact(harness.recordIds[0]!, 'kickoff_date', '2026-11-20');
        const summary = await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        expect(summary.changed).toBe(1);
        expect(await harness.readStage(harness.recordIds[0]!)).toBe('adoption');
        const tasksAfter = await harness.countTasks(harness.recordIds[0]!);
        expect(tasksAfter).toBe(tasksBefore + 1);
        await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        expect(await harness.countTasks(harness.recordIds[0]!)).toBe(tasksAfter);
      });
    });

    test('what Milepost does not manage is never changed', async () => {
      await withHarness(target, async (harness, journey) => {
        const readUnmanaged = await harness.createUnmanagedField(harness.recordIds[1]!);
        const before = await readUnmanaged();
        await applyAll(harness, journey);
        await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        const renamed = conformanceJourney((edited) => ({
          ...edited,
          version: 2,
          stages: edited.stages.filter((stage) => stage.key !== 'advocacy'),
        }));
        await harness.adapter.plan(renamed, harness.mapping);
        expect(await readUnmanaged()).toEqual(before);
      });
    });

    test('a renamed stage keeps its identity; an added stage is the only change', async () => {
      await withHarness(target, async (harness, journey) => {
        await applyAll(harness, journey);
        await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        const renamed = conformanceJourney((edited) => {
          edited.version = 2;
          edited.stages[1]!.name = 'Value realisation';
          edited.stages.push({
            key: 'renewal',
            name: 'Renewal',
            owner: 'cs',
            expectedDays: 90,
            milestones: [{ key: 'renewed', name: 'Renewed' }],
          });
          return edited;
        });
        const plan = await harness.adapter.plan(renamed, harness.mapping);
        expect(plan.refusals).toEqual([]);
        expect(plan.changes.some((change) => change.action === 'delete')).toBe(false);
        await harness.adapter.apply(renamed, harness.mapping, plan);
        const summary = await harness.adapter.sync(renamed, harness.mapping, { now: NOW });
        expect(summary.errors).toEqual([]);
        expect(await harness.readStage(harness.recordIds[1]!)).toBe('adoption');
        expect((await harness.adapter.plan(renamed, harness.mapping)).changes).toEqual([]);
      });
    });

    test('reordered stages are updated in place: nothing is removed or recreated', async () => {
      await withHarness(target, async (harness, journey) => {
        await applyAll(harness, journey);
        await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        const reordered = conformanceJourney((edited) => {
          edited.version = 2;
          edited.stages = [edited.stages[0]!, edited.stages[2]!, edited.stages[1]!];
          return edited;
        });
        const plan = await harness.adapter.plan(reordered, harness.mapping);
        expect(plan.refusals).toEqual([]);
        expect(plan.changes.length).toBeGreaterThan(0);
        expect(plan.changes.every((change) => change.action === 'update')).toBe(true);
        expect((await harness.adapter.apply(reordered, harness.mapping, plan)).failed).toEqual([]);
        expect((await harness.adapter.plan(reordered, harness.mapping)).changes).toEqual([]);
      });
    });

    test('removing a stage that holds records is refused until the journey says where they go', async () => {
      await withHarness(target, async (harness, journey) => {
        await applyAll(harness, journey);
        await harness.adapter.sync(journey, harness.mapping, { now: NOW });
        const without = conformanceJourney((edited) => ({
          ...edited,
          version: 2,
          stages: edited.stages.filter((stage) => stage.key !== 'advocacy'),
        }));
        const refused = await harness.adapter.plan(without, harness.mapping);
        expect(refused.refusals.map((refusal) => refusal.reason)).toContain('in-use');
        const moved = { ...without, removedStages: [{ key: 'advocacy', movesTo: 'adoption' }] };
        const plan = await harness.adapter.plan(moved, harness.mapping);
        expect(plan.refusals).toEqual([]);
        const report = await harness.adapter.apply(moved, harness.mapping, plan);
        expect(report.failed).toEqual([]);
        await harness.adapter.sync(moved, harness.mapping, { now: NOW });
        expect(await harness.readStage(harness.recordIds[2]!)).toBe('adoption');
      });
    });
  });
}
