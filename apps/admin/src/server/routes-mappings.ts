/**
 * Field mapping: one `kind: Mapping` document per journey and connection, checked against the live
 * CRM fields (core `checkMapping`) before it is saved, and downloadable as the CLI's mapping file.
 */
import { checkMapping, type Journey, type Mapping, type MappingIssue, validateMapping } from '@milepost/core';
import { z } from 'zod';
import { signedIn } from './admin-auth.js';
import type { AdminApp, AdminContext, ConnectionWithSecrets } from './admin-context.js';
import { loadConnection } from './connection-store.js';
import { type ApiIssue, diagnosticIssues, HttpError, readBody } from './http-errors.js';
import { loadStoredJourney } from './journey-store.js';
import {
  defaultMapping,
  loadStoredMapping,
  mappingFileName,
  parseMappingObject,
  parseMappingSource,
  saveMapping,
  serializeMapping,
} from './mapping-store.js';
import { callCrm } from './routes-connections.js';

/** Mapping files are short; a megabyte is far beyond any real one. */
const MAX_SOURCE = 1_000_000;
const mappingValueSchema = z.record(z.string(), z.unknown(), { error: 'must be a mapping object' });
const checkSchema = z.strictObject({ mapping: mappingValueSchema });
const saveSchema = z.union(
  [
    z.strictObject({ mapping: mappingValueSchema }),
    z.strictObject({
      source: z.string().min(1, 'must not be empty').max(MAX_SOURCE, 'must be under 1 MB'),
    }),
  ],
  { error: 'give { mapping } (the mapping as JSON) or { source } (a mapping file as YAML)' },
);

/** The 1-based line of a top-level key in a YAML source, for issues about that key. */
function topLevelLine(source: string | undefined, key: string): number | undefined {
  if (source === undefined) return undefined;
  const index = source.split('\n').findIndex((line) => line.startsWith(`${key}:`));
  return index === -1 ? undefined : index + 1;
}

/**
 * The mapping of a request, or 422 `INVALID_MAPPING`: schema errors (with lines for a YAML source,
 * whose references to the journey the loader checks too) and a `journey` or `target` other than the
 * route's. References in a JSON mapping are checked with the live fields, per fact and output.
 */
function readMapping(
  journey: Journey,
  journeySource: string,
  connection: ConnectionWithSecrets,
  body: { mapping: Record<string, unknown> } | { source: string },
): { mapping: Mapping; source: string } {
  const file = mappingFileName(journey.key, connection.target);
  let mapping: Mapping | undefined;
  let source: string | undefined;
  let issues: ApiIssue[];
  if ('source' in body) {
    const parsed = parseMappingSource(body.source, file, journeySource);
    mapping = parsed.mapping;
    source = body.source;
    issues = diagnosticIssues(parsed.diagnostics).filter((issue) => issue.severity === 'error');
  } else {
    const parsed = parseMappingObject(body.mapping);
    mapping = parsed.mapping;
    issues = parsed.issues.map((issue) => ({ ...issue, severity: 'error' as const }));
  }
  if (mapping) {
    const where = (key: string) => {
      const line = topLevelLine(source, key);
      return { path: key, severity: 'error' as const, ...(line ? { line, column: 1, file } : {}) };
    };
    if (mapping.journey !== journey.key) {
      issues.push({
        ...where('journey'),
        message: `this mapping is for journey "${mapping.journey}", but it is being saved for "${journey.key}"; set journey: ${journey.key}`,
      });
    }
    if (mapping.target !== connection.target) {
      issues.push({
        ...where('target'),
        message: `this mapping targets ${mapping.target}, but connection "${connection.name}" is ${connection.target}; set target: ${connection.target} or pick a ${mapping.target} connection`,
      });
    }
  }
  if (!mapping || issues.length > 0) {
    throw new HttpError(
      422,
      'INVALID_MAPPING',
      `the mapping has ${issues.length || 'an'} error${issues.length === 1 ? '' : 's'}; see issues`,
      issues,
    );
  }
  return { mapping, source: source ?? serializeMapping(mapping) };
}

/** The mapping's problems against the live CRM fields of the objects it names. */
async function liveIssues(
  context: AdminContext,
  journey: Journey,
  connection: ConnectionWithSecrets,
  mapping: Mapping,
): Promise<MappingIssue[]> {
  const fields = await callCrm(context, connection, 'describe its fields', (adapter) =>
    adapter.describeFields(mapping),
  );
  const issues = checkMapping(journey, mapping, fields);
  // Enum value maps naming values the journey lacks are caught by the loader's check, not checkMapping.
  for (const finding of validateMapping(mapping, journey)) {
    const [group, key] = finding.path;
    if (finding.path.length <= 2 || typeof key !== 'string') continue;
    issues.push({
      key,
      kind: group === 'outputs' ? 'output' : 'fact',
      severity: finding.severity,
      message: finding.message,
    });
  }
  return issues;
}

/** `MappingIssue`s as API issues at the mapping's field paths. */
function mappingIssuePaths(issues: readonly MappingIssue[]): ApiIssue[] {
  return issues.map((issue) => ({
    path: `${issue.kind === 'fact' ? 'facts' : 'outputs'}.${issue.key}`,
    message: issue.message,
    severity: issue.severity,
  }));
}

/** Registers the field-mapping routes of API.md. */
export function registerMappingRoutes(app: AdminApp, context: AdminContext): void {
  const { database } = context;
  const base = '/api/journeys/:key/mappings/:connectionId';

  const load = async (key: string, connectionId: string) => {
    const stored = await loadStoredJourney(database, key);
    const connection = await loadConnection(context, connectionId);
    return { stored, connection };
  };

  app.get(base, async (c) => {
    const { stored, connection } = await load(c.req.param('key'), c.req.param('connectionId'));
    const saved = await loadStoredMapping(database, stored.key, connection.id);
    if (saved) return c.json({ mapping: saved.mapping, source: saved.source, saved: true });
    const mapping = defaultMapping(stored.key, connection.target);
    return c.json({ mapping, source: serializeMapping(mapping), saved: false });
  });

  app.post(`${base}/check`, async (c) => {
    const body = await readBody(c, checkSchema);
    const { stored, connection } = await load(c.req.param('key'), c.req.param('connectionId'));
    const { mapping } = readMapping(stored.journey, stored.source, connection, body);
    const issues = await liveIssues(context, stored.journey, connection, mapping);
    return c.json({ ok: !issues.some((issue) => issue.severity === 'error'), issues });
  });

  app.put(base, async (c) => {
    const admin = signedIn(c);
    const body = await readBody(c, saveSchema);
    const { stored, connection } = await load(c.req.param('key'), c.req.param('connectionId'));
    const { mapping, source } = readMapping(stored.journey, stored.source, connection, body);
    const issues = await liveIssues(context, stored.journey, connection, mapping);
    const errors = issues.filter((issue) => issue.severity === 'error');
    if (errors.length > 0) {
      throw new HttpError(
        422,
        'INVALID_MAPPING',
        `the mapping does not fit the live ${connection.target} fields (${errors.length} error${errors.length === 1 ? '' : 's'}); see issues`,
        mappingIssuePaths(errors),
      );
    }
    await saveMapping(database, stored.key, connection.id, source, admin.email);
    context.log(`mapping of ${stored.key} on connection ${connection.id} saved by ${admin.email}`);
    return c.json({ mapping, source, saved: true });
  });

  app.get(`${base}/mapping.yaml`, async (c) => {
    const { stored, connection } = await load(c.req.param('key'), c.req.param('connectionId'));
    const saved = await loadStoredMapping(database, stored.key, connection.id);
    const source = saved?.source ?? serializeMapping(defaultMapping(stored.key, connection.target));
    return c.body(source, 200, {
      'content-type': 'application/yaml; charset=utf-8',
      'content-disposition': `attachment; filename="${mappingFileName(stored.key, connection.target)}"`,
    });
  });
}
