/**
 * A journey state as the values written onto the customer record, and the smallest set of writes
 * that brings a CRM record in step: shared by every adapter so "write only what changed" and
 * "never overwrite with null" mean the same everywhere.
 */
import type { JourneyState } from './engine.js';

/** A value an adapter writes (before its own formatting). */
export type OutputValue = string | number | null;

/** The journey outputs of one state, by output key (`stage`, `sla`, `milestone.<key>`, …). */
export function journeyStateOutputs(state: JourneyState): Record<string, OutputValue> {
  const outputs: Record<string, OutputValue> = {
    stage: state.stage,
    stageEnteredAt: state.stageEnteredAt,
    daysInStage: state.daysInStage,
    sla: state.sla,
    nextMilestone: state.nextMilestone?.text ?? null,
    owner: state.ownerName ?? state.owner,
    journeyVersion: state.journeyVersion,
    cycle: state.cycles.length
      ? state.cycles
          .map((cycle) => (cycle.year ? `${cycle.name} (year ${cycle.year})` : cycle.name))
          .join(', ')
      : null,
  };
  for (const [key, milestone] of Object.entries(state.milestones)) {
    outputs[`milestone.${key}`] = milestone.status === 'achieved' ? milestone.achievedAt : null;
  }
  return outputs;
}

/** Options of {@link diffRecordFields}. */
export interface DiffRecordFieldsOptions {
  /** Write an empty value over a CRM value when the desired value is empty (mapping `writeNulls`). */
  writeNulls?: boolean;
  /** Compares a desired and a current value of one field; defaults to string equality. */
  equals?: (field: string, desired: string, current: string) => boolean;
}

/**
 * The fields to write: desired values that differ from the CRM's current ones. Values are already in
 * the CRM's string form. An empty desired value clears the field only with `writeNulls`.
 */
export function diffRecordFields(
  desired: Readonly<Record<string, string | null>>,
  current: Readonly<Record<string, string | null | undefined>>,
  options: DiffRecordFieldsOptions = {},
): Record<string, string | null> {
  const writes: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(desired)) {
    const existing = current[field];
    const empty = existing === null || existing === undefined || existing === '';
    if (value === null || value === '') {
      if (!empty && options.writeNulls) writes[field] = null;
      continue;
    }
    if (empty) {
      writes[field] = value;
      continue;
    }
    if (!(options.equals ? options.equals(field, value, existing) : value === existing))
      writes[field] = value;
  }
  return writes;
}

/** A CRM value read as a journey fact, or why it cannot be. */
export type FactReading =
  | { ok: true; value: string | number | boolean | undefined }
  | { ok: false; problem: string };

/**
 * Reads one CRM field value as a journey fact of the given type. Empty values are "missing" (criteria
 * on them are false); an enum value with no mapping is a problem to report for the record, never guessed.
 * `valueMap` is the mapping's journey value → CRM value table.
 */
export function readFactValue(
  fact: { key: string; type: string; values?: readonly string[] },
  raw: string | number | boolean | null | undefined,
  valueMap?: Readonly<Record<string, string>>,
): FactReading {
  if (raw === null || raw === undefined || raw === '') return { ok: true, value: undefined };
  switch (fact.type) {
    case 'number':
    case 'currency': {
      const value = typeof raw === 'number' ? raw : Number(raw);
      return Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, problem: `fact "${fact.key}": "${raw}" is not a number` };
    }
    case 'boolean':
      if (raw === true || raw === 'true') return { ok: true, value: true };
      if (raw === false || raw === 'false') return { ok: true, value: false };
      return { ok: false, problem: `fact "${fact.key}": "${raw}" is not true or false` };
    case 'date': {
      const text = typeof raw === 'number' ? new Date(raw).toISOString() : String(raw);
      const epoch = /^\d{12,}$/.test(text) ? new Date(Number(text)).toISOString() : text;
      return Number.isNaN(Date.parse(epoch))
        ? { ok: false, problem: `fact "${fact.key}": "${raw}" is not a date` }
        : { ok: true, value: epoch.slice(0, 10) };
    }
    case 'enum': {
      const text = String(raw);
      const mapped = valueMap
        ? Object.entries(valueMap).find(([, crmValue]) => crmValue === text)?.[0]
        : undefined;
      const value = mapped ?? (fact.values?.includes(text) ? text : undefined);
      return value === undefined
        ? {
            ok: false,
            problem: `fact "${fact.key}": CRM value "${text}" has no journey value; add it to the mapping's value map`,
          }
        : { ok: true, value };
    }
    default:
      return { ok: true, value: String(raw) };
  }
}
