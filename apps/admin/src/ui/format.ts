/**
 * Text for people: dates, counts and issue positions, formatted the same on every screen.
 */
import type { Issue } from './api-types.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An ISO time as local date and time; the raw text when it does not parse. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** `1 customer`, `3 customers`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Where an issue is: `Line 12, column 3 · stages[0].owner`, or just the path. */
export function issueLocation(issue: Issue): string {
  const parts: string[] = [];
  if (issue.line !== undefined)
    parts.push(
      issue.column !== undefined ? `Line ${issue.line}, column ${issue.column}` : `Line ${issue.line}`,
    );
  if (issue.path) parts.push(issue.path);
  return parts.join(' · ');
}

/** Days as people say them, `null` as "no time frame". */
export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined) return 'no time frame';
  const rounded = Math.round(days * 10) / 10;
  return `${rounded} ${rounded === 1 ? 'day' : 'days'}`;
}

/** SLA states in words; the colour in the stylesheet only repeats what the text says. */
export const SLA_TEXT: Record<'on-track' | 'behind' | 'stuck', string> = {
  'on-track': 'On track',
  behind: 'Behind',
  stuck: 'Stuck',
};
