import { readFileSync } from 'node:fs';
import { mappingSchema } from '@milepost/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  closeCheckingSecrets,
  createRecordingAdmin,
  type RecordingAdmin,
  withDemoEmulators,
} from './admin-test-support.js';
import { loadMapping, serializeMapping } from './mapping-store.js';

// The CLI demo's mapping files map the saas-lifecycle template onto the emulators' demo seed.
const demoMapping = (target: 'hubspot' | 'salesforce') =>
  readFileSync(
    new URL(`../../../../packages/cli/demo/saas-lifecycle.${target}.mapping.yaml`, import.meta.url),
    'utf8',
  );

const emulators = withDemoEmulators();

describe('field mapping routes', () => {
  let admin: RecordingAdmin;
  let hubSpotId: string;
  let salesforceId: string;
  const url = (connectionId: string, rest = '', journey = 'saas-lifecycle') =>
    `/api/journeys/${journey}/mappings/${connectionId}${rest}`;
  const storedMappings = () => admin.context.database.query('select * from mappings');
  const hubSpotMapping = (facts: Record<string, unknown>, outputs: Record<string, unknown> = {}) => ({
    apiVersion: 'milepost/v1',
    kind: 'Mapping',
    journey: 'saas-lifecycle',
    target: 'hubspot',
    facts,
    outputs,
  });

  beforeEach(async () => {
    admin = await createRecordingAdmin();
    expect((await admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' })).status).toBe(201);
    const added = await admin.request('POST', '/api/connections', {
      target: 'hubspot',
      name: 'Demo portal',
      accessToken: emulators.hubspot.defaultToken,
      baseUrl: emulators.hubspot.url,
    });
    hubSpotId = added.body.id;
    const addedSalesforce = await admin.request('POST', '/api/connections', {
      target: 'salesforce',
      name: 'Demo org',
      instanceUrl: emulators.salesforce.url,
      accessToken: emulators.salesforce.defaultToken,
    });
    salesforceId = addedSalesforce.body.id;
  });
  afterEach(() =>
    closeCheckingSecrets(admin, [emulators.hubspot.defaultToken, emulators.salesforce.defaultToken]),
  );

  it('answers an empty default mapping before one is saved', async () => {
    const response = await admin.request('GET', url(hubSpotId));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      mapping: {
        apiVersion: 'milepost/v1',
        kind: 'Mapping',
        journey: 'saas-lifecycle',
        target: 'hubspot',
        facts: {},
        outputs: {},
      },
      source: expect.stringContaining('kind: Mapping'),
      saved: false,
    });
    expect(parse(response.body.source)).toEqual(response.body.mapping);
    expect(await loadMapping(admin.context, 'saas-lifecycle', hubSpotId)).toBeUndefined();
    expect((await admin.request('GET', url(hubSpotId, '', 'missing'))).status).toBe(404);
    expect((await admin.request('GET', url('missing'))).status).toBe(404);
  });

  it('saves the demo mapping files as uploaded and downloads them back identical', async () => {
    for (const [target, connectionId] of [
      ['hubspot', hubSpotId],
      ['salesforce', salesforceId],
    ] as const) {
      const source = demoMapping(target);
      const expected = mappingSchema.parse(parse(source));
      const saved = await admin.request('PUT', url(connectionId), { source });
      expect(saved.status, saved.text).toBe(200);
      expect(saved.body).toEqual({ mapping: expected, source, saved: true });

      const shown = await admin.request('GET', url(connectionId));
      expect(shown.body).toEqual({ mapping: expected, source, saved: true });
      const file = await admin.request('GET', url(connectionId, '/mapping.yaml'));
      expect(file.status).toBe(200);
      expect(file.text).toBe(source);
      expect(file.headers.get('content-disposition')).toBe(
        `attachment; filename="saas-lifecycle.${target}.mapping.yaml"`,
      );
      expect(file.headers.get('content-type')).toContain('yaml');
      expect(await loadMapping(admin.context, 'saas-lifecycle', connectionId)).toEqual(expected);
    }
    const rows = await storedMappings();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ updated_by: 'admin@example.com' });
  });

  it('stores a JSON mapping as YAML in a stable key order and replaces the saved one', async () => {
    const mapping = hubSpotMapping(
      {
        plan: { values: { pro: 'professional' }, field: 'plan_tier' },
        active_users: { field: 'active_users' },
      },
      { stage: { field: 'milepost_stage_saas_lifecycle' } },
    );
    // The same mapping with its keys in another order must give the same file.
    const shuffled = {
      outputs: mapping.outputs,
      facts: {
        active_users: mapping.facts.active_users,
        plan: { field: 'plan_tier', values: { pro: 'professional' } },
      },
      target: 'hubspot',
      journey: 'saas-lifecycle',
      kind: 'Mapping',
      apiVersion: 'milepost/v1',
    };
    const unknownOutputField = await admin.request('PUT', url(hubSpotId), { mapping });
    // The journey's own output fields do not exist before the plan is applied: refused per output.
    expect(unknownOutputField.status).toBe(422);
    expect(unknownOutputField.body.error.issues).toEqual([
      expect.objectContaining({ path: 'outputs.stage', severity: 'error' }),
    ]);

    const withoutOutputs = { ...mapping, outputs: {} };
    const first = await admin.request('PUT', url(hubSpotId), { mapping: withoutOutputs });
    expect(first.status, first.text).toBe(200);
    const second = await admin.request('PUT', url(hubSpotId), { mapping: { ...shuffled, outputs: {} } });
    expect(second.body.source).toBe(first.body.source);
    expect(first.body.source).toBe(serializeMapping(first.body.mapping));
    expect(first.body.source.indexOf('apiVersion')).toBe(0);
    expect(first.body.source.indexOf('active_users')).toBeLessThan(first.body.source.indexOf('plan:'));
    expect(parse(first.body.source)).toEqual(withoutOutputs);
    expect(await storedMappings()).toHaveLength(1);
    const file = await admin.request('GET', url(hubSpotId, '/mapping.yaml'));
    expect(file.text).toBe(first.body.source);
  });

  it('flags enum values without a CRM option, by value, without blocking a save on a warning', async () => {
    const unmapped = await admin.request('POST', url(hubSpotId, '/check'), {
      mapping: hubSpotMapping({ plan: { field: 'plan_tier' } }),
    });
    expect(unmapped.status).toBe(200);
    expect(unmapped.body).toEqual({
      ok: true,
      issues: [
        expect.objectContaining({ key: 'plan', kind: 'fact', severity: 'warning', unmappedValues: ['pro'] }),
      ],
    });

    const wrongOption = await admin.request('POST', url(hubSpotId, '/check'), {
      mapping: hubSpotMapping({ plan: { field: 'plan_tier', values: { pro: 'premium' } } }),
    });
    expect(wrongOption.body.ok).toBe(false);
    expect(wrongOption.body.issues).toContainEqual(
      expect.objectContaining({
        key: 'plan',
        severity: 'error',
        message: expect.stringContaining('"premium"'),
      }),
    );

    const stageOnPlan = await admin.request('POST', url(hubSpotId, '/check'), {
      mapping: hubSpotMapping({}, { stage: { field: 'plan_tier' } }),
    });
    expect(stageOnPlan.body.ok).toBe(false);
    expect(stageOnPlan.body.issues).toEqual([
      expect.objectContaining({
        key: 'stage',
        kind: 'output',
        severity: 'error',
        unmappedValues: expect.arrayContaining(['onboarding']),
      }),
    ]);

    const notAJourneyValue = await admin.request('POST', url(hubSpotId, '/check'), {
      mapping: hubSpotMapping({ plan: { field: 'plan_tier', values: { gold: 'enterprise' } } }),
    });
    expect(notAJourneyValue.body.issues).toContainEqual(
      expect.objectContaining({ key: 'plan', severity: 'error', message: expect.stringContaining('"gold"') }),
    );
    expect(await storedMappings()).toHaveLength(0);

    const saved = await admin.request('PUT', url(hubSpotId), {
      mapping: hubSpotMapping({ plan: { field: 'plan_tier' } }),
    });
    expect(saved.status).toBe(200);
  });

  it('checks against the live fields of the CRM, including fields the mapping misnames', async () => {
    const response = await admin.request('POST', url(salesforceId, '/check'), {
      mapping: {
        apiVersion: 'milepost/v1',
        kind: 'Mapping',
        journey: 'saas-lifecycle',
        target: 'salesforce',
        facts: { active_users: { field: 'active_users__c' }, churned: { field: 'Churn__c' } },
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.ok).toBe(false);
    // Salesforce names are case-insensitive, so only the misspelt field is an error.
    expect(response.body.issues).toEqual([
      expect.objectContaining({
        key: 'churned',
        severity: 'error',
        message: expect.stringContaining('Churned__c'),
      }),
    ]);
  });

  it('refuses an incompatible field type with 422, storing nothing', async () => {
    const response = await admin.request('PUT', url(hubSpotId), {
      mapping: hubSpotMapping({ active_users: { field: 'kickoff_date' } }),
    });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('INVALID_MAPPING');
    expect(response.body.error.issues).toEqual([
      {
        path: 'facts.active_users',
        severity: 'error',
        message: expect.stringContaining('companies.kickoff_date is a date field'),
      },
    ]);
    const upload = await admin.request('PUT', url(salesforceId), {
      source: demoMapping('salesforce').replace('{ field: Churned__c }', '{ field: Kickoff_Date__c }'),
    });
    expect(upload.status).toBe(422);
    expect(upload.body.error.issues).toEqual([expect.objectContaining({ path: 'facts.churned' })]);
    expect(await storedMappings()).toHaveLength(0);
  });

  it('refuses a mapping for another journey or another CRM, storing nothing', async () => {
    const otherJourney = demoMapping('hubspot').replace('journey: saas-lifecycle', 'journey: other-journey');
    const wrongJourney = await admin.request('PUT', url(hubSpotId), { source: otherJourney });
    expect(wrongJourney.status).toBe(422);
    expect(wrongJourney.body.error.code).toBe('INVALID_MAPPING');
    const journeyLine = otherJourney.split('\n').findIndex((line) => line.startsWith('journey:')) + 1;
    expect(wrongJourney.body.error.issues).toEqual([
      expect.objectContaining({
        path: 'journey',
        line: journeyLine,
        message: expect.stringContaining('other-journey'),
      }),
    ]);

    const wrongTarget = await admin.request('PUT', url(salesforceId), { source: demoMapping('hubspot') });
    expect(wrongTarget.status).toBe(422);
    expect(wrongTarget.body.error.issues).toEqual([
      expect.objectContaining({ path: 'target', message: expect.stringContaining('Demo org') }),
    ]);
    const wrongTargetJson = await admin.request('PUT', url(salesforceId), { mapping: hubSpotMapping({}) });
    expect(wrongTargetJson.status).toBe(422);
    const wrongTargetCheck = await admin.request('POST', url(salesforceId, '/check'), {
      mapping: hubSpotMapping({}),
    });
    expect(wrongTargetCheck.status).toBe(422);
    expect(await storedMappings()).toHaveLength(0);
  });

  it('refuses schema errors with the field path, and the line for an uploaded file', async () => {
    const misspelt = demoMapping('hubspot').replace(
      'churned: { field: churned }',
      'churned: { feld: churned }',
    );
    const line = misspelt.split('\n').findIndex((text) => text.includes('feld:')) + 1;
    const upload = await admin.request('PUT', url(hubSpotId), { source: misspelt });
    expect(upload.status).toBe(422);
    expect(upload.body.error.code).toBe('INVALID_MAPPING');
    expect(upload.body.error.issues).toContainEqual(
      expect.objectContaining({
        line,
        file: 'saas-lifecycle.hubspot.mapping.yaml',
        path: expect.stringContaining('facts.churned'),
      }),
    );
    const notYaml = await admin.request('PUT', url(hubSpotId), { source: 'facts: [unclosed' });
    expect(notYaml.status).toBe(422);
    const journeyFile = await admin.request('PUT', url(hubSpotId), {
      source: readFileSync(
        new URL('../../../../packages/core/templates/saas-lifecycle.yaml', import.meta.url),
        'utf8',
      ),
    });
    expect(journeyFile.status).toBe(422);
    expect(journeyFile.body.error.issues.length).toBeGreaterThan(0);
    const twoMappings = await admin.request('PUT', url(hubSpotId), {
      source: `${demoMapping('hubspot')}\n---\n${demoMapping('hubspot')}`,
    });
    expect(twoMappings.status).toBe(422);
    expect(twoMappings.body.error.issues[0].message).toContain('exactly one mapping');

    const json = await admin.request('PUT', url(hubSpotId), {
      mapping: { ...hubSpotMapping({}), facts: { plan: { field: '' } }, extra: 1 },
    });
    expect(json.status).toBe(422);
    expect(json.body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(
      expect.arrayContaining(['facts.plan.field', '']),
    );
    const check = await admin.request('POST', url(hubSpotId, '/check'), { mapping: { kind: 'Mapping' } });
    expect(check.status).toBe(422);
    expect(await storedMappings()).toHaveLength(0);
  });

  it('answers 400 for bodies that are neither a mapping nor a source', async () => {
    for (const body of [{}, { mapping: 'x' }, { source: '' }, { mapping: {}, source: 'x' }]) {
      const response = await admin.request('PUT', url(hubSpotId), body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('BAD_REQUEST');
    }
    expect((await admin.request('POST', url(hubSpotId, '/check'), { source: 'x' })).status).toBe(400);
    expect((await admin.request('PUT', url('missing'), { mapping: hubSpotMapping({}) })).status).toBe(404);
    expect(await storedMappings()).toHaveLength(0);
  });

  it('reads the fields of the objects a saved mapping names', async () => {
    const mapping = { ...hubSpotMapping({ active_users: { field: 'active_users' } }), cycleObject: 'deals' };
    expect((await admin.request('PUT', url(hubSpotId), { mapping })).status).toBe(200);
    const withJourney = await admin.request(
      'GET',
      `/api/connections/${hubSpotId}/fields?journey=saas-lifecycle`,
    );
    const objects = new Set(withJourney.body.map((field: { object: string }) => field.object));
    expect(objects).toEqual(new Set(['companies', 'deals']));
    const without = await admin.request('GET', `/api/connections/${hubSpotId}/fields`);
    expect(new Set(without.body.map((field: { object: string }) => field.object))).toEqual(
      new Set(['companies', 'tickets']),
    );
  });

  it('answers 401 on every route without sign-in, storing nothing', async () => {
    const anonymous = admin.client();
    const responses = await Promise.all([
      anonymous.request('GET', url(hubSpotId)),
      anonymous.request('POST', url(hubSpotId, '/check'), { mapping: hubSpotMapping({}) }),
      anonymous.request('PUT', url(hubSpotId), { source: demoMapping('hubspot') }),
      anonymous.request('GET', url(hubSpotId, '/mapping.yaml')),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(await storedMappings()).toHaveLength(0);
  });

  it('removes the mappings of a removed connection', async () => {
    await admin.request('PUT', url(hubSpotId), { source: demoMapping('hubspot') });
    await admin.request('DELETE', `/api/connections/${hubSpotId}`);
    expect(await storedMappings()).toHaveLength(0);
  });
});
