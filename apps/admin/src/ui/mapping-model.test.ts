import { describe, expect, it } from 'vitest';
import type { CrmField, Journey, Mapping } from './api-types.js';
import {
  findField,
  mappingRows,
  rowEntry,
  searchFields,
  setRowField,
  setRowValues,
  setValueMapping,
  valueMapRows,
} from './mapping-model.js';

const journey = {
  apiVersion: 'milepost/v1',
  kind: 'Journey',
  key: 'onboarding',
  name: 'Onboarding',
  version: 1,
  teams: [],
  personas: [],
  facts: [
    { key: 'plan', type: 'enum', values: ['starter', 'pro'] },
    { key: 'active_users', type: 'number', label: 'Active users' },
  ],
  stages: [
    { key: 'kickoff', name: 'Kickoff', milestones: [{ key: 'kickoff-held', name: 'Kickoff held' }] },
    { key: 'adopt', name: 'Adopt' },
  ],
} as Journey;

const mapping: Mapping = {
  apiVersion: 'milepost/v1',
  kind: 'Mapping',
  journey: 'onboarding',
  target: 'hubspot',
  facts: {},
  outputs: {},
};

const field = (object: string, name: string, type: CrmField['type'], options?: string[]): CrmField => ({
  object,
  name,
  label: name.replace(/_/g, ' '),
  type,
  managed: false,
  ...(options ? { options: options.map((value) => ({ value, label: value.toUpperCase() })) } : {}),
});

describe('mappingRows', () => {
  it('lists facts, the fixed outputs and one output per milestone, with types and enum values', () => {
    const rows = mappingRows(journey);
    expect(rows.map((row) => `${row.kind}:${row.key}:${row.type}`)).toEqual([
      'fact:plan:enum',
      'fact:active_users:number',
      'output:stage:enum',
      'output:stageEnteredAt:date',
      'output:daysInStage:number',
      'output:sla:enum',
      'output:nextMilestone:string',
      'output:owner:string',
      'output:journeyVersion:number',
      'output:cycle:string',
      'output:milestone.kickoff-held:date',
    ]);
    expect(rows[0]!.values).toEqual(['starter', 'pro']);
    expect(rows[1]!.label).toBe('Active users');
    expect(rows.find((row) => row.key === 'stage')!.values).toEqual(['kickoff', 'adopt']);
    expect(rows.find((row) => row.key === 'sla')!.values).toEqual(['on-track', 'behind', 'stuck']);
  });
});

describe('setRowField', () => {
  const [planRow, usersRow] = mappingRows(journey);

  it('writes the object only when the field is not on the customer record', () => {
    const onCompany = setRowField(mapping, usersRow!, field('companies', 'users', 'number'));
    expect(onCompany.facts.active_users).toEqual({ field: 'users' });
    const onDeal = setRowField(mapping, usersRow!, field('deals', 'users', 'number'));
    expect(onDeal.facts.active_users).toEqual({ field: 'users', object: 'deals' });
    expect(findField([field('deals', 'users', 'number')], onDeal, rowEntry(onDeal, usersRow!))?.object).toBe(
      'deals',
    );
  });

  it('removes the entry for the default choice and never mutates the input', () => {
    const mapped = setRowField(mapping, usersRow!, field('companies', 'users', 'number'));
    expect(setRowField(mapped, usersRow!, undefined).facts).toEqual({});
    expect(mapping.facts).toEqual({});
  });

  it('keeps a value map while the field stays an enum and drops it otherwise', () => {
    let next = setRowField(mapping, planRow!, field('companies', 'tier', 'enum', ['basic', 'premium']));
    next = setRowValues(next, planRow!, { starter: 'basic' });
    expect(setRowField(next, planRow!, field('companies', 'tier2', 'enum', ['basic'])).facts.plan).toEqual({
      field: 'tier2',
      values: { starter: 'basic' },
    });
    expect(setRowField(next, planRow!, field('companies', 'tier_text', 'string')).facts.plan).toEqual({
      field: 'tier_text',
    });
  });
});

describe('value maps', () => {
  const tier = field('companies', 'tier', 'enum', ['basic', 'pro']);

  it('uses explicit entries, then same-named options, and flags the rest as unmapped', () => {
    expect(valueMapRows(['starter', 'pro', 'enterprise'], tier, { starter: 'basic' })).toEqual([
      { journeyValue: 'starter', crmValue: 'basic', implicit: false, unmapped: false },
      { journeyValue: 'pro', crmValue: 'pro', implicit: true, unmapped: false },
      { journeyValue: 'enterprise', crmValue: undefined, implicit: false, unmapped: true },
    ]);
  });

  it('flags an entry pointing at an option the CRM no longer has, and values the check reported', () => {
    const rows = valueMapRows(['starter', 'pro'], tier, { starter: 'gone' }, ['pro']);
    expect(rows.map((row) => [row.journeyValue, row.unmapped])).toEqual([
      ['starter', true],
      ['pro', true],
    ]);
  });

  it('sets and clears entries, answering undefined for an empty map', () => {
    expect(setValueMapping(undefined, 'starter', 'basic')).toEqual({ starter: 'basic' });
    expect(setValueMapping({ starter: 'basic', pro: 'x' }, 'pro', '')).toEqual({ starter: 'basic' });
    expect(setValueMapping({ starter: 'basic' }, 'starter', '')).toBeUndefined();
  });
});

describe('searchFields', () => {
  const fields = [
    field('deals', 'amount', 'currency'),
    field('companies', 'plan_tier', 'enum'),
    field('companies', 'annual_revenue', 'currency'),
    field('contacts', 'plan_name', 'string'),
  ];

  it('groups by object with the customer record first and matches every word anywhere', () => {
    expect(searchFields(fields, '', 'companies').map((group) => group.object)).toEqual([
      'companies',
      'contacts',
      'deals',
    ]);
    expect(
      searchFields(fields, 'PLAN', 'companies').map((group) => group.fields.map((item) => item.name)),
    ).toEqual([['plan_tier'], ['plan_name']]);
    expect(
      searchFields(fields, 'deals amount').flatMap((group) => group.fields.map((item) => item.name)),
    ).toEqual(['amount']);
    expect(searchFields(fields, 'nothing matches')).toEqual([]);
  });
});
