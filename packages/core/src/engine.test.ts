import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileJourney, evaluate, type JourneyState, stateToJson } from './engine.js';
import { formatUtcDay, parseUtcDay } from './engine-dates.js';
import { engineTestJourney } from './engine-test-journey.js';
import { MilepostError } from './errors.js';
import { parseJourneySources } from './journey-loader.js';
import type { Journey } from './journey-schema.js';
import type { RecordSnapshot } from './snapshot.js';

const NOW = '2026-03-01';

function snapshot(fields: Partial<RecordSnapshot> & { id?: string }): RecordSnapshot {
  return { id: 'r1', facts: {}, ...fields };
}

const journey = engineTestJourney();
const compiled = compileJourney(journey);

function acme(): Journey {
  const text = readFileSync(new URL('./__fixtures__/acme.yaml', import.meta.url), 'utf8');
  const result = parseJourneySources([{ file: 'acme.yaml', text }]);
  return result.journeys[0]!;
}

const enterpriseOnboarded = {
  contract_signed: '2026-01-02',
  kickoff_date: '2026-01-10',
  active_users: 6,
  plan: 'pro',
};

describe('current stage', () => {
  it('derives the first stage whose exit milestones are not all achieved, along the persona path', () => {
    const smb = evaluate(compiled, snapshot({ persona: 'smb' }), NOW);
    // handover is not on the SMB path, so SMB customers start at onboarding.
    expect(smb.stage).toBe('onboarding');
    const enterprise = evaluate(compiled, snapshot({ persona: 'enterprise' }), NOW);
    expect(enterprise.stage).toBe('handover');
  });

  it('does not let a milestone for another persona block the exit', () => {
    const facts = { kickoff_date: '2026-01-10', active_users: 6, plan: 'pro' };
    const smb = evaluate(compiled, snapshot({ persona: 'smb', facts }), NOW);
    expect(smb.milestones['sso-configured']).toEqual({
      status: 'not-applicable',
      achievedAt: null,
      recorded: false,
    });
    expect(smb.stage).toBe('adoption');
    const enterprise = evaluate(
      compiled,
      snapshot({ persona: 'enterprise', facts: { ...facts, contract_signed: '2026-01-01' } }),
      NOW,
    );
    expect(enterprise.stage).toBe('onboarding');
    expect(enterprise.nextMilestone?.key).toBe('sso-configured');
    expect(enterprise.nextMilestone?.text).toBe('SSO configured — record it when it happens');
  });

  it('achieves a manual milestone only when the snapshot records a date', () => {
    const state = evaluate(
      compiled,
      snapshot({
        persona: 'enterprise',
        facts: enterpriseOnboarded,
        milestones: { 'sso-configured': '2026-01-20' },
      }),
      NOW,
    );
    expect(state.milestones['sso-configured']).toEqual({
      status: 'achieved',
      achievedAt: '2026-01-20',
      recorded: true,
    });
    expect(state.stage).toBe('adoption');
  });

  it('takes the CRM stage under the manual policy, even behind the criteria', () => {
    const manual = compileJourney(engineTestJourney({ stagePolicy: 'manual' }));
    const state = evaluate(
      manual,
      snapshot({
        persona: 'smb',
        stage: 'onboarding',
        facts: { kickoff_date: '2026-01-10', active_users: 9, plan: 'pro' },
      }),
      NOW,
    );
    expect(state.stage).toBe('onboarding');
    expect(state.stageSource).toBe('crm');
    expect(state.stageDone).toBe(true);
    expect(state.handoff).toMatchObject({
      stage: 'onboarding',
      from: 'onboarding',
      to: 'cs',
      toStage: 'adoption',
    });
    expect(state.whatsNext).toBe('Hand off to Customer Success with Onboarding plan, Health summary');
  });

  it('allows manual moves forward under hybrid, never behind the derived stage', () => {
    const hybrid = compileJourney(engineTestJourney({ stagePolicy: 'hybrid' }));
    const ahead = evaluate(hybrid, snapshot({ persona: 'smb', stage: 'renewal' }), NOW);
    expect(ahead.stage).toBe('renewal');
    expect(ahead.stageSource).toBe('crm');
    const facts = { kickoff_date: '2026-01-10', active_users: 9, plan: 'pro' };
    const behind = evaluate(hybrid, snapshot({ persona: 'smb', stage: 'onboarding', facts }), NOW);
    expect(behind.stage).toBe('adoption');
    expect(behind.stageSource).toBe('derived');
    expect(behind.stageChanged).toBe(true);
  });

  it('falls back to the derived stage and warns when the CRM stage or persona is unknown', () => {
    const manual = compileJourney(engineTestJourney({ stagePolicy: 'manual' }));
    const state = evaluate(manual, snapshot({ persona: 'ghost', stage: 'retired' }), NOW);
    expect(state.stage).toBe('handover');
    expect(state.warnings).toHaveLength(2);
    expect(state.warnings.join(' ')).toContain('"retired"');
  });

  it('reports a pending handoff when criteria moved the record past the CRM stage', () => {
    const state = evaluate(
      compiled,
      snapshot({
        persona: 'smb',
        stage: 'onboarding',
        stageEnteredAt: '2026-01-05',
        facts: { kickoff_date: '2026-01-10', active_users: 6, plan: 'pro' },
        milestones: { 'kickoff-held': '2026-01-10', 'five-users': '2026-01-25' },
      }),
      NOW,
    );
    expect(state.stage).toBe('adoption');
    // The new stage starts when the previous stage's last exit milestone was achieved.
    expect(state.stageEnteredAt).toBe('2026-01-25');
    expect(state.daysInStage).toBe(35);
    expect(state.handoff?.to).toBe('cs');
    expect(state.next.kind).toBe('handoff');
  });
});

describe('milestones', () => {
  it('dates a milestone that holds now and was not recorded today; a recorded one keeps its date', () => {
    const state = evaluate(
      compiled,
      snapshot({
        persona: 'smb',
        facts: { kickoff_date: '2026-01-10', active_users: 6, plan: 'pro' },
        milestones: { 'five-users': '2026-02-02' },
      }),
      '2026-03-01T18:00:00Z',
    );
    expect(state.milestones['kickoff-held']).toEqual({
      status: 'achieved',
      achievedAt: '2026-03-01',
      recorded: false,
    });
    expect(state.milestones['five-users']).toEqual({
      status: 'achieved',
      achievedAt: '2026-02-02',
      recorded: true,
    });
  });

  it('keeps a recorded milestone achieved when its criteria no longer hold', () => {
    const state = evaluate(
      compiled,
      snapshot({ persona: 'smb', facts: { active_users: 1 }, milestones: { 'five-users': '2026-02-02' } }),
      NOW,
    );
    expect(state.milestones['five-users']?.status).toBe('achieved');
  });

  it('never dates an achievement after now', () => {
    const state = evaluate(
      compiled,
      snapshot({ persona: 'smb', milestones: { 'kickoff-held': '2027-01-01' } }),
      NOW,
    );
    expect(state.milestones['kickoff-held']?.achievedAt).toBe(NOW);
  });

  it('describes the next milestone with the record values', () => {
    const state = evaluate(
      compiled,
      snapshot({ persona: 'smb', facts: { kickoff_date: '2026-01-10', active_users: 3, plan: 'trial' } }),
      NOW,
    );
    expect(state.nextMilestone?.key).toBe('five-users');
    expect(state.nextMilestone?.text).toBe(
      'Five active users — Active users 3 of 5 now; Plan is trial now (needs: is not trial)',
    );
    expect(state.next.unmet.map((leaf) => leaf.fact)).toEqual(['active_users', 'plan']);
    expect(state.whatsNext).toContain('Active users 3 of 5 now');
  });

  it('treats missing and malformed facts as unmet, without throwing', () => {
    const state = evaluate(
      compiled,
      snapshot({
        persona: 'smb',
        facts: { kickoff_date: 'not a date', active_users: 'many', plan: null, health: 7 },
      }),
      NOW,
    );
    expect(state.milestones['kickoff-held']?.status).toBe('pending');
    expect(state.milestones['five-users']?.status).toBe('pending');
    expect(state.stage).toBe('onboarding');
  });

  it('compares dates in UTC days', () => {
    const evaluateKickoff = (kickoff: string) =>
      evaluate(compiled, snapshot({ persona: 'smb', facts: { kickoff_date: kickoff } }), '2031-01-01')
        .milestones['kickoff-held']?.status;
    expect(evaluateKickoff('2030-01-01T23:59:59Z')).toBe('achieved');
    expect(evaluateKickoff('2030-01-01T23:30:00-05:00')).toBe('pending'); // Jan 2 in UTC
    expect(evaluateKickoff('2030-01-02')).toBe('pending');
  });
});

describe('time in stage and SLA', () => {
  const inOnboarding = (enteredAt: string, extra: Partial<RecordSnapshot> = {}) =>
    evaluate(
      compiled,
      snapshot({ persona: 'smb', stage: 'onboarding', stageEnteredAt: enteredAt, ...extra }),
      NOW,
    );

  it('is on track within the time frame, behind past it, stuck after twice it without progress', () => {
    expect(inOnboarding('2026-02-01')).toMatchObject({ daysInStage: 28, expectedDays: 30, sla: 'on-track' });
    expect(inOnboarding('2026-01-20')).toMatchObject({ daysInStage: 40, sla: 'behind' });
    expect(inOnboarding('2025-12-01')).toMatchObject({ daysInStage: 90, sla: 'stuck' });
  });

  it('counts a recent milestone as progress', () => {
    const state = inOnboarding('2025-12-01', {
      facts: { kickoff_date: '2026-01-01' },
      milestones: { 'kickoff-held': '2026-02-20' },
    });
    expect(state).toMatchObject({ sla: 'behind', daysSinceProgress: 9 });
  });

  it('reads the stuck multiple from the journey', () => {
    const strict = compileJourney(engineTestJourney({ stuckAfter: 1.2 }));
    const state = evaluate(
      strict,
      snapshot({ persona: 'smb', stage: 'onboarding', stageEnteredAt: '2026-01-20' }),
      NOW,
    );
    expect(state.sla).toBe('stuck');
  });

  it('is on track once the journey is complete', () => {
    const state = evaluate(
      compiled,
      snapshot({
        persona: 'smb',
        stage: 'renewal',
        stageEnteredAt: '2024-01-01',
        facts: {
          kickoff_date: '2024-01-01',
          active_users: 30,
          plan: 'pro',
          health: 'green',
          renewal_date: '2026-02-01',
        },
      }),
      NOW,
    );
    expect(state).toMatchObject({ stage: 'renewal', complete: true, sla: 'on-track', nextMilestone: null });
    // The renewal quote task of the milestone cycle is still open.
    expect(state.whatsNext).toBe('Journey complete · 1 task overdue');
  });
});

describe('SuccessCycles and tasks', () => {
  it('dues tasks from the stage entry, with statuses and deterministic keys including the contract year', () => {
    const state = evaluate(
      compiled,
      snapshot({
        id: 'acct-7',
        persona: 'enterprise',
        segment: 'enterprise',
        stage: 'onboarding',
        stageEnteredAt: '2026-02-20',
        cycleStart: '2026-02-10',
        history: [
          { stage: 'handover', enteredAt: '2026-02-10' },
          { stage: 'onboarding', enteredAt: '2026-02-20' },
        ],
        facts: { contract_signed: '2026-02-19' },
        tasks: { 'lifecycle:first-year:y1:acct-7:send-welcome': 'done' },
      }),
      NOW,
    );
    expect(state.cycles.map((cycle) => cycle.key)).toEqual([
      'first-year',
      'annual-review',
      'core',
      'cs-touch',
    ]);
    expect(state.tasks.map((task) => [task.key, task.due, task.status])).toEqual([
      ['lifecycle:first-year:y1:acct-7:send-welcome', '2026-02-21', 'done'],
      ['lifecycle:first-year:y1:acct-7:schedule-kickoff', '2026-02-23', 'overdue'],
      ['lifecycle:core:acct-7:intro-call', '2026-02-12', 'overdue'],
    ]);
    expect(state.next.overdueTasks).toBe(2);
    expect(state.next.nextTask?.key).toBe('lifecycle:core:acct-7:intro-call');
  });

  it('limits a yearly cycle to its contract year and restarts an every-year cycle on the anniversary', () => {
    const base = {
      id: 'acct-8',
      persona: 'enterprise',
      segment: 'enterprise',
      stage: 'adoption',
      stageEnteredAt: '2025-03-01',
      cycleStart: '2025-01-15',
      history: [
        { stage: 'handover', enteredAt: '2025-01-15' },
        { stage: 'onboarding', enteredAt: '2025-01-20' },
        { stage: 'adoption', enteredAt: '2025-03-01' },
      ],
      facts: { contract_signed: '2025-01-16', kickoff_date: '2025-01-25', active_users: 8, plan: 'pro' },
      milestones: { 'sso-configured': '2025-02-20' },
    } satisfies Partial<RecordSnapshot>;
    const yearOne = evaluate(compiled, snapshot(base), '2025-06-01');
    expect(yearOne.cycles.find((cycle) => cycle.key === 'first-year')?.year).toBe(1);
    expect(
      yearOne.tasks.some(
        (task) =>
          task.key === 'lifecycle:annual-review:y1:acct-8:business-review' && task.due === '2025-03-31',
      ),
    ).toBe(true);
    const yearTwo = evaluate(compiled, snapshot(base), '2026-03-01');
    expect(yearTwo.cycles.map((cycle) => [cycle.key, cycle.year])).toEqual([
      ['annual-review', 2],
      ['core', null],
      ['cs-touch', null],
    ]);
    const review = yearTwo.tasks.find((task) => task.cycle === 'annual-review');
    expect(review).toMatchObject({
      key: 'lifecycle:annual-review:y2:acct-8:business-review',
      due: '2026-02-14',
    });
    // Milestone cycles follow stages entered; role cycles only the stages the team owns.
    expect(yearTwo.tasks.filter((task) => task.cycle === 'core').map((task) => task.task)).toEqual([
      'intro-call',
    ]);
    expect(yearTwo.tasks.filter((task) => task.cycle === 'cs-touch').map((task) => task.stage)).toEqual([
      'adoption',
    ]);
  });

  it('applies cycles by segment and gives no tasks for stages not entered', () => {
    const state = evaluate(
      compiled,
      snapshot({
        persona: 'enterprise',
        segment: 'smb',
        stage: 'adoption',
        history: [
          { stage: 'handover', enteredAt: '2026-01-01' },
          { stage: 'adoption', enteredAt: '2026-01-05' },
        ],
        facts: enterpriseOnboarded,
        milestones: { 'sso-configured': '2026-01-04' },
      }),
      NOW,
    );
    expect(state.cycles.map((cycle) => cycle.key)).toEqual(['first-year', 'core', 'cs-touch']);
    // onboarding was skipped (not in the history): no first-year tasks.
    expect(state.tasks.map((task) => task.task)).toEqual(['intro-call', 'check-in-call']);
  });
});

describe('stateToJson', () => {
  it('has the contract fields', () => {
    const state = evaluate(
      compileJourney(acme()),
      snapshot({ persona: 'smb', facts: { active_users: 3, plan: 'pro' } }),
      NOW,
    );
    const json = stateToJson(state);
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'id',
        'stage',
        'daysInStage',
        'sla',
        'milestones',
        'nextMilestone',
        'owner',
        'tasks',
        'journey',
        'journeyVersion',
        'expectedDays',
        'handoff',
        'whatsNext',
        'next',
      ]),
    );
    expect(json.milestones['kickoff-held']).toEqual({ status: 'pending', achievedAt: null });
    expect(json.nextMilestone).toEqual({
      key: 'kickoff-held',
      name: 'Kick-off held',
      stage: 'onboarding',
      criteria: 'kickoff date is set',
      progress: 'Kickoff date not set yet',
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('rejects an unusable now', () => {
    expect(() => evaluate(compiled, snapshot({}), 'yesterday')).toThrow(MilepostError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const DAY_2020 = parseUtcDay('2020-01-01');
const dateArbitrary = fc.integer({ min: 0, max: 3000 }).map((offset) => formatUtcDay(DAY_2020 + offset));
const stageKeys = journey.stages.map((stage) => stage.key);
const milestoneKeys = compiled.milestones.map((milestone) => milestone.key);

const factsArbitrary = fc.record(
  {
    contract_signed: fc.oneof(dateArbitrary, fc.constant(null), fc.constant('garbage')),
    kickoff_date: fc.oneof(dateArbitrary, fc.constant('2031-05-05')),
    active_users: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant('7'), fc.constant('lots')),
    plan: fc.constantFrom('trial', 'starter', 'pro', 'enterprise', 'unknown'),
    health: fc.constantFrom('red', 'yellow', 'green'),
    renewal_date: dateArbitrary,
    churned: fc.boolean(),
  },
  { requiredKeys: [] },
);

const snapshotArbitrary: fc.Arbitrary<RecordSnapshot> = fc.record(
  {
    id: fc.constantFrom('a', 'b', 'acct:9'),
    persona: fc.constantFrom('smb', 'enterprise', 'ghost'),
    segment: fc.constantFrom('smb', 'enterprise'),
    facts: factsArbitrary,
    stage: fc.constantFrom(...stageKeys, 'retired'),
    stageEnteredAt: dateArbitrary,
    history: fc.array(fc.record({ stage: fc.constantFrom(...stageKeys), enteredAt: dateArbitrary }), {
      maxLength: 5,
    }),
    milestones: fc.dictionary(fc.constantFrom(...milestoneKeys), dateArbitrary, { maxKeys: 4 }),
    tasks: fc.dictionary(
      fc.constantFrom('lifecycle:core:a:intro-call', 'intro-call', 'check-in-call'),
      fc.constantFrom('open' as const, 'done' as const),
    ),
    cycleStart: dateArbitrary,
  },
  { requiredKeys: ['id', 'facts'] },
) as fc.Arbitrary<RecordSnapshot>;

const nowArbitrary = fc.integer({ min: 0, max: 3500 }).map((offset) => formatUtcDay(DAY_2020 + offset));
const policyArbitrary = fc.constantFrom('derived' as const, 'manual' as const, 'hybrid' as const);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** What a sync writes back: every achieved milestone's date. */
function recordAchievements(record: RecordSnapshot, state: JourneyState): RecordSnapshot {
  const milestones = { ...record.milestones };
  for (const [key, milestone] of Object.entries(state.milestones)) {
    if (milestone.status === 'achieved' && milestone.achievedAt) milestones[key] = milestone.achievedAt;
  }
  return { ...record, milestones };
}

describe('properties', () => {
  it('a milestone once achieved keeps its first date, whatever the facts become later', () => {
    fc.assert(
      fc.property(
        snapshotArbitrary,
        factsArbitrary,
        nowArbitrary,
        fc.integer({ min: 0, max: 800 }),
        (record, laterFacts, now, later) => {
          const first = evaluate(compiled, record, now);
          const synced = { ...recordAchievements(record, first), facts: laterFacts };
          const second = evaluate(compiled, synced, formatUtcDay(parseUtcDay(now) + later));
          for (const [key, milestone] of Object.entries(first.milestones)) {
            if (milestone.status !== 'achieved') continue;
            expect(second.milestones[key]).toEqual({
              status: 'achieved',
              achievedAt: milestone.achievedAt,
              recorded: true,
            });
          }
        },
      ),
    );
  });

  it('derived stages never skip an unmet exitWhen', () => {
    fc.assert(
      fc.property(snapshotArbitrary, nowArbitrary, (record, now) => {
        const state = evaluate(compiled, record, now);
        const plan = (record.persona && compiled.plans.get(record.persona)) || compiled.defaultPlan;
        const position = plan.path.findIndex((stage) => stage.key === state.stage);
        expect(position).toBeGreaterThanOrEqual(0);
        for (let earlier = 0; earlier < position; earlier++) {
          for (const milestone of plan.exitWhen[earlier]!) {
            expect(state.milestones[milestone.key]?.status).toBe('achieved');
          }
        }
        if (position < plan.path.length - 1) expect(state.stageDone).toBe(false);
      }),
    );
  });

  it('hybrid is never behind derived; manual always takes a known CRM stage', () => {
    fc.assert(
      fc.property(snapshotArbitrary, nowArbitrary, (record, now) => {
        const derived = evaluate(compiled, record, now);
        const hybrid = evaluate(compileJourney({ ...journey, stagePolicy: 'hybrid' }), record, now);
        const manual = evaluate(compileJourney({ ...journey, stagePolicy: 'manual' }), record, now);
        const plan = (record.persona && compiled.plans.get(record.persona)) || compiled.defaultPlan;
        const positionOf = (key: string) => plan.positionOf[compiled.stageIndex.get(key)!]!;
        expect(positionOf(hybrid.stage)).toBeGreaterThanOrEqual(positionOf(derived.stage));
        if (record.stage && compiled.stageIndex.has(record.stage)) expect(manual.stage).toBe(record.stage);
      }),
    );
  });

  it('task keys are stable across runs and journey re-orderings', () => {
    const reordered: Journey = {
      ...journey,
      teams: [...journey.teams].reverse(),
      personas: [...journey.personas].reverse(),
      facts: [...journey.facts].reverse(),
      successCycles: [...(journey.successCycles ?? [])].reverse().map((cycle) => ({
        ...cycle,
        stages: [...cycle.stages].reverse().map((cycleStage) => ({
          ...cycleStage,
          activities: [...cycleStage.activities]
            .reverse()
            .map((activity) => ({ ...activity, tasks: [...activity.tasks].reverse() })),
        })),
      })),
    };
    const other = compileJourney(reordered);
    fc.assert(
      fc.property(snapshotArbitrary, nowArbitrary, policyArbitrary, (record, now, policy) => {
        const one = compileJourney({ ...journey, stagePolicy: policy });
        const two = compileJourney({ ...reordered, stagePolicy: policy });
        const tasks = (state: JourneyState) =>
          new Map(state.tasks.map((task) => [task.key, `${task.due} ${task.status} ${task.stage}`]));
        const first = tasks(evaluate(one, record, now));
        expect(tasks(evaluate(one, record, now))).toEqual(first);
        expect(tasks(evaluate(two, record, now))).toEqual(first);
        for (const key of first.keys())
          expect(key.endsWith(`:${record.id}:${key.split(':').at(-1)}`)).toBe(true);
      }),
    );
    expect(other.cycles.length).toBe(compiled.cycles.length);
  });

  it('evaluation is pure: frozen inputs, same output for the same input', () => {
    fc.assert(
      fc.property(snapshotArbitrary, nowArbitrary, policyArbitrary, (record, now, policy) => {
        const frozenJourney = deepFreeze(structuredClone({ ...journey, stagePolicy: policy }));
        const local = compileJourney(frozenJourney);
        const before = structuredClone(record);
        const frozen = deepFreeze(structuredClone(record));
        const first = evaluate(local, frozen, now);
        const second = evaluate(local, frozen, new Date(`${now}T12:00:00Z`));
        expect(frozen).toEqual(before);
        expect(second).toEqual(first);
        expect(evaluate(compileJourney(frozenJourney), structuredClone(record), now)).toEqual(first);
      }),
    );
  });
});
