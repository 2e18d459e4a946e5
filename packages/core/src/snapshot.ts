/**
 * Record snapshots: what the engine knows about one customer (fact values, the stage the CRM holds,
 * the stage history, recorded milestone dates, task statuses). Other tools read and write this
 * format, one JSON object per line (JSONL) or as CSV with `facts.<key>` and `milestones.<key>`
 * columns. Every line is validated; errors name the file, the line and the field, and say how to fix.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { MilepostError } from './errors.js';
import { isIsoDate } from './journey-validation.js';

const isoDate = z
  .string()
  .refine(isIsoDate, 'must be an ISO 8601 date such as "2026-01-31" or "2026-01-31T09:00:00Z"');

const factValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string(), z.number()])),
]);

/** Schema of one stage history entry. */
export const stageHistoryEntrySchema = z.strictObject({
  stage: z.string().min(1, 'must name a stage key'),
  enteredAt: isoDate,
});

/** Schema of a record snapshot (one JSONL line). */
export const recordSnapshotSchema = z.strictObject({
  id: z.union([z.string().min(1, 'must not be empty'), z.number().transform(String)]),
  persona: z.string().min(1).optional(),
  segment: z.string().min(1).optional(),
  facts: z.record(z.string(), factValueSchema).default({}),
  /** The stage the CRM holds now. */
  stage: z.string().min(1).optional(),
  /** When the CRM's stage was entered. */
  stageEnteredAt: isoDate.optional(),
  /** Every stage entry, oldest first (sorted on parse when out of order). */
  history: z.array(stageHistoryEntrySchema).optional(),
  /** Milestone key → the date it was first achieved (as recorded in the CRM). */
  milestones: z.record(z.string(), isoDate).optional(),
  /**
   * Task key → status, for tasks already created: the full key (`journey:cycle:record:task`) or its
   * short form `cycle:task` (`cycle:y<year>:task` for yearly cycles). Absent means open.
   */
  tasks: z.record(z.string(), z.enum(['open', 'done'])).optional(),
  /** The contract start; yearly SuccessCycles restart on each anniversary. */
  cycleStart: isoDate.optional(),
  /** The journey version the CRM's stage was last computed with. */
  journeyVersion: z.number().int().min(1).optional(),
});

/** One customer as the engine sees it. */
export type RecordSnapshot = z.output<typeof recordSnapshotSchema>;
/** A record snapshot as written (before defaults). */
export type RecordSnapshotInput = z.input<typeof recordSnapshotSchema>;
/** One stage history entry. */
export type StageHistoryEntry = z.output<typeof stageHistoryEntrySchema>;

/** One problem with one line of a snapshot file. */
export interface SnapshotError {
  file: string;
  /** 1-based line (for CSV: the line the row starts on). */
  line: number;
  /** The field, e.g. `facts.active_users` or `history[1].enteredAt`; empty for the whole line. */
  field: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** `records.jsonl:12: history[0].enteredAt: must be an ISO 8601 date …`. */
export function formatSnapshotError(error: SnapshotError): string {
  return `${error.file}:${error.line}:${error.field ? ` ${error.field}:` : ''} ${error.message}`;
}

/** The records of a file and every problem found in it. */
export interface SnapshotParseResult {
  records: RecordSnapshot[];
  errors: SnapshotError[];
}

/** One parsed line: a record, or the problems that stopped it. */
export type SnapshotLineResult =
  | { line: number; record: RecordSnapshot; errors?: undefined }
  | { line: number; record?: undefined; errors: SnapshotError[] };

const TOP_LEVEL_FIELDS = Object.keys(recordSnapshotSchema.shape);

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const top = issue.path.length === 0;
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}${
      top
        ? `; a snapshot has ${TOP_LEVEL_FIELDS.join(', ')} (fact values go under "facts")`
        : '; remove it or check its spelling'
    }`;
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined) {
    return issue.path[0] === 'id' && issue.path.length === 1
      ? 'is required: the CRM record id, e.g. "id": "0015g00000AbCdE"'
      : 'is required';
  }
  if (issue.code === 'invalid_value' && issue.path.at(-1) !== undefined && issue.values) {
    return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  if (issue.code === 'invalid_union') {
    const field = String(issue.path[0] ?? '');
    if (field === 'id') return 'must be a non-empty string (the CRM record id)';
    if (field === 'facts') return 'a fact value is text, a number, true/false, null or a list';
  }
  return issue.message;
}

function sortHistory(record: RecordSnapshot): RecordSnapshot {
  const history = record.history;
  if (!history || history.length < 2) return record;
  let sorted = true;
  for (let index = 1; index < history.length; index++) {
    if (Date.parse(history[index]!.enteredAt) < Date.parse(history[index - 1]!.enteredAt)) sorted = false;
  }
  if (sorted) return record;
  // Stable sort keeps same-day entries in the order the file gave them.
  const ordered = [...history].sort(
    (left, right) => Date.parse(left.enteredAt) - Date.parse(right.enteredAt),
  );
  return { ...record, history: ordered };
}

/** Validates an already-parsed value as a record snapshot. */
export function validateSnapshot(value: unknown, file: string, line: number): SnapshotLineResult {
  const parsed = recordSnapshotSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return { line, record: sortHistory(parsed.data) };
  return {
    line,
    errors: parsed.error.issues.map((issue) => ({
      file,
      line,
      field: fieldPath(issue.path),
      message: issueMessage(issue),
    })),
  };
}

/** Parses one JSONL line (blank lines are the caller's to skip). */
export function parseSnapshotLine(text: string, file: string, line: number): SnapshotLineResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      line,
      errors: [
        {
          file,
          line,
          field: '',
          message: `not valid JSON (${(error as Error).message}); write one JSON object per line`,
        },
      ],
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      line,
      errors: [
        { file, line, field: '', message: 'each line holds one JSON object: {"id": …, "facts": {…}}' },
      ],
    };
  }
  return validateSnapshot(value, file, line);
}

/** Parses a JSONL text (one snapshot per line; blank lines and `#` comments are skipped). */
export function parseSnapshotsJsonl(text: string, file = '<input>'): SnapshotParseResult {
  const result: SnapshotParseResult = { records: [], errors: [] };
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const content = text.slice(start, end).trim();
    start = end + 1;
    if (content === '' || content.startsWith('#')) continue;
    const parsed = parseSnapshotLine(content, file, line);
    if (parsed.record) result.records.push(parsed.record);
    else result.errors.push(...parsed.errors);
  }
  return result;
}

/** Splits CSV text into rows of cells (RFC 4180: quoted cells may hold commas, quotes and newlines). */
export function parseCsvRows(text: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (; index < text.length; index++) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          cell += '"';
          index++;
        } else quoted = false;
      } else {
        if (character === '\n') line++;
        cell += character;
      }
    } else if (character === '"' && cell === '') quoted = true;
    else if (character === ',') {
      cells.push(cell);
      cell = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index++;
      endRow();
      line++;
      rowLine = line;
    } else cell += character;
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

/** A CSV cell as a fact value: empty → absent, numbers and true/false typed, the rest text. */
function csvFactValue(cell: string): string | number | boolean | undefined {
  const text = cell.trim();
  if (text === '') return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text) && !/^-?0\d/.test(text)) return Number(text);
  return text;
}

const CSV_PLAIN_COLUMNS = new Set(['id', 'persona', 'segment', 'stage', 'stageEnteredAt', 'cycleStart']);

/**
 * Parses CSV with a header row: `id`, `persona`, `segment`, `stage`, `stageEnteredAt`,
 * `cycleStart`, `journeyVersion`, `facts.<key>`, `milestones.<key>`, `tasks.<key>`, and `history`
 * as a JSON array. Empty cells mean "not set".
 */
export function parseSnapshotsCsv(text: string, file = '<input>'): SnapshotParseResult {
  const result: SnapshotParseResult = { records: [], errors: [] };
  const rows = parseCsvRows(text);
  const header = rows[0];
  if (!header) return result;
  const columns = header.cells.map((cell) => cell.trim());
  columns.forEach((column, index) => {
    const known =
      CSV_PLAIN_COLUMNS.has(column) ||
      column === 'history' ||
      column === 'journeyVersion' ||
      /^(facts|milestones|tasks)\.[^.]+$/.test(column);
    if (!known) {
      result.errors.push({
        file,
        line: header.line,
        field: column || `column ${index + 1}`,
        message: `unknown column; use id, persona, segment, stage, stageEnteredAt, cycleStart, journeyVersion, history, facts.<fact key>, milestones.<milestone key> or tasks.<task key>`,
      });
    }
  });
  if (!columns.includes('id')) {
    result.errors.push({ file, line: header.line, field: 'id', message: 'the header needs an "id" column' });
  }
  if (result.errors.length > 0) return result;
  for (const row of rows.slice(1)) {
    if (row.cells.length !== columns.length) {
      result.errors.push({
        file,
        line: row.line,
        field: '',
        message: `has ${row.cells.length} cells but the header has ${columns.length}; quote cells that contain commas`,
      });
      continue;
    }
    const record: Record<string, unknown> = { facts: {} };
    const lineErrors: SnapshotError[] = [];
    row.cells.forEach((cell, index) => {
      const column = columns[index]!;
      const value = cell.trim();
      if (CSV_PLAIN_COLUMNS.has(column)) {
        if (value !== '') record[column] = value;
      } else if (column === 'journeyVersion') {
        if (value !== '') record.journeyVersion = Number(value);
      } else if (column === 'history') {
        if (value === '') return;
        try {
          record.history = JSON.parse(value);
        } catch {
          lineErrors.push({
            file,
            line: row.line,
            field: 'history',
            message: 'must be a JSON array such as [{"stage":"onboarding","enteredAt":"2026-01-05"}]',
          });
        }
      } else {
        const dot = column.indexOf('.');
        const group = column.slice(0, dot);
        const key = column.slice(dot + 1);
        if (group === 'facts') {
          const fact = csvFactValue(cell);
          if (fact !== undefined) (record.facts as Record<string, unknown>)[key] = fact;
        } else if (value !== '') {
          const map = (record[group] ?? {}) as Record<string, unknown>;
          map[key] = value;
          record[group] = map;
        }
      }
    });
    if (lineErrors.length > 0) {
      result.errors.push(...lineErrors);
      continue;
    }
    const parsed = validateSnapshot(record, file, row.line);
    if (parsed.record) result.records.push(parsed.record);
    else result.errors.push(...parsed.errors);
  }
  return result;
}

/** The snapshot formats. */
export type SnapshotFormat = 'jsonl' | 'csv';

/** The format a file name implies (`.csv` → csv, anything else → jsonl). */
export function snapshotFormatOf(file: string): SnapshotFormat {
  return file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
}

/** Parses snapshot text in the given format (by default from the file name). */
export function parseSnapshots(
  text: string,
  options: { file?: string; format?: SnapshotFormat } = {},
): SnapshotParseResult {
  const file = options.file ?? '<input>';
  const format = options.format ?? snapshotFormatOf(file);
  return format === 'csv' ? parseSnapshotsCsv(text, file) : parseSnapshotsJsonl(text, file);
}

/**
 * Streams a JSONL snapshot file line by line, so millions of records never sit in memory at once.
 * Yields each line's record or its errors; CSV files are read whole (they are rarely that large).
 */
export async function* readSnapshotFile(
  path: string,
  options: { format?: SnapshotFormat; file?: string } = {},
): AsyncGenerator<SnapshotLineResult> {
  const file = options.file ?? path;
  const format = options.format ?? snapshotFormatOf(path);
  try {
    if (format === 'csv') {
      const parsed = parseSnapshotsCsv(await readFile(path, 'utf8'), file);
      const errorsByLine = new Map<number, SnapshotError[]>();
      for (const error of parsed.errors) {
        const list = errorsByLine.get(error.line) ?? [];
        list.push(error);
        errorsByLine.set(error.line, list);
      }
      for (const [line, errors] of errorsByLine) yield { line, errors };
      for (const record of parsed.records) yield { line: 0, record };
      return;
    }
    const lines = createInterface({
      input: createReadStream(path, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let line = 0;
    for await (const text of lines) {
      line++;
      const content = text.trim();
      if (content === '' || content.startsWith('#')) continue;
      yield parseSnapshotLine(content, file, line);
    }
  } catch (error) {
    if (MilepostError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new MilepostError({
      code: code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'INVALID_INPUT',
      message: `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      cause: error,
    });
  }
}

/**
 * Throws an `INVALID_RECORD` MilepostError listing every error (first 20 in the message, all in
 * `details.errors`) when there are any.
 */
export function assertNoSnapshotErrors(errors: readonly SnapshotError[]): void {
  if (errors.length === 0) return;
  const shown = errors.slice(0, 20).map(formatSnapshotError);
  if (errors.length > 20) shown.push(`… and ${errors.length - 20} more`);
  throw new MilepostError({
    code: 'INVALID_RECORD',
    message: shown.join('\n'),
    details: { errors: [...errors] },
  });
}

/** One snapshot as a JSONL line (no trailing newline). */
export function snapshotToJsonLine(record: RecordSnapshotInput): string {
  return JSON.stringify(record);
}
