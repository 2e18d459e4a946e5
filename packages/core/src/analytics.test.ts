import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, createAnalyticsCollector } from './analytics.js';
import { compileJourney, evaluate } from './engine.js';
import { engineTestJourney } from './engine-test-journey.js';
import type { RecordSnapshot } from './snapshot.js';

const NOW = '2026-03-01';
const compiled = compileJourney(engineTestJourney({ stagePolicy: 'manual' }));

const records: RecordSnapshot[] = [
  {
    id: 'e1',
    persona: 'enterprise',
    segment: 'enterprise',
    facts: {},
    stage: 'adoption',
    journeyVersion: 1,
    history: [
      { stage: 'handover', enteredAt: '2026-01-01' },
      { stage: 'onboarding', enteredAt: '2026-01-05' },
      { stage: 'adoption', enteredAt: '2026-02-04' },
    ],
  },
  {
    id: 'e2',
    persona: 'enterprise',
    segment: 'smb',
    facts: { churned: true, arr: 1000 },
    stage: 'adoption',
    journeyVersion: 2,
    history: [
      { stage: 'handover', enteredAt: '2026-01-01' },
      { stage: 'adoption', enteredAt: '2026-01-11' },
    ],
  },
  {
    id: 's1',
    persona: 'smb',
    segment: 'smb',
    facts: {},
    stage: 'onboarding',
    journeyVersion: 2,
    history: [
      { stage: 'onboarding', enteredAt: '2026-01-01' },
      { stage: 'adoption', enteredAt: '2026-01-21' },
      { stage: 'onboarding', enteredAt: '2026-02-10' },
    ],
  },
  {
    id: 's2',
    persona: 'smb',
    facts: { churned: 'true', arr: '500' },
    stage: 'adoption',
    history: [{ stage: 'adoption', enteredAt: '2026-01-01' }],
  },
  { id: 'x', facts: {}, stage: 'handover', stageEnteredAt: '2026-02-25', journeyVersion: 2 },
];

describe('analytics', () => {
  const analytics = analyzeSnapshots(compiled, records, NOW);

  it('counts the funnel overall and by persona and segment', () => {
    expect(analytics.records).toBe(5);
    expect(analytics.asOf).toBe(NOW);
    expect(analytics.funnel.overall.map((row) => [row.stage, row.reached, row.current])).toEqual([
      ['handover', 3, 1],
      ['onboarding', 2, 1],
      ['adoption', 4, 3],
      ['renewal', 0, 0],
      ['expansion', 0, 0],
    ]);
    // Of the 3 who reached handover only e1 also reached onboarding (e2 skipped it, x is still there).
    // Regression: conversion was next-stage reached ÷ this stage reached, which showed 195.8% on a
    // template whose SMB persona starts at Purchase.
    expect(analytics.funnel.overall[0]!.conversion).toBeCloseTo(1 / 3);
    expect(analytics.funnel.overall[4]!.conversion).toBeNull();
    expect(Object.keys(analytics.funnel.byPersona)).toEqual(['enterprise', 'smb']);
    expect(analytics.funnel.byPersona.smb!.map((row) => row.reached)).toEqual([0, 1, 2, 0, 0]);
    expect(analytics.funnel.bySegment.smb!.map((row) => row.reached)).toEqual([1, 1, 2, 0, 0]);
  });

  it('measures time in stage (finished and ongoing stays of active customers)', () => {
    expect(analytics.timeInStage.map((row) => [row.stage, row.stays, row.medianDays, row.p90Days])).toEqual([
      ['handover', 3, 4, 10],
      ['onboarding', 3, 20, 30],
      ['adoption', 2, 20, 25],
      ['renewal', 0, null, null],
      ['expansion', 0, null, null],
    ]);
    expect(analytics.timeInStage[0]!.overTimeFrame).toBeCloseTo(1 / 3);
    expect(analytics.sla).toEqual({ onTrack: 3, behind: 0, stuck: 0 });
  });

  it('sums churn by the stage customers left in', () => {
    expect(analytics.churn).toMatchObject({ fact: 'churned', valueFact: 'arr', count: 2, value: 1500 });
    expect(analytics.churn.byStage[2]).toEqual({
      stage: 'adoption',
      name: 'Adoption',
      count: 2,
      value: 1500,
      rate: 0.5,
    });
  });

  it('compares the observed path with the designed one', () => {
    expect(analytics.paths).toMatchObject({
      observed: 5,
      followingDesign: 2,
      designedShare: 0.4,
      customersWithBackwardMoves: 1,
      backwardMoves: 1,
      skipped: [{ stage: 'onboarding', name: 'Onboarding', count: 2 }],
    });
    expect(analytics.paths.deviations.map((item) => [item.kind, item.description, item.count])).toEqual([
      ['backward', 'Adoption → Onboarding (backward)', 1],
      ['skip', 'Sales handover → Adoption (skipped Onboarding)', 1],
      ['late-start', 'started at Adoption', 1],
    ]);
  });

  it('counts records by journey version', () => {
    expect(analytics.versions).toEqual({
      current: 2,
      byVersion: [
        { version: 1, count: 1 },
        { version: 2, count: 3 },
        { version: 'unknown', count: 1 },
      ],
      outdated: 1,
    });
  });

  it('streams: the collector gives the same result as the one-shot helper', () => {
    const collector = createAnalyticsCollector(compiled, { now: NOW });
    for (const record of records) collector.add(record, evaluate(compiled, record, NOW));
    expect(collector.result()).toEqual(analytics);
  });
});
