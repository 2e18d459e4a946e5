import { describe, expect, test } from 'vitest';
import { isEmptyPlan, planSchema, renderPlanText, type SchemaResource } from './plan.js';

const group: SchemaResource = {
  id: 'group:milepost',
  kind: 'property-group',
  label: 'Milepost',
  attributes: { label: 'Milepost' },
};
const stageProperty: SchemaResource = {
  id: 'property:companies:milepost_stage',
  kind: 'property',
  label: 'Journey stage',
  attributes: { type: 'enumeration', options: ['onboarding', 'adoption'] },
  dependsOn: ['group:milepost'],
};
const pipeline: SchemaResource = {
  id: 'pipeline:tickets:acme',
  kind: 'pipeline',
  label: 'Acme journey',
  attributes: { label: 'Acme journey' },
};
const stage = (key: string, order: number): SchemaResource => ({
  id: `stage:acme:${key}`,
  kind: 'pipeline-stage',
  label: key,
  attributes: { label: key, displayOrder: order },
  dependsOn: ['pipeline:tickets:acme'],
});
const remoteOf = (resources: SchemaResource[], extra: Partial<SchemaResource> = { managed: true }) => ({
  resources: resources.map((resource) => ({ ...resource, ...extra })),
});

describe('planSchema', () => {
  test('an empty CRM gets every resource, dependencies first', () => {
    const plan = planSchema(
      { resources: [stageProperty, stage('onboarding', 0), group, pipeline] },
      { resources: [] },
    );
    expect(plan.changes.map((change) => `${change.action} ${change.resource.id}`)).toEqual([
      'create group:milepost',
      'create property:companies:milepost_stage',
      'create pipeline:tickets:acme',
      'create stage:acme:onboarding',
    ]);
    expect(plan.refusals).toEqual([]);
  });

  test('applying twice plans nothing: the same attributes in another key order are equal', () => {
    const desired = { resources: [group, stageProperty] };
    const remote = remoteOf([
      group,
      {
        ...stageProperty,
        attributes: { options: ['onboarding', 'adoption'], type: 'enumeration', extra: 'ignored' },
      },
    ]);
    expect(isEmptyPlan(planSchema(desired, remote))).toBe(true);
  });

  test('a changed attribute is an update listing what differs', () => {
    const renamed = { ...stage('onboarding', 0), attributes: { label: 'Getting started', displayOrder: 0 } };
    const plan = planSchema({ resources: [pipeline, renamed] }, remoteOf([pipeline, stage('onboarding', 0)]));
    expect(plan.changes).toEqual([
      expect.objectContaining({
        action: 'update',
        attributes: [{ attribute: 'label', before: 'onboarding', after: 'Getting started' }],
      }),
    ]);
  });

  test('an unmanaged resource with the same id is never changed: the plan refuses', () => {
    const plan = planSchema(
      { resources: [group, stageProperty] },
      remoteOf([group, { ...stageProperty, attributes: { type: 'string' } }], { managed: false }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.refusals).toEqual([
      {
        id: 'property:companies:milepost_stage',
        reason: 'unmanaged-conflict',
        summary:
          'Journey stage already exists and is not managed by Milepost; point the mapping at it or choose another name (differs in type, options)',
      },
    ]);
  });

  test('unmanaged resources that the journey does not mention are left alone', () => {
    const theirs: SchemaResource = {
      id: 'property:companies:industry',
      kind: 'property',
      label: 'Industry',
      attributes: {},
    };
    expect(
      isEmptyPlan(planSchema({ resources: [group] }, { resources: [{ ...group, managed: true }, theirs] })),
    ).toBe(true);
  });

  test('an adopted field is used as it is, and must exist', () => {
    const adopted: SchemaResource = {
      id: 'property:companies:lifecycle',
      kind: 'property',
      label: 'Lifecycle',
      attributes: { type: 'string' },
      adopt: true,
    };
    expect(
      isEmptyPlan(
        planSchema(
          { resources: [adopted] },
          remoteOf([{ ...adopted, attributes: { type: 'enumeration' } }], { managed: false }),
        ),
      ),
    ).toBe(true);
    expect(planSchema({ resources: [adopted] }, { resources: [] }).refusals[0]?.reason).toBe(
      'missing-adopted',
    );
  });

  test('a removed managed stage holding records is refused unless the journey says where they move', () => {
    const remote = remoteOf([pipeline, stage('onboarding', 0), { ...stage('legacy', 1), inUse: 12 }]);
    const desired = { resources: [pipeline, stage('onboarding', 0)] };
    expect(planSchema(desired, remote).refusals).toEqual([
      {
        id: 'stage:acme:legacy',
        reason: 'in-use',
        summary:
          'legacy still holds 12 records; say where they move (journey "removedStages") before removing it',
      },
    ]);
    const moved = planSchema(desired, remote, { moves: { 'stage:acme:legacy': 'stage:acme:onboarding' } });
    expect(moved.refusals).toEqual([]);
    expect(moved.changes).toEqual([
      expect.objectContaining({ action: 'delete', movesTo: 'stage:acme:onboarding' }),
    ]);
  });

  test('deletes come last, dependents before what they depend on', () => {
    const plan = planSchema({ resources: [group] }, remoteOf([group, pipeline, stage('onboarding', 0)]));
    expect(plan.changes.map((change) => `${change.action} ${change.resource.id}`)).toEqual([
      'delete stage:acme:onboarding',
      'delete pipeline:tickets:acme',
    ]);
  });
});

describe('renderPlanText', () => {
  test('an empty plan says the CRM matches', () => {
    expect(renderPlanText({ changes: [], refusals: [], notes: ['no workflows on this tier'] })).toBe(
      'note: no workflows on this tier\nNo changes: the CRM already matches the journey.\n',
    );
  });

  test('one line per change, updated attributes beneath, refusals and the counts last', () => {
    const resource = {
      id: 'property:companies:milepost_stage',
      kind: 'property',
      label: 'Stage',
      attributes: {},
    };
    const text = renderPlanText({
      changes: [
        { action: 'create', resource, summary: 'create property Stage' },
        {
          action: 'update',
          resource,
          attributes: [{ attribute: 'label', before: 'Old', after: 'Stage' }],
          summary: 'update property Stage: label',
        },
      ],
      refusals: [{ id: 'x', reason: 'in-use', summary: 'legacy still holds 2 records' }],
    });
    expect(text).toBe(
      [
        '  + create property Stage',
        '  ~ update property Stage: label',
        '      label: "Old" → "Stage"',
        '  ✗ refused: legacy still holds 2 records',
        'Plan: 1 to create, 1 to update, 0 to delete, 1 refused.',
        '',
      ].join('\n'),
    );
  });
});
