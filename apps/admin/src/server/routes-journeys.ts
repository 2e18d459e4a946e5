/** Journeys: import (file or template), validate, revise, revisions, diffs, compare, download. */
import {
  diffJourneys,
  listTemplates,
  parseJourneySources,
  readTemplate,
  renderJourneyMapSvg,
} from '@milepost/core';
import { z } from 'zod';
import { signedIn } from './admin-auth.js';
import type { AdminApp, AdminContext } from './admin-context.js';
import { diagnosticIssues, HttpError, readBody } from './http-errors.js';
import {
  createStoredJourney,
  loadJourneyRevision,
  loadStoredJourney,
  parseJourneySource,
  reviseStoredJourney,
  type StoredJourney,
} from './journey-store.js';

/** Journey sources are YAML people write; a megabyte is far beyond any real map. */
const MAX_SOURCE = 1_000_000;
const sourceSchema = z.string().min(1, 'must not be empty').max(MAX_SOURCE, 'must be under 1 MB');
const fileNameSchema = z
  .string()
  .max(200)
  .regex(/^[^/\\]+$/, 'must be a file name, without folders');

const importSchema = z.union([
  z.strictObject({ source: sourceSchema, fileName: fileNameSchema.optional() }),
  z.strictObject({ template: z.string().min(1) }),
]);
const reviseSchema = z.strictObject({ source: sourceSchema, message: z.string().max(500).optional() });
const validateSchema = z.strictObject({ source: z.string().max(MAX_SOURCE) });

function detail(stored: StoredJourney) {
  return {
    key: stored.key,
    name: stored.name,
    version: stored.version,
    revision: stored.revision,
    source: stored.source,
    journey: stored.journey,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}

function revisionNumber(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new HttpError(400, 'BAD_REQUEST', `${name} must be a revision number (1, 2, …)`);
  }
  return value;
}

/** Registers the journey routes of API.md. */
export function registerJourneyRoutes(app: AdminApp, context: AdminContext): void {
  const { database } = context;

  app.get('/api/templates', (c) =>
    c.json(
      listTemplates().map((template) => ({
        key: template.name,
        name: template.title,
        description: template.description,
        stages: template.stages.length,
      })),
    ),
  );

  app.get('/api/journeys', async (c) => {
    const rows = await database.query<{
      key: string;
      name: string;
      version: number;
      revision: number;
      created_at: Date | string;
      created_by: string;
    }>(
      `select distinct on (j.key) j.key, j.name, r.version, r.revision, r.created_at, r.created_by
         from journeys j join journey_revisions r on r.journey_key = j.key
        order by j.key, r.revision desc`,
    );
    return c.json(
      rows.map((row) => ({
        key: row.key,
        name: row.name,
        version: row.version,
        revision: row.revision,
        updatedAt: new Date(row.created_at).toISOString(),
        updatedBy: row.created_by,
      })),
    );
  });

  app.post('/api/journeys/validate', async (c) => {
    const body = await readBody(c, validateSchema);
    const result = parseJourneySources([{ file: 'journey.yaml', text: body.source }]);
    const issues = diagnosticIssues(result.diagnostics);
    if (!issues.some((issue) => issue.severity === 'error') && result.journeys.length !== 1) {
      issues.push({
        path: '',
        severity: 'error',
        line: 1,
        column: 1,
        message: `the file must hold exactly one journey (kind: Journey); it holds ${result.journeys.length}`,
      });
    }
    return c.json({ ok: !issues.some((issue) => issue.severity === 'error'), issues });
  });

  app.post('/api/journeys', async (c) => {
    const admin = signedIn(c);
    const body = await readBody(c, importSchema);
    const source = 'template' in body ? readTemplate(body.template) : body.source;
    const file = 'template' in body ? `${body.template}.yaml` : (body.fileName ?? 'journey.yaml');
    const journey = parseJourneySource(source, file);
    const message = 'template' in body ? `from the ${body.template} template` : `imported from ${file}`;
    const stored = await createStoredJourney(database, source, journey, admin.email, message);
    context.log(`journey ${stored.key} imported by ${admin.email}`);
    return c.json(detail(stored), 201);
  });

  app.get('/api/journeys/:key', async (c) =>
    c.json(detail(await loadStoredJourney(database, c.req.param('key')))),
  );

  app.put('/api/journeys/:key', async (c) => {
    const admin = signedIn(c);
    const key = c.req.param('key');
    const body = await readBody(c, reviseSchema);
    await loadStoredJourney(database, key);
    const journey = parseJourneySource(body.source, `${key}.yaml`);
    const stored = await reviseStoredJourney(
      database,
      key,
      body.source,
      journey,
      admin.email,
      body.message ?? null,
    );
    return c.json(detail(stored));
  });

  app.delete('/api/journeys/:key', async (c) => {
    const deleted = await database.query('delete from journeys where key = $1 returning key', [
      c.req.param('key'),
    ]);
    if (deleted.length === 0) throw new HttpError(404, 'NOT_FOUND', `no journey "${c.req.param('key')}"`);
    return c.body(null, 204);
  });

  app.get('/api/journeys/:key/revisions', async (c) => {
    const key = c.req.param('key');
    await loadStoredJourney(database, key);
    const rows = await database.query<{
      revision: number;
      version: number;
      created_at: Date | string;
      created_by: string;
      message: string | null;
    }>(
      `select revision, version, created_at, created_by, message from journey_revisions
        where journey_key = $1 order by revision desc`,
      [key],
    );
    return c.json(
      rows.map((row) => ({
        revision: row.revision,
        version: row.version,
        createdAt: new Date(row.created_at).toISOString(),
        createdBy: row.created_by,
        message: row.message,
      })),
    );
  });

  app.get('/api/journeys/:key/revisions/:revision', async (c) => {
    const revision = revisionNumber(c.req.param('revision'), 'revision') ?? 1;
    const stored = await loadJourneyRevision(database, c.req.param('key'), revision);
    return c.json({
      revision: stored.revision,
      source: stored.source,
      journey: stored.journey,
      createdAt: stored.updatedAt,
      createdBy: stored.updatedBy,
      message: stored.message,
    });
  });

  app.get('/api/journeys/:key/diff', async (c) => {
    const key = c.req.param('key');
    const latest = await loadStoredJourney(database, key);
    const from = revisionNumber(c.req.query('from'), 'from') ?? Math.max(1, latest.revision - 1);
    const to = revisionNumber(c.req.query('to'), 'to') ?? latest.revision;
    const before = await loadJourneyRevision(database, key, from);
    const after = to === latest.revision ? latest : await loadJourneyRevision(database, key, to);
    return c.json({ from, to, changes: diffJourneys(before.journey, after.journey) });
  });

  app.get('/api/journeys/:key/compare/:otherKey', async (c) => {
    const current = await loadStoredJourney(database, c.req.param('key'));
    const ideal = await loadStoredJourney(database, c.req.param('otherKey'));
    return c.json({ changes: diffJourneys(current.journey, ideal.journey) });
  });

  app.get('/api/journeys/:key/map.svg', async (c) => {
    const stored = await loadStoredJourney(database, c.req.param('key'));
    const persona = c.req.query('persona') || undefined;
    const svg = renderJourneyMapSvg(stored.journey, persona ? { persona } : {});
    return c.body(svg, 200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'no-store' });
  });

  app.get('/api/journeys/:key/source.yaml', async (c) => {
    const stored = await loadStoredJourney(database, c.req.param('key'));
    return c.body(stored.source, 200, {
      'content-type': 'application/yaml; charset=utf-8',
      'content-disposition': `attachment; filename="${stored.key}.yaml"`,
    });
  });
}
