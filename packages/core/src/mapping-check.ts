/**
 * `checkMapping`: a mapping checked against the live fields of a CRM (from an adapter's
 * `describeFields`), before a sync finds out record by record. Pure: the caller fetches the fields.
 */
import type { CrmField, CrmFieldType } from './adapter.js';
import { closestMatch } from './diagnostics.js';
import { SLA_STATUSES } from './engine.js';
import type { Fact, FactType, Journey } from './journey-schema.js';
import { type FieldMapping, JOURNEY_OUTPUTS, type Mapping, type MappingTarget } from './mapping-schema.js';

/** One problem of a mapping against the live CRM fields. */
export interface MappingIssue {
  /** The fact key or the output name (`stage`, `milestone.kickoff-held`, …). */
  key: string;
  kind: 'fact' | 'output';
  /** Errors make reads or writes fail; warnings work but lose information or never match. */
  severity: 'error' | 'warning';
  /** What is wrong and what to do. */
  message: string;
  /** Journey values with no option on the mapped enum field (directly or through `values`). */
  unmappedValues?: string[];
}

/** The customer record object when a mapping names none. */
export const DEFAULT_RECORD_OBJECTS: Readonly<Record<MappingTarget, string>> = {
  hubspot: 'companies',
  salesforce: 'Account',
};

type Compatibility = Partial<Record<CrmFieldType, 'ok' | 'warning'>>;

/** Which field types can hold each fact type; a warning says the value can fall outside the fact's type. */
const FACT_FIELD_TYPES: Record<FactType, Compatibility> = {
  number: { number: 'ok', currency: 'ok' },
  currency: { currency: 'ok', number: 'ok' },
  // A date-time is read as its date.
  date: { date: 'ok', datetime: 'ok' },
  boolean: { boolean: 'ok' },
  enum: { enum: 'ok', string: 'warning' },
  string: { string: 'ok', enum: 'ok' },
};

/** What each output writes, and the field types that can take it. */
function outputFieldTypes(output: string): { writes: string; accepts: Compatibility } {
  if (output === 'stage' || output === 'sla')
    return {
      writes: output === 'stage' ? 'a stage key' : 'an SLA status',
      accepts: { enum: 'ok', string: 'ok' },
    };
  if (output === 'stageEnteredAt' || output.startsWith('milestone.'))
    return { writes: 'a date', accepts: { date: 'ok', datetime: 'ok' } };
  if (output === 'daysInStage' || output === 'journeyVersion')
    return { writes: 'a whole number', accepts: { number: 'ok' } };
  return { writes: 'text', accepts: { string: 'ok' } };
}

/** The values a journey writes to an enum output, or undefined for outputs that are not enums. */
function outputValues(journey: Journey, output: string): readonly string[] | undefined {
  if (output === 'stage') return journey.stages.map((stage) => stage.key);
  if (output === 'sla') return SLA_STATUSES;
  return undefined;
}

const quoted = (values: readonly string[]) => values.map((value) => `"${value}"`).join(', ');

/**
 * Checks a mapping against a CRM's live fields: every mapped field exists on its object, its type can
 * hold the fact or output, and every value of an enum fact or output has a CRM option. Facts and
 * outputs the mapping leaves out are not checked (the adapter's defaults apply to them).
 */
export function checkMapping(
  journey: Journey,
  mapping: Mapping,
  fields: readonly CrmField[],
): MappingIssue[] {
  const issues: MappingIssue[] = [];
  // Salesforce API names are case-insensitive; HubSpot names are exact.
  const fold =
    mapping.target === 'salesforce' ? (name: string) => name.toLowerCase() : (name: string) => name;
  const recordObject = mapping.object ?? DEFAULT_RECORD_OBJECTS[mapping.target];
  const objects = [...new Set(fields.map((field) => field.object))];

  const locate = (
    kind: MappingIssue['kind'],
    key: string,
    entry: FieldMapping,
  ): { field: CrmField; where: string } | undefined => {
    const objectName = entry.object ?? recordObject;
    const onObject = fields.filter((field) => fold(field.object) === fold(objectName));
    const where = `${objectName}.${entry.field}`;
    if (onObject.length === 0) {
      const suggestion = closestMatch(objectName, objects);
      issues.push({
        key,
        kind,
        severity: 'error',
        message: `${kind} "${key}" is mapped to ${where}, but ${mapping.target} has no object "${objectName}" among the objects read (${objects.join(', ') || 'none'})${suggestion ? `; did you mean "${suggestion}"?` : '; fix the object name in the mapping'}`,
      });
      return undefined;
    }
    const field = onObject.find((candidate) => fold(candidate.name) === fold(entry.field));
    if (!field) {
      const suggestion = closestMatch(
        entry.field,
        onObject.map((candidate) => candidate.name),
      );
      issues.push({
        key,
        kind,
        severity: 'error',
        message: `${kind} "${key}" is mapped to ${where}, which does not exist; ${suggestion ? `did you mean "${suggestion}"?` : `create the field or map the ${kind} to an existing one`}`,
      });
      return undefined;
    }
    return { field, where };
  };

  /** Journey values → CRM options, through the mapping's `values` or identically. */
  const checkValues = (
    kind: MappingIssue['kind'],
    key: string,
    entry: FieldMapping,
    field: CrmField,
    where: string,
    journeyValues: readonly string[],
  ) => {
    const options = field.options ?? [];
    const optionValues = options.map((option) => option.value);
    const known = new Set(optionValues);
    const valueMap = entry.values ?? {};
    for (const [journeyValue, crmValue] of Object.entries(valueMap)) {
      if (known.has(crmValue)) continue;
      const suggestion = closestMatch(crmValue, optionValues);
      issues.push({
        key,
        kind,
        severity: 'error',
        message: `${kind} "${key}": values maps "${journeyValue}" to "${crmValue}", which is not an option of ${where}${suggestion ? `; did you mean "${suggestion}"?` : ''} (options: ${quoted(optionValues) || 'none'})`,
      });
    }
    const unmapped = journeyValues.filter((value) => !known.has(valueMap[value] ?? value));
    if (unmapped.length === 0) return;
    // An output value without an option cannot be written; a fact value without one can never be read.
    issues.push({
      key,
      kind,
      severity: kind === 'output' ? 'error' : 'warning',
      message:
        kind === 'output'
          ? `output "${key}": ${where} has no option for ${quoted(unmapped)}; add the options in the CRM or map the values under "values"`
          : `fact "${key}": ${where} has no option for ${quoted(unmapped)}, so criteria on ${unmapped.length === 1 ? 'it' : 'them'} never match; add the options in the CRM or map the values under "values"`,
      unmappedValues: unmapped,
    });
  };

  const factsByKey = new Map<string, Fact>(journey.facts.map((fact) => [fact.key, fact]));
  for (const [key, entry] of Object.entries(mapping.facts)) {
    const fact = factsByKey.get(key);
    if (!fact) {
      issues.push({
        key,
        kind: 'fact',
        severity: 'error',
        message: `fact "${key}" is not in journey "${journey.key}"; remove it from the mapping or add the fact to the journey`,
      });
      continue;
    }
    const found = locate('fact', key, entry);
    if (!found) continue;
    const { field, where } = found;
    const fit = FACT_FIELD_TYPES[fact.type][field.type];
    if (!fit) {
      issues.push({
        key,
        kind: 'fact',
        severity: 'error',
        message: `fact "${key}" is ${fact.type === 'enum' ? 'an' : 'a'} ${fact.type}, but ${where} is ${field.type === 'enum' ? 'an' : 'a'} ${field.type} field; map a ${Object.keys(FACT_FIELD_TYPES[fact.type]).join(' or ')} field or change the fact's type`,
      });
      continue;
    }
    if (fit === 'warning')
      issues.push({
        key,
        kind: 'fact',
        severity: 'warning',
        message: `fact "${key}" is an enum, but ${where} is a free-text field: records holding other values are reported at each sync; a picklist/dropdown field avoids that`,
      });
    if (fact.type === 'enum' && field.type === 'enum')
      checkValues('fact', key, entry, field, where, fact.values ?? []);
  }

  const milestoneOutputs = journey.stages.flatMap(
    (stage) => stage.milestones?.map((milestone) => `milestone.${milestone.key}`) ?? [],
  );
  const outputKeys = new Set<string>([...JOURNEY_OUTPUTS, ...milestoneOutputs]);
  for (const [key, entry] of Object.entries(mapping.outputs)) {
    if (!outputKeys.has(key)) {
      const suggestion = closestMatch(key, [...outputKeys]);
      issues.push({
        key,
        kind: 'output',
        severity: 'error',
        message: `"${key}" is not an output of journey "${journey.key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      });
      continue;
    }
    const found = locate('output', key, entry);
    if (!found) continue;
    const { field, where } = found;
    const { writes, accepts } = outputFieldTypes(key);
    if (!accepts[field.type]) {
      issues.push({
        key,
        kind: 'output',
        severity: 'error',
        message: `output "${key}" writes ${writes}, but ${where} is ${field.type === 'enum' ? 'an' : 'a'} ${field.type} field; map a ${Object.keys(accepts).join(' or ')} field`,
      });
      continue;
    }
    const values = outputValues(journey, key);
    if (values && field.type === 'enum') checkValues('output', key, entry, field, where, values);
  }
  return issues;
}
