import { describe, expect, test } from 'vitest';
import { diffRecordFields, readFactValue } from './record-outputs.js';

describe('diffRecordFields', () => {
  test('writes only what differs', () => {
    expect(
      diffRecordFields({ stage: 'adoption', sla: 'on-track' }, { stage: 'onboarding', sla: 'on-track' }),
    ).toEqual({ stage: 'adoption' });
  });

  test('a second diff after the write is empty', () => {
    const desired = { stage: 'adoption', days: '4' };
    const writes = diffRecordFields(desired, {});
    expect(diffRecordFields(desired, writes)).toEqual({});
  });

  test('never overwrites a value with null unless the mapping says so', () => {
    expect(diffRecordFields({ next: null }, { next: 'Five active users' })).toEqual({});
    expect(diffRecordFields({ next: null }, { next: 'Five active users' }, { writeNulls: true })).toEqual({
      next: null,
    });
    expect(diffRecordFields({ next: null }, { next: '' }, { writeNulls: true })).toEqual({});
  });

  test('a custom comparison treats equal values in other forms as equal', () => {
    const equals = (_field: string, desired: string, current: string) => Number(desired) === Number(current);
    expect(diffRecordFields({ days: '4' }, { days: '4.0' }, { equals })).toEqual({});
  });
});

describe('readFactValue', () => {
  const plan = { key: 'plan', type: 'enum', values: ['trial', 'starter', 'pro', 'enterprise'] };
  test('enum values go through the value map, and unmapped ones are problems, never guesses', () => {
    expect(readFactValue(plan, 'professional', { pro: 'professional' })).toEqual({ ok: true, value: 'pro' });
    expect(readFactValue(plan, 'starter', { pro: 'professional' })).toEqual({ ok: true, value: 'starter' });
    expect(readFactValue(plan, 'platinum', { pro: 'professional' })).toEqual({
      ok: false,
      problem: 'fact "plan": CRM value "platinum" has no journey value; add it to the mapping\'s value map',
    });
  });

  test('numbers, booleans and dates in the forms CRMs send', () => {
    expect(readFactValue({ key: 'users', type: 'number' }, '12')).toEqual({ ok: true, value: 12 });
    expect(readFactValue({ key: 'users', type: 'number' }, 'twelve').ok).toBe(false);
    expect(readFactValue({ key: 'done', type: 'boolean' }, 'true')).toEqual({ ok: true, value: true });
    expect(readFactValue({ key: 'done', type: 'boolean' }, false)).toEqual({ ok: true, value: false });
    expect(readFactValue({ key: 'kickoff', type: 'date' }, '2026-03-04T10:00:00.000Z')).toEqual({
      ok: true,
      value: '2026-03-04',
    });
    expect(readFactValue({ key: 'kickoff', type: 'date' }, '1772582400000')).toEqual({
      ok: true,
      value: '2026-03-04',
    });
    expect(readFactValue({ key: 'kickoff', type: 'date' }, '')).toEqual({ ok: true, value: undefined });
  });
});
