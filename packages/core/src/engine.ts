/**
 * The journey engine: where one customer is on the journey and what comes next.
 *
 * `compileJourney(journey)` precomputes everything that does not depend on a record (stage index
 * maps, each persona's path and applicable milestones, compiled criteria, SuccessCycle task lists,
 * the words of each criterion). `evaluate(compiled, snapshot, now)` then only reads the snapshot;
 * it is pure (no clock, no randomness, no mutation of its inputs), so a state can be recomputed
 * and compared at any time. Sources of the model: ClientSuccess SuccessCycles (stage → activity →
 * task with "days due" offsets) and ChurnZero On Track / Behind / Stuck thresholds
 * (`shared/research/cs-landscape.md` §2.2, §2.4).
 */
import {
  type CriterionProgress,
  compileCriteria,
  createProgressReader,
  type FactPredicate,
  type ProgressReader,
} from './criteria.js';
import { contractYear, contractYearStart, formatUtcDay, parseUtcDay, toUtcDay } from './engine-dates.js';
import { MilepostError } from './errors.js';
import { describeCriteria } from './journey-render.js';
import type {
  Criteria,
  CycleTask,
  Journey,
  StagePolicy,
  SuccessCycle,
  TASK_PRIORITIES,
  TASK_TYPES,
} from './journey-schema.js';
import type { RecordSnapshot } from './snapshot.js';

/** The default `stuckAfter`: stuck after twice the stage's time frame without milestone progress. */
export const DEFAULT_STUCK_AFTER = 2;

/** The SLA statuses, in order (ChurnZero's On Track / Behind / Stuck). */
export const SLA_STATUSES = ['on-track', 'behind', 'stuck'] as const;
/** SLA status of a customer in its stage. */
export type SlaStatus = (typeof SLA_STATUSES)[number];
/** Status of one milestone for one customer. */
export type MilestoneStatus = 'achieved' | 'pending' | 'not-applicable';
/** Status of one SuccessCycle task. */
export type TaskStatus = 'open' | 'done' | 'overdue';

/** A milestone compiled for evaluation. */
export interface CompiledMilestone {
  key: string;
  name: string;
  /** Index among all milestones of the journey (journey order). */
  index: number;
  stageKey: string;
  /** The personas it applies to; null for all. */
  personas: ReadonlySet<string> | null;
  /** The criteria AST (for adapters); undefined for a manual milestone. */
  criteria: Criteria | undefined;
  /** The compiled criteria; null for a manual milestone (achieved only when recorded). */
  test: FactPredicate | null;
  /** The criteria in words, or null for a manual milestone. */
  criteriaText: string | null;
  progress: ProgressReader | null;
}

/** A SuccessCycle task compiled for evaluation. */
export interface CompiledCycleTask {
  key: string;
  subject: string;
  owner: string;
  dueDays: number;
  type: (typeof TASK_TYPES)[number] | undefined;
  priority: (typeof TASK_PRIORITIES)[number] | undefined;
  activity: string;
  /** `cycle:task`, the short form of the task key a snapshot's `tasks` may use. */
  statusKey: string;
}

/** A SuccessCycle compiled for evaluation. */
export interface CompiledCycle {
  key: string;
  name: string;
  basis: SuccessCycle['basis'];
  role: string | undefined;
  year: number | undefined;
  personas: ReadonlySet<string> | null;
  segments: ReadonlySet<string> | null;
  /** Tasks by journey stage index (empty for stages the cycle does not run in). */
  tasksByStage: ReadonlyArray<readonly CompiledCycleTask[]>;
  /** `journey:cycle:` — the start of every task key of this cycle. */
  keyPrefix: string;
  /** Each task's `statusKey`, laid out like `tasksByStage`. */
  statusKeysByStage: ReadonlyArray<readonly string[]>;
  /** Each task's slot in `CompiledJourney.taskStatusTable`, laid out like `tasksByStage`. */
  statusSlotsByStage: ReadonlyArray<readonly number[]>;
  /**
   * Yearly cycles: contract year → the short status keys (`cycle:y<year>:task`) and their slots,
   * laid out like `tasksByStage`, filled in by `evaluate` as years occur (unobservable, like
   * `scratch`).
   */
  statusKeysByYear: Map<number, StatusKeyLayout>;
}

/** Short task status keys and their status-table slots, by stage index then task. */
export interface StatusKeyLayout {
  keys: ReadonlyArray<readonly string[]>;
  slots: ReadonlyArray<readonly number[]>;
}

/**
 * Scratch space for a record's task statuses: every short status key the journey's tasks can be
 * looked up by has a slot; `evaluate` reads the record's `tasks` map once into `values`, marking the
 * slots it set with the record's `stamp` (so nothing is cleared between records).
 */
export interface TaskStatusTable {
  slotOf: Map<string, number>;
  values: unknown[];
  stamps: number[];
  stamp: number;
  /** True when a short key also starts like a full key (`journey:`): then the table is not used. */
  ambiguous: boolean;
}

/** A stage compiled for evaluation. */
export interface CompiledStage {
  key: string;
  name: string;
  /** Index in the journey's stage list. */
  index: number;
  owner: string | null;
  ownerName: string | null;
  expectedDays: number | null;
  milestones: readonly CompiledMilestone[];
  handoff: { to: string; toName: string; artifacts: readonly string[] } | null;
}

/** What one persona sees of the journey (the "no persona" plan has key null). */
export interface PersonaPlan {
  persona: string | null;
  /** The stages in path order. */
  path: readonly CompiledStage[];
  /** Journey stage index → position on the path, or -1 when not on it. */
  positionOf: Int32Array;
  /** Milestone index → applies to this persona. */
  applicable: readonly boolean[];
  /** Per path position: the exit milestones that apply to this persona. */
  exitWhen: ReadonlyArray<readonly CompiledMilestone[]>;
  /** Per path position: the milestones in "what's next" order (exit milestones first). */
  nextOrder: ReadonlyArray<readonly CompiledMilestone[]>;
  /** The cycles whose persona filter admits this persona. */
  cycles: readonly CompiledCycle[];
}

/** A journey compiled once for many evaluations. */
export interface CompiledJourney {
  journey: Journey;
  key: string;
  version: number;
  policy: StagePolicy;
  stuckAfter: number;
  stages: readonly CompiledStage[];
  stageIndex: ReadonlyMap<string, number>;
  milestones: readonly CompiledMilestone[];
  plans: ReadonlyMap<string, PersonaPlan>;
  /** The plan for records without a (known) persona: every stage, milestones without a persona filter. */
  defaultPlan: PersonaPlan;
  cycles: readonly CompiledCycle[];
  /** Milestone key → index in `milestones`. */
  milestoneIndex: ReadonlyMap<string, number>;
  /** `journey:`, the start of every full task key. */
  keyPrefix: string;
  /**
   * Scratch space reused by `evaluate` (achieved day per milestone). Evaluation is synchronous and
   * never re-entrant, so reusing it is unobservable and saves a typed-array allocation per record.
   */
  scratch: Float64Array;
  /**
   * Every milestone key in journey order (values null): `evaluate` copies it to start each state's
   * `milestones`, so all of them share one object shape instead of growing key by key.
   */
  milestoneTemplate: Readonly<Record<string, MilestoneState | null>>;
  /** Scratch space for the task statuses of the record being evaluated (unobservable). */
  taskStatusTable: TaskStatusTable;
}

/** One milestone's state for one customer. */
export interface MilestoneState {
  status: MilestoneStatus;
  /** `YYYY-MM-DD` of the first day it held, or null. */
  achievedAt: string | null;
  /** True when the date came from the snapshot; false when first seen holding now (adapters record it). */
  recorded: boolean;
}

/** The next milestone of a customer and how far it is. */
export interface NextMilestone {
  key: string;
  name: string;
  stage: string;
  /** The criteria AST, or null for a manual milestone. */
  criteria: Criteria | null;
  /** The criteria in words. */
  criteriaText: string | null;
  /** Each criterion leaf, with the record's value. */
  progress: CriterionProgress[];
  /** `Five active users — Active users 3 of 5 now`. */
  text: string;
}

/** A pending handoff: the stage is done and another team takes over. */
export interface PendingHandoff {
  stage: string;
  from: string | null;
  to: string;
  toName: string;
  artifacts: string[];
  /** The next stage on the persona's path, or null at the end. */
  toStage: string | null;
}

/** A SuccessCycle that applies to a customer. */
export interface AppliedCycle {
  key: string;
  name: string;
  basis: SuccessCycle['basis'];
  /** The contract year, for yearly cycles. */
  year: number | null;
}

/** One SuccessCycle task for one customer. */
export interface TaskState {
  /** Deterministic: `journey:cycle:record:task` (`journey:cycle:y<year>:record:task` for yearly cycles). */
  key: string;
  cycle: string;
  activity: string;
  task: string;
  stage: string;
  subject: string;
  owner: string;
  type: CompiledCycleTask['type'] | null;
  priority: CompiledCycleTask['priority'] | null;
  /** `YYYY-MM-DD`: stage (or contract year) start + dueDays. */
  due: string;
  status: TaskStatus;
}

/** What comes next, as data. */
export interface NextStep {
  kind: 'handoff' | 'milestone' | 'complete';
  stage: string;
  milestone: string | null;
  /** The criteria leaves not met yet. */
  unmet: CriterionProgress[];
  handoffTo: string | null;
  overdueTasks: number;
  /** The earliest open or overdue task. */
  nextTask: { key: string; subject: string; due: string; status: TaskStatus } | null;
}

/** Where one customer is on the journey and what comes next. */
export interface JourneyState {
  id: string;
  journey: string;
  journeyVersion: number;
  persona: string | null;
  segment: string | null;
  stage: string;
  stageName: string;
  /** How the stage was decided: by criteria, or taken from the CRM. */
  stageSource: 'derived' | 'crm';
  /** The stage the CRM holds (from the snapshot), or null. */
  crmStage: string | null;
  /** True when the stage differs from the CRM's (adapters write the move). */
  stageChanged: boolean;
  stageEnteredAt: string;
  daysInStage: number;
  expectedDays: number | null;
  sla: SlaStatus;
  /** Days since the stage started or a milestone was last achieved, whichever is later. */
  daysSinceProgress: number;
  /** All exit milestones of the current stage that apply are achieved. */
  stageDone: boolean;
  /** The stage is the last of the path and it is done. */
  complete: boolean;
  milestones: Record<string, MilestoneState>;
  nextMilestone: NextMilestone | null;
  owner: string | null;
  ownerName: string | null;
  handoff: PendingHandoff | null;
  cycles: AppliedCycle[];
  tasks: TaskState[];
  /** One line for people. */
  whatsNext: string;
  /** The same for machines. */
  next: NextStep;
  /** Things the engine worked around (unknown persona, a CRM stage the journey does not have). */
  warnings: string[];
}

function compileMilestonePlan(
  journey: Journey,
  stages: readonly CompiledStage[],
  milestones: readonly CompiledMilestone[],
  cycles: readonly CompiledCycle[],
  persona: Journey['personas'][number] | undefined,
): PersonaPlan {
  const personaKey = persona?.key ?? null;
  const stageIndex = new Map(stages.map((stage) => [stage.key, stage.index]));
  const path = (persona?.path ?? stages.map((stage) => stage.key))
    .map((key) => stages[stageIndex.get(key) ?? -1])
    .filter((stage): stage is CompiledStage => stage !== undefined);
  const positionOf = new Int32Array(stages.length).fill(-1);
  path.forEach((stage, position) => {
    if (positionOf[stage.index] === -1) positionOf[stage.index] = position;
  });
  const applicable = milestones.map(
    (milestone) => milestone.personas === null || (personaKey !== null && milestone.personas.has(personaKey)),
  );
  const exitWhen = path.map((stage) => {
    const keys = journey.stages[stage.index]?.exitWhen ?? [];
    return keys
      .map((key) => stage.milestones.find((milestone) => milestone.key === key))
      .filter(
        (milestone): milestone is CompiledMilestone =>
          milestone !== undefined && applicable[milestone.index]!,
      );
  });
  const nextOrder = path.map((stage, position) => {
    const exits = exitWhen[position]!;
    const rest = stage.milestones.filter(
      (milestone) => applicable[milestone.index] && !exits.includes(milestone),
    );
    return [...exits, ...rest];
  });
  const admitted = cycles.filter(
    (cycle) => cycle.personas === null || (personaKey !== null && cycle.personas.has(personaKey)),
  );
  return { persona: personaKey, path, positionOf, applicable, exitWhen, nextOrder, cycles: admitted };
}

/** Precomputes everything evaluation needs from a (validated) journey. */
export function compileJourney(journey: Journey): CompiledJourney {
  const teamNames = new Map(journey.teams.map((team) => [team.key, team.name]));
  const stageIndex = new Map<string, number>();
  const milestones: CompiledMilestone[] = [];
  const stages: CompiledStage[] = journey.stages.map((stage, index) => {
    stageIndex.set(stage.key, index);
    const stageMilestones = (stage.milestones ?? []).map((milestone) => {
      const compiled: CompiledMilestone = {
        key: milestone.key,
        name: milestone.name,
        index: milestones.length,
        stageKey: stage.key,
        personas: milestone.personas ? new Set(milestone.personas) : null,
        criteria: milestone.criteria,
        test: milestone.criteria ? compileCriteria(milestone.criteria, journey.facts).test : null,
        criteriaText: milestone.criteria ? describeCriteria(milestone.criteria, journey) : null,
        progress: milestone.criteria ? createProgressReader(milestone.criteria, journey) : null,
      };
      milestones.push(compiled);
      return compiled;
    });
    return {
      key: stage.key,
      name: stage.name,
      index,
      owner: stage.owner ?? null,
      ownerName: stage.owner ? (teamNames.get(stage.owner) ?? stage.owner) : null,
      expectedDays: stage.expectedDays ?? null,
      milestones: stageMilestones,
      handoff: stage.handoff
        ? {
            to: stage.handoff.to,
            toName: teamNames.get(stage.handoff.to) ?? stage.handoff.to,
            artifacts: stage.handoff.artifacts ?? [],
          }
        : null,
    };
  });
  const keyPrefix = `${journey.key}:`;
  const taskStatusTable: TaskStatusTable = {
    slotOf: new Map(),
    values: [],
    stamps: [],
    stamp: 0,
    ambiguous: false,
  };
  const cycles: CompiledCycle[] = (journey.successCycles ?? []).map((cycle) => {
    const tasksByStage: CompiledCycleTask[][] = stages.map(() => []);
    for (const cycleStage of cycle.stages) {
      const index = stageIndex.get(cycleStage.stage);
      if (index === undefined) continue;
      for (const activity of cycleStage.activities) {
        for (const task of activity.tasks as CycleTask[]) {
          tasksByStage[index]!.push({
            key: task.key,
            subject: task.subject,
            owner: task.owner,
            dueDays: task.dueDays,
            type: task.type,
            priority: task.priority,
            activity: activity.key,
            statusKey: `${cycle.key}:${task.key}`,
          });
        }
      }
    }
    return {
      key: cycle.key,
      name: cycle.name,
      basis: cycle.basis,
      role: cycle.role,
      year: cycle.year,
      personas: cycle.appliesTo?.personas ? new Set(cycle.appliesTo.personas) : null,
      segments: cycle.appliesTo?.segments ? new Set(cycle.appliesTo.segments) : null,
      tasksByStage,
      keyPrefix: `${journey.key}:${cycle.key}:`,
      statusKeysByStage: tasksByStage.map((stageTasks) => stageTasks.map((task) => task.statusKey)),
      statusSlotsByStage: tasksByStage.map((stageTasks) =>
        stageTasks.map((task) => statusSlot(taskStatusTable, keyPrefix, task.statusKey)),
      ),
      statusKeysByYear: new Map(),
    };
  });
  const plans = new Map<string, PersonaPlan>();
  for (const persona of journey.personas) {
    plans.set(persona.key, compileMilestonePlan(journey, stages, milestones, cycles, persona));
  }
  return {
    journey,
    key: journey.key,
    version: journey.version,
    policy: journey.stagePolicy ?? 'derived',
    stuckAfter: journey.stuckAfter ?? DEFAULT_STUCK_AFTER,
    stages,
    stageIndex,
    milestones,
    plans,
    defaultPlan: compileMilestonePlan(journey, stages, milestones, cycles, undefined),
    cycles,
    milestoneIndex: new Map(milestones.map((milestone) => [milestone.key, milestone.index])),
    keyPrefix,
    scratch: new Float64Array(milestones.length),
    milestoneTemplate: Object.fromEntries(milestones.map((milestone) => [milestone.key, null])),
    taskStatusTable,
  };
}

/** The slot of a short status key in the table, added when new. */
function statusSlot(table: TaskStatusTable, keyPrefix: string, key: string): number {
  let slot = table.slotOf.get(key);
  if (slot === undefined) {
    slot = table.values.length;
    table.slotOf.set(key, slot);
    table.values.push(undefined);
    table.stamps.push(0);
    if (key.startsWith(keyPrefix)) table.ambiguous = true;
  }
  return slot;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /**
   * Set false to skip SuccessCycles and tasks (`cycles` and `tasks` come back empty) when only the
   * stage, milestones and SLA are needed, as in analytics: tasks are most of the cost of a record.
   */
  tasks?: boolean;
}

/** Criteria only read facts, so one shared empty object serves every snapshot without any. */
const NO_FACTS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The last history entry of `stage`, as a day number, or NaN. */
function historyDay(snapshot: RecordSnapshot, stage: string): number {
  const history = snapshot.history;
  if (!history) return Number.NaN;
  for (let index = history.length - 1; index >= 0; index--) {
    const entry = history[index]!;
    if (entry.stage === stage) return parseUtcDay(entry.enteredAt);
  }
  return Number.NaN;
}

function inHistory(snapshot: RecordSnapshot, stage: string): boolean {
  const history = snapshot.history;
  if (!history) return false;
  for (const entry of history) if (entry.stage === stage) return true;
  return false;
}

/** The day the stage at `position` on the path was done (its last exit milestone), or NaN. */
function completionDay(plan: PersonaPlan, achievedDays: Float64Array, position: number): number {
  const exits = plan.exitWhen[position];
  if (!exits || exits.length === 0) return Number.NaN;
  let latest = Number.NEGATIVE_INFINITY;
  for (const milestone of exits) {
    const day = achievedDays[milestone.index]!;
    if (Number.isNaN(day)) return Number.NaN;
    if (day > latest) latest = day;
  }
  return latest;
}

/**
 * The day the record entered `candidate` (at `position` on the path), or NaN: the CRM's entry date
 * for the CRM's stage, then history, then the day the previous stage was done (the cycle start for
 * the first stage). A module function rather than a closure so evaluating allocates no context.
 */
function entryDay(
  snapshot: RecordSnapshot,
  crmStageKey: string | null,
  cycleStartDay: number,
  plan: PersonaPlan,
  achievedDays: Float64Array,
  candidate: CompiledStage,
  position: number,
): number {
  if (candidate.key === crmStageKey && snapshot.stageEnteredAt) {
    const day = parseUtcDay(snapshot.stageEnteredAt);
    if (!Number.isNaN(day)) return day;
  }
  const fromHistory = historyDay(snapshot, candidate.key);
  if (!Number.isNaN(fromHistory)) return fromHistory;
  if (position > 0) return completionDay(plan, achievedDays, position - 1);
  if (position === 0) return cycleStartDay;
  return Number.NaN;
}

/**
 * The short status keys (`cycle:y<year>:task`) of a yearly cycle's tasks for one contract year, by
 * stage index. Built once per year and kept: the same few years recur across millions of records,
 * and a shared key string keeps its hash, where a key built per record is hashed on every lookup.
 */
function yearlyStatusKeys(compiled: CompiledJourney, cycle: CompiledCycle, year: number): StatusKeyLayout {
  let layout = cycle.statusKeysByYear.get(year);
  if (layout === undefined) {
    const keys = cycle.tasksByStage.map((stageTasks) =>
      stageTasks.map((task) => `${cycle.key}:y${year}:${task.key}`),
    );
    const slots = keys.map((stageKeys) =>
      stageKeys.map((key) => statusSlot(compiled.taskStatusTable, compiled.keyPrefix, key)),
    );
    layout = { keys, slots };
    cycle.statusKeysByYear.set(year, layout);
  }
  return layout;
}

/**
 * Reads a record's task statuses into the status table in one pass over its own keys, which costs
 * about half as much as probing the map once per task (a snapshot's map is usually a hash table in
 * V8, and every probe of a cold record is a cache miss). Returns false, leaving the per-task probes
 * to the caller, when a key may be a full task key (`journey:…`) or the map is not a plain object:
 * there the key-form rule and inherited properties need the probes' exact semantics.
 */
function readTaskStatuses(
  compiled: CompiledJourney,
  statuses: Readonly<Record<string, unknown>>,
  cycles: readonly CompiledCycle[],
  year: number,
): boolean {
  const table = compiled.taskStatusTable;
  // Every short key this record may be looked up by must have a slot before the pass.
  for (const cycle of cycles) if (cycle.basis === 'yearly') yearlyStatusKeys(compiled, cycle, year);
  if (table.ambiguous) return false;
  const prototype = Object.getPrototypeOf(statuses);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const stamp = ++table.stamp;
  const { slotOf, values, stamps } = table;
  const keyPrefix = compiled.keyPrefix;
  const keys = Object.keys(statuses);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const slot = slotOf.get(key);
    if (slot !== undefined) {
      values[slot] = statuses[key];
      stamps[slot] = stamp;
    } else if (key.startsWith(keyPrefix)) return false;
  }
  return true;
}

/**
 * Evaluates one customer. `now` is always injected (a Date, an ISO string or epoch milliseconds);
 * dates compare in UTC days. Missing or malformed facts make criteria false; this never throws for
 * record content (only for an unusable `now`).
 */
export function evaluate(
  compiled: CompiledJourney,
  snapshot: RecordSnapshot,
  now: Date | string | number,
  options?: EvaluateOptions,
): JourneyState {
  const nowDay = toUtcDay(now);
  if (Number.isNaN(nowDay)) {
    throw new MilepostError({ code: 'INVALID_INPUT', message: `"now" is not a date: ${String(now)}` });
  }
  // Most records have no warning: the list is only allocated for the first one.
  let warnings: string[] | null = null;
  const persona = snapshot.persona ?? null;
  let plan = compiled.defaultPlan;
  if (persona !== null) {
    const found = compiled.plans.get(persona);
    if (found) plan = found;
    else warnings = [`persona "${persona}" is not in journey "${compiled.key}"; using every stage`];
  }
  const facts = snapshot.facts ?? NO_FACTS;
  const recordedMilestones = snapshot.milestones;

  // Milestones: a recorded date is kept (the first date it held); otherwise it is achieved today
  // when its criteria hold now.
  const all = compiled.milestones;
  const achievedDays = compiled.scratch;
  // Recorded dates first, walking the snapshot's own keys (fewer than the journey's milestones, and
  // cheaper than probing the record for every milestone key).
  achievedDays.fill(Number.NaN);
  if (recordedMilestones !== undefined) {
    for (const key in recordedMilestones) {
      const index = compiled.milestoneIndex.get(key);
      if (index !== undefined) achievedDays[index] = parseUtcDay(recordedMilestones[key]);
    }
  }
  // A copy of the template already has every milestone key in journey order, so the stores below
  // overwrite properties of one shared shape instead of growing a new object key by key.
  const milestoneStates = { ...compiled.milestoneTemplate } as Record<string, MilestoneState>;
  let lastAchievedDay = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < all.length; index++) {
    const milestone = all[index]!;
    const recordedDay = achievedDays[index]!;
    const hasRecord = !Number.isNaN(recordedDay);
    if (!plan.applicable[index]) {
      achievedDays[index] = Number.NaN;
      milestoneStates[milestone.key] = {
        status: 'not-applicable',
        achievedAt: hasRecord ? formatUtcDay(recordedDay) : null,
        recorded: hasRecord,
      };
      continue;
    }
    let day = Number.NaN;
    if (hasRecord) day = Math.min(recordedDay, nowDay);
    else if (milestone.test?.(facts)) day = nowDay;
    achievedDays[index] = day;
    if (Number.isNaN(day)) {
      milestoneStates[milestone.key] = { status: 'pending', achievedAt: null, recorded: false };
    } else {
      if (day > lastAchievedDay) lastAchievedDay = day;
      milestoneStates[milestone.key] = {
        status: 'achieved',
        achievedAt: formatUtcDay(day),
        recorded: hasRecord,
      };
    }
  }

  // Derived stage: the first stage on the path whose applicable exit milestones are not all achieved.
  const path = plan.path;
  let derivedPosition = path.length - 1;
  for (let position = 0; position < path.length; position++) {
    const exits = plan.exitWhen[position]!;
    let done = true;
    for (const milestone of exits) {
      if (Number.isNaN(achievedDays[milestone.index]!)) {
        done = false;
        break;
      }
    }
    if (!done) {
      derivedPosition = position;
      break;
    }
  }

  const crmStageKey = snapshot.stage ?? null;
  const crmIndex = crmStageKey === null ? undefined : compiled.stageIndex.get(crmStageKey);
  if (crmStageKey !== null && crmIndex === undefined) {
    const message = `stage "${crmStageKey}" is not in journey "${compiled.key}" version ${compiled.version}; using the derived stage`;
    if (warnings === null) warnings = [message];
    else warnings.push(message);
  }
  const crmPosition = crmIndex === undefined ? -1 : plan.positionOf[crmIndex]!;
  let stage: CompiledStage = path[derivedPosition] ?? compiled.stages[0]!;
  let position = derivedPosition;
  let stageSource: JourneyState['stageSource'] = 'derived';
  if (crmIndex !== undefined) {
    if (compiled.policy === 'manual') {
      stage = compiled.stages[crmIndex]!;
      position = crmPosition;
      stageSource = 'crm';
    } else if (compiled.policy === 'hybrid' && crmPosition >= derivedPosition) {
      // Manual moves forward are allowed; the derived stage is the floor.
      stage = compiled.stages[crmIndex]!;
      position = crmPosition;
      stageSource = 'crm';
    }
  }

  // When did the customer enter the current stage?
  const cycleStartDay = snapshot.cycleStart ? parseUtcDay(snapshot.cycleStart) : Number.NaN;
  let enteredDay = entryDay(snapshot, crmStageKey, cycleStartDay, plan, achievedDays, stage, position);
  if (Number.isNaN(enteredDay)) {
    const first = snapshot.history?.[0];
    enteredDay = first ? parseUtcDay(first.enteredAt) : cycleStartDay;
    if (Number.isNaN(enteredDay)) enteredDay = nowDay;
  }
  const daysInStage = nowDay > enteredDay ? nowDay - enteredDay : 0;

  // Stage done / complete.
  let stageDone = true;
  if (position >= 0) {
    for (const milestone of plan.exitWhen[position]!) {
      if (Number.isNaN(achievedDays[milestone.index]!)) {
        stageDone = false;
        break;
      }
    }
  }
  const complete = stageDone && position === path.length - 1;

  // SLA.
  const progressDay = Math.max(lastAchievedDay, enteredDay);
  const daysSinceProgress = nowDay > progressDay ? nowDay - progressDay : 0;
  const expectedDays = stage.expectedDays;
  let sla: SlaStatus = 'on-track';
  if (expectedDays !== null && !complete) {
    if (daysSinceProgress > compiled.stuckAfter * expectedDays) sla = 'stuck';
    else if (daysInStage > expectedDays) sla = 'behind';
  }

  // Next milestone: the current stage's pending milestones (exit first), then later stages'.
  let next: CompiledMilestone | undefined;
  const searchFrom = Math.max(position, 0);
  if (position < 0) {
    for (const milestone of stage.milestones) {
      if (plan.applicable[milestone.index] && Number.isNaN(achievedDays[milestone.index]!)) {
        next = milestone;
        break;
      }
    }
  }
  for (let candidate = searchFrom; next === undefined && candidate < path.length; candidate++) {
    for (const milestone of plan.nextOrder[candidate]!) {
      if (Number.isNaN(achievedDays[milestone.index]!)) {
        next = milestone;
        break;
      }
    }
  }
  let nextMilestone: NextMilestone | null = null;
  const unmet: CriterionProgress[] = [];
  if (next) {
    const progress = next.progress ? next.progress(facts) : [];
    for (const leaf of progress) if (!leaf.met) unmet.push(leaf);
    // Concatenated rather than mapped and joined: no intermediate array, no flattened copy.
    let detail = 'record it when it happens';
    if (next.progress) {
      const shown = unmet.length > 0 ? unmet : progress;
      detail = '';
      for (let index = 0; index < shown.length; index++) {
        detail = index === 0 ? shown[index]!.text : `${detail}; ${shown[index]!.text}`;
      }
    }
    nextMilestone = {
      key: next.key,
      name: next.name,
      stage: next.stageKey,
      criteria: next.criteria ?? null,
      criteriaText: next.criteriaText,
      progress,
      text: `${next.name} — ${detail}`,
    };
  }

  // Pending handoff: the stage the record is in (the CRM's, when derivation moved past it) is done.
  let handoff: PendingHandoff | null = null;
  let handoffStage: CompiledStage | undefined = stage;
  let handoffPosition = position;
  if (stageSource === 'derived' && crmIndex !== undefined && crmPosition >= 0 && crmPosition < position) {
    handoffStage = compiled.stages[crmIndex];
    handoffPosition = crmPosition;
  }
  if (handoffStage?.handoff) {
    const done =
      handoffStage === stage ? stageDone : !Number.isNaN(completionDay(plan, achievedDays, handoffPosition));
    if (done) {
      handoff = {
        stage: handoffStage.key,
        from: handoffStage.owner,
        to: handoffStage.handoff.to,
        toName: handoffStage.handoff.toName,
        artifacts: [...handoffStage.handoff.artifacts],
        toStage: path[handoffPosition + 1]?.key ?? null,
      };
    }
  }

  // SuccessCycles and their tasks. The overdue count and the earliest open or overdue task are
  // gathered in the same pass (the earliest wins ties, as `due` strings compare like dates).
  const cycles: AppliedCycle[] = [];
  const tasks: TaskState[] = [];
  let overdueTasks = 0;
  let earliestTask: TaskState | undefined;
  const segment = snapshot.segment ?? null;
  if (plan.cycles.length > 0 && options?.tasks !== false) {
    const hasHistory = (snapshot.history?.length ?? 0) > 0;
    const taskStatuses = snapshot.tasks;
    // A snapshot uses one key form. Until a lookup hits, both forms are probed; after the first hit
    // only that form is (the full key is built per record, so probing it costs a hash each time).
    let keyForm: 'unknown' | 'short' | 'full' = 'unknown';
    let contractStartDay = cycleStartDay;
    if (Number.isNaN(contractStartDay)) {
      const first = snapshot.history?.[0];
      contractStartDay = first ? parseUtcDay(first.enteredAt) : enteredDay;
      if (Number.isNaN(contractStartDay)) contractStartDay = enteredDay;
    }
    const year = contractYear(contractStartDay, nowDay);
    const yearStart = contractYearStart(contractStartDay, year);
    // Without a full key in the map, only the short keys can hit: read them all in one pass.
    const statusTable = compiled.taskStatusTable;
    const tableRead =
      taskStatuses !== undefined && readTaskStatuses(compiled, taskStatuses, plan.cycles, year);
    for (const cycle of plan.cycles) {
      if (cycle.segments !== null && (segment === null || !cycle.segments.has(segment))) continue;
      if (cycle.basis === 'yearly' && cycle.year !== undefined && cycle.year !== year) continue;
      const yearly = cycle.basis === 'yearly';
      cycles.push({ key: cycle.key, name: cycle.name, basis: cycle.basis, year: yearly ? year : null });
      const prefix = yearly
        ? `${cycle.keyPrefix}y${year}:${snapshot.id}:`
        : `${cycle.keyPrefix}${snapshot.id}:`;
      const yearLayout = yearly ? yearlyStatusKeys(compiled, cycle, year) : undefined;
      const statusKeysByStage = yearLayout ? yearLayout.keys : cycle.statusKeysByStage;
      const statusSlotsByStage = yearLayout ? yearLayout.slots : cycle.statusSlotsByStage;
      // The current stage, then earlier stages on the path that the record entered.
      const last = position >= 0 ? position : -1;
      for (let candidate = last >= 0 ? 0 : -1; candidate <= last; candidate++) {
        const candidateStage = candidate === -1 || candidate === last ? stage : path[candidate]!;
        if (candidate !== last && candidate !== -1) {
          // An earlier stage counts as entered when history shows it or, without history, when
          // the record is past it; with history, a stage only derivation passed also counts.
          const entered = !hasHistory || inHistory(snapshot, candidateStage.key) || candidate > crmPosition;
          if (!entered) continue;
        }
        const stageTasks = cycle.tasksByStage[candidateStage.index]!;
        if (stageTasks.length === 0) continue;
        if (cycle.basis === 'role' && candidateStage.owner !== cycle.role) continue;
        let anchor =
          candidateStage === stage
            ? enteredDay
            : entryDay(snapshot, crmStageKey, cycleStartDay, plan, achievedDays, candidateStage, candidate);
        if (Number.isNaN(anchor)) anchor = enteredDay;
        if (yearly && cycle.year === undefined && year > 1) {
          // A yearly cycle restarts each contract year: stages entered before this year belong to
          // last year's cycle, and the stage the record is still in restarts on the anniversary.
          if (anchor < yearStart) {
            if (candidateStage !== stage) continue;
            anchor = yearStart;
          }
        }
        const statusKeys = statusKeysByStage[candidateStage.index]!;
        const statusSlots = statusSlotsByStage[candidateStage.index]!;
        for (let taskIndex = 0; taskIndex < stageTasks.length; taskIndex++) {
          const task = stageTasks[taskIndex]!;
          const key = prefix + task.key;
          const dueDay = anchor + task.dueDays;
          // The short key (`cycle:task`) is a shared string whose hash is cached; the full key is
          // built per record, so it is only probed when the snapshot uses full keys.
          let recorded: 'open' | 'done' | undefined;
          if (tableRead) {
            const slot = statusSlots[taskIndex]!;
            if (statusTable.stamps[slot] === statusTable.stamp)
              recorded = statusTable.values[slot] as 'open' | 'done' | undefined;
          } else if (taskStatuses !== undefined) {
            if (keyForm !== 'full') {
              recorded = taskStatuses[statusKeys[taskIndex]!];
              if (recorded !== undefined) keyForm = 'short';
            }
            if (recorded === undefined && keyForm !== 'short') {
              recorded = taskStatuses[key];
              if (recorded !== undefined) keyForm = 'full';
            }
          }
          const status: TaskStatus = recorded === 'done' ? 'done' : dueDay < nowDay ? 'overdue' : 'open';
          const taskState: TaskState = {
            key,
            cycle: cycle.key,
            activity: task.activity,
            task: task.key,
            stage: candidateStage.key,
            subject: task.subject,
            owner: task.owner,
            type: task.type ?? null,
            priority: task.priority ?? null,
            due: formatUtcDay(dueDay),
            status,
          };
          tasks.push(taskState);
          if (status !== 'done') {
            if (status === 'overdue') overdueTasks++;
            if (earliestTask === undefined || taskState.due < earliestTask.due) earliestTask = taskState;
          }
        }
      }
    }
  }

  // What's next.
  let kind: NextStep['kind'];
  let whatsNext: string;
  if (handoff) {
    kind = 'handoff';
    whatsNext = `Hand off to ${handoff.toName}${handoff.artifacts.length > 0 ? ` with ${handoff.artifacts.join(', ')}` : ''}`;
  } else if (nextMilestone) {
    kind = 'milestone';
    whatsNext = nextMilestone.text;
  } else {
    kind = 'complete';
    whatsNext = complete ? 'Journey complete' : `${stage.name}: no milestone left to reach`;
  }
  if (overdueTasks > 0) whatsNext += ` · ${overdueTasks} task${overdueTasks === 1 ? '' : 's'} overdue`;
  else if (sla !== 'on-track') whatsNext += ` · ${sla}`;

  return {
    id: snapshot.id,
    journey: compiled.key,
    journeyVersion: compiled.version,
    persona,
    segment,
    stage: stage.key,
    stageName: stage.name,
    stageSource,
    crmStage: crmStageKey,
    stageChanged: crmStageKey !== stage.key,
    stageEnteredAt: formatUtcDay(enteredDay),
    daysInStage,
    expectedDays,
    sla,
    daysSinceProgress,
    stageDone,
    complete,
    milestones: milestoneStates,
    nextMilestone,
    owner: stage.owner,
    ownerName: stage.ownerName,
    handoff,
    cycles,
    tasks,
    whatsNext,
    next: {
      kind,
      stage: stage.key,
      milestone: nextMilestone?.key ?? null,
      unmet,
      handoffTo: handoff?.to ?? null,
      overdueTasks,
      nextTask: earliestTask
        ? {
            key: earliestTask.key,
            subject: earliestTask.subject,
            due: earliestTask.due,
            status: earliestTask.status,
          }
        : null,
    },
    warnings: warnings ?? [],
  };
}

/** The JSON form of a state, the contract `milepost evaluate --json` prints (one per line). */
export interface JourneyStateJson {
  id: string;
  journey: string;
  journeyVersion: number;
  persona: string | null;
  segment: string | null;
  stage: string;
  stageName: string;
  stageSource: 'derived' | 'crm';
  crmStage: string | null;
  stageChanged: boolean;
  stageEnteredAt: string;
  daysInStage: number;
  expectedDays: number | null;
  sla: SlaStatus;
  daysSinceProgress: number;
  complete: boolean;
  milestones: Record<string, { status: MilestoneStatus; achievedAt: string | null }>;
  nextMilestone: {
    key: string;
    name: string;
    stage: string;
    criteria: string | null;
    progress: string;
  } | null;
  owner: string | null;
  handoff: PendingHandoff | null;
  cycles: AppliedCycle[];
  tasks: Array<{
    key: string;
    subject: string;
    due: string;
    status: TaskStatus;
    cycle: string;
    stage: string;
    owner: string;
  }>;
  whatsNext: string;
  next: {
    kind: NextStep['kind'];
    stage: string;
    milestone: string | null;
    unmet: Array<{ fact: string; current: string | number | boolean | null; text: string }>;
    handoffTo: string | null;
    overdueTasks: number;
    nextTask: NextStep['nextTask'];
  };
  warnings?: string[];
}

/** A state as plain JSON data with a stable field order (for `--json` output and files). */
export function stateToJson(state: JourneyState): JourneyStateJson {
  const milestones: JourneyStateJson['milestones'] = {};
  for (const [key, milestone] of Object.entries(state.milestones)) {
    milestones[key] = { status: milestone.status, achievedAt: milestone.achievedAt };
  }
  const next = state.nextMilestone;
  const json: JourneyStateJson = {
    id: state.id,
    journey: state.journey,
    journeyVersion: state.journeyVersion,
    persona: state.persona,
    segment: state.segment,
    stage: state.stage,
    stageName: state.stageName,
    stageSource: state.stageSource,
    crmStage: state.crmStage,
    stageChanged: state.stageChanged,
    stageEnteredAt: state.stageEnteredAt,
    daysInStage: state.daysInStage,
    expectedDays: state.expectedDays,
    sla: state.sla,
    daysSinceProgress: state.daysSinceProgress,
    complete: state.complete,
    milestones,
    nextMilestone: next
      ? {
          key: next.key,
          name: next.name,
          stage: next.stage,
          criteria: next.criteriaText,
          progress: next.text.slice(next.name.length + 3),
        }
      : null,
    owner: state.owner,
    handoff: state.handoff ? { ...state.handoff, artifacts: [...state.handoff.artifacts] } : null,
    cycles: state.cycles.map((cycle) => ({ ...cycle })),
    tasks: state.tasks.map((task) => ({
      key: task.key,
      subject: task.subject,
      due: task.due,
      status: task.status,
      cycle: task.cycle,
      stage: task.stage,
      owner: task.owner,
    })),
    whatsNext: state.whatsNext,
    next: {
      kind: state.next.kind,
      stage: state.next.stage,
      milestone: state.next.milestone,
      unmet: state.next.unmet.map((leaf) => ({ fact: leaf.fact, current: leaf.current, text: leaf.text })),
      handoffTo: state.next.handoffTo,
      overdueTasks: state.next.overdueTasks,
      nextTask: state.next.nextTask ? { ...state.next.nextTask } : null,
    },
  };
  if (state.warnings.length > 0) json.warnings = [...state.warnings];
  return json;
}

/** Compiles the journey and evaluates one snapshot (convenience; compile once for many records). */
export function evaluateRecord(
  journey: Journey,
  snapshot: RecordSnapshot,
  now: Date | string | number,
): JourneyState {
  return evaluate(compileJourney(journey), snapshot, now);
}
