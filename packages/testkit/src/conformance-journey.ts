/**
 * The small journey the conformance suite runs every adapter with: three stages, criteria on a date,
 * a number and an enum, and a SuccessCycle with tasks.
 */
import { type Journey, parseJourneySources } from '@milepost/core';

const JOURNEY_YAML = `
apiVersion: milepost/v1
kind: Journey
key: conformance
name: Conformance journey
version: 1
teams:
  - { key: onboarding, name: Onboarding }
  - { key: cs, name: Customer Success }
facts:
  - { key: kickoff_date, type: date }
  - { key: active_users, type: number }
  - { key: plan, type: enum, values: [trial, pro] }
stages:
  - key: onboarding
    name: Onboarding
    owner: onboarding
    expectedDays: 30
    milestones:
      - { key: kickoff-held, name: Kick-off held, criteria: { fact: kickoff_date, op: isSet } }
    exitWhen: [kickoff-held]
    handoff: { to: cs, artifacts: [Onboarding plan] }
  - key: adoption
    name: Adoption
    owner: cs
    expectedDays: 60
    milestones:
      - key: five-users
        name: Five active users
        criteria: { all: [{ fact: active_users, op: gte, value: 5 }, { fact: plan, op: eq, value: pro }] }
    exitWhen: [five-users]
  - key: advocacy
    name: Advocacy
    owner: cs
    expectedDays: 365
    milestones:
      - { key: reference, name: Reference customer }
successCycles:
  - key: launch
    name: Launch
    basis: milestone
    stages:
      - stage: onboarding
        activities:
          - key: kickoff
            name: Kick-off
            tasks:
              - { key: welcome, subject: Send the welcome email, owner: onboarding, dueDays: 1, type: email }
      - stage: adoption
        activities:
          - key: adoption-review
            name: Adoption review
            tasks:
              - { key: review, subject: Review adoption with the champion, owner: cs, dueDays: 14, type: call }
`;

/** The conformance journey, optionally edited (a new version with stages added, renamed, removed…). */
export function conformanceJourney(edit?: (journey: Journey) => Journey): Journey {
  const result = parseJourneySources([{ file: 'conformance.yaml', text: JOURNEY_YAML }]);
  const journey = result.journeys[0];
  if (!journey)
    throw new Error(`the conformance journey does not load: ${JSON.stringify(result.diagnostics)}`);
  return edit ? edit(structuredClone(journey)) : journey;
}

/** Facts of the seeded customers: one waiting for kick-off, one adopting, one done with adoption. */
export const CONFORMANCE_RECORDS: ReadonlyArray<{ name: string; facts: Record<string, string | number> }> = [
  { name: 'Waiting Co', facts: {} },
  { name: 'Adopting Co', facts: { kickoff_date: '2026-09-01', active_users: 2, plan: 'pro' } },
  { name: 'Adopted Co', facts: { kickoff_date: '2026-08-01', active_users: 12, plan: 'pro' } },
];
