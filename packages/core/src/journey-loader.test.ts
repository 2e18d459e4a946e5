import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from './diagnostics.js';
import { MilepostError } from './errors.js';
import { loadJourney, loadJourneyFiles, parseJourneySources } from './journey-loader.js';

const fixtures = new URL('./__fixtures__/', import.meta.url);
const badFiles = new URL('./bad/', fixtures);
const acme = readFileSync(new URL('acme.yaml', fixtures), 'utf8');

describe('the bad-file corpus', () => {
  const names = readdirSync(badFiles)
    .filter((name) => name.endsWith('.yaml'))
    .sort();

  test('has at least 25 distinct bad files', () => {
    expect(names.length).toBeGreaterThanOrEqual(25);
  });

  // Each file ends with the exact errors it must produce, as `# expect:` comments.
  test.each(names)('%s', (name) => {
    const text = readFileSync(new URL(name, badFiles), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((match) => match[1]);
    expect(expected.length).toBeGreaterThan(0);
    const result = parseJourneySources([{ file: name, text }]);
    const errors = result.diagnostics
      .filter((diagnostic) => diagnostic.severity === 'error')
      .map(formatDiagnostic);
    expect(errors).toEqual(expected);
    expect(result.journeys).toEqual([]);
  });
});

describe('loading', () => {
  test('the example from the model loads with one warning: a stage without milestones', () => {
    const result = parseJourneySources([{ file: 'journey.yaml', text: acme }]);
    expect(result.journeys.map((journey) => journey.key)).toEqual(['acme-post-sale']);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'journey.yaml:44:5: warning: stages[1]: stage "adoption" has no milestone; define what success looks like before the customer moves on',
    ]);
  });

  test('JSON files load with the same rules and positions', () => {
    const journey = parseJourneySources([{ file: 'a.yaml', text: acme }]).journeys[0];
    const json = JSON.stringify(
      { ...journey, stages: [{ ...journey?.stages[0], owner: 'onbording' }] },
      null,
      2,
    );
    const result = parseJourneySources([{ file: 'journey.json', text: json }]);
    const error = result.diagnostics.find((diagnostic) => diagnostic.severity === 'error');
    expect(error && formatDiagnostic(error)).toMatch(
      /^journey\.json:\d+:\d+: stages\[0\]\.owner: unknown team "onbording" \(known: sales, onboarding, cs; did you mean "onboarding"\?\)$/,
    );
  });

  test('several journeys and a mapping share one file set', () => {
    const second = acme.replace('key: acme-post-sale', 'key: acme-renewals');
    const mapping = [
      'apiVersion: milepost/v1',
      'kind: Mapping',
      'journey: acme-post-sale',
      'target: hubspot',
      'facts:',
      '  plan: { field: plan_tier, values: { pro: professional } }',
      '  active_users: { field: active_users }',
    ].join('\n');
    const result = parseJourneySources([
      { file: 'a.yaml', text: `${acme}\n---\n${second}` },
      { file: 'mapping.yaml', text: mapping },
    ]);
    expect(result.journeys.map((journey) => journey.key)).toEqual(['acme-post-sale', 'acme-renewals']);
    expect(result.mappings).toHaveLength(1);
    expect(result.mappings[0]?.facts.plan?.values).toEqual({ pro: 'professional' });
  });

  test('a mapping is checked against its journey', () => {
    const mapping = [
      'apiVersion: milepost/v1',
      'kind: Mapping',
      'journey: acme-post-sale',
      'target: salesforce',
      'facts:',
      '  plan: { field: Plan__c, values: { premium: Premium } }',
      '  activ_users: { field: Active_Users__c }',
      'outputs:',
      '  stage: { field: CS_Stage__c }',
      '  milestone.kickoff-held: { field: Kickoff_Held__c }',
      '  milestone.nope: { field: Nope__c }',
    ].join('\n');
    const result = parseJourneySources([
      { file: 'journey.yaml', text: acme },
      { file: 'mapping.yaml', text: mapping },
    ]);
    expect(
      result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(formatDiagnostic),
    ).toEqual([
      'mapping.yaml:6:37: facts.plan.values.premium: "premium" is not a value of enum fact "plan" (known: trial, starter, pro, enterprise)',
      'mapping.yaml:7:3: facts.activ_users: unknown fact "activ_users" in journey "acme-post-sale" (known: active_users, plan, kickoff_date, arr, churned, csat; did you mean "active_users"?)',
      'mapping.yaml:11:3: outputs["milestone.nope"]: unknown output "milestone.nope" (known: stage, stageEnteredAt, daysInStage, sla, nextMilestone, owner, journeyVersion, cycle, milestone.kickoff-held, milestone.five-users)',
    ]);
    expect(result.mappings).toEqual([]);
  });

  test('an empty file and a missing file are reported, not thrown', async () => {
    expect(parseJourneySources([{ file: 'empty.yaml', text: '' }]).diagnostics.map(formatDiagnostic)).toEqual(
      ['empty.yaml:1:1: the file is empty; start from a template with `milepost init`'],
    );
    const result = await loadJourneyFiles(['does-not-exist.yaml']);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'does-not-exist.yaml:1:1: cannot read the file: no such file',
    ]);
  });

  test('the same journey key twice across files is an error', () => {
    const result = parseJourneySources([
      { file: 'a.yaml', text: acme },
      { file: 'b.yaml', text: acme },
    ]);
    expect(
      result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(formatDiagnostic),
    ).toEqual([
      'b.yaml:3:6: key: journey "acme-post-sale" is already defined at a.yaml:1; journey keys must be unique across files',
    ]);
  });

  test('loadJourney throws INVALID_FILE with every error as data', async () => {
    const error = await loadJourney(new URL('bad/unknown-owner-team.yaml', fixtures).pathname).catch(
      (caught: unknown) => caught,
    );
    expect(MilepostError.isInstance(error)).toBe(true);
    expect((error as MilepostError).code).toBe('INVALID_FILE');
    expect((error as MilepostError).details.diagnostics).toHaveLength(1);
    expect((error as MilepostError).message).toContain('stages[0].owner: unknown team "onbording"');
  });

  test('warnings name what the literature calls mistakes, but the journey still loads', () => {
    const text = acme
      .replace('    owner: onboarding           #', '    #')
      .replace('handoff: { to: cs, artifacts: [Onboarding plan, Health summary] }', 'handoff: { to: cs }');
    const result = parseJourneySources([{ file: 'journey.yaml', text }]);
    expect(result.journeys).toHaveLength(1);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'journey.yaml:41:14: warning: stages[0].handoff: the handoff to "cs" lists no artifacts; say what the next team receives (e.g. an onboarding plan)',
      'journey.yaml:24:5: warning: stages[0]: stage "onboarding" has no owner; every moment needs a team that owns it',
      'journey.yaml:44:5: warning: stages[1]: stage "adoption" has no milestone; define what success looks like before the customer moves on',
    ]);
  });
});
