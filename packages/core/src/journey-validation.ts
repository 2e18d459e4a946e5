/**
 * Rules beyond the schema: unique keys, references that resolve, criteria values that fit their
 * facts, and the warnings the customer success literature would give about a map.
 */
import type { DiagnosticSeverity, DocumentPath } from './diagnostics.js';
import { knownValuesHint } from './diagnostics.js';
import type { Criteria, Fact, FactCriterion, Journey } from './journey-schema.js';
import { JOURNEY_OUTPUTS, type Mapping } from './mapping-schema.js';

/** A finding before it is placed in a file. */
export interface Finding {
  severity: DiagnosticSeverity;
  path: DocumentPath;
  message: string;
  /** Point at the key rather than its value (the key itself is what is wrong). */
  atKey?: boolean;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** True for an ISO 8601 date or date-time that names a real day. */
export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value));
}

function checkUnique(
  findings: Finding[],
  items: ReadonlyArray<{ key: string }> | undefined,
  basePath: DocumentPath,
  what: string,
  seen: Map<string, DocumentPath> = new Map(),
): void {
  items?.forEach((item, index) => {
    const path = [...basePath, index, 'key'];
    const first = seen.get(item.key);
    if (first) {
      findings.push({
        severity: 'error',
        path,
        message: `duplicate ${what} key "${item.key}": keys must be unique; rename one of them`,
      });
    } else {
      seen.set(item.key, path);
    }
  });
}

/** `unknown milestone "x" in stage "y" (known: …; did you mean …?)` from `what` = `milestone in stage "y"`. */
function unknownReferenceMessage(what: string, value: string, known: readonly string[]): string {
  const [noun, ...place] = what.split(' in ');
  const where = place.length ? ` in ${place.join(' in ')}` : '';
  return `unknown ${noun} "${value}"${where}${knownValuesHint(value, [...new Set(known)])}`;
}

function checkReference(
  findings: Finding[],
  value: string | undefined,
  known: readonly string[],
  path: DocumentPath,
  what: string,
  atKey = false,
): void {
  if (value === undefined || known.includes(value)) return;
  findings.push({
    severity: 'error',
    path,
    atKey,
    message: unknownReferenceMessage(what, value, known),
  });
}

const VALUELESS_OPERATORS = new Set(['isSet', 'isNotSet']);
const LIST_OPERATORS = new Set(['in', 'notIn']);
const ORDER_OPERATORS = new Set(['gt', 'gte', 'lt', 'lte']);

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function checkLeaf(
  findings: Finding[],
  leaf: FactCriterion,
  facts: Map<string, Fact>,
  path: DocumentPath,
): void {
  const fact = facts.get(leaf.fact);
  if (!fact) {
    checkReference(findings, leaf.fact, [...facts.keys()], [...path, 'fact'], 'fact');
    return;
  }
  const valuePath = [...path, 'value'];
  if (VALUELESS_OPERATORS.has(leaf.op)) {
    if (leaf.value !== undefined) {
      findings.push({
        severity: 'error',
        path: valuePath,
        message: `"${leaf.op}" takes no value; remove "value"`,
      });
    }
    return;
  }
  if (leaf.value === undefined) {
    findings.push({
      severity: 'error',
      path,
      message: `"${leaf.op}" needs a "value" to compare fact "${fact.key}" with`,
    });
    return;
  }
  if (LIST_OPERATORS.has(leaf.op) !== Array.isArray(leaf.value)) {
    findings.push({
      severity: 'error',
      path: valuePath,
      message: LIST_OPERATORS.has(leaf.op)
        ? `"${leaf.op}" compares with a list of values, e.g. [a, b]`
        : `"${leaf.op}" compares with one value; use "in" or "notIn" for a list`,
    });
    return;
  }
  if (
    ORDER_OPERATORS.has(leaf.op) &&
    (fact.type === 'boolean' || fact.type === 'enum' || fact.type === 'string')
  ) {
    findings.push({
      severity: 'error',
      path: [...path, 'op'],
      message: `"${leaf.op}" needs an ordered fact, but "${fact.key}" is ${fact.type}; use eq, neq, in or notIn`,
    });
    return;
  }
  const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
  values.forEach((value, index) => {
    const itemPath = Array.isArray(leaf.value) ? [...valuePath, index] : valuePath;
    const problem = valueProblem(fact, value);
    if (problem) findings.push({ severity: 'error', path: itemPath, message: problem });
  });
}

function valueProblem(fact: Fact, value: unknown): string | undefined {
  switch (fact.type) {
    case 'number':
    case 'currency':
      return typeof value === 'number'
        ? undefined
        : `fact "${fact.key}" is a ${fact.type}, so the value must be a number, not ${describeValue(value)}`;
    case 'boolean':
      return typeof value === 'boolean'
        ? undefined
        : `fact "${fact.key}" is a boolean, so the value must be true or false`;
    case 'date':
      return isIsoDate(value)
        ? undefined
        : `fact "${fact.key}" is a date, so the value must be an ISO date such as "2026-01-31"`;
    case 'enum':
      // An enum without values is reported once, on the fact.
      if (!fact.values || (typeof value === 'string' && fact.values.includes(value))) return undefined;
      return `"${String(value)}" is not a value of enum fact "${fact.key}"${knownValuesHint(String(value), fact.values ?? [])}`;
    case 'string':
      return typeof value === 'string'
        ? undefined
        : `fact "${fact.key}" is a string, so the value must be text`;
  }
}

/** Visits every leaf of a criteria tree with its path. */
export function forEachCriterion(
  criteria: Criteria,
  path: DocumentPath,
  visit: (leaf: FactCriterion, path: DocumentPath) => void,
): void {
  if ('all' in criteria || 'any' in criteria) {
    const [branch, children] =
      'all' in criteria ? (['all', criteria.all] as const) : (['any', criteria.any] as const);
    children.forEach((child, index) => {
      forEachCriterion(child, [...path, branch, index], visit);
    });
  } else if ('not' in criteria) forEachCriterion(criteria.not, [...path, 'not'], visit);
  else visit(criteria, path);
}

/** Every semantic error and warning of a schema-valid journey. */
export function validateJourney(journey: Journey): Finding[] {
  const findings: Finding[] = [];
  const teamKeys = journey.teams.map((team) => team.key);
  const personaKeys = journey.personas.map((persona) => persona.key);
  const stageKeys = journey.stages.map((stage) => stage.key);
  const facts = new Map(journey.facts.map((fact) => [fact.key, fact]));

  checkUnique(findings, journey.teams, ['teams'], 'team');
  checkUnique(findings, journey.personas, ['personas'], 'persona');
  checkUnique(findings, journey.facts, ['facts'], 'fact');
  checkUnique(findings, journey.metrics, ['metrics'], 'metric');
  checkUnique(findings, journey.stages, ['stages'], 'stage');
  checkUnique(findings, journey.successCycles, ['successCycles'], 'SuccessCycle');

  journey.facts.forEach((fact, index) => {
    if (fact.type === 'enum' && !fact.values) {
      findings.push({
        severity: 'error',
        path: ['facts', index],
        message: `enum fact "${fact.key}" needs "values", the list of allowed values`,
      });
    }
    if (fact.type !== 'enum' && fact.values) {
      findings.push({
        severity: 'error',
        path: ['facts', index, 'values'],
        message: `only enum facts have "values"; fact "${fact.key}" is ${fact.type}`,
      });
    }
  });
  journey.metrics?.forEach((metric, index) => {
    checkReference(findings, metric.fact, [...facts.keys()], ['metrics', index, 'fact'], 'fact');
  });
  journey.personas.forEach((persona, index) => {
    persona.path?.forEach((stage, stageIndex) => {
      checkReference(findings, stage, stageKeys, ['personas', index, 'path', stageIndex], 'stage');
    });
  });

  const milestoneSeen = new Map<string, DocumentPath>();
  journey.stages.forEach((stage, stageIndex) => {
    const stagePath = ['stages', stageIndex];
    checkReference(findings, stage.owner, teamKeys, [...stagePath, 'owner'], 'team');
    if (stage.expectedDays !== undefined && !(stage.expectedDays > 0)) {
      findings.push({
        severity: 'error',
        path: [...stagePath, 'expectedDays'],
        message: `the time frame must be a positive number of days, not ${stage.expectedDays}`,
      });
    }
    checkUnique(findings, stage.touchpoints, [...stagePath, 'touchpoints'], 'touchpoint');
    checkUnique(findings, stage.milestones, [...stagePath, 'milestones'], 'milestone', milestoneSeen);
    stage.touchpoints?.forEach((touchpoint, index) => {
      checkReference(
        findings,
        touchpoint.owner,
        teamKeys,
        [...stagePath, 'touchpoints', index, 'owner'],
        'team',
      );
    });
    for (const persona of Object.keys(stage.personaSuccess ?? {})) {
      checkReference(
        findings,
        persona,
        personaKeys,
        [...stagePath, 'personaSuccess', persona],
        'persona',
        true,
      );
    }
    stage.milestones?.forEach((milestone, index) => {
      const milestonePath = [...stagePath, 'milestones', index];
      milestone.personas?.forEach((persona, personaIndex) => {
        checkReference(
          findings,
          persona,
          personaKeys,
          [...milestonePath, 'personas', personaIndex],
          'persona',
        );
      });
      if (milestone.criteria) {
        forEachCriterion(milestone.criteria, [...milestonePath, 'criteria'], (leaf, path) =>
          checkLeaf(findings, leaf, facts, path),
        );
      }
    });
    const stageMilestones = stage.milestones?.map((milestone) => milestone.key) ?? [];
    stage.exitWhen?.forEach((key, index) => {
      checkReference(
        findings,
        key,
        stageMilestones,
        [...stagePath, 'exitWhen', index],
        `milestone in stage "${stage.key}"`,
      );
    });
    if (stage.handoff) {
      checkReference(findings, stage.handoff.to, teamKeys, [...stagePath, 'handoff', 'to'], 'team');
      if (!stage.handoff.artifacts?.length) {
        findings.push({
          severity: 'warning',
          path: [...stagePath, 'handoff'],
          message: `the handoff to "${stage.handoff.to}" lists no artifacts; say what the next team receives (e.g. an onboarding plan)`,
        });
      }
    }
    if (!stage.owner) {
      findings.push({
        severity: 'warning',
        path: stagePath,
        message: `stage "${stage.key}" has no owner; every moment needs a team that owns it`,
      });
    }
    if (!stage.milestones?.length) {
      findings.push({
        severity: 'warning',
        path: stagePath,
        message: `stage "${stage.key}" has no milestone; define what success looks like before the customer moves on`,
      });
    }
  });

  journey.successCycles?.forEach((cycle, cycleIndex) => {
    const cyclePath = ['successCycles', cycleIndex];
    if (cycle.basis === 'role') {
      if (!cycle.role)
        findings.push({
          severity: 'error',
          path: cyclePath,
          message: `a role cycle needs "role", the team whose moments it follows`,
        });
      checkReference(findings, cycle.role, teamKeys, [...cyclePath, 'role'], 'team');
    } else if (cycle.role) {
      findings.push({
        severity: 'error',
        path: [...cyclePath, 'role'],
        message: `"role" is only for cycles with basis "role", not "${cycle.basis}"`,
      });
    }
    if (cycle.year !== undefined && cycle.basis !== 'yearly') {
      findings.push({
        severity: 'error',
        path: [...cyclePath, 'year'],
        message: `"year" is only for cycles with basis "yearly", not "${cycle.basis}"`,
      });
    }
    cycle.appliesTo?.personas?.forEach((persona, index) => {
      checkReference(
        findings,
        persona,
        personaKeys,
        [...cyclePath, 'appliesTo', 'personas', index],
        'persona',
      );
    });
    const stagesSeen = new Map<string, DocumentPath>();
    const activitiesSeen = new Map<string, DocumentPath>();
    const tasksSeen = new Map<string, DocumentPath>();
    cycle.stages.forEach((cycleStage, stageIndex) => {
      const stagePath = [...cyclePath, 'stages', stageIndex];
      checkReference(findings, cycleStage.stage, stageKeys, [...stagePath, 'stage'], 'stage');
      if (stagesSeen.has(cycleStage.stage)) {
        findings.push({
          severity: 'error',
          path: [...stagePath, 'stage'],
          message: `stage "${cycleStage.stage}" appears twice in SuccessCycle "${cycle.key}"; merge its activities`,
        });
      }
      stagesSeen.set(cycleStage.stage, stagePath);
      checkUnique(findings, cycleStage.activities, [...stagePath, 'activities'], 'activity', activitiesSeen);
      cycleStage.activities.forEach((activity, activityIndex) => {
        const activityPath = [...stagePath, 'activities', activityIndex];
        checkUnique(findings, activity.tasks, [...activityPath, 'tasks'], 'task', tasksSeen);
        activity.tasks.forEach((task, taskIndex) => {
          checkReference(
            findings,
            task.owner,
            teamKeys,
            [...activityPath, 'tasks', taskIndex, 'owner'],
            'team',
          );
        });
      });
    });
  });

  journey.removedStages?.forEach((removed, index) => {
    if (stageKeys.includes(removed.key)) {
      findings.push({
        severity: 'error',
        path: ['removedStages', index, 'key'],
        message: `stage "${removed.key}" is still in the journey; only list stages this version removed`,
      });
    }
    checkReference(findings, removed.movesTo, stageKeys, ['removedStages', index, 'movesTo'], 'stage');
  });
  const churnFact = journey.analytics?.churnFact;
  if (churnFact) {
    checkReference(findings, churnFact, [...facts.keys()], ['analytics', 'churnFact'], 'fact');
    const type = facts.get(churnFact)?.type;
    if (type && type !== 'boolean')
      findings.push({
        severity: 'error',
        path: ['analytics', 'churnFact'],
        message: `the churn fact must be a boolean, but "${churnFact}" is ${type}`,
      });
  }
  const valueFact = journey.analytics?.valueFact;
  if (valueFact) {
    checkReference(findings, valueFact, [...facts.keys()], ['analytics', 'valueFact'], 'fact');
    const type = facts.get(valueFact)?.type;
    if (type && type !== 'currency' && type !== 'number')
      findings.push({
        severity: 'error',
        path: ['analytics', 'valueFact'],
        message: `the value fact must be a currency or number, but "${valueFact}" is ${type}`,
      });
  }
  return findings;
}

/** Every error of a schema-valid mapping checked against its journey. */
export function validateMapping(mapping: Mapping, journey: Journey): Finding[] {
  const findings: Finding[] = [];
  const facts = new Map(journey.facts.map((fact) => [fact.key, fact]));
  for (const [key, field] of Object.entries(mapping.facts)) {
    const fact = facts.get(key);
    if (!fact) {
      checkReference(
        findings,
        key,
        [...facts.keys()],
        ['facts', key],
        `fact in journey "${journey.key}"`,
        true,
      );
      continue;
    }
    if (field.values && fact.type !== 'enum') {
      findings.push({
        severity: 'error',
        path: ['facts', key, 'values'],
        message: `value maps are for enum facts; "${key}" is ${fact.type}`,
      });
    }
    for (const value of Object.keys(field.values ?? {})) {
      if (!fact.values?.includes(value)) {
        findings.push({
          severity: 'error',
          path: ['facts', key, 'values', value],
          atKey: true,
          message: `"${value}" is not a value of enum fact "${key}"${knownValuesHint(value, fact.values ?? [])}`,
        });
      }
    }
  }
  const milestoneKeys = journey.stages.flatMap(
    (stage) => stage.milestones?.map((milestone) => milestone.key) ?? [],
  );
  const outputKeys = [...JOURNEY_OUTPUTS, ...milestoneKeys.map((key) => `milestone.${key}`)];
  for (const key of Object.keys(mapping.outputs)) {
    checkReference(findings, key, outputKeys, ['outputs', key], 'output', true);
  }
  return findings;
}
