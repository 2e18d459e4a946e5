import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from './diagnostics.js';
import { MilepostError } from './errors.js';
import { parseJourneySources } from './journey-loader.js';
import {
  listTemplates,
  loadTemplate,
  readTemplate,
  TEMPLATE_NAMES,
  type TemplateName,
  templatePath,
} from './templates.js';

const UNKNOWN_POST_SALES =
  'unknown template "post-sales" (known: saas-lifecycle, post-sale, customer-lifecycle, pre-sale, yearly-successcycles; did you mean "post-sale"?)';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('every template', () => {
  test.each(TEMPLATE_NAMES)('%s loads with no errors and no warnings', (name) => {
    const result = parseJourneySources([{ file: `${name}.yaml`, text: readTemplate(name) }]);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(result.journeys.map((journey) => journey.key)).toEqual([name]);
  });

  test.each(TEMPLATE_NAMES)('%s starts with a one- or two-line header naming its article(s)', (name) => {
    const lines = readTemplate(name).split('\n');
    expect(lines[0]).toMatch(/^# \S/);
    const headerLength = lines.findIndex((line) => !line.startsWith('#'));
    expect(headerLength).toBeGreaterThanOrEqual(1);
    expect(headerLength).toBeLessThanOrEqual(2);
    expect(lines.slice(0, headerLength).join(' ')).toMatch(/Follows [^"]*"[^"]+"/);
    expect(lines[headerLength]).toBe('apiVersion: milepost/v1');
  });

  test.each(TEMPLATE_NAMES)(
    '%s has owners, time frames, touchpoints and milestones on every stage',
    (name) => {
      const journey = loadTemplate(name);
      for (const stage of journey.stages) {
        expect(stage.owner, stage.key).toBeDefined();
        expect(stage.expectedDays, stage.key).toBeGreaterThan(0);
        expect(stage.touchpoints?.length, stage.key).toBeGreaterThan(0);
        expect(stage.milestones?.length, stage.key).toBeGreaterThan(0);
      }
    },
  );

  test.each(TEMPLATE_NAMES)(
    '%s defines success on every milestone and criteria on every exit milestone',
    (name) => {
      const journey = loadTemplate(name);
      for (const stage of journey.stages) {
        for (const milestone of stage.milestones ?? []) {
          expect(milestone.success, milestone.key).toMatch(/\S/);
          // A derived stage could never complete on a milestone that only a person can record.
          if (stage.exitWhen?.includes(milestone.key))
            expect(milestone.criteria, milestone.key).toBeDefined();
        }
      }
      // Every stage but the last completes on something.
      for (const stage of journey.stages.slice(0, -1))
        expect(stage.exitWhen?.length, stage.key).toBeGreaterThan(0);
    },
  );

  test.each(TEMPLATE_NAMES)(
    '%s has a handoff with artifacts, metrics and a SuccessCycle with tasks',
    (name) => {
      const journey = loadTemplate(name);
      const handoffs = journey.stages.flatMap((stage) => (stage.handoff ? [stage.handoff] : []));
      expect(handoffs.some((handoff) => (handoff.artifacts?.length ?? 0) > 0)).toBe(true);
      for (const handoff of handoffs) expect(handoff.artifacts?.length).toBeGreaterThan(0);
      expect(journey.metrics?.length).toBeGreaterThan(0);
      const tasks = (journey.successCycles ?? []).flatMap((cycle) =>
        cycle.stages.flatMap((stage) => stage.activities.flatMap((activity) => activity.tasks)),
      );
      expect(tasks.length).toBeGreaterThan(0);
    },
  );

  test.each(TEMPLATE_NAMES)('%s points analytics at its churn and value facts', (name) => {
    const journey = loadTemplate(name);
    const facts = new Map(journey.facts.map((fact) => [fact.key, fact.type]));
    const { churnFact, valueFact } = journey.analytics ?? {};
    if (facts.get('churned') === 'boolean') expect(churnFact).toBe('churned');
    if (facts.get('arr') === 'currency') expect(valueFact).toBe('arr');
    expect(churnFact && facts.get(churnFact)).toBe('boolean');
    expect(valueFact && facts.get(valueFact)).toBe('currency');
  });

  test('stage policy is derived, except hybrid for post-sale (customers may skip expansion)', () => {
    const policies = Object.fromEntries(TEMPLATE_NAMES.map((name) => [name, loadTemplate(name).stagePolicy]));
    expect(policies).toEqual({
      'saas-lifecycle': 'derived',
      'post-sale': 'hybrid',
      'customer-lifecycle': 'derived',
      'pre-sale': 'derived',
      'yearly-successcycles': 'derived',
    });
  });
});

describe('listTemplates', () => {
  test('lists every template with its title and stages, in order', () => {
    const templates = listTemplates();
    expect(templates.map(({ name, title, stages }) => ({ name, title, stages }))).toEqual([
      {
        name: 'saas-lifecycle',
        title: 'SaaS customer success lifecycle',
        stages: ['Prospecting', 'Purchase', 'Onboarding', 'Customer Success'],
      },
      {
        name: 'post-sale',
        title: 'Post-sale customer journey',
        stages: ['Onboarding', 'Adoption', 'Achievement', 'Expansion', 'Renewal', 'Advocacy'],
      },
      {
        name: 'customer-lifecycle',
        title: 'Customer lifecycle by persona',
        stages: [
          'Brand awareness',
          'Purchase',
          'Onboarding',
          'Adoption',
          'Retention',
          'Expansion',
          'Loyalty',
        ],
      },
      {
        name: 'pre-sale',
        title: "Pre-sale buyer's journey",
        stages: ['Awareness', 'Consideration', 'Decision', 'Acquisition'],
      },
      {
        name: 'yearly-successcycles',
        title: 'Yearly SuccessCycles by segment',
        stages: ['Onboarding', 'Adoption', 'Value review', 'Renewal'],
      },
    ]);
    for (const template of templates) expect(template.description.length).toBeGreaterThan(40);
  });
});

describe('finding templates', () => {
  test('templatePath gives the absolute path of an existing YAML file', () => {
    for (const name of TEMPLATE_NAMES) {
      const path = templatePath(name);
      expect(isAbsolute(path)).toBe(true);
      expect(path.replaceAll('\\', '/')).toMatch(new RegExp(`/templates/${name}\\.yaml$`));
      expect(existsSync(path)).toBe(true);
    }
  });

  test('readTemplate returns the text with its comments, as init writes it', () => {
    const text = readTemplate('post-sale');
    expect(text).toContain('kind: Journey');
    expect(text).toContain('# Hybrid:');
  });

  test('loadTemplate returns a fresh journey each time', () => {
    const first = loadTemplate('saas-lifecycle');
    first.stages.pop();
    expect(loadTemplate('saas-lifecycle').stages).toHaveLength(4);
  });

  test.each([
    ['templatePath', () => templatePath('post-sales')],
    ['readTemplate', () => readTemplate('post-sales')],
    ['loadTemplate', () => loadTemplate('post-sales')],
  ])('%s rejects an unknown name with the list and a suggestion', (_, action) => {
    const error = thrown(action);
    expect(MilepostError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: UNKNOWN_POST_SALES });
  });

  test('a name far from every template gets the list without a guess', () => {
    expect(thrown(() => templatePath('nothing-like-it'))).toMatchObject({
      code: 'INVALID_INPUT',
      message:
        'unknown template "nothing-like-it" (known: saas-lifecycle, post-sale, customer-lifecycle, pre-sale, yearly-successcycles)',
    });
  });

  test('a path is not a template name', () => {
    expect(thrown(() => templatePath('../package'))).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('saas-lifecycle', () => {
  const journey = loadTemplate('saas-lifecycle');

  test('has exactly the facts the demo maps onto CRM fields', () => {
    expect(
      Object.fromEntries(
        journey.facts.map((fact) => [fact.key, fact.values ? [fact.type, fact.values] : fact.type]),
      ),
    ).toEqual({
      contract_signed_date: 'date',
      kickoff_date: 'date',
      setup_complete: 'boolean',
      trained_users: 'number',
      active_users: 'number',
      licensed_seats: 'number',
      plan: ['enum', ['trial', 'starter', 'pro', 'enterprise']],
      arr: 'currency',
      nps: 'number',
      csat: 'number',
      open_tickets: 'number',
      churned: 'boolean',
      renewal_date: 'date',
    });
  });

  test('purchase completes when the contract is signed; onboarding on kick-off, setup, training and adoption', () => {
    const stage = (key: string) => journey.stages.find((candidate) => candidate.key === key);
    const exitCriteria = (key: string) =>
      stage(key)?.exitWhen?.map(
        (milestone) => stage(key)?.milestones?.find((candidate) => candidate.key === milestone)?.criteria,
      );
    expect(exitCriteria('purchase')).toEqual([{ fact: 'contract_signed_date', op: 'isSet' }]);
    expect(exitCriteria('onboarding')).toEqual([
      { fact: 'kickoff_date', op: 'isSet' },
      { fact: 'setup_complete', op: 'eq', value: true },
      { fact: 'trained_users', op: 'gte', value: 5 },
      { fact: 'active_users', op: 'gte', value: 5 },
    ]);
  });

  test('has personas, the teams that own its moments, and the onboarding program', () => {
    expect(journey.personas.map((persona) => persona.key)).toEqual(['smb', 'enterprise']);
    expect(journey.teams.map((team) => team.key)).toEqual([
      'marketing',
      'sales',
      'onboarding',
      'cs',
      'support',
    ]);
    const program = journey.successCycles?.find((cycle) => cycle.key === 'onboarding-program');
    expect(program?.basis).toBe('milestone');
    const onboarding = program?.stages.find((stage) => stage.stage === 'onboarding');
    expect(onboarding?.activities.map((activity) => activity.key)).toEqual([
      'kickoff',
      'initial-setup',
      'training',
      'adoption',
      'transfer-to-cs',
    ]);
    for (const activity of onboarding?.activities ?? []) expect(activity.tasks.length).toBeGreaterThan(0);
  });
});

describe('customer-lifecycle', () => {
  test("states each persona's success at every stage", () => {
    const journey = loadTemplate('customer-lifecycle');
    const personas = journey.personas.map((persona) => persona.key);
    expect(personas).toEqual(['startup', 'enterprise-buyer']);
    for (const stage of journey.stages)
      expect(Object.keys(stage.personaSuccess ?? {}), stage.key).toEqual(personas);
  });
});

describe('yearly-successcycles', () => {
  test('has a year 1 and a year 2 cycle for each of high touch and low touch', () => {
    const journey = loadTemplate('yearly-successcycles');
    const cycles = (journey.successCycles ?? []).map((cycle) => ({
      basis: cycle.basis,
      year: cycle.year,
      segments: cycle.appliesTo?.segments,
    }));
    expect(cycles).toEqual([
      { basis: 'yearly', year: 1, segments: ['high-touch'] },
      { basis: 'yearly', year: 1, segments: ['low-touch'] },
      { basis: 'yearly', year: 2, segments: ['high-touch'] },
      { basis: 'yearly', year: 2, segments: ['low-touch'] },
    ]);
  });
});

describe('template names', () => {
  test('TemplateName covers exactly the bundled names', () => {
    const names: readonly TemplateName[] = TEMPLATE_NAMES;
    expect(names).toEqual([
      'saas-lifecycle',
      'post-sale',
      'customer-lifecycle',
      'pre-sale',
      'yearly-successcycles',
    ]);
  });
});
