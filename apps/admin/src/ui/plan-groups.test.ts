import { describe, expect, it } from 'vitest';
import type { PlanChange } from './api-types.js';
import { formatAttributeValue, groupPlanChanges } from './plan-groups.js';

const resource = (id: string) => ({ id, kind: 'property', label: id, attributes: {} });

describe('groupPlanChanges', () => {
  it('groups by action in create, update, delete order and keeps the apply order inside', () => {
    const changes: PlanChange[] = [
      { action: 'delete', resource: resource('old'), summary: 'delete old' },
      { action: 'create', resource: resource('a'), summary: 'create a' },
      { action: 'update', resource: resource('b'), attributes: [], summary: 'update b' },
      { action: 'create', resource: resource('c'), summary: 'create c' },
    ];
    expect(
      groupPlanChanges(changes).map((group) => [
        group.title,
        group.marker,
        group.changes.map((change) => change.resource.id),
      ]),
    ).toEqual([
      ['Create', '+', ['a', 'c']],
      ['Update', '~', ['b']],
      ['Delete', '−', ['old']],
    ]);
    expect(groupPlanChanges([])).toEqual([]);
  });

  it('formats attribute values as one line', () => {
    expect(formatAttributeValue(undefined)).toBe('(none)');
    expect(formatAttributeValue('')).toBe('(none)');
    expect(formatAttributeValue('Kickoff')).toBe('Kickoff');
    expect(formatAttributeValue(['a', 'b'])).toBe('["a","b"]');
    expect(formatAttributeValue(3)).toBe('3');
  });
});
