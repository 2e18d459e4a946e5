/**
 * Diagnostics: what is wrong with a file, where, and what to do about it.
 */

/** How bad a diagnostic is: errors stop a file from loading, warnings do not. */
export type DiagnosticSeverity = 'error' | 'warning';

/** One finding about a journey or mapping file. */
export interface Diagnostic {
  severity: DiagnosticSeverity;
  /** The file as the user named it. */
  file: string;
  /** 1-based line and column of the offending node. */
  line: number;
  column: number;
  /** The path inside the document, e.g. `stages[0].owner`; empty for the document itself. */
  path: string;
  /** What is wrong and what to do. */
  message: string;
}

/** A path inside a document, as keys and indexes. */
export type DocumentPath = ReadonlyArray<string | number>;

/** `['stages', 0, 'owner']` → `stages[0].owner`. */
export function formatPath(path: DocumentPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** `journey.yaml:14:9: stages[0].owner: unknown team …` (warnings say so after the position). */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}:`;
  const severity = diagnostic.severity === 'warning' ? ' warning:' : '';
  const path = diagnostic.path === '' ? '' : ` ${diagnostic.path}:`;
  return `${where}${severity}${path} ${diagnostic.message}`;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(left: string, right: string): number {
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= right.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(
        above + 1,
        previous[j - 1]! + 1,
        diagonal + (left[i - 1]!.toLowerCase() === right[j - 1]!.toLowerCase() ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[right.length]!;
}

/** The closest candidate when it is close enough to be a likely typo. */
export function closestMatch(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(value, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(value.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** ` (known: a, b, c; did you mean "b"?)` — the tail of an unknown-reference message. */
export function knownValuesHint(value: string, known: readonly string[]): string {
  if (known.length === 0) return ' (none are defined)';
  const suggestion = closestMatch(value, known);
  const list = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
  return ` (known: ${list}${suggestion ? `; did you mean "${suggestion}"?` : ''})`;
}
