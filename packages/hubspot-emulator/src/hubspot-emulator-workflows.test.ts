import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

const flow = () => ({
  type: 'PLATFORM_FLOW',
  objectTypeId: '0-3',
  flowType: 'WORKFLOW',
  isEnabled: false,
  name: 'CS journey: kickoff task',
  startActionId: '1',
  enrollmentCriteria: {
    type: 'LIST_BASED',
    shouldReEnroll: false,
    unEnrollObjectsNotMeetingCriteria: false,
    reEnrollmentTriggersFilterBranches: [],
    listFilterBranch: {
      filterBranchType: 'OR',
      filterBranchOperator: 'OR',
      filters: [],
      filterBranches: [
        {
          filterBranchType: 'AND',
          filterBranchOperator: 'AND',
          filterBranches: [],
          filters: [
            {
              filterType: 'PROPERTY',
              property: 'dealstage',
              operation: { operationType: 'ENUMERATION', operator: 'IS_ANY_OF', values: ['closedwon'] },
            },
          ],
        },
      ],
    },
  },
  actions: [
    {
      actionId: '1',
      actionTypeId: '0-3',
      actionTypeVersion: 0,
      type: 'SINGLE_CONNECTION',
      connection: { edgeType: 'STANDARD', nextActionId: '2' },
      fields: { task_type: 'TODO', subject: 'Kick-off', priority: 'HIGH' },
    },
    {
      actionId: '2',
      actionTypeId: '0-5',
      actionTypeVersion: 0,
      type: 'SINGLE_CONNECTION',
      fields: { property_name: 'dealname', value: { type: 'STATIC_VALUE', staticValue: 'x' } },
    },
  ],
});

describe('workflows (automation v4 flows)', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator();
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it('creates (201), reads, lists, updates with revisionId and deletes a flow through apiRequest', async () => {
    const created = await fixture.client.apiRequest({
      method: 'POST',
      path: '/automation/v4/flows',
      body: flow(),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; revisionId: string; isEnabled: boolean };
    expect(body).toMatchObject({ revisionId: '1', isEnabled: false, blockedDates: [], timeWindows: [] });
    const read = await fixture.call('GET', `/automation/v4/flows/${body.id}`);
    expect(read.body).toMatchObject({ id: body.id, name: 'CS journey: kickoff task' });
    const list = await fixture.call('GET', '/automation/v4/flows');
    expect((list.body as { results: unknown[] }).results).toHaveLength(1);
    const updated = await fixture.call('PUT', `/automation/v4/flows/${body.id}`, {
      ...flow(),
      revisionId: '1',
      isEnabled: true,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ revisionId: '2', isEnabled: true });
    const stale = await fixture.call('PUT', `/automation/v4/flows/${body.id}`, {
      ...flow(),
      revisionId: '1',
    });
    expect(stale.status).toBe(409);
    const noRevision = await fixture.call('PUT', `/automation/v4/flows/${body.id}`, flow());
    expect((noRevision.body as { message: string }).message).toBe(
      'Some required fields were not set: [revisionId]',
    );
    const batch = await fixture.call('POST', '/automation/v4/flows/batch/read', {
      inputs: [
        { flowId: body.id, type: 'FLOW_ID' },
        { flowId: '1', type: 'FLOW_ID' },
      ],
    });
    expect(batch.status).toBe(207);
    expect((await fixture.call('DELETE', `/automation/v4/flows/${body.id}`)).status).toBe(204);
    expect(fixture.emulator.portal(1000001).workflows()).toHaveLength(0);
    expect((await fixture.call('GET', '/automation/2026-09-beta/flows')).status).toBe(200);
  });

  it('reproduces the validation traps of the flows API', async () => {
    const post = (body: unknown) => fixture.call('POST', '/automation/v4/flows', body);
    const { type: _type, ...untyped } = flow();
    const missingType = await post(untyped);
    expect(missingType.status).toBe(400);
    expect((missingType.body as { message: string }).message).toBe(
      'Some required fields were not set: [type]',
    );
    expect((await post({ ...flow(), objectTypeId: '0-1' })).status).toBe(400);
    const notEqual = flow();
    const branch = notEqual.enrollmentCriteria.listFilterBranch.filterBranches[0] as {
      filters: { operation: { operator: string } }[];
    };
    (branch.filters[0] as { operation: { operator: string } }).operation.operator = 'IS_NOT_EQUAL_TO';
    const notEqualResponse = await post(notEqual);
    expect(notEqualResponse.status).toBe(400);
    expect((notEqualResponse.body as { message: string }).message).toMatch(/IS_NONE_OF/);
    const trailing = flow();
    (trailing.actions[1] as Record<string, unknown>).connection = { edgeType: 'STANDARD', nextActionId: '3' };
    expect((await post(trailing)).status).toBe(400);
    const retired = flow();
    (retired.actions[1] as Record<string, unknown>).actionTypeId = '0-13';
    expect((await post(retired)).status).toBe(500);
    const unknownProperty = flow();
    (unknownProperty.actions[1] as { fields: Record<string, unknown> }).fields.property_name =
      'no_such_property';
    expect((await post(unknownProperty)).status).toBe(400);
    const nested = flow();
    (
      nested.enrollmentCriteria.listFilterBranch.filterBranches[0] as Record<string, unknown>
    ).filterBranchType = 'UNIFIED_EVENTS';
    (nested.enrollmentCriteria.listFilterBranch.filterBranches[0] as Record<string, unknown>).filterBranches =
      [{ filterBranchType: 'AND', filters: [], filterBranches: [] }];
    expect((await post(nested)).status).toBe(400);
  });

  it('needs the automation scope and a Professional portal', async () => {
    const token = fixture.emulator.createToken(1000001, { scopes: ['crm.objects.deals.read'] });
    expect((await fixture.call('GET', '/automation/v4/flows', undefined, token)).status).toBe(403);
    await fixture.emulator.close();
    fixture = await startEmulator({ portals: [{ hubId: 3, tier: 'starter' }] });
    const denied = await fixture.call('POST', '/automation/v4/flows', flow());
    expect(denied.status).toBe(403);
  });
});
