/**
 * Moving records to a new journey version. Stages map by key; a stage the new version removed
 * maps to the stage its `removedStages` entry names; anything else cannot be mapped and is reported,
 * never dropped silently. ClientSuccess does not push template changes to running cycles and asks
 * admins to "true-up" by hand (`shared/research/cs-landscape.md` §2.2 [S32]); Planhat asks where
 * companies of a deleted phase go (§2.5 [S62]) — this is that question, answered in the file.
 */
import { MilepostError } from './errors.js';
import type { Journey } from './journey-schema.js';
import type { RecordSnapshot } from './snapshot.js';

/** Where records in one old stage go. */
export interface StageMapping {
  from: string;
  /** The new stage, or null when it cannot be mapped. */
  to: string | null;
  reason: 'same-key' | 'removed-moves-to' | 'unmapped';
}

/** How records move from one journey version to the next. */
export interface JourneyMigrationPlan {
  journey: string;
  fromVersion: number;
  toVersion: number;
  stages: StageMapping[];
  /** Old stages with nowhere to go (the new version must list them in `removedStages`). */
  unmappedStages: string[];
  /** Stages only the new version has. */
  addedStages: string[];
  /** Milestones of the old version the new one does not have (their recorded dates are dropped). */
  removedMilestones: string[];
}

/** What moving a set of records did. */
export interface MigrationReport {
  records: number;
  /** Records whose stage changed key. */
  moved: Array<{ from: string; to: string; count: number }>;
  /** Records left unchanged in their stage (same key). */
  unchanged: number;
  /** Records whose stage (or a history entry) cannot be mapped; their ids (first 20 per stage). */
  unmapped: Array<{ stage: string; count: number; ids: string[] }>;
  /** Recorded milestone dates dropped because the new version has no such milestone. */
  droppedMilestones: Array<{ milestone: string; count: number }>;
}

/** One migrated record. */
export interface MigratedSnapshot {
  snapshot: RecordSnapshot;
  /** The stage key changed. */
  moved: boolean;
  /** Stage keys (current or in history) that could not be mapped; left as they were. */
  unmapped: string[];
  droppedMilestones: string[];
}

/** Plans how records of `from` move to `to` (both versions of the same journey). */
export function planJourneyMigration(from: Journey, to: Journey): JourneyMigrationPlan {
  if (from.key !== to.key) {
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `cannot migrate records of journey "${from.key}" to journey "${to.key}"; pass two versions of the same journey`,
    });
  }
  const newStages = new Set(to.stages.map((stage) => stage.key));
  const removed = new Map((to.removedStages ?? []).map((item) => [item.key, item.movesTo]));
  const stages: StageMapping[] = from.stages.map((stage) => {
    if (newStages.has(stage.key)) return { from: stage.key, to: stage.key, reason: 'same-key' };
    const target = removed.get(stage.key);
    if (target !== undefined && newStages.has(target)) {
      return { from: stage.key, to: target, reason: 'removed-moves-to' };
    }
    return { from: stage.key, to: null, reason: 'unmapped' };
  });
  // A removed stage the old version did not have still maps (records may be older still).
  for (const [key, target] of removed) {
    if (!stages.some((mapping) => mapping.from === key) && newStages.has(target)) {
      stages.push({ from: key, to: target, reason: 'removed-moves-to' });
    }
  }
  const oldStages = new Set(from.stages.map((stage) => stage.key));
  const milestonesOf = (journey: Journey) =>
    new Set(journey.stages.flatMap((stage) => stage.milestones?.map((milestone) => milestone.key) ?? []));
  const newMilestones = milestonesOf(to);
  return {
    journey: to.key,
    fromVersion: from.version,
    toVersion: to.version,
    stages,
    unmappedStages: stages.filter((mapping) => mapping.to === null).map((mapping) => mapping.from),
    addedStages: to.stages.filter((stage) => !oldStages.has(stage.key)).map((stage) => stage.key),
    removedMilestones: [...milestonesOf(from)].filter((key) => !newMilestones.has(key)),
  };
}

/**
 * Throws `UNMAPPED_STAGE` when some old stage has nowhere to go, naming each stage and the fix
 * (`removedStages: [{ key, movesTo }]` in the new version).
 */
export function assertMigrationComplete(plan: JourneyMigrationPlan): void {
  if (plan.unmappedStages.length === 0) return;
  throw new MilepostError({
    code: 'UNMAPPED_STAGE',
    message: `version ${plan.toVersion} of journey "${plan.journey}" removes ${plan.unmappedStages
      .map((key) => `"${key}"`)
      .join(
        ', ',
      )} without saying where their customers go; add \`removedStages: [{ key: ${plan.unmappedStages[0]}, movesTo: <stage> }]\` to the new version`,
    details: { unmappedStages: plan.unmappedStages },
  });
}

// Plans are plain data; their lookup maps are derived once per plan object.
const stageMaps = new WeakMap<JourneyMigrationPlan, Map<string, string | null>>();

/** Moves one record to the new version (pure: returns a new snapshot). */
export function migrateSnapshot(plan: JourneyMigrationPlan, snapshot: RecordSnapshot): MigratedSnapshot {
  let mapping = stageMaps.get(plan);
  if (!mapping) {
    mapping = new Map(plan.stages.map((item) => [item.from, item.to]));
    stageMaps.set(plan, mapping);
  }
  const unmapped: string[] = [];
  const mapStage = (key: string): string => {
    const target = mapping.get(key);
    if (target) return target;
    if (!unmapped.includes(key)) unmapped.push(key);
    return key;
  };
  const stage = snapshot.stage === undefined ? undefined : mapStage(snapshot.stage);
  const history = snapshot.history?.map((entry) => ({
    stage: mapStage(entry.stage),
    enteredAt: entry.enteredAt,
  }));
  const removedMilestones = plan.removedMilestones;
  const droppedMilestones: string[] = [];
  let milestones = snapshot.milestones;
  if (milestones && removedMilestones.some((key) => milestones?.[key] !== undefined)) {
    milestones = {};
    for (const [key, date] of Object.entries(snapshot.milestones ?? {})) {
      if (removedMilestones.includes(key)) droppedMilestones.push(key);
      else milestones[key] = date;
    }
  }
  const migrated: RecordSnapshot = { ...snapshot, journeyVersion: plan.toVersion };
  if (stage !== undefined) migrated.stage = stage;
  if (history) migrated.history = history;
  if (milestones) migrated.milestones = milestones;
  return { snapshot: migrated, moved: stage !== snapshot.stage, unmapped, droppedMilestones };
}

/**
 * Moves records to the new version, yielding each (streams). `report` counts as it goes and is
 * complete once the iteration ends; the generator also returns it.
 */
export function* migrateSnapshots(
  plan: JourneyMigrationPlan,
  snapshots: Iterable<RecordSnapshot>,
  report: MigrationReport = createMigrationReport(),
): Generator<MigratedSnapshot, MigrationReport, undefined> {
  const moved = new Map<string, number>();
  const unmapped = new Map<string, { count: number; ids: string[] }>();
  const dropped = new Map<string, number>();
  try {
    for (const snapshot of snapshots) {
      const result = migrateSnapshot(plan, snapshot);
      report.records++;
      if (result.moved && snapshot.stage !== undefined && result.snapshot.stage !== undefined) {
        const key = `${snapshot.stage}\u0000${result.snapshot.stage}`;
        moved.set(key, (moved.get(key) ?? 0) + 1);
      } else if (result.unmapped.length === 0) report.unchanged++;
      for (const stage of result.unmapped) {
        const entry = unmapped.get(stage) ?? { count: 0, ids: [] };
        entry.count++;
        if (entry.ids.length < 20) entry.ids.push(snapshot.id);
        unmapped.set(stage, entry);
      }
      for (const milestone of result.droppedMilestones)
        dropped.set(milestone, (dropped.get(milestone) ?? 0) + 1);
      yield result;
    }
  } finally {
    // Filled once at the end (also when the caller stops early), not per record.
    report.moved = [...moved].map(([key, count]) => {
      const [from, to] = key.split('\u0000') as [string, string];
      return { from, to, count };
    });
    report.unmapped = [...unmapped].map(([stage, entry]) => ({ stage, count: entry.count, ids: entry.ids }));
    report.droppedMilestones = [...dropped].map(([milestone, count]) => ({ milestone, count }));
  }
  return report;
}

/** An empty report for {@link migrateSnapshots}. */
export function createMigrationReport(): MigrationReport {
  return { records: 0, moved: [], unchanged: 0, unmapped: [], droppedMilestones: [] };
}
