/**
 * Criteria compiled once into fast predicates. The structured AST stays beside the predicate so
 * adapters can translate the same criteria into HubSpot filters and Salesforce flow filters.
 *
 * Semantics, shared by every consumer:
 * - A fact that is missing (absent, `null` or the empty string) makes every leaf false except
 *   `isNotSet`, which is true. Evaluation never throws.
 * - Date facts compare in whole UTC days: `2026-01-31T23:59:00Z` equals `2026-01-31`.
 * - Values are read with the fact's declared type, so a CSV cell `"5"` is the number 5 for a number
 *   fact and `"true"` is true for a boolean fact; an unusable value makes the leaf false.
 */
import { formatUtcDay, parseUtcDay } from './engine-dates.js';
import { describeCriteria, factLabel } from './journey-render.js';
import type { Criteria, CriterionValue, Fact, FactCriterion, FactType, Journey } from './journey-schema.js';

/** The fact values of one record, by fact key. */
export type FactValues = Readonly<Record<string, unknown>>;

/** A predicate over fact values. */
export type FactPredicate = (facts: FactValues) => boolean;

/** Criteria compiled for evaluation, with the source AST kept for adapters. */
export interface CompiledCriteria {
  /** The criteria as written in the journey (never modified). */
  readonly ast: Criteria;
  /** True when the facts meet the criteria. */
  readonly test: FactPredicate;
  /** The keys of every fact the criteria read, in first-use order. */
  readonly facts: readonly string[];
}

/** How one leaf stands for a record: what the fact holds and whether the leaf is met. */
export interface CriterionProgress {
  fact: string;
  /** The label people know the fact by. */
  label: string;
  op: FactCriterion['op'];
  /** The value the criterion compares with. */
  target: CriterionValue | undefined;
  /** The record's current value (dates as `YYYY-MM-DD`), or null when missing. */
  current: string | number | boolean | null;
  met: boolean;
  /** `Active users 3 of 5 now`, `Kick-off date not set yet`, `Plan is trial now (needs: not trial)`. */
  text: string;
}

type Normalizer = (value: unknown) => unknown;

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1 || value === '1') return true;
  if (value === 'false' || value === 0 || value === '0') return false;
  return undefined;
}

/** Turns a raw fact value into the comparable form of its type; `undefined` means unusable. */
function normalizerFor(type: FactType | undefined): Normalizer {
  switch (type) {
    case 'number':
    case 'currency':
      return (value) => {
        const number = toNumber(value);
        return Number.isNaN(number) ? undefined : number;
      };
    case 'date':
      return (value) => {
        const day = parseUtcDay(value);
        return Number.isNaN(day) ? undefined : day;
      };
    case 'boolean':
      return toBoolean;
    case 'enum':
    case 'string':
      return (value) =>
        typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    default:
      // A fact the journey does not declare: compare as the value's own type.
      return (value) => value;
  }
}

/** A predicate over one fact's raw value (as read from the record, possibly missing). */
type ValuePredicate = (raw: unknown) => boolean;

/** One leaf as a predicate over its fact's raw value, so callers read the fact only once. */
function compileLeafValue(leaf: FactCriterion, type: FactType | undefined): ValuePredicate {
  if (leaf.op === 'isSet') return (raw) => !isMissing(raw);
  if (leaf.op === 'isNotSet') return isMissing;
  const normalize = normalizerFor(type);
  if (leaf.op === 'in' || leaf.op === 'notIn') {
    const list = Array.isArray(leaf.value) ? leaf.value : leaf.value === undefined ? [] : [leaf.value];
    const members = new Set(list.map((item) => normalize(item)));
    const wanted = leaf.op === 'in';
    return (raw) => {
      if (isMissing(raw)) return false;
      const value = normalize(raw);
      return value !== undefined && members.has(value) === wanted;
    };
  }
  const target = normalize(leaf.value);
  if (target === undefined) return () => false;
  const read = (raw: unknown): unknown => (isMissing(raw) ? undefined : normalize(raw));
  switch (leaf.op) {
    case 'eq':
      return (raw) => {
        const value = read(raw);
        return value !== undefined && value === target;
      };
    case 'neq':
      return (raw) => {
        const value = read(raw);
        return value !== undefined && value !== target;
      };
    case 'gt':
      return (raw) => {
        const value = read(raw);
        return value !== undefined && (value as number) > (target as number);
      };
    case 'gte':
      return (raw) => {
        const value = read(raw);
        return value !== undefined && (value as number) >= (target as number);
      };
    case 'lt':
      return (raw) => {
        const value = read(raw);
        return value !== undefined && (value as number) < (target as number);
      };
    case 'lte':
      return (raw) => {
        const value = read(raw);
        return value !== undefined && (value as number) <= (target as number);
      };
  }
}

function compileLeaf(leaf: FactCriterion, type: FactType | undefined): FactPredicate {
  const key = leaf.fact;
  const test = compileLeafValue(leaf, type);
  return (facts) => test(facts[key]);
}

function compileNode(
  criteria: Criteria,
  types: ReadonlyMap<string, FactType>,
  facts: Set<string>,
): FactPredicate {
  if ('all' in criteria) {
    const children = criteria.all.map((child) => compileNode(child, types, facts));
    if (children.length === 1) return children[0]!;
    if (children.length === 2) {
      const [first, second] = children as [FactPredicate, FactPredicate];
      return (values) => first(values) && second(values);
    }
    return (values) => {
      for (const child of children) if (!child(values)) return false;
      return true;
    };
  }
  if ('any' in criteria) {
    const children = criteria.any.map((child) => compileNode(child, types, facts));
    if (children.length === 1) return children[0]!;
    return (values) => {
      for (const child of children) if (child(values)) return true;
      return false;
    };
  }
  if ('not' in criteria) {
    const inner = compileNode(criteria.not, types, facts);
    return (values) => !inner(values);
  }
  facts.add(criteria.fact);
  return compileLeaf(criteria, types.get(criteria.fact));
}

/** The declared type of each fact, by key. */
export function factTypes(facts: readonly Fact[] = []): Map<string, FactType> {
  return new Map(facts.map((fact) => [fact.key, fact.type]));
}

/**
 * Compiles criteria into a predicate. Pass the journey's facts so values are read with their
 * declared types (dates as UTC days, CSV text as numbers); undeclared facts compare as given.
 */
export function compileCriteria(criteria: Criteria, facts: readonly Fact[] = []): CompiledCriteria {
  const used = new Set<string>();
  const test = compileNode(criteria, factTypes(facts), used);
  return { ast: criteria, test, facts: [...used] };
}

/** Every leaf of a criteria tree, left to right. */
export function criteriaLeaves(criteria: Criteria): FactCriterion[] {
  if ('all' in criteria) return criteria.all.flatMap(criteriaLeaves);
  if ('any' in criteria) return criteria.any.flatMap(criteriaLeaves);
  if ('not' in criteria) return criteriaLeaves(criteria.not);
  return [criteria];
}

function displayValue(value: unknown, type: FactType | undefined): string | number | boolean | null {
  if (isMissing(value)) return null;
  if (type === 'date') {
    const day = parseUtcDay(value);
    return Number.isNaN(day) ? String(value) : formatUtcDay(day);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** Reads how each leaf of one criteria tree stands for a record; built once per milestone. */
export type ProgressReader = (facts: FactValues) => CriterionProgress[];

/**
 * Prepares {@link criteriaProgress} for one criteria tree, so the per-record work is only reading
 * values (the engine builds one reader per milestone when it compiles a journey).
 */
export function createProgressReader(criteria: Criteria, journey: Pick<Journey, 'facts'>): ProgressReader {
  const types = factTypes(journey.facts);
  // Everything but the record's value is worked out here: each sentence is a fixed head, the
  // value and a fixed tail, and the sentence for a missing value is fixed.
  const leaves = criteriaLeaves(criteria).map((leaf) => {
    const type = types.get(leaf.fact);
    const label = factLabel(journey, leaf.fact);
    const wanted = describeCriteria(leaf, journey).slice(label.length).trim();
    const counted =
      (leaf.op === 'gte' || leaf.op === 'gt') &&
      (type === 'number' || type === 'currency') &&
      typeof leaf.value === 'number';
    // Sentences start with the label; capitalise it once here rather than per record.
    const title = label.charAt(0).toUpperCase() + label.slice(1);
    let head: string;
    let tail: string;
    let missingText: string | null = null;
    if (leaf.op === 'isSet') {
      head = `${title} set (`;
      tail = ')';
      missingText = `${title} not set yet`;
    } else if (leaf.op === 'isNotSet') {
      head = `${title} is set (`;
      tail = ')';
      missingText = `${title} not set`;
    } else if (counted) {
      // A missing count reads as 0.
      head = `${title} `;
      tail = ` of ${leaf.op === 'gt' ? `more than ${leaf.value}` : `${leaf.value}`} now`;
    } else {
      head = `${title} is `;
      tail = ` now (needs: ${wanted})`;
      missingText = `${title} not set yet (needs: ${wanted})`;
    }
    return {
      fact: leaf.fact,
      label,
      op: leaf.op,
      target: leaf.value,
      type,
      head,
      tail,
      missingText,
      counted,
      test: compileLeafValue(leaf, type),
    };
  });
  return (facts) => {
    const progress: CriterionProgress[] = [];
    for (let index = 0; index < leaves.length; index++) {
      const leaf = leaves[index]!;
      const raw = facts[leaf.fact];
      const met = leaf.test(raw);
      const current = displayValue(raw, leaf.type);
      const text =
        current === null && leaf.missingText !== null
          ? leaf.missingText
          : `${leaf.head}${leaf.counted ? (current ?? 0) : current}${leaf.tail}`;
      progress.push({
        fact: leaf.fact,
        label: leaf.label,
        op: leaf.op,
        target: leaf.target,
        current,
        met,
        text,
      });
    }
    return progress;
  };
}

/**
 * How each leaf of the criteria stands for these facts, with a short sentence for people
 * ("Active users 3 of 5 now"). Leaves under `not` are reported as written (their `met` is the
 * leaf's own truth, not the negation).
 */
export function criteriaProgress(
  criteria: Criteria,
  facts: FactValues,
  journey: Pick<Journey, 'facts'>,
): CriterionProgress[] {
  return createProgressReader(criteria, journey)(facts);
}
