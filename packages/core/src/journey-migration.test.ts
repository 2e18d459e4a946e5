import { describe, expect, it } from 'vitest';
import { MilepostError } from './errors.js';
import {
  assertMigrationComplete,
  createMigrationReport,
  migrateSnapshot,
  migrateSnapshots,
  planJourneyMigration,
} from './journey-migration.js';
import { type Journey, journeySchema } from './journey-schema.js';
import type { RecordSnapshot } from './snapshot.js';

function version(
  number: number,
  stages: Array<{ key: string; milestones?: string[] }>,
  extra: Partial<Journey> = {},
): Journey {
  return journeySchema.parse({
    apiVersion: 'milepost/v1',
    kind: 'Journey',
    key: 'j',
    name: 'J',
    version: number,
    stages: stages.map((stage) => ({
      key: stage.key,
      name: stage.key,
      milestones: stage.milestones?.map((key) => ({ key, name: key })),
    })),
    ...extra,
  });
}

const v1 = version(1, [
  { key: 'onboarding', milestones: ['kickoff', 'training'] },
  { key: 'pilot' },
  { key: 'adoption' },
  { key: 'legacy' },
]);
const v2 = version(
  2,
  [{ key: 'onboarding', milestones: ['kickoff'] }, { key: 'adoption' }, { key: 'renewal' }],
  {
    removedStages: [{ key: 'pilot', movesTo: 'adoption' }],
  },
);

describe('journey migration', () => {
  it('maps stages by key, removed stages to their target, and reports the rest', () => {
    const plan = planJourneyMigration(v1, v2);
    expect(plan.stages).toEqual([
      { from: 'onboarding', to: 'onboarding', reason: 'same-key' },
      { from: 'pilot', to: 'adoption', reason: 'removed-moves-to' },
      { from: 'adoption', to: 'adoption', reason: 'same-key' },
      { from: 'legacy', to: null, reason: 'unmapped' },
    ]);
    expect(plan).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
      unmappedStages: ['legacy'],
      addedStages: ['renewal'],
      removedMilestones: ['training'],
    });
    expect(() => assertMigrationComplete(plan)).toThrow(
      /removes "legacy" without saying where their customers go/,
    );
    try {
      assertMigrationComplete(plan);
    } catch (error) {
      expect(MilepostError.isInstance(error) && error.code).toBe('UNMAPPED_STAGE');
    }
  });

  it('refuses two different journeys', () => {
    expect(() => planJourneyMigration(v1, { ...v2, key: 'other' })).toThrow(MilepostError);
  });

  it('moves records, their history and milestones, without mutating them', () => {
    const plan = planJourneyMigration(v1, v2);
    const record: RecordSnapshot = {
      id: 'a',
      facts: {},
      stage: 'pilot',
      journeyVersion: 1,
      history: [
        { stage: 'onboarding', enteredAt: '2026-01-01' },
        { stage: 'pilot', enteredAt: '2026-02-01' },
      ],
      milestones: { kickoff: '2026-01-02', training: '2026-01-10' },
    };
    const copy = structuredClone(record);
    const migrated = migrateSnapshot(plan, record);
    expect(record).toEqual(copy);
    expect(migrated).toEqual({
      snapshot: {
        id: 'a',
        facts: {},
        stage: 'adoption',
        journeyVersion: 2,
        history: [
          { stage: 'onboarding', enteredAt: '2026-01-01' },
          { stage: 'adoption', enteredAt: '2026-02-01' },
        ],
        milestones: { kickoff: '2026-01-02' },
      },
      moved: true,
      unmapped: [],
      droppedMilestones: ['training'],
    });
  });

  it('streams many records and reports moves and unmapped records', () => {
    const plan = planJourneyMigration(v1, v2);
    const records: RecordSnapshot[] = [
      { id: '1', facts: {}, stage: 'pilot' },
      { id: '2', facts: {}, stage: 'pilot' },
      { id: '3', facts: {}, stage: 'legacy' },
      { id: '4', facts: {}, stage: 'onboarding' },
      { id: '5', facts: {}, stage: 'mystery' },
    ];
    const report = createMigrationReport();
    const results = [...migrateSnapshots(plan, records, report)];
    expect(results.map((result) => result.snapshot.stage)).toEqual([
      'adoption',
      'adoption',
      'legacy',
      'onboarding',
      'mystery',
    ]);
    expect(report).toEqual({
      records: 5,
      moved: [{ from: 'pilot', to: 'adoption', count: 2 }],
      unchanged: 1,
      unmapped: [
        { stage: 'legacy', count: 1, ids: ['3'] },
        { stage: 'mystery', count: 1, ids: ['5'] },
      ],
      droppedMilestones: [],
    });
  });
});
