/**
 * The field mapping screen's model, kept free of React so it can be tested: which rows a journey
 * needs (its facts and the outputs Milepost writes), how a CRM field is chosen for a row, and the
 * enum value map (journey value ↔ CRM option).
 */

import type { JOURNEY_OUTPUTS } from '@milepost/core';
import type { CrmField, FieldMapping, Journey, Mapping } from './api-types.js';

/** The value type of a journey fact or output, in the words of the CRM field types. */
export type JourneyValueType = 'string' | 'number' | 'currency' | 'date' | 'boolean' | 'enum';

/** One row of the mapping table: a fact Milepost reads or an output it writes. */
export interface MappingRow {
  kind: 'fact' | 'output';
  /** The fact key, or the output name (`stage`, `milestone.kickoff-held`). */
  key: string;
  label: string;
  type: JourneyValueType;
  /** The journey's values, for enums (fact values, stage keys, SLA states). */
  values?: string[];
}

type FixedOutput = (typeof JOURNEY_OUTPUTS)[number];

/** The fixed outputs with their labels and types; `milestone.<key>` rows are added per milestone. */
const OUTPUT_ROWS: Record<FixedOutput, { label: string; type: JourneyValueType }> = {
  stage: { label: 'Stage', type: 'enum' },
  stageEnteredAt: { label: 'Stage entered at', type: 'date' },
  daysInStage: { label: 'Days in stage', type: 'number' },
  sla: { label: 'SLA', type: 'enum' },
  nextMilestone: { label: 'Next milestone', type: 'string' },
  owner: { label: 'Owner', type: 'string' },
  journeyVersion: { label: 'Journey version', type: 'number' },
  cycle: { label: 'SuccessCycle', type: 'string' },
};

/** The SLA states the engine writes. */
export const SLA_VALUES = ['on-track', 'behind', 'stuck'] as const;

/** Every row a journey needs: its facts in file order, then the outputs, then one per milestone. */
export function mappingRows(journey: Journey): MappingRow[] {
  const rows: MappingRow[] = journey.facts.map((fact) => ({
    kind: 'fact',
    key: fact.key,
    label: fact.label ?? fact.key,
    type: fact.type,
    ...(fact.type === 'enum' && fact.values ? { values: [...fact.values] } : {}),
  }));
  for (const [key, output] of Object.entries(OUTPUT_ROWS) as Array<
    [FixedOutput, (typeof OUTPUT_ROWS)[FixedOutput]]
  >) {
    const values =
      key === 'stage'
        ? journey.stages.map((stage) => stage.key)
        : key === 'sla'
          ? [...SLA_VALUES]
          : undefined;
    rows.push({ kind: 'output', key, label: output.label, type: output.type, ...(values ? { values } : {}) });
  }
  for (const stage of journey.stages)
    for (const milestone of stage.milestones ?? [])
      rows.push({
        kind: 'output',
        key: `milestone.${milestone.key}`,
        label: `Milestone "${milestone.name}" achieved`,
        type: 'date',
      });
  return rows;
}

/** A stable id of a row, for React keys and issue lookups. */
export function rowId(row: { kind: 'fact' | 'output'; key: string }): string {
  return `${row.kind}:${row.key}`;
}

/** The object a field lives on when the mapping does not say: the customer record. */
export function customerObject(mapping: Mapping): string {
  return mapping.object ?? (mapping.target === 'hubspot' ? 'companies' : 'Account');
}

/** The mapping entry of a row, if any. */
export function rowEntry(mapping: Mapping, row: MappingRow): FieldMapping | undefined {
  return (row.kind === 'fact' ? mapping.facts : mapping.outputs)[row.key];
}

/** The CRM field a mapping entry points at, if the CRM has it. */
export function findField(
  fields: readonly CrmField[],
  mapping: Mapping,
  entry: FieldMapping | undefined,
): CrmField | undefined {
  if (!entry) return undefined;
  const object = entry.object ?? customerObject(mapping);
  return fields.find((field) => field.object === object && field.name === entry.field);
}

/**
 * The mapping with `row` pointed at `field`, or with its entry removed (`field` undefined: the
 * default — a fact read from the field named like its key, an output in a field Milepost creates).
 * The object is written only when it is not the customer record, as the CLI's files do. A value map
 * survives only while the new field is still an enum.
 */
export function setRowField(mapping: Mapping, row: MappingRow, field: CrmField | undefined): Mapping {
  const section = row.kind === 'fact' ? 'facts' : 'outputs';
  const entries = { ...mapping[section] };
  if (!field) delete entries[row.key];
  else {
    const previous = entries[row.key];
    const entry: FieldMapping = { field: field.name };
    if (field.object !== customerObject(mapping)) entry.object = field.object;
    if (field.type === 'enum' && previous?.values && Object.keys(previous.values).length > 0)
      entry.values = previous.values;
    entries[row.key] = entry;
  }
  return { ...mapping, [section]: entries };
}

/** One line of a value map table. */
export interface ValueMapRow {
  journeyValue: string;
  /** The CRM option it is written as / read from; undefined when none. */
  crmValue: string | undefined;
  /** True when no explicit entry exists and the CRM has an option with the same value. */
  implicit: boolean;
  /** True when the value has no CRM option: syncing a customer with it would fail. */
  unmapped: boolean;
}

/**
 * The value map of an enum row against an enum field. An explicit entry wins; otherwise a CRM option
 * with the same value is used as it is (the adapters do the same); otherwise the value is unmapped.
 * `flagged` are the values the server's check reported as unmapped.
 */
export function valueMapRows(
  journeyValues: readonly string[],
  field: Pick<CrmField, 'options'>,
  values: Readonly<Record<string, string>> | undefined,
  flagged: readonly string[] = [],
): ValueMapRow[] {
  const options = new Set((field.options ?? []).map((option) => option.value));
  return journeyValues.map((journeyValue) => {
    const explicit = values?.[journeyValue];
    if (explicit !== undefined && options.has(explicit))
      return { journeyValue, crmValue: explicit, implicit: false, unmapped: flagged.includes(journeyValue) };
    if (explicit === undefined && options.has(journeyValue))
      return {
        journeyValue,
        crmValue: journeyValue,
        implicit: true,
        unmapped: flagged.includes(journeyValue),
      };
    return { journeyValue, crmValue: explicit, implicit: false, unmapped: true };
  });
}

/**
 * The value map with `journeyValue` written as `crmValue`; an empty `crmValue` removes the entry.
 * Returns undefined for an empty map, so the mapping file does not carry `values: {}`.
 */
export function setValueMapping(
  values: Readonly<Record<string, string>> | undefined,
  journeyValue: string,
  crmValue: string,
): Record<string, string> | undefined {
  const next = { ...values };
  if (crmValue === '') delete next[journeyValue];
  else next[journeyValue] = crmValue;
  return Object.keys(next).length === 0 ? undefined : next;
}

/** The mapping with the value map of `row` replaced. */
export function setRowValues(
  mapping: Mapping,
  row: MappingRow,
  values: Record<string, string> | undefined,
): Mapping {
  const section = row.kind === 'fact' ? 'facts' : 'outputs';
  const entry = mapping[section][row.key];
  if (!entry) return mapping;
  const { values: _previous, ...rest } = entry;
  return { ...mapping, [section]: { ...mapping[section], [row.key]: values ? { ...rest, values } : rest } };
}

/** Fields of one CRM object, for the picker's groups. */
export interface FieldGroup {
  object: string;
  fields: CrmField[];
}

/**
 * The fields whose label, name or object contain every word of `query` (case-insensitive), grouped
 * by object; the customer record's object first, then the others alphabetically.
 */
export function searchFields(fields: readonly CrmField[], query: string, firstObject?: string): FieldGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, CrmField[]>();
  for (const field of fields) {
    const text = `${field.label} ${field.name} ${field.object}`.toLowerCase();
    if (!words.every((word) => text.includes(word))) continue;
    const list = groups.get(field.object) ?? [];
    list.push(field);
    groups.set(field.object, list);
  }
  return [...groups.entries()]
    .sort(([left], [right]) => {
      if (left === firstObject) return -1;
      if (right === firstObject) return 1;
      return left.localeCompare(right);
    })
    .map(([object, list]) => ({
      object,
      fields: list.sort((left, right) => left.label.localeCompare(right.label)),
    }));
}
