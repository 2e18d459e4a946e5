/**
 * Journeys in words and pictures: criteria as sentences, the map as a Mermaid flowchart, and the
 * JSON Schema that editors use to autocomplete journey files.
 */
import { z } from 'zod';
import type { Criteria, CriterionValue, FactCriterion, Journey } from './journey-schema.js';
import { journeySchema } from './journey-schema.js';
import { mappingSchema } from './mapping-schema.js';

const OPERATOR_WORDS: Record<FactCriterion['op'], string> = {
  eq: 'is',
  neq: 'is not',
  gt: 'more than',
  gte: 'at least',
  lt: 'less than',
  lte: 'at most',
  in: 'is one of',
  notIn: 'is none of',
  isSet: 'is set',
  isNotSet: 'is not set',
};

function valueWords(value: CriterionValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** The label people know a fact by. */
export function factLabel(journey: Pick<Journey, 'facts'>, key: string): string {
  return journey.facts.find((fact) => fact.key === key)?.label ?? key.replaceAll('_', ' ');
}

/** Criteria in words: `Active users at least 5 and plan is not trial`. */
export function describeCriteria(criteria: Criteria, journey: Pick<Journey, 'facts'>): string {
  const nested = (child: Criteria) => {
    const text = describeCriteria(child, journey);
    return 'all' in child || 'any' in child ? `(${text})` : text;
  };
  if ('all' in criteria) return criteria.all.map(nested).join(' and ');
  if ('any' in criteria) return criteria.any.map(nested).join(' or ');
  if ('not' in criteria) return `not ${nested(criteria.not)}`;
  const value = valueWords(criteria.value);
  return `${factLabel(journey, criteria.fact)} ${OPERATOR_WORDS[criteria.op]}${value ? ` ${value}` : ''}`;
}

const mermaidText = (text: string) => text.replaceAll('"', "'").replaceAll(/[<>]/g, '');

/** The journey map as a Mermaid flowchart: stages in order, owners, time frames, milestones, handoffs. */
export function renderJourneyMermaid(journey: Journey): string {
  const teams = new Map(journey.teams.map((team) => [team.key, team.name]));
  const lines = ['flowchart LR'];
  journey.stages.forEach((stage, index) => {
    const details = [
      stage.owner ? `owner: ${teams.get(stage.owner) ?? stage.owner}` : undefined,
      stage.expectedDays ? `${stage.expectedDays} days` : undefined,
      ...(stage.milestones ?? []).map((milestone) => `◆ ${milestone.name}`),
    ].filter(Boolean);
    lines.push(
      `  s${index}["<b>${mermaidText(stage.name)}</b><br/>${details.map((line) => mermaidText(line!)).join('<br/>')}"]`,
    );
  });
  journey.stages.forEach((stage, index) => {
    if (index === journey.stages.length - 1) return;
    const label = stage.handoff ? `handoff to ${teams.get(stage.handoff.to) ?? stage.handoff.to}` : undefined;
    lines.push(
      label ? `  s${index} -->|"${mermaidText(label)}"| s${index + 1}` : `  s${index} --> s${index + 1}`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** The JSON Schema of journey files (`kind: Journey`) for editor autocompletion. */
export function journeyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(journeySchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://milepost.dev/schema/journey.v1.json',
    title: 'Milepost journey',
  };
}

/** The JSON Schema of mapping files (`kind: Mapping`). */
export function mappingJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(mappingSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://milepost.dev/schema/mapping.v1.json',
    title: 'Milepost mapping',
  };
}
