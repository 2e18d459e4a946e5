/**
 * A richer journey than the acme fixture, for engine and analytics tests: five stages, personas
 * with their own paths, date/enum/any/not criteria, a manual milestone, and yearly, milestone and
 * role SuccessCycles. Test-only (not exported from the package index).
 */
import type { Journey } from './journey-schema.js';
import { journeySchema } from './journey-schema.js';
import { validateJourney } from './journey-validation.js';

/** The test journey, parsed and validated (throws when the fixture itself is wrong). */
export function engineTestJourney(overrides: Partial<Journey> = {}): Journey {
  const journey = journeySchema.parse({
    apiVersion: 'milepost/v1',
    kind: 'Journey',
    key: 'lifecycle',
    name: 'Lifecycle',
    version: 2,
    teams: [
      { key: 'sales', name: 'Sales' },
      { key: 'onboarding', name: 'Onboarding' },
      { key: 'cs', name: 'Customer Success' },
      { key: 'am', name: 'Account Management' },
    ],
    personas: [
      { key: 'smb', name: 'SMB', path: ['onboarding', 'adoption', 'renewal'] },
      { key: 'enterprise', name: 'Enterprise' },
    ],
    facts: [
      { key: 'contract_signed', type: 'date' },
      { key: 'kickoff_date', type: 'date' },
      { key: 'active_users', type: 'number', label: 'Active users' },
      { key: 'plan', type: 'enum', values: ['trial', 'starter', 'pro', 'enterprise'] },
      { key: 'health', type: 'enum', values: ['red', 'yellow', 'green'] },
      { key: 'renewal_date', type: 'date' },
      { key: 'arr', type: 'currency' },
      { key: 'churned', type: 'boolean' },
    ],
    stages: [
      {
        key: 'handover',
        name: 'Sales handover',
        owner: 'sales',
        expectedDays: 7,
        milestones: [
          {
            key: 'contract-signed',
            name: 'Contract signed',
            criteria: { fact: 'contract_signed', op: 'isSet' },
          },
        ],
        exitWhen: ['contract-signed'],
        handoff: { to: 'onboarding', artifacts: ['Sales notes'] },
      },
      {
        key: 'onboarding',
        name: 'Onboarding',
        owner: 'onboarding',
        expectedDays: 30,
        milestones: [
          {
            key: 'kickoff-held',
            name: 'Kick-off held',
            criteria: { fact: 'kickoff_date', op: 'lte', value: '2030-01-01' },
          },
          {
            key: 'five-users',
            name: 'Five active users',
            criteria: {
              all: [
                { fact: 'active_users', op: 'gte', value: 5 },
                { fact: 'plan', op: 'neq', value: 'trial' },
              ],
            },
          },
          { key: 'sso-configured', name: 'SSO configured', personas: ['enterprise'] },
        ],
        exitWhen: ['kickoff-held', 'five-users', 'sso-configured'],
        handoff: { to: 'cs', artifacts: ['Onboarding plan', 'Health summary'] },
      },
      {
        key: 'adoption',
        name: 'Adoption',
        owner: 'cs',
        expectedDays: 60,
        milestones: [
          {
            key: 'healthy',
            name: 'Healthy',
            criteria: {
              any: [
                { fact: 'health', op: 'eq', value: 'green' },
                {
                  all: [
                    { fact: 'active_users', op: 'gt', value: 20 },
                    { not: { fact: 'health', op: 'eq', value: 'red' } },
                  ],
                },
              ],
            },
          },
        ],
        exitWhen: ['healthy'],
      },
      {
        key: 'renewal',
        name: 'Renewal',
        owner: 'am',
        expectedDays: 90,
        milestones: [
          {
            key: 'renewed',
            name: 'Renewed',
            criteria: { fact: 'renewal_date', op: 'gte', value: '2026-01-01' },
          },
        ],
        exitWhen: ['renewed'],
      },
      {
        key: 'expansion',
        name: 'Expansion',
        owner: 'am',
        expectedDays: 120,
        milestones: [
          { key: 'upsold', name: 'Upsold', criteria: { fact: 'plan', op: 'in', value: ['enterprise'] } },
        ],
        exitWhen: ['upsold'],
      },
    ],
    successCycles: [
      {
        key: 'first-year',
        name: 'First year',
        basis: 'yearly',
        year: 1,
        appliesTo: { personas: ['enterprise'] },
        stages: [
          {
            stage: 'onboarding',
            activities: [
              {
                key: 'kickoff',
                name: 'Kick-off',
                tasks: [
                  { key: 'send-welcome', subject: 'Send the welcome email', owner: 'onboarding', dueDays: 1 },
                  {
                    key: 'schedule-kickoff',
                    subject: 'Schedule the kick-off',
                    owner: 'onboarding',
                    dueDays: 3,
                  },
                ],
              },
            ],
          },
        ],
      },
      {
        key: 'annual-review',
        name: 'Annual review',
        basis: 'yearly',
        appliesTo: { segments: ['enterprise'] },
        stages: [
          {
            stage: 'adoption',
            activities: [
              {
                key: 'review',
                name: 'Review',
                tasks: [{ key: 'business-review', subject: 'Business review', owner: 'cs', dueDays: 30 }],
              },
            ],
          },
        ],
      },
      {
        key: 'core',
        name: 'Core',
        basis: 'milestone',
        stages: [
          {
            stage: 'handover',
            activities: [
              {
                key: 'intro',
                name: 'Intro',
                tasks: [{ key: 'intro-call', subject: 'Intro call', owner: 'sales', dueDays: 2 }],
              },
            ],
          },
          {
            stage: 'renewal',
            activities: [
              {
                key: 'renew',
                name: 'Renew',
                tasks: [{ key: 'send-quote', subject: 'Send the quote', owner: 'am', dueDays: 10 }],
              },
            ],
          },
        ],
      },
      {
        key: 'cs-touch',
        name: 'CS touch',
        basis: 'role',
        role: 'cs',
        stages: [
          {
            stage: 'adoption',
            activities: [
              {
                key: 'check-in',
                name: 'Check-in',
                tasks: [{ key: 'check-in-call', subject: 'Check-in call', owner: 'cs', dueDays: 14 }],
              },
            ],
          },
          {
            stage: 'renewal',
            activities: [
              {
                key: 'renewal-prep',
                name: 'Prep',
                tasks: [{ key: 'health-check', subject: 'Health check', owner: 'cs', dueDays: 5 }],
              },
            ],
          },
        ],
      },
    ],
    analytics: { churnFact: 'churned', valueFact: 'arr' },
    ...overrides,
  });
  const errors = validateJourney(journey).filter((finding) => finding.severity === 'error');
  if (errors.length > 0) throw new Error(`test journey is invalid: ${JSON.stringify(errors)}`);
  return journey;
}
