/**
 * Deterministic sample records for demos, tests and benchmarks. A seeded PRNG (never Math.random)
 * walks each customer along its persona's path with realistic stays (around the time frame, some
 * far beyond it), a few skipped stages and backward moves, churn, and fact values consistent with
 * the stage reached: the milestones of stages already left hold, those of the current stage hold
 * only sometimes. Records are yielded one at a time so millions never sit in memory as JSON.
 */
import { criteriaLeaves } from './criteria.js';
import { type CompiledJourney, compileJourney, evaluate } from './engine.js';
import { formatUtcDay, parseUtcDay, toUtcDay } from './engine-dates.js';
import type { Criteria, Fact, FactCriterion, Journey } from './journey-schema.js';
import type { RecordSnapshot, StageHistoryEntry } from './snapshot.js';

/** A seeded pseudo-random source. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  integer(min: number, max: number): number;
  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** True with probability `probability`. */
  chance(probability: number): boolean;
  /** A standard normal deviate. */
  normal(): number;
}

/** A seeded PRNG (mulberry32): the same seed always gives the same sequence. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (probability) => next() < probability,
    normal: () => {
      // Box–Muller; 1 - next() keeps the logarithm finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return radius * Math.cos(2 * Math.PI * next());
    },
  };
}

/** Options of {@link generateSampleRecords}. */
export interface SampleRecordOptions {
  /** How many records to make. */
  count: number;
  /** The PRNG seed (default 1). */
  seed?: number;
  /** "Today" for the generated histories (default 2026-06-30, fixed so output is reproducible). */
  now?: Date | string;
  /** Prefix of record ids (default `cust-`). */
  idPrefix?: string;
  /** Share of customers that churn (default 0.08). */
  churnRate?: number;
}

const DEFAULT_SEGMENTS = ['smb', 'mid-market', 'enterprise'];
const DEFAULT_NOW = '2026-06-30';

interface SampleContext {
  compiled: CompiledJourney;
  facts: Map<string, Fact>;
  segments: readonly string[];
  personas: readonly string[];
  churnFact: string | undefined;
  valueFact: string | undefined;
  /** Status keys by text, so every record shares one string per key. */
  statusKeys: Map<string, string>;
}

/** Another value of the fact's type that differs from `value` (undefined when there is none). */
function otherValue(fact: Fact | undefined, value: unknown, random: Random): unknown {
  if (fact?.type === 'enum' && fact.values) {
    const others = fact.values.filter((candidate) => candidate !== value);
    return others.length > 0 ? random.pick(others) : undefined;
  }
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + random.integer(1, 10);
  if (fact?.type === 'date' && typeof value === 'string') {
    return formatUtcDay(parseUtcDay(value) - random.integer(1, 60));
  }
  return `${String(value)}-other`;
}

function shiftedValue(
  fact: Fact | undefined,
  value: unknown,
  low: number,
  high: number,
  random: Random,
): unknown {
  if (fact?.type === 'date' && typeof value === 'string') {
    return formatUtcDay(parseUtcDay(value) + random.integer(low, high));
  }
  if (typeof value === 'number') {
    const shifted = value + random.integer(low, high);
    return value >= 0 && shifted < 0 ? 0 : shifted;
  }
  return value;
}

function freshValue(fact: Fact | undefined, position: number, nowDay: number, random: Random): unknown {
  switch (fact?.type) {
    case 'number':
      return random.integer(0, 3 + 6 * (position + 1));
    case 'currency':
      return random.integer(20, 2000) * 100;
    case 'date':
      return formatUtcDay(nowDay - random.integer(0, 120));
    case 'boolean':
      return random.chance(0.5);
    case 'enum':
      return fact.values ? random.pick(fact.values) : undefined;
    case 'string':
      return `value-${random.integer(1, 99)}`;
    default:
      return random.integer(0, 10);
  }
}

const NEGATED: Record<FactCriterion['op'], FactCriterion['op']> = {
  eq: 'neq',
  neq: 'eq',
  gt: 'lte',
  gte: 'lt',
  lt: 'gte',
  lte: 'gt',
  in: 'notIn',
  notIn: 'in',
  isSet: 'isNotSet',
  isNotSet: 'isSet',
};

/** Sets facts so one leaf holds (best effort; a later leaf on the same fact may undo it). */
function satisfyLeaf(
  leaf: FactCriterion,
  wanted: boolean,
  values: Record<string, unknown>,
  context: { facts: Map<string, Fact>; random: Random; nowDay: number; position: number },
): void {
  const op = wanted ? leaf.op : NEGATED[leaf.op];
  const fact = context.facts.get(leaf.fact);
  const { random } = context;
  const value = leaf.value;
  switch (op) {
    case 'isSet':
      values[leaf.fact] = freshValue(fact, context.position, context.nowDay, random);
      return;
    case 'isNotSet':
      delete values[leaf.fact];
      return;
    case 'eq':
      values[leaf.fact] = value;
      return;
    case 'neq': {
      const other = otherValue(fact, value, random);
      if (other === undefined) delete values[leaf.fact];
      else values[leaf.fact] = other;
      return;
    }
    case 'in':
      if (Array.isArray(value) && value.length > 0) values[leaf.fact] = random.pick(value);
      return;
    case 'notIn': {
      const list = Array.isArray(value) ? value : [];
      const others = fact?.values?.filter((candidate) => !list.includes(candidate)) ?? [];
      if (others.length > 0) values[leaf.fact] = random.pick(others);
      else delete values[leaf.fact];
      return;
    }
    case 'gt':
      values[leaf.fact] = shiftedValue(fact, value, 1, 25, random);
      return;
    case 'gte':
      values[leaf.fact] = shiftedValue(fact, value, 0, 25, random);
      return;
    case 'lt':
      values[leaf.fact] = shiftedValue(fact, value, -4, -1, random);
      return;
    case 'lte':
      values[leaf.fact] = shiftedValue(fact, value, -4, 0, random);
      return;
  }
}

function satisfy(
  criteria: Criteria,
  wanted: boolean,
  values: Record<string, unknown>,
  context: { facts: Map<string, Fact>; random: Random; nowDay: number; position: number },
): void {
  if ('all' in criteria) {
    if (wanted) for (const child of criteria.all) satisfy(child, true, values, context);
    else satisfy(context.random.pick(criteria.all), false, values, context);
  } else if ('any' in criteria) {
    if (wanted) satisfy(context.random.pick(criteria.any), true, values, context);
    else for (const child of criteria.any) satisfy(child, false, values, context);
  } else if ('not' in criteria) satisfy(criteria.not, !wanted, values, context);
  else satisfyLeaf(criteria, wanted, values, context);
}

function prepare(journey: Journey): SampleContext {
  const compiled = compileJourney(journey);
  const declared = new Set<string>();
  for (const cycle of journey.successCycles ?? []) {
    for (const segment of cycle.appliesTo?.segments ?? []) declared.add(segment);
  }
  const facts = new Map(journey.facts.map((fact) => [fact.key, fact]));
  const booleanChurn = journey.facts.find((fact) => fact.type === 'boolean' && fact.key.includes('churn'));
  const currency = journey.facts.find((fact) => fact.type === 'currency');
  return {
    compiled,
    facts,
    segments:
      declared.size > 0
        ? [...declared, ...DEFAULT_SEGMENTS.filter((item) => !declared.has(item))]
        : DEFAULT_SEGMENTS,
    personas: journey.personas.map((persona) => persona.key),
    churnFact: journey.analytics?.churnFact ?? booleanChurn?.key,
    valueFact: journey.analytics?.valueFact ?? currency?.key,
    statusKeys: new Map(),
  };
}

function internedStatusKey(
  generator: SampleContext,
  cycle: string,
  year: string | undefined,
  task: string,
): string {
  const key = year === undefined ? `${cycle}:${task}` : `${cycle}:y${year}:${task}`;
  let interned = generator.statusKeys.get(key);
  if (interned === undefined) {
    interned = key;
    generator.statusKeys.set(key, key);
  }
  return interned;
}

function makeRecord(
  generator: SampleContext,
  random: Random,
  id: string,
  nowDay: number,
  churnRate: number,
): RecordSnapshot {
  const { compiled } = generator;
  const persona = generator.personas.length > 0 ? random.pick(generator.personas) : undefined;
  const plan = (persona && compiled.plans.get(persona)) || compiled.defaultPlan;
  const path = plan.path;
  const segment = random.pick(generator.segments);
  const startDay = nowDay - random.integer(5, 900);
  // A tenth of customers are slow everywhere: they end up behind or stuck.
  const slow = random.chance(0.1);
  const churns = random.chance(churnRate);

  const history: StageHistoryEntry[] = [];
  const milestoneDays = new Map<string, number>();
  let position = 0;
  let day = startDay;
  let movedBack = false;
  let churned = false;
  const maxSteps = path.length * 2 + 2;
  for (let step = 0; step < maxSteps; step++) {
    const stage = path[position]!;
    history.push({ stage: stage.key, enteredAt: formatUtcDay(day) });
    const expected = stage.expectedDays ?? 45;
    const factor = Math.exp(random.normal() * 0.45) * (slow ? 2.6 : 0.85);
    const stay = Math.max(1, Math.round(expected * factor));
    const last = position >= path.length - 1;
    if (day + stay >= nowDay) break;
    // The last stage is kept, except for the few customers who go back a stage (re-onboarding).
    if (last && (movedBack || position === 0 || !random.chance(0.04))) break;
    // Leaving forward: this stage's milestones were reached during the stay.
    for (const milestone of plan.nextOrder[position]!) {
      milestoneDays.set(milestone.key, day + random.integer(0, stay));
    }
    if (churns && random.chance(0.45)) {
      churned = true;
      break;
    }
    day += stay;
    if (last || (!movedBack && position > 0 && random.chance(0.04))) {
      movedBack = true;
      position -= 1;
    } else if (position + 2 < path.length && random.chance(0.05)) {
      // A skipped stage's milestones were met in passing, so criteria agree with the jump.
      for (const milestone of plan.nextOrder[position + 1]!) milestoneDays.set(milestone.key, day);
      position += 2;
    } else position += 1;
  }
  if (churns) churned = true;
  const current = path[position]!;
  const enteredDay = day;
  const daysIn = nowDay - enteredDay;
  const expected = current.expectedDays ?? 45;
  // Milestones of the current stage: more likely the longer the customer has been in it, never for
  // stuck customers. Milestones of later stages (after a backward move) are kept as they were.
  const share = slow ? 0 : Math.min(0.85, (daysIn / expected) * 0.7);
  for (const milestone of plan.nextOrder[position]!) {
    milestoneDays.delete(milestone.key);
    if (random.chance(share))
      milestoneDays.set(milestone.key, enteredDay + random.integer(0, Math.max(0, daysIn)));
  }

  // Facts: a baseline that grows with the stage, then made consistent with every milestone.
  const facts: Record<string, unknown> = {};
  for (const fact of generator.facts.values()) {
    if (random.chance(0.85)) facts[fact.key] = freshValue(fact, position, nowDay, random);
  }
  const context = { facts: generator.facts, random, nowDay, position };
  const pending: Criteria[] = [];
  const achieved: Criteria[] = [];
  for (const milestone of compiled.milestones) {
    if (!milestone.criteria || !plan.applicable[milestone.index]) continue;
    (milestoneDays.has(milestone.key) ? achieved : pending).push(milestone.criteria);
  }
  for (const criteria of pending) satisfy(criteria, false, facts, context);
  for (const criteria of achieved) satisfy(criteria, true, facts, context);
  // Date facts that criteria set (a kick-off date) fall on the day the milestone was reached.
  for (const milestone of compiled.milestones) {
    const reached = milestoneDays.get(milestone.key);
    if (reached === undefined || !milestone.criteria) continue;
    for (const leaf of criteriaLeaves(milestone.criteria)) {
      if (leaf.op === 'isSet' && generator.facts.get(leaf.fact)?.type === 'date')
        facts[leaf.fact] = formatUtcDay(reached);
    }
  }
  if (generator.churnFact) facts[generator.churnFact] = churned;
  if (generator.valueFact) {
    const scale = segment === 'enterprise' ? 40 : segment === 'mid-market' ? 12 : 3;
    facts[generator.valueFact] = random.integer(10, 100) * 100 * scale;
  }

  const milestones: Record<string, string> = {};
  const manual = new Set(
    compiled.milestones.filter((milestone) => milestone.test === null).map((milestone) => milestone.key),
  );
  for (const [key, reachedDay] of milestoneDays) {
    // Most achievements were recorded by an earlier sync; a few are seen for the first time now.
    // Manual milestones exist only as a recorded date.
    if (manual.has(key) || random.chance(0.92)) milestones[key] = formatUtcDay(Math.min(reachedDay, nowDay));
  }
  const record: RecordSnapshot = {
    id,
    ...(persona ? { persona } : {}),
    segment,
    facts: facts as RecordSnapshot['facts'],
    stage: current.key,
    stageEnteredAt: formatUtcDay(enteredDay),
    history,
    milestones,
    cycleStart: formatUtcDay(startDay),
    journeyVersion: compiled.version,
  };
  if (compiled.cycles.length > 0) {
    // Statuses use the short task key (`cycle:task`), one shared string for all records, and only
    // done tasks are listed (absent means open): 1,000,000 records stay small in memory.
    const tasks: Record<string, 'open' | 'done'> = {};
    for (const task of evaluate(compiled, record, nowDay * 86_400_000).tasks) {
      const dueDay = parseUtcDay(task.due);
      if (dueDay < nowDay && random.chance(slow ? 0.3 : 0.85)) {
        const year = task.key.slice(compiled.key.length + task.cycle.length + 2).match(/^y(\d+):/)?.[1];
        tasks[internedStatusKey(generator, task.cycle, year, task.task)] = 'done';
      }
    }
    record.tasks = tasks;
  }
  return record;
}

/**
 * Yields `count` realistic, deterministic snapshots for a journey: the same journey, seed and `now`
 * always give the same records. A generator, so 1,000,000 records can be streamed to a file.
 */
export function* generateSampleRecords(
  journey: Journey,
  options: SampleRecordOptions,
): Generator<RecordSnapshot, void, undefined> {
  const generator = prepare(journey);
  const random = createRandom(options.seed ?? 1);
  const nowDay = toUtcDay(options.now ?? DEFAULT_NOW);
  const prefix = options.idPrefix ?? 'cust-';
  const width = Math.max(6, String(options.count).length);
  const churnRate = options.churnRate ?? 0.08;
  for (let index = 1; index <= options.count; index++) {
    yield makeRecord(generator, random, `${prefix}${String(index).padStart(width, '0')}`, nowDay, churnRate);
  }
}
