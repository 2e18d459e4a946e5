/**
 * A JourneyChange list (core `diffJourneys`) arranged for reading: the journey itself first, then
 * one group per stage in the order the changes name them, then SuccessCycles. Each change gets a
 * + (added), − (removed) or ~ (changed) marker.
 */
import type { JourneyChange, JourneyChangeKind } from './api-types.js';

/** Added, removed or changed. */
export type ChangeMarker = '+' | '−' | '~';

/** One change with its marker and the marker in words (for screen readers and print). */
export interface MarkedChange {
  marker: ChangeMarker;
  markerText: 'Added' | 'Removed' | 'Changed';
  change: JourneyChange;
}

/** Changes about one subject. */
export interface JourneyChangeGroup {
  /** `journey`, `stage:<key>` or `cycles`; stable for React keys. */
  id: string;
  title: string;
  changes: MarkedChange[];
}

const ADDED: ReadonlySet<JourneyChangeKind> = new Set([
  'stage-added',
  'milestone-added',
  'touchpoint-added',
  'cycle-added',
]);
const REMOVED: ReadonlySet<JourneyChangeKind> = new Set([
  'stage-removed',
  'milestone-removed',
  'touchpoint-removed',
  'cycle-removed',
]);

/** The marker of a change kind. */
export function changeMarker(kind: JourneyChangeKind): MarkedChange['marker'] {
  if (ADDED.has(kind)) return '+';
  if (REMOVED.has(kind)) return '−';
  return '~';
}

function mark(change: JourneyChange): MarkedChange {
  const marker = changeMarker(change.kind);
  return { marker, markerText: marker === '+' ? 'Added' : marker === '−' ? 'Removed' : 'Changed', change };
}

/**
 * Groups changes by subject. Stage groups keep the order in which the diff first mentions each
 * stage (the diff walks stages in the new order, removed ones last), and changes keep their order.
 */
export function groupJourneyChanges(changes: readonly JourneyChange[]): JourneyChangeGroup[] {
  const journey: MarkedChange[] = [];
  const cycles: MarkedChange[] = [];
  const stages = new Map<string, MarkedChange[]>();
  for (const change of changes) {
    if (change.kind.startsWith('cycle-')) cycles.push(mark(change));
    else if (change.stage !== undefined) {
      const list = stages.get(change.stage) ?? [];
      list.push(mark(change));
      stages.set(change.stage, list);
    } else journey.push(mark(change));
  }
  const groups: JourneyChangeGroup[] = [];
  if (journey.length > 0) groups.push({ id: 'journey', title: 'Journey', changes: journey });
  for (const [stage, list] of stages)
    groups.push({ id: `stage:${stage}`, title: `Stage "${stage}"`, changes: list });
  if (cycles.length > 0) groups.push({ id: 'cycles', title: 'SuccessCycles', changes: cycles });
  return groups;
}

/** Counts by marker, for the "3 added, 1 removed, 2 changed" line above a diff. */
export function countChanges(changes: readonly JourneyChange[]): Record<ChangeMarker, number> {
  const counts: Record<ChangeMarker, number> = { '+': 0, '−': 0, '~': 0 };
  for (const change of changes) counts[changeMarker(change.kind)] += 1;
  return counts;
}
