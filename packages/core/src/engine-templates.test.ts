// Example-based engine tests for every bundled template (packages/core/templates/*.yaml).
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots } from './analytics.js';
import { compileJourney, evaluate, stateToJson } from './engine.js';
import { renderReportHtml } from './report-html.js';
import { renderReportText } from './report-text.js';
import { generateSampleRecords } from './sample-records.js';
import type { RecordSnapshot } from './snapshot.js';
import { loadTemplate, TEMPLATE_NAMES } from './templates.js';

const NOW = '2026-06-30';

describe.each(TEMPLATE_NAMES)('template %s', (name) => {
  const journey = loadTemplate(name);
  const compiled = compileJourney(journey);
  const personas: Array<string | undefined> =
    journey.personas.length > 0 ? journey.personas.map((persona) => persona.key) : [undefined];

  it.each(personas)('walks persona %s stage by stage as exit milestones are recorded', (persona) => {
    const plan = (persona && compiled.plans.get(persona)) || compiled.defaultPlan;
    const milestones: Record<string, string> = {};
    plan.path.forEach((_stage, position) => {
      const record: RecordSnapshot = {
        id: `${name}-1`,
        facts: {},
        milestones: { ...milestones },
        cycleStart: '2026-01-01',
        ...(persona ? { persona } : {}),
      };
      const state = evaluate(compiled, record, NOW);
      // The derived stage is the first with an unmet exit milestone: stages without exit milestones
      // that apply are passed through.
      const expected = plan.path.findIndex(
        (_candidate, index) =>
          index >= position && plan.exitWhen[index]!.some((milestone) => !milestones[milestone.key]),
      );
      expect(state.stage).toBe(plan.path[expected === -1 ? plan.path.length - 1 : expected]!.key);
      expect(state.warnings).toEqual([]);
      for (const milestone of plan.exitWhen[position]!) milestones[milestone.key] = '2026-02-01';
    });
    const done = evaluate(
      compiled,
      { id: `${name}-1`, facts: {}, milestones, ...(persona ? { persona } : {}) },
      NOW,
    );
    expect(done.stage).toBe(plan.path.at(-1)!.key);
    expect(done.complete).toBe(true);
    expect(done.sla).toBe('on-track');
  });

  it('evaluates generated records, gives every task a unique key, and reports', () => {
    const records = [...generateSampleRecords(journey, { count: 300, seed: 11, now: NOW })];
    for (const record of records) {
      const state = evaluate(compiled, record, NOW);
      expect(state.warnings).toEqual([]);
      expect(new Set(state.tasks.map((task) => task.key)).size).toBe(state.tasks.length);
      const json = stateToJson(state);
      expect(['on-track', 'behind', 'stuck']).toContain(json.sla);
      expect(json.journey).toBe(journey.key);
    }
    const analytics = analyzeSnapshots(compiled, records, NOW);
    expect(analytics.records).toBe(300);
    expect(analytics.funnel.overall[0]!.reached).toBeGreaterThan(0);
    expect(renderReportText(analytics)).toContain(journey.name);
    expect(renderReportHtml(journey, analytics)).toContain('<svg role="img"');
  });
});
