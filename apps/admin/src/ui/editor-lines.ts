/**
 * Line arithmetic for the journey editor: where a line starts in the text (to move the caret to an
 * issue) and which lines carry issues (for the gutter markers).
 */
import type { Issue } from './api-types.js';

/** The number of lines of `source` (an empty text has one). */
export function lineCount(source: string): number {
  let count = 1;
  for (let index = source.indexOf('\n'); index !== -1; index = source.indexOf('\n', index + 1)) count++;
  return count;
}

/** The offset of the first character of 1-based `line`, clamped to the text. */
export function lineStartOffset(source: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = source.indexOf('\n', offset);
    if (next === -1) return offset;
    offset = next + 1;
  }
  return offset;
}

/** The offset of 1-based `line` and `column`, the column clamped to the line's end. */
export function positionOffset(source: string, line: number, column = 1): number {
  const start = lineStartOffset(source, line);
  const end = source.indexOf('\n', start);
  const lineEnd = end === -1 ? source.length : end;
  return Math.min(start + Math.max(column - 1, 0), lineEnd);
}

/** Per line, the worst severity among its issues (an error hides a warning). */
export function issueLines(issues: readonly Issue[]): Map<number, 'error' | 'warning'> {
  const lines = new Map<number, 'error' | 'warning'>();
  for (const issue of issues) {
    if (issue.line === undefined) continue;
    const severity = issue.severity ?? 'error';
    if (lines.get(issue.line) !== 'error') lines.set(issue.line, severity);
  }
  return lines;
}
