import { describe, expect, it } from 'vitest';
import type { JourneyChange } from './api-types.js';
import { changeMarker, countChanges, groupJourneyChanges } from './journey-changes.js';

const change = (kind: JourneyChange['kind'], stage?: string, item?: string): JourneyChange => ({
  kind,
  ...(stage ? { stage } : {}),
  ...(item ? { item } : {}),
  summary: `${kind} ${stage ?? ''} ${item ?? ''}`.trim(),
});

describe('groupJourneyChanges', () => {
  it('puts journey changes first, stages in diff order, SuccessCycles last', () => {
    const groups = groupJourneyChanges([
      change('version-changed'),
      change('stage-added', 'adopt'),
      change('milestone-added', 'onboard', 'kickoff'),
      change('time-frame-changed', 'adopt'),
      change('cycle-changed', undefined, 'yearly'),
      change('journey-renamed'),
      change('stage-removed', 'legacy'),
    ]);
    expect(groups.map((group) => [group.id, group.changes.map((marked) => marked.change.kind)])).toEqual([
      ['journey', ['version-changed', 'journey-renamed']],
      ['stage:adopt', ['stage-added', 'time-frame-changed']],
      ['stage:onboard', ['milestone-added']],
      ['stage:legacy', ['stage-removed']],
      ['cycles', ['cycle-changed']],
    ]);
    expect(groups[1]!.title).toBe('Stage "adopt"');
  });

  it('marks additions +, removals − and everything else ~, with the marker in words', () => {
    expect(changeMarker('touchpoint-added')).toBe('+');
    expect(changeMarker('milestone-removed')).toBe('−');
    expect(changeMarker('stage-moved')).toBe('~');
    expect(changeMarker('criteria-changed')).toBe('~');
    const [group] = groupJourneyChanges([change('cycle-removed', undefined, 'q1')]);
    expect(group!.changes[0]).toMatchObject({ marker: '−', markerText: 'Removed' });
  });

  it('returns no groups for no changes and counts by marker', () => {
    expect(groupJourneyChanges([])).toEqual([]);
    expect(
      countChanges([
        change('stage-added', 'a'),
        change('stage-removed', 'b'),
        change('owner-changed', 'c'),
        change('cycle-added'),
      ]),
    ).toEqual({ '+': 2, '−': 1, '~': 1 });
  });
});
