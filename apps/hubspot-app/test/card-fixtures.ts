import type { CardState } from '../src/app/cards/card-state.ts';

/**
 * A company in the Adoption stage of the onboarding journey, on track; each test changes what it is about.
 * The record shapes follow apps/admin/API.md ("CardState").
 */
export function cardState(overrides: Partial<CardState> = {}): CardState {
  return {
    portalId: 4455,
    objectType: 'companies',
    objectId: '901',
    journey: { key: 'onboarding', name: 'Customer onboarding', version: 3 },
    path: [
      { key: 'kickoff', name: 'Kickoff', status: 'done' },
      { key: 'adoption', name: 'Adoption', status: 'current' },
      { key: 'renewal', name: 'Renewal', status: 'upcoming' },
    ],
    stage: {
      key: 'adoption',
      name: 'Adoption',
      daysInStage: 6,
      expectedDays: 14,
      enteredAt: '2026-11-16T09:00:00Z',
    },
    sla: 'on-track',
    milestones: [
      {
        key: 'first-login',
        name: 'First login',
        success: 'an admin signed in',
        status: 'achieved',
        achievedAt: '2026-11-17T10:00:00Z',
        progress: null,
        manual: false,
      },
      {
        key: 'active-users',
        name: 'Active users',
        success: '5 active users',
        status: 'pending',
        achievedAt: null,
        progress: '3 of 5 active users',
        manual: false,
      },
      {
        key: 'training-done',
        name: 'Training held',
        success: null,
        status: 'pending',
        achievedAt: null,
        progress: null,
        manual: true,
      },
      {
        key: 'sso',
        name: 'SSO configured',
        success: null,
        status: 'not-applicable',
        achievedAt: null,
        progress: null,
        manual: false,
      },
    ],
    nextMilestone: { key: 'active-users', name: 'Active users', progress: '3 of 5 active users' },
    tasks: [
      { key: 'call', subject: 'Adoption check-in call', dueDate: '2026-11-25T00:00:00Z', status: 'open' },
      {
        key: 'kickoff-notes',
        subject: 'Send kickoff notes',
        dueDate: '2026-11-10T00:00:00Z',
        status: 'done',
      },
    ],
    owner: { team: 'Customer success', name: 'Dana Reyes' },
    handoff: null,
    whatsNext: 'Get two more users active, then hold the training.',
    actions: { advanceStage: true, nextStage: { key: 'renewal', name: 'Renewal' } },
    ...overrides,
  };
}

/** A JSON `Response` as `hubspot.fetch` resolves it. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
