/**
 * Loads journey and mapping files (YAML or JSON, one or several documents each) and reports every
 * problem with its file, line, column and path, and what to do.
 */
import { readFile } from 'node:fs/promises';
import {
  type Document,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';
import type { z } from 'zod';
import type { Diagnostic, DocumentPath } from './diagnostics.js';
import { closestMatch, formatDiagnostic, formatPath } from './diagnostics.js';
import { MilepostError } from './errors.js';
import { type Journey, journeySchema } from './journey-schema.js';
import { type Finding, validateJourney, validateMapping } from './journey-validation.js';
import { type Mapping, mappingSchema } from './mapping-schema.js';

/** A file's name (as shown in messages) and its text. */
export interface JourneySource {
  file: string;
  text: string;
}

/** Everything a set of files holds, and everything wrong with it. */
export interface LoadResult {
  journeys: Journey[];
  mappings: Mapping[];
  /** Errors first, then warnings, each in file order. */
  diagnostics: Diagnostic[];
  /** Where each loaded journey came from, by journey key. */
  origins: Map<string, { file: string; line: number }>;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error');
}

type ParsedDocument = Document.Parsed;

class Locator {
  constructor(
    private readonly file: string,
    private readonly document: ParsedDocument,
    private readonly lines: LineCounter,
  ) {}

  /** The position of the node at `path`, or of its nearest existing ancestor. */
  position(path: DocumentPath, { atKey = false } = {}): { line: number; column: number } {
    let node: unknown = this.document.contents;
    let offset = (this.document.contents as Node | null)?.range?.[0] ?? 0;
    for (let index = 0; index < path.length; index++) {
      const segment = path[index];
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (!pair) break;
        const keyNode = pair.key as Node;
        if (last && atKey && keyNode.range) {
          offset = keyNode.range[0];
          break;
        }
        node = pair.value;
        const range = isNode(node) ? node.range : keyNode.range;
        if (range) offset = range[0];
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (!isNode(item)) break;
        node = item;
        if (item.range) offset = item.range[0];
      } else {
        break;
      }
    }
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  diagnostic(finding: Finding): Diagnostic {
    return {
      severity: finding.severity,
      file: this.file,
      ...this.position(finding.path, { atKey: finding.atKey }),
      path: formatPath(finding.path),
      message: finding.message,
    };
  }
}

function describeInput(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields',
};

/** The keys a strict object schema accepts at `path`, for "did you mean" on unknown keys. */
function knownKeysAt(schema: z.ZodType, path: DocumentPath): string[] {
  let current: unknown = schema;
  const unwrap = (value: unknown): unknown => {
    let node = value as { _zod?: { def: Record<string, unknown> } } | undefined;
    for (let depth = 0; depth < 10 && node?._zod; depth++) {
      const def = node._zod.def;
      if (
        def.type === 'optional' ||
        def.type === 'default' ||
        def.type === 'nullable' ||
        def.type === 'prefault'
      )
        node = def.innerType as typeof node;
      else if (def.type === 'lazy') node = (def.getter as () => typeof node)();
      else if (def.type === 'pipe') node = def.in as typeof node;
      else break;
    }
    return node;
  };
  for (const segment of path) {
    const node = unwrap(current) as { _zod: { def: Record<string, unknown> } } | undefined;
    const def = node?._zod.def;
    if (!def) return [];
    if (def.type === 'object') current = (def.shape as Record<string, unknown>)[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return [];
  }
  const node = unwrap(current) as { _zod: { def: Record<string, unknown> } } | undefined;
  if (node?._zod.def.type === 'object') return Object.keys(node._zod.def.shape as Record<string, unknown>);
  return [];
}

type Issue = z.core.$ZodIssue;

const CRITERIA_KEYS = ['all', 'any', 'not', 'fact', 'op', 'value'];

/** How far an issue is from the shape the author meant: lower is a better guess at their intent. */
function mismatchScore(issues: readonly Issue[], depth: number): number {
  return issues.reduce((score, issue) => {
    const atRoot = issue.path.length <= depth;
    const structural =
      issue.code === 'unrecognized_keys' || (issue.code === 'invalid_type' && issue.input === undefined);
    return score + (atRoot && structural ? 100 : 1);
  }, 0);
}

/** Zod issues → findings with messages people can act on. */
function explainIssues(
  issues: readonly Issue[],
  schema: z.ZodType,
  document: unknown,
): Array<Finding & { atKey?: boolean }> {
  const findings: Array<Finding & { atKey?: boolean }> = [];
  for (const issue of issues) {
    const path = issue.path as Array<string | number>;
    switch (issue.code) {
      case 'invalid_union': {
        // Criteria are a union: explain the branch closest to what the author wrote.
        // Branch issues carry paths relative to the union.
        const branches = issue.errors
          .filter((branch) => branch.length > 0)
          .map((branch) => branch.map((inner) => ({ ...inner, path: [...path, ...inner.path] }) as Issue));
        const best = [...branches].sort(
          (left, right) => mismatchScore(left, path.length) - mismatchScore(right, path.length),
        )[0];
        if (best && mismatchScore(best, path.length) < 100) {
          findings.push(...explainIssues(best, schema, document));
          break;
        }
        const keys =
          issue.input && typeof issue.input === 'object' && !Array.isArray(issue.input)
            ? Object.keys(issue.input)
            : [];
        const typo = keys
          .map((key) => [key, closestMatch(key, CRITERIA_KEYS)] as const)
          .find(([key, match]) => match && match !== key);
        findings.push(
          typo
            ? {
                severity: 'error',
                path: [...path, typo[0]],
                atKey: true,
                message: `unknown field "${typo[0]}"; did you mean "${typo[1]}"?`,
              }
            : {
                severity: 'error',
                path,
                message: `expected criteria: { all: [...] }, { any: [...] }, { not: {...} } or { fact, op, value }, got ${describeInput(issue.input)}`,
              },
        );
        break;
      }
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path);
        for (const key of issue.keys) {
          const suggestion = closestMatch(key, known);
          findings.push({
            severity: 'error',
            path: [...path, key],
            atKey: true,
            message: `unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : known.length ? ` (allowed: ${known.join(', ')})` : ''}`,
          });
        }
        break;
      }
      case 'invalid_type': {
        if (issue.input === undefined) {
          findings.push({
            severity: 'error',
            path,
            message: `required field "${String(path.at(-1))}" is missing; add it`,
          });
        } else {
          findings.push({
            severity: 'error',
            path,
            message: `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${describeInput(issue.input)}`,
          });
        }
        break;
      }
      case 'invalid_value': {
        const allowed = issue.values.map((value) => JSON.stringify(value));
        const suggestion =
          typeof issue.input === 'string' && allowed.length > 1
            ? closestMatch(issue.input, issue.values.map(String))
            : undefined;
        findings.push({
          severity: 'error',
          path,
          message: `${describeInput(issue.input)} is not allowed; use ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        });
        break;
      }
      case 'invalid_format':
        findings.push({
          severity: 'error',
          path,
          message: `${describeInput(issue.input)} is not valid: ${issue.message}`,
        });
        break;
      default:
        findings.push({ severity: 'error', path, message: issue.message });
    }
  }
  return findings;
}

/** Parses and validates a set of sources, without touching the file system. */
export function parseJourneySources(sources: readonly JourneySource[]): LoadResult {
  const result: LoadResult = { journeys: [], mappings: [], diagnostics: [], origins: new Map() };
  const mappingChecks: Array<{ mapping: Mapping; locator: Locator }> = [];
  const journeysByKey = new Map<string, { locator: Locator; path: DocumentPath }>();

  for (const source of sources) {
    const lines = new LineCounter();
    const documents = parseAllDocuments(source.text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
    });
    const list = Array.isArray(documents) ? documents : [];
    if (!Array.isArray(documents) || list.length === 0) {
      result.diagnostics.push({
        severity: 'error',
        file: source.file,
        line: 1,
        column: 1,
        path: '',
        message: 'the file is empty; start from a template with `milepost init`',
      });
      continue;
    }
    for (const document of list) {
      const locator = new Locator(source.file, document, lines);
      if (document.errors.length > 0) {
        for (const error of document.errors) {
          const { line, col } = lines.linePos(error.pos[0]);
          result.diagnostics.push({
            severity: 'error',
            file: source.file,
            line,
            column: col,
            path: '',
            message: `not valid YAML: ${error.code === 'DUPLICATE_KEY' ? 'this key appears twice in the same mapping; keep one' : error.message.split('\n')[0]}`,
          });
        }
        continue;
      }
      const data: unknown = document.toJS({ maxAliasCount: 100 });
      if (data === null || data === undefined) continue;
      if (typeof data !== 'object' || Array.isArray(data)) {
        result.diagnostics.push(
          locator.diagnostic({
            severity: 'error',
            path: [],
            message: 'a journey file holds a mapping with "apiVersion" and "kind" at the top',
          }),
        );
        continue;
      }
      const kind = (data as { kind?: unknown }).kind;
      const schema: z.ZodType = kind === 'Mapping' ? mappingSchema : journeySchema;
      if (kind !== 'Journey' && kind !== 'Mapping') {
        const suggestion = typeof kind === 'string' ? closestMatch(kind, ['Journey', 'Mapping']) : undefined;
        result.diagnostics.push(
          locator.diagnostic({
            severity: 'error',
            path: ['kind'],
            message: `${kind === undefined ? 'missing "kind"' : `unknown kind ${JSON.stringify(kind)}`}; use "Journey" or "Mapping"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
          }),
        );
        continue;
      }
      const parsed = schema.safeParse(data, { reportInput: true });
      if (!parsed.success) {
        for (const finding of explainIssues(parsed.error.issues, schema, data)) {
          result.diagnostics.push(locator.diagnostic(finding));
        }
        continue;
      }
      if (kind === 'Mapping') {
        mappingChecks.push({ mapping: parsed.data as Mapping, locator });
        continue;
      }
      const journey = parsed.data as Journey;
      const findings = validateJourney(journey);
      for (const finding of findings) result.diagnostics.push(locator.diagnostic(finding));
      const first = journeysByKey.get(journey.key);
      if (first) {
        const at = result.origins.get(journey.key);
        result.diagnostics.push(
          locator.diagnostic({
            severity: 'error',
            path: ['key'],
            message: `journey "${journey.key}" is already defined at ${at?.file}:${at?.line}; journey keys must be unique across files`,
          }),
        );
        continue;
      }
      journeysByKey.set(journey.key, { locator, path: [] });
      if (!findings.some((finding) => finding.severity === 'error')) {
        result.journeys.push(journey);
        result.origins.set(journey.key, { file: source.file, line: locator.position([]).line });
      }
    }
  }

  for (const { mapping, locator } of mappingChecks) {
    const journey = result.journeys.find((candidate) => candidate.key === mapping.journey);
    const findings = journey ? validateMapping(mapping, journey) : [];
    for (const finding of findings) result.diagnostics.push(locator.diagnostic(finding));
    if (!findings.some((finding) => finding.severity === 'error')) result.mappings.push(mapping);
  }
  result.diagnostics.sort((left, right) =>
    left.severity === right.severity ? 0 : left.severity === 'error' ? -1 : 1,
  );
  return result;
}

/** Reads and validates journey and mapping files. Unreadable files become diagnostics, never throws. */
export async function loadJourneyFiles(paths: readonly string[]): Promise<LoadResult> {
  const sources: JourneySource[] = [];
  const unreadable: Diagnostic[] = [];
  for (const path of paths) {
    try {
      sources.push({ file: path, text: await readFile(path, 'utf8') });
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      unreadable.push({
        severity: 'error',
        file: path,
        line: 1,
        column: 1,
        path: '',
        message: `cannot read the file: ${reason}`,
      });
    }
  }
  const result = parseJourneySources(sources);
  result.diagnostics.unshift(...unreadable);
  return result;
}

/**
 * Loads exactly one journey (and the mappings beside it) or throws an `INVALID_FILE` MilepostError
 * whose message lists every error and whose `details.diagnostics` holds them as data.
 */
export async function loadJourney(
  paths: string | readonly string[],
): Promise<{ journey: Journey; mappings: Mapping[]; warnings: Diagnostic[] }> {
  const list = typeof paths === 'string' ? [paths] : paths;
  const result = await loadJourneyFiles(list);
  if (hasErrors(result.diagnostics)) {
    const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    throw new MilepostError({
      code: 'INVALID_FILE',
      message: errors.map(formatDiagnostic).join('\n'),
      details: { diagnostics: errors },
    });
  }
  const journey = result.journeys[0];
  if (!journey || result.journeys.length > 1) {
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: journey
        ? `${list.join(', ')} define ${result.journeys.length} journeys (${result.journeys.map((item) => item.key).join(', ')}); pass the file of one journey`
        : `${list.join(', ')} define no journey; add a document with "kind: Journey"`,
    });
  }
  return { journey, mappings: result.mappings, warnings: result.diagnostics };
}
