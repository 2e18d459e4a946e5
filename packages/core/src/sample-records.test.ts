import { describe, expect, it } from 'vitest';
import { analyzeSnapshots } from './analytics.js';
import { compileJourney, evaluate } from './engine.js';
import { engineTestJourney } from './engine-test-journey.js';
import { createRandom, generateSampleRecords } from './sample-records.js';
import { parseSnapshotLine, snapshotToJsonLine } from './snapshot.js';

const NOW = '2026-06-30';
const journey = engineTestJourney();

describe('createRandom', () => {
  it('is deterministic per seed and stays in range', () => {
    const first = createRandom(42);
    const second = createRandom(42);
    const values = Array.from({ length: 1000 }, () => first.next());
    expect(Array.from({ length: 1000 }, () => second.next())).toEqual(values);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(createRandom(43).next()).not.toBe(values[0]);
    const integers = Array.from({ length: 1000 }, () => first.integer(2, 4));
    expect(new Set(integers)).toEqual(new Set([2, 3, 4]));
  });
});

describe('generateSampleRecords', () => {
  it('is deterministic for a journey, seed and now', () => {
    const once = [...generateSampleRecords(journey, { count: 200, seed: 9, now: NOW })].map(
      snapshotToJsonLine,
    );
    const twice = [...generateSampleRecords(journey, { count: 200, seed: 9, now: NOW })].map(
      snapshotToJsonLine,
    );
    expect(twice).toEqual(once);
    const other = [...generateSampleRecords(journey, { count: 200, seed: 10, now: NOW })].map(
      snapshotToJsonLine,
    );
    expect(other).not.toEqual(once);
  });

  it('is lazy: asking for a billion records and taking three is instant', () => {
    const iterator = generateSampleRecords(journey, { count: 1_000_000_000, seed: 1, now: NOW });
    const taken = [iterator.next().value, iterator.next().value, iterator.next().value];
    expect(taken.map((record) => record?.id)).toEqual([
      'cust-0000000001',
      'cust-0000000002',
      'cust-0000000003',
    ]);
  });

  it('makes valid snapshots the engine reads without warnings', () => {
    const compiled = compileJourney(journey);
    for (const record of generateSampleRecords(journey, { count: 500, seed: 3, now: NOW })) {
      const parsed = parseSnapshotLine(snapshotToJsonLine(record), 'sample.jsonl', 1);
      expect(parsed.errors).toBeUndefined();
      expect(parsed.record).toEqual(record);
      expect(evaluate(compiled, record, NOW).warnings).toEqual([]);
    }
  });

  it('makes facts consistent with the stage reached and gives analytics something to show', () => {
    const compiled = compileJourney(journey);
    const records = [...generateSampleRecords(journey, { count: 3000, seed: 5, now: NOW })];
    let agreeing = 0;
    for (const record of records) {
      const state = evaluate(compiled, record, NOW);
      const plan = compiled.plans.get(record.persona!)!;
      const crm = plan.positionOf[compiled.stageIndex.get(record.stage!)!]!;
      const derived = plan.positionOf[compiled.stageIndex.get(state.stage)!]!;
      // Criteria never put a customer behind the stages whose milestones they reached.
      if (derived >= crm) agreeing++;
    }
    expect(agreeing / records.length).toBeGreaterThan(0.99);
    const analytics = analyzeSnapshots(compiled, records, NOW);
    expect(analytics.churn.count).toBeGreaterThan(100);
    expect(analytics.sla.behind).toBeGreaterThan(10);
    expect(analytics.sla.stuck).toBeGreaterThan(10);
    expect(analytics.paths.backwardMoves).toBeGreaterThan(10);
    expect(analytics.paths.skipped.length).toBeGreaterThan(0);
    expect(analytics.paths.designedShare).toBeGreaterThan(0.7);
    expect(analytics.funnel.overall.every((row) => row.reached > 0)).toBe(true);
    // Later stages have more active users on average.
    const users = (stage: string) => {
      const values = records
        .filter((record) => record.stage === stage)
        .map((record) => Number(record.facts.active_users ?? 0));
      return values.reduce((sum, value) => sum + value, 0) / values.length;
    };
    expect(users('renewal')).toBeGreaterThan(users('onboarding'));
  });
});
