import { describe, expect, test } from 'vitest';
import type { CrmField } from './adapter.js';
import { journeySchema } from './journey-schema.js';
import { checkMapping } from './mapping-check.js';
import { type Mapping, mappingSchema } from './mapping-schema.js';

const journey = journeySchema.parse({
  apiVersion: 'milepost/v1',
  kind: 'Journey',
  key: 'acme',
  name: 'Acme',
  version: 1,
  facts: [
    { key: 'kickoff_date', type: 'date' },
    { key: 'active_users', type: 'number' },
    { key: 'arr', type: 'currency' },
    { key: 'churned', type: 'boolean' },
    { key: 'plan', type: 'enum', values: ['trial', 'pro', 'enterprise'] },
    { key: 'region', type: 'string' },
  ],
  stages: [
    { key: 'onboarding', name: 'Onboarding', milestones: [{ key: 'kickoff-held', name: 'Kick-off held' }] },
    { key: 'adoption', name: 'Adoption' },
  ],
});

const options = (...values: string[]) => values.map((value) => ({ value, label: value.toUpperCase() }));
const field = (name: string, type: CrmField['type'], extra: Partial<CrmField> = {}): CrmField => ({
  object: 'companies',
  name,
  label: name,
  type,
  managed: false,
  ...extra,
});

const FIELDS: CrmField[] = [
  field('kickoff_date', 'date'),
  field('first_login_at', 'datetime'),
  field('active_users', 'number'),
  field('annualrevenue', 'currency'),
  field('is_churned', 'boolean'),
  field('plan_tier', 'enum', { options: options('trial', 'pro', 'ent') }),
  field('region', 'string'),
  field('cs_stage', 'enum', { options: options('onboarding', 'adoption') }),
  field('cs_stage_short', 'enum', { options: options('onb') }),
  field('cs_notes', 'string'),
  field('milepost_stage', 'enum', { options: options('onboarding', 'adoption'), managed: true }),
  field('subject', 'string', { object: 'tickets' }),
];

const mapping = (
  facts: Record<string, unknown> = {},
  outputs: Record<string, unknown> = {},
  extra = {},
): Mapping =>
  mappingSchema.parse({
    apiVersion: 'milepost/v1',
    kind: 'Mapping',
    journey: 'acme',
    target: 'hubspot',
    facts,
    outputs,
    ...extra,
  });

describe('checkMapping', () => {
  test('a mapping whose fields exist with compatible types and complete value maps has no issues', () => {
    const issues = checkMapping(
      journey,
      mapping(
        {
          kickoff_date: { field: 'first_login_at' },
          active_users: { field: 'active_users' },
          arr: { field: 'annualrevenue' },
          churned: { field: 'is_churned' },
          plan: { field: 'plan_tier', values: { enterprise: 'ent' } },
          region: { field: 'region' },
        },
        {
          stage: { field: 'cs_stage' },
          nextMilestone: { field: 'cs_notes' },
          'milestone.kickoff-held': { field: 'kickoff_date' },
        },
      ),
      FIELDS,
    );
    expect(issues).toEqual([]);
  });

  test('a missing field is an error that suggests the closest name on the object', () => {
    expect(checkMapping(journey, mapping({ active_users: { field: 'active_user' } }), FIELDS)).toEqual([
      {
        key: 'active_users',
        kind: 'fact',
        severity: 'error',
        message:
          'fact "active_users" is mapped to companies.active_user, which does not exist; did you mean "active_users"?',
      },
    ]);
    expect(checkMapping(journey, mapping({}, { owner: { field: 'zzzzzzzz' } }), FIELDS)).toEqual([
      {
        key: 'owner',
        kind: 'output',
        severity: 'error',
        message:
          'output "owner" is mapped to companies.zzzzzzzz, which does not exist; create the field or map the output to an existing one',
      },
    ]);
  });

  test('a field is looked up on its own object, the mapping object, or the default object', () => {
    const onTickets = checkMapping(
      journey,
      mapping({ region: { field: 'subject', object: 'tickets' } }),
      FIELDS,
    );
    expect(onTickets).toEqual([]);
    const wrongObject = checkMapping(
      journey,
      mapping({ region: { field: 'region' } }, {}, { object: 'companys' }),
      FIELDS,
    );
    expect(wrongObject).toEqual([
      {
        key: 'region',
        kind: 'fact',
        severity: 'error',
        message:
          'fact "region" is mapped to companys.region, but hubspot has no object "companys" among the objects read (companies, tickets); did you mean "companies"?',
      },
    ]);
  });

  test('Salesforce names match without regard to case', () => {
    const fields: CrmField[] = [
      { object: 'Account', name: 'Active_Users__c', label: 'Active users', type: 'number', managed: false },
    ];
    const sfMapping = mappingSchema.parse({
      apiVersion: 'milepost/v1',
      kind: 'Mapping',
      journey: 'acme',
      target: 'salesforce',
      facts: { active_users: { field: 'active_users__c' } },
    });
    expect(checkMapping(journey, sfMapping, fields)).toEqual([]);
  });

  test('incompatible types are errors naming the types that fit', () => {
    const issues = checkMapping(
      journey,
      mapping(
        { active_users: { field: 'region' }, churned: { field: 'active_users' } },
        {
          daysInStage: { field: 'kickoff_date' },
          stageEnteredAt: { field: 'cs_notes' },
          owner: { field: 'cs_stage' },
        },
      ),
      FIELDS,
    );
    expect(issues).toEqual([
      {
        key: 'active_users',
        kind: 'fact',
        severity: 'error',
        message:
          'fact "active_users" is a number, but companies.region is a string field; map a number or currency field or change the fact\'s type',
      },
      {
        key: 'churned',
        kind: 'fact',
        severity: 'error',
        message:
          'fact "churned" is a boolean, but companies.active_users is a number field; map a boolean field or change the fact\'s type',
      },
      {
        key: 'daysInStage',
        kind: 'output',
        severity: 'error',
        message:
          'output "daysInStage" writes a whole number, but companies.kickoff_date is a date field; map a number field',
      },
      {
        key: 'stageEnteredAt',
        kind: 'output',
        severity: 'error',
        message:
          'output "stageEnteredAt" writes a date, but companies.cs_notes is a string field; map a date or datetime field',
      },
      {
        key: 'owner',
        kind: 'output',
        severity: 'error',
        message: 'output "owner" writes text, but companies.cs_stage is an enum field; map a string field',
      },
    ]);
  });

  test('an enum fact on a text field is a warning, not an error', () => {
    expect(checkMapping(journey, mapping({ plan: { field: 'region' } }), FIELDS)).toEqual([
      {
        key: 'plan',
        kind: 'fact',
        severity: 'warning',
        message:
          'fact "plan" is an enum, but companies.region is a free-text field: records holding other values are reported at each sync; a picklist/dropdown field avoids that',
      },
    ]);
  });

  test('enum values without a CRM option are listed; a value map pointing at a missing option is an error', () => {
    const issues = checkMapping(
      journey,
      mapping(
        { plan: { field: 'plan_tier', values: { pro: 'Pro' } } },
        { stage: { field: 'cs_stage_short' } },
      ),
      FIELDS,
    );
    expect(issues).toEqual([
      {
        key: 'plan',
        kind: 'fact',
        severity: 'error',
        message:
          'fact "plan": values maps "pro" to "Pro", which is not an option of companies.plan_tier; did you mean "pro"? (options: "trial", "pro", "ent")',
      },
      {
        key: 'plan',
        kind: 'fact',
        severity: 'warning',
        message:
          'fact "plan": companies.plan_tier has no option for "pro", "enterprise", so criteria on them never match; add the options in the CRM or map the values under "values"',
        unmappedValues: ['pro', 'enterprise'],
      },
      {
        key: 'stage',
        kind: 'output',
        severity: 'error',
        message:
          'output "stage": companies.cs_stage_short has no option for "onboarding", "adoption"; add the options in the CRM or map the values under "values"',
        unmappedValues: ['onboarding', 'adoption'],
      },
    ]);
  });

  test('the sla output is checked against the three SLA statuses', () => {
    const fields = [field('health', 'enum', { options: options('on-track', 'at-risk') })];
    expect(
      checkMapping(journey, mapping({}, { sla: { field: 'health', values: { stuck: 'at-risk' } } }), fields),
    ).toEqual([
      {
        key: 'sla',
        kind: 'output',
        severity: 'error',
        message:
          'output "sla": companies.health has no option for "behind"; add the options in the CRM or map the values under "values"',
        unmappedValues: ['behind'],
      },
    ]);
  });

  test('keys the journey does not have are errors', () => {
    expect(
      checkMapping(
        journey,
        mapping({ seats: { field: 'active_users' } }, { stages: { field: 'cs_stage' } }),
        FIELDS,
      ),
    ).toEqual([
      {
        key: 'seats',
        kind: 'fact',
        severity: 'error',
        message:
          'fact "seats" is not in journey "acme"; remove it from the mapping or add the fact to the journey',
      },
      {
        key: 'stages',
        kind: 'output',
        severity: 'error',
        message: '"stages" is not an output of journey "acme"; did you mean "stage"?',
      },
    ]);
  });
});
