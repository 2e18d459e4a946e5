import { describe, expect, it } from 'vitest';
import { compileCriteria, criteriaLeaves, criteriaProgress } from './criteria.js';
import type { Criteria, Fact } from './journey-schema.js';

const facts: Fact[] = [
  { key: 'users', type: 'number', label: 'Active users' },
  { key: 'arr', type: 'currency' },
  { key: 'plan', type: 'enum', values: ['trial', 'pro', 'enterprise'] },
  { key: 'kickoff', type: 'date', label: 'Kick-off date' },
  { key: 'sso', type: 'boolean' },
  { key: 'region', type: 'string' },
];

const test = (criteria: Criteria, values: Record<string, unknown>) =>
  compileCriteria(criteria, facts).test(values);

describe('compileCriteria', () => {
  it('keeps the AST and lists the facts it reads', () => {
    const criteria: Criteria = {
      all: [{ fact: 'users', op: 'gte', value: 5 }, { not: { fact: 'plan', op: 'eq', value: 'trial' } }],
    };
    const compiled = compileCriteria(criteria, facts);
    expect(compiled.ast).toBe(criteria);
    expect(compiled.facts).toEqual(['users', 'plan']);
    expect(criteriaLeaves(criteria).map((leaf) => leaf.op)).toEqual(['gte', 'eq']);
  });

  it.each([
    [{ fact: 'users', op: 'eq', value: 5 }, { users: 5 }, true],
    [{ fact: 'users', op: 'neq', value: 5 }, { users: 4 }, true],
    [{ fact: 'users', op: 'gt', value: 5 }, { users: 5 }, false],
    [{ fact: 'users', op: 'gte', value: 5 }, { users: '5' }, true],
    [{ fact: 'users', op: 'lt', value: 5 }, { users: 4.5 }, true],
    [{ fact: 'users', op: 'lte', value: 5 }, { users: 6 }, false],
    [{ fact: 'plan', op: 'in', value: ['pro', 'enterprise'] }, { plan: 'pro' }, true],
    [{ fact: 'plan', op: 'notIn', value: ['pro', 'enterprise'] }, { plan: 'trial' }, true],
    [{ fact: 'plan', op: 'notIn', value: ['pro'] }, { plan: 'pro' }, false],
    [{ fact: 'sso', op: 'eq', value: true }, { sso: 'true' }, true],
    [{ fact: 'sso', op: 'eq', value: false }, { sso: true }, false],
    [{ fact: 'region', op: 'eq', value: 'eu' }, { region: 'eu' }, true],
    [{ fact: 'arr', op: 'gte', value: 1000 }, { arr: 999.5 }, false],
    [{ fact: 'kickoff', op: 'isSet' }, { kickoff: '2026-01-01' }, true],
    [{ fact: 'kickoff', op: 'isNotSet' }, { kickoff: '' }, true],
  ] as Array<[Criteria, Record<string, unknown>, boolean]>)(
    '%j on %j is %s',
    (criteria, values, expected) => {
      expect(test(criteria, values)).toBe(expected);
    },
  );

  it('makes every leaf false on a missing or unusable fact, except isNotSet', () => {
    for (const op of ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const) {
      expect(test({ fact: 'users', op, value: 5 }, {})).toBe(false);
      expect(test({ fact: 'users', op, value: 5 }, { users: null })).toBe(false);
      expect(test({ fact: 'users', op, value: 5 }, { users: 'many' })).toBe(false);
    }
    expect(test({ fact: 'plan', op: 'notIn', value: ['pro'] }, {})).toBe(false);
    expect(test({ fact: 'kickoff', op: 'isNotSet' }, {})).toBe(true);
    expect(test({ fact: 'sso', op: 'eq', value: true }, { sso: 'maybe' })).toBe(false);
    expect(test({ fact: 'kickoff', op: 'gte', value: '2026-01-01' }, { kickoff: { nested: true } })).toBe(
      false,
    );
  });

  it('compares dates in whole UTC days', () => {
    const after = { fact: 'kickoff', op: 'gte', value: '2026-01-31' } as const;
    expect(test(after, { kickoff: '2026-01-31T00:00:01Z' })).toBe(true);
    expect(
      test({ fact: 'kickoff', op: 'eq', value: '2026-01-31' }, { kickoff: '2026-01-31T23:59:59.999Z' }),
    ).toBe(true);
    expect(test(after, { kickoff: '2026-01-30T23:59:59Z' })).toBe(false);
    // 23:30 at UTC-05:00 is already February 1st in UTC.
    expect(
      test({ fact: 'kickoff', op: 'gt', value: '2026-01-31' }, { kickoff: '2026-01-31T23:30:00-05:00' }),
    ).toBe(true);
    expect(test(after, { kickoff: '2026-02-30' })).toBe(false);
  });

  it('combines with all, any and not', () => {
    const criteria: Criteria = {
      any: [
        { fact: 'plan', op: 'eq', value: 'enterprise' },
        { all: [{ fact: 'users', op: 'gt', value: 10 }, { not: { fact: 'sso', op: 'eq', value: false } }] },
      ],
    };
    expect(test(criteria, { plan: 'enterprise' })).toBe(true);
    expect(test(criteria, { users: 11, sso: true })).toBe(true);
    expect(test(criteria, { users: 11, sso: false })).toBe(false);
    // not over a missing fact: the leaf is false, so its negation holds.
    expect(test(criteria, { users: 11 })).toBe(true);
    expect(
      test(
        {
          all: [
            { fact: 'users', op: 'gt', value: 1 },
            { fact: 'users', op: 'lt', value: 3 },
            { fact: 'plan', op: 'eq', value: 'pro' },
          ],
        },
        { users: 2, plan: 'pro' },
      ),
    ).toBe(true);
  });

  it('compares undeclared facts as given', () => {
    expect(compileCriteria({ fact: 'other', op: 'eq', value: 3 }).test({ other: 3 })).toBe(true);
    expect(compileCriteria({ fact: 'other', op: 'eq', value: 3 }).test({ other: '3' })).toBe(false);
  });
});

describe('criteriaProgress', () => {
  it('says how far each leaf is', () => {
    const criteria: Criteria = {
      all: [
        { fact: 'users', op: 'gte', value: 5 },
        { fact: 'plan', op: 'neq', value: 'trial' },
        { fact: 'kickoff', op: 'isSet' },
      ],
    };
    const progress = criteriaProgress(criteria, { users: 3, plan: 'trial' }, { facts });
    expect(progress.map((leaf) => [leaf.text, leaf.met])).toEqual([
      ['Active users 3 of 5 now', false],
      ['Plan is trial now (needs: is not trial)', false],
      ['Kick-off date not set yet', false],
    ]);
    expect(
      criteriaProgress({ fact: 'kickoff', op: 'isSet' }, { kickoff: '2026-01-05T10:00:00Z' }, { facts })[0],
    ).toMatchObject({
      current: '2026-01-05',
      met: true,
    });
  });
});
