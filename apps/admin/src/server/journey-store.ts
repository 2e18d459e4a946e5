/** Journeys and their revisions in the database; every revision keeps its YAML source. */
import { hasErrors, type Journey, parseJourneySources } from '@milepost/core';
import type { Database } from './database.js';
import { diagnosticIssues, HttpError } from './http-errors.js';

/** One stored revision, parsed. */
export interface StoredJourney {
  key: string;
  name: string;
  version: number;
  revision: number;
  source: string;
  journey: Journey;
  updatedAt: string;
  updatedBy: string;
  message: string | null;
}

interface RevisionRow {
  journey_key: string;
  name: string;
  revision: number;
  version: number;
  source: string;
  created_at: Date | string;
  created_by: string;
  message: string | null;
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

/**
 * Parses one journey file's text with the core loader, or answers 422 with every diagnostic at its
 * line. A file must hold exactly one journey.
 */
export function parseJourneySource(source: string, file = 'journey.yaml'): Journey {
  const result = parseJourneySources([{ file, text: source }]);
  if (hasErrors(result.diagnostics)) {
    throw new HttpError(
      422,
      'INVALID_JOURNEY',
      `${file} has ${result.diagnostics.filter((d) => d.severity === 'error').length} error(s); see issues`,
      diagnosticIssues(result.diagnostics),
    );
  }
  const [journey, extra] = result.journeys;
  if (!journey || extra) {
    throw new HttpError(
      422,
      'INVALID_JOURNEY',
      `${file} must hold exactly one journey (kind: Journey); it holds ${result.journeys.length}`,
    );
  }
  return journey;
}

function toStored(row: RevisionRow): StoredJourney {
  return {
    key: row.journey_key,
    name: row.name,
    version: row.version,
    revision: row.revision,
    source: row.source,
    journey: parseJourneySource(row.source),
    updatedAt: iso(row.created_at),
    updatedBy: row.created_by,
    message: row.message,
  };
}

const REVISION_COLUMNS = `r.journey_key, j.name, r.revision, r.version, r.source, r.created_at, r.created_by, r.message`;

/** The latest revision of a journey, or 404. */
export async function loadStoredJourney(database: Database, key: string): Promise<StoredJourney> {
  const [row] = await database.query<RevisionRow>(
    `select ${REVISION_COLUMNS} from journey_revisions r join journeys j on j.key = r.journey_key
      where r.journey_key = $1 order by r.revision desc limit 1`,
    [key],
  );
  if (!row) throw new HttpError(404, 'NOT_FOUND', `no journey "${key}"; import it first`);
  return toStored(row);
}

/** One revision of a journey, or 404. */
export async function loadJourneyRevision(
  database: Database,
  key: string,
  revision: number,
): Promise<StoredJourney> {
  const [row] = await database.query<RevisionRow>(
    `select ${REVISION_COLUMNS} from journey_revisions r join journeys j on j.key = r.journey_key
      where r.journey_key = $1 and r.revision = $2`,
    [key, revision],
  );
  if (!row) throw new HttpError(404, 'NOT_FOUND', `journey "${key}" has no revision ${revision}`);
  return toStored(row);
}

/** Stores a new journey (revision 1), or 409 when its key exists. */
export async function createStoredJourney(
  database: Database,
  source: string,
  journey: Journey,
  author: string,
  message: string | null,
): Promise<StoredJourney> {
  await database.transaction(async (transaction) => {
    const inserted = await transaction.query(
      'insert into journeys (key, name) values ($1, $2) on conflict (key) do nothing returning key',
      [journey.key, journey.name],
    );
    if (inserted.length === 0) {
      throw new HttpError(
        409,
        'CONFLICT',
        `a journey with key "${journey.key}" exists already; open it and save a new revision, or change the key`,
      );
    }
    await transaction.query(
      `insert into journey_revisions (journey_key, revision, version, source, created_by, message)
       values ($1, 1, $2, $3, $4, $5)`,
      [journey.key, journey.version, source, author, message],
    );
  });
  return loadStoredJourney(database, journey.key);
}

/** Adds a revision when the source changed; an identical source makes none. */
export async function reviseStoredJourney(
  database: Database,
  key: string,
  source: string,
  journey: Journey,
  author: string,
  message: string | null,
): Promise<StoredJourney> {
  if (journey.key !== key) {
    throw new HttpError(
      400,
      'BAD_REQUEST',
      `the source's key is "${journey.key}" but this journey is "${key}"; keys do not change — import it as a new journey instead`,
    );
  }
  await database.transaction(async (transaction) => {
    const [latest] = await transaction.query<{ revision: number; source: string }>(
      'select revision, source from journey_revisions where journey_key = $1 order by revision desc limit 1 for update',
      [key],
    );
    if (!latest) throw new HttpError(404, 'NOT_FOUND', `no journey "${key}"; import it first`);
    if (latest.source === source) return;
    await transaction.query(
      `insert into journey_revisions (journey_key, revision, version, source, created_by, message)
       values ($1, $2, $3, $4, $5, $6)`,
      [key, latest.revision + 1, journey.version, source, author, message],
    );
    await transaction.query('update journeys set name = $2, updated_at = now() where key = $1', [
      key,
      journey.name,
    ]);
  });
  return loadStoredJourney(database, key);
}
