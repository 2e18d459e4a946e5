/**
 * Field mappings in the database: one per journey and connection, stored as the YAML source of a
 * `kind: Mapping` document (the same file the CLI reads), so a download gives back what was saved.
 */
import {
  type Diagnostic,
  hasErrors,
  type Mapping,
  type MappingTarget,
  mappingSchema,
  parseJourneySources,
} from '@milepost/core';
import { stringify } from 'yaml';
import type { AdminContext } from './admin-context.js';
import type { Database } from './database.js';
import { type ApiIssue, diagnosticIssues, HttpError, zodIssues } from './http-errors.js';

/** A saved mapping with its source and who saved it when. */
export interface StoredMapping {
  mapping: Mapping;
  source: string;
  updatedAt: string;
  updatedBy: string;
}

interface MappingRow {
  source: string;
  updated_at: Date | string;
  updated_by: string;
}

/** The file name a mapping is shown and downloaded under. */
export function mappingFileName(journeyKey: string, target: MappingTarget): string {
  return `${journeyKey}.${target}.mapping.yaml`;
}

/** The mapping a journey has on a connection before one is saved: no facts, no outputs. */
export function defaultMapping(journeyKey: string, target: MappingTarget): Mapping {
  return { apiVersion: 'milepost/v1', kind: 'Mapping', journey: journeyKey, target, facts: {}, outputs: {} };
}

// Top-level keys in the order the CLI's demo files use, so a saved file reads like a written one.
const TOP_LEVEL_ORDER = [
  'apiVersion',
  'kind',
  'journey',
  'target',
  'object',
  'cycleObject',
  'writeNulls',
  'facts',
  'outputs',
];
const FIELD_ORDER = ['field', 'object', 'values'];

function ordered(value: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const keys = Object.keys(value).sort((left, right) => {
    const a = order.indexOf(left);
    const b = order.indexOf(right);
    return (a === -1 ? order.length : a) - (b === -1 ? order.length : b) || left.localeCompare(right);
  });
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]]));
}

/**
 * A mapping as YAML with a stable key order (top level, then facts and outputs by key, each entry
 * `field`, `object`, `values`), so the same mapping always gives the same bytes.
 */
export function serializeMapping(mapping: Mapping): string {
  const entries = (group: Mapping['facts']) =>
    Object.fromEntries(
      Object.keys(group)
        .sort()
        .map((key) => [key, ordered({ ...group[key] }, FIELD_ORDER)]),
    );
  const document = ordered(
    { ...mapping, facts: entries(mapping.facts), outputs: entries(mapping.outputs) },
    TOP_LEVEL_ORDER,
  );
  return stringify(document, { lineWidth: 0 });
}

/** What parsing a mapping source found: the mapping when it has no errors, and every diagnostic. */
export interface ParsedMappingSource {
  mapping: Mapping | undefined;
  diagnostics: Diagnostic[];
}

/**
 * Parses a mapping's YAML with the core loader. With the journey's source beside it, the loader also
 * checks the mapping's facts and outputs against that journey; only the mapping file's diagnostics
 * are returned (the journey was checked when it was saved).
 */
export function parseMappingSource(
  source: string,
  file: string,
  journeySource?: string,
): ParsedMappingSource {
  const journeyFile = file === 'journey.yaml' ? 'journey-source.yaml' : 'journey.yaml';
  const result = parseJourneySources([
    ...(journeySource === undefined ? [] : [{ file: journeyFile, text: journeySource }]),
    { file, text: source },
  ]);
  const diagnostics = result.diagnostics.filter((diagnostic) => diagnostic.file === file);
  if (hasErrors(diagnostics)) return { mapping: undefined, diagnostics };
  const [mapping, extra] = result.mappings;
  if (!mapping || extra) {
    diagnostics.unshift({
      severity: 'error',
      file,
      line: 1,
      column: 1,
      path: '',
      message: `the file must hold exactly one mapping (kind: Mapping); it holds ${result.mappings.length}${result.journeys.length > (journeySource === undefined ? 0 : 1) ? ' and a journey' : ''}`,
    });
    return { mapping: undefined, diagnostics };
  }
  return { mapping, diagnostics };
}

/** Checks a JSON mapping against the schema; issues name the field path. */
export function parseMappingObject(value: unknown): { mapping: Mapping | undefined; issues: ApiIssue[] } {
  const parsed = mappingSchema.safeParse(value);
  if (!parsed.success) return { mapping: undefined, issues: zodIssues(parsed.error) };
  return { mapping: parsed.data, issues: [] };
}

/** The saved mapping of a journey on a connection, with its source, or undefined. */
export async function loadStoredMapping(
  database: Database,
  journeyKey: string,
  connectionId: string,
): Promise<StoredMapping | undefined> {
  const [row] = await database.query<MappingRow>(
    'select source, updated_at, updated_by from mappings where journey_key = $1 and connection_id = $2',
    [journeyKey, connectionId],
  );
  if (!row) return undefined;
  const { mapping, diagnostics } = parseMappingSource(row.source, 'mapping.yaml');
  if (!mapping) {
    // Saved sources were checked on the way in; this only happens if core's schema got stricter.
    throw new HttpError(
      422,
      'INVALID_MAPPING',
      `the saved mapping of "${journeyKey}" no longer parses; open Field mapping and save it again`,
      diagnosticIssues(diagnostics),
    );
  }
  return {
    mapping,
    source: row.source,
    updatedAt: new Date(row.updated_at).toISOString(),
    updatedBy: row.updated_by,
  };
}

/**
 * The saved mapping of a journey on a connection, or undefined when none is saved (the adapter's
 * defaults apply then). For the plan, apply and sync routes.
 */
export async function loadMapping(
  context: AdminContext,
  journeyKey: string,
  connectionId: string,
): Promise<Mapping | undefined> {
  return (await loadStoredMapping(context.database, journeyKey, connectionId))?.mapping;
}

/** Stores (or replaces) a journey's mapping on a connection. */
export async function saveMapping(
  database: Database,
  journeyKey: string,
  connectionId: string,
  source: string,
  author: string,
): Promise<void> {
  await database.query(
    `insert into mappings (journey_key, connection_id, source, updated_by, updated_at)
     values ($1, $2, $3, $4, now())
     on conflict (journey_key, connection_id)
     do update set source = excluded.source, updated_by = excluded.updated_by, updated_at = now()`,
    [journeyKey, connectionId, source, author],
  );
}
