/**
 * What changed between two journeys: two versions of one map, or a current and an ideal map.
 */
import { describeCriteria } from './journey-render.js';
import type { Journey, Milestone, Stage } from './journey-schema.js';

/** The kind of a change between two journeys. */
export type JourneyChangeKind =
  | 'journey-renamed'
  | 'version-changed'
  | 'stage-added'
  | 'stage-removed'
  | 'stage-renamed'
  | 'stage-moved'
  | 'owner-changed'
  | 'time-frame-changed'
  | 'handoff-changed'
  | 'milestone-added'
  | 'milestone-removed'
  | 'milestone-renamed'
  | 'criteria-changed'
  | 'exit-changed'
  | 'touchpoint-added'
  | 'touchpoint-removed'
  | 'cycle-added'
  | 'cycle-removed'
  | 'cycle-changed';

/** One change, for people (`summary`) and machines (the other fields). */
export interface JourneyChange {
  kind: JourneyChangeKind;
  /** The stage the change is about, when it is about one. */
  stage?: string;
  /** The milestone, touchpoint or cycle key the change is about. */
  item?: string;
  before?: unknown;
  after?: unknown;
  summary: string;
}

const same = (left: unknown, right: unknown): boolean => JSON.stringify(left) === JSON.stringify(right);

function milestonesByKey(stage: Stage): Map<string, Milestone> {
  return new Map((stage.milestones ?? []).map((milestone) => [milestone.key, milestone]));
}

function diffStage(
  before: Stage,
  after: Stage,
  journeyBefore: Journey,
  journeyAfter: Journey,
  changes: JourneyChange[],
): void {
  const stage = after.key;
  if (before.name !== after.name) {
    changes.push({
      kind: 'stage-renamed',
      stage,
      before: before.name,
      after: after.name,
      summary: `stage "${stage}" renamed: "${before.name}" → "${after.name}"`,
    });
  }
  if (before.owner !== after.owner) {
    changes.push({
      kind: 'owner-changed',
      stage,
      before: before.owner,
      after: after.owner,
      summary: `stage "${stage}" owner: ${before.owner ?? 'nobody'} → ${after.owner ?? 'nobody'}`,
    });
  }
  if (before.expectedDays !== after.expectedDays) {
    const days = (value: number | undefined) => (value === undefined ? 'none' : `${value} days`);
    changes.push({
      kind: 'time-frame-changed',
      stage,
      before: before.expectedDays,
      after: after.expectedDays,
      summary: `stage "${stage}" time frame: ${days(before.expectedDays)} → ${days(after.expectedDays)}`,
    });
  }
  if (!same(before.handoff, after.handoff)) {
    const text = (handoff: Stage['handoff']) =>
      handoff
        ? `to ${handoff.to}${handoff.artifacts?.length ? ` with ${handoff.artifacts.join(', ')}` : ''}`
        : 'none';
    changes.push({
      kind: 'handoff-changed',
      stage,
      before: before.handoff,
      after: after.handoff,
      summary: `stage "${stage}" handoff: ${text(before.handoff)} → ${text(after.handoff)}`,
    });
  }
  const oldMilestones = milestonesByKey(before);
  const newMilestones = milestonesByKey(after);
  for (const [key, milestone] of newMilestones) {
    const previous = oldMilestones.get(key);
    if (!previous) {
      changes.push({
        kind: 'milestone-added',
        stage,
        item: key,
        after: milestone,
        summary: `milestone "${key}" (${milestone.name}) added to stage "${stage}"`,
      });
      continue;
    }
    if (previous.name !== milestone.name) {
      changes.push({
        kind: 'milestone-renamed',
        stage,
        item: key,
        before: previous.name,
        after: milestone.name,
        summary: `milestone "${key}" renamed: "${previous.name}" → "${milestone.name}"`,
      });
    }
    if (!same(previous.criteria, milestone.criteria) || !same(previous.personas, milestone.personas)) {
      const words = (value: Milestone, journey: Journey) =>
        value.criteria ? describeCriteria(value.criteria, journey) : 'recorded by hand';
      changes.push({
        kind: 'criteria-changed',
        stage,
        item: key,
        before: { criteria: previous.criteria, personas: previous.personas },
        after: { criteria: milestone.criteria, personas: milestone.personas },
        summary: `milestone "${key}" criteria: ${words(previous, journeyBefore)} → ${words(milestone, journeyAfter)}`,
      });
    }
  }
  for (const [key, milestone] of oldMilestones) {
    if (!newMilestones.has(key)) {
      changes.push({
        kind: 'milestone-removed',
        stage,
        item: key,
        before: milestone,
        summary: `milestone "${key}" (${milestone.name}) removed from stage "${stage}"`,
      });
    }
  }
  if (!same(before.exitWhen ?? [], after.exitWhen ?? [])) {
    changes.push({
      kind: 'exit-changed',
      stage,
      before: before.exitWhen,
      after: after.exitWhen,
      summary: `stage "${stage}" completes when: [${(before.exitWhen ?? []).join(', ')}] → [${(after.exitWhen ?? []).join(', ')}]`,
    });
  }
  const oldTouchpoints = new Set((before.touchpoints ?? []).map((touchpoint) => touchpoint.key));
  const newTouchpoints = new Set((after.touchpoints ?? []).map((touchpoint) => touchpoint.key));
  for (const touchpoint of after.touchpoints ?? []) {
    if (!oldTouchpoints.has(touchpoint.key))
      changes.push({
        kind: 'touchpoint-added',
        stage,
        item: touchpoint.key,
        after: touchpoint,
        summary: `touchpoint "${touchpoint.name}" (${touchpoint.channel}) added to stage "${stage}"`,
      });
  }
  for (const touchpoint of before.touchpoints ?? []) {
    if (!newTouchpoints.has(touchpoint.key))
      changes.push({
        kind: 'touchpoint-removed',
        stage,
        item: touchpoint.key,
        before: touchpoint,
        summary: `touchpoint "${touchpoint.name}" removed from stage "${stage}"`,
      });
  }
}

/**
 * The fewest keys that moved to turn one order into the other: everything outside the longest
 * run kept in the same relative order, so inserting or removing a stage moves nothing else.
 */
function movedKeys(before: readonly string[], after: readonly string[]): Set<string> {
  const positions = after.map((key) => before.indexOf(key));
  const lengths = positions.map(() => 1);
  const previous = positions.map(() => -1);
  let bestEnd = -1;
  for (let index = 0; index < positions.length; index++) {
    for (let earlier = 0; earlier < index; earlier++) {
      if (positions[earlier]! < positions[index]! && lengths[earlier]! + 1 > lengths[index]!) {
        lengths[index] = lengths[earlier]! + 1;
        previous[index] = earlier;
      }
    }
    if (bestEnd === -1 || lengths[index]! > lengths[bestEnd]!) bestEnd = index;
  }
  const stayed = new Set<string>();
  for (let index = bestEnd; index !== -1; index = previous[index]!) stayed.add(after[index]!);
  return new Set(after.filter((key) => !stayed.has(key)));
}

/**
 * Every change from `before` to `after`, stages in the new order. Stages and milestones are matched
 * by key, so a renamed stage is a rename, not a removal and an addition.
 */
export function diffJourneys(before: Journey, after: Journey): JourneyChange[] {
  const changes: JourneyChange[] = [];
  if (before.name !== after.name)
    changes.push({
      kind: 'journey-renamed',
      before: before.name,
      after: after.name,
      summary: `journey renamed: "${before.name}" → "${after.name}"`,
    });
  if (before.version !== after.version)
    changes.push({
      kind: 'version-changed',
      before: before.version,
      after: after.version,
      summary: `version ${before.version} → ${after.version}`,
    });

  const oldStages = new Map(before.stages.map((stage) => [stage.key, stage]));
  const newStages = new Map(after.stages.map((stage) => [stage.key, stage]));
  const keptOld = before.stages.filter((stage) => newStages.has(stage.key)).map((stage) => stage.key);
  const keptNew = after.stages.filter((stage) => oldStages.has(stage.key)).map((stage) => stage.key);
  const moved = movedKeys(keptOld, keptNew);

  for (const stage of after.stages) {
    const previous = oldStages.get(stage.key);
    if (!previous) {
      const position = after.stages.indexOf(stage) + 1;
      changes.push({
        kind: 'stage-added',
        stage: stage.key,
        after: stage,
        summary: `stage "${stage.key}" (${stage.name}) added at position ${position}`,
      });
      continue;
    }
    if (moved.has(stage.key)) {
      const from = before.stages.indexOf(previous) + 1;
      const to = after.stages.indexOf(stage) + 1;
      changes.push({
        kind: 'stage-moved',
        stage: stage.key,
        before: from,
        after: to,
        summary: `stage "${stage.key}" moved from position ${from} to ${to}`,
      });
    }
    diffStage(previous, stage, before, after, changes);
  }
  for (const stage of before.stages) {
    if (!newStages.has(stage.key)) {
      const movesTo = after.removedStages?.find((removed) => removed.key === stage.key)?.movesTo;
      changes.push({
        kind: 'stage-removed',
        stage: stage.key,
        before: stage,
        after: movesTo ? { movesTo } : undefined,
        summary: `stage "${stage.key}" (${stage.name}) removed${movesTo ? `; its customers move to "${movesTo}"` : '; no "removedStages" entry says where its customers go'}`,
      });
    }
  }

  const oldCycles = new Map((before.successCycles ?? []).map((cycle) => [cycle.key, cycle]));
  const newCycles = new Map((after.successCycles ?? []).map((cycle) => [cycle.key, cycle]));
  for (const [key, cycle] of newCycles) {
    const previous = oldCycles.get(key);
    if (!previous)
      changes.push({
        kind: 'cycle-added',
        item: key,
        after: cycle,
        summary: `SuccessCycle "${key}" (${cycle.name}) added`,
      });
    else if (!same(previous, cycle))
      changes.push({
        kind: 'cycle-changed',
        item: key,
        before: previous,
        after: cycle,
        summary: `SuccessCycle "${key}" changed (stages, activities or tasks)`,
      });
  }
  for (const [key, cycle] of oldCycles) {
    if (!newCycles.has(key))
      changes.push({
        kind: 'cycle-removed',
        item: key,
        before: cycle,
        summary: `SuccessCycle "${key}" (${cycle.name}) removed`,
      });
  }
  return changes;
}
