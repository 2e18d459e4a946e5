/**
 * Workflows — automation v4 flows (research: hubspot-api.md §0.3, §1.8): Professional tier, scope
 * `automation`, create/read/list/update (with the current `revisionId`)/delete, and the validation traps
 * reported in hubspot-api-nodejs#695: missing top-level `type`, `type`/`objectTypeId` mismatch,
 * `IS_NOT_EQUAL_TO` on ENUMERATION filters, nested unified-events branches, a connection on the last
 * action, and the retired `0-13` action type (HTTP 500).
 */
import {
  conflictError,
  HubSpotEmulatorHttpError,
  notFoundError,
  validationError,
} from './hubspot-emulator-errors.js';
import {
  batchInputs,
  batchResult,
  bodyObject,
  type HubSpotBatchError,
  json,
  nowIso,
  queryInteger,
} from './hubspot-emulator-handler-utilities.js';
import type { HubSpotObjectStore, HubSpotPortalState } from './hubspot-emulator-portal-state.js';
import type { HubSpotHandlerContext, HubSpotRoute } from './hubspot-emulator-routes.js';
import type { HubSpotFlow } from './hubspot-emulator-types.js';

/** Built-in action type ids the emulator accepts (research §1.8). */
export const KNOWN_ACTION_TYPES = new Set([
  '0-1',
  '0-3',
  '0-4',
  '0-5',
  '0-8',
  '0-35',
  '0-63809083',
  '0-63863438',
]);

const actionKinds = new Set([
  'SINGLE_CONNECTION',
  'STATIC_BRANCH',
  'LIST_BRANCH',
  'AB_TEST_BRANCH',
  'CUSTOM_CODE',
  'WEBHOOK',
]);
const enrollmentKinds = new Set(['LIST_BASED', 'EVENT_BASED', 'MANUAL', 'DATASET_BASED']);

type Json = Record<string, unknown>;

function storeFor(portal: HubSpotPortalState, objectTypeId: string): HubSpotObjectStore | undefined {
  return portal.stores.get(objectTypeId);
}

function checkFilters(store: HubSpotObjectStore, branch: unknown, path: string): void {
  if (branch === undefined || branch === null) return;
  const node = branch as Json;
  if (
    node.filterBranchType === 'UNIFIED_EVENTS' &&
    Array.isArray(node.filterBranches) &&
    node.filterBranches.length > 0
  ) {
    throw validationError(`${path}: UNIFIED_EVENTS filter branches cannot contain nested filter branches.`);
  }
  if (Array.isArray(node.filters)) {
    node.filters.forEach((raw, index) => {
      const filter = (raw ?? {}) as Json;
      const operation = (filter.operation ?? {}) as Json;
      if (operation.operationType === 'ENUMERATION' && operation.operator === 'IS_NOT_EQUAL_TO') {
        throw validationError(
          `${path}.filters[${index}]: operator IS_NOT_EQUAL_TO is not valid for operationType ENUMERATION (use IS_NONE_OF).`,
        );
      }
      if (
        filter.filterType === 'PROPERTY' &&
        typeof filter.property === 'string' &&
        !store.properties.has(filter.property)
      ) {
        throw validationError(
          `${path}.filters[${index}]: property ${filter.property} does not exist on object type ${store.info.objectTypeId}.`,
        );
      }
    });
  }
  if (Array.isArray(node.filterBranches)) {
    node.filterBranches.forEach((child, index) => {
      checkFilters(store, child, `${path}.filterBranches[${index}]`);
    });
  }
}

/** Validates a create/update body the way the flows API does; returns the normalised body. */
export function validateFlow(portal: HubSpotPortalState, input: Json, previous?: HubSpotFlow): Json {
  if (typeof input.type !== 'string') throw validationError('Some required fields were not set: [type]');
  if (input.type !== 'CONTACT_FLOW' && input.type !== 'PLATFORM_FLOW')
    throw validationError(`Invalid flow type ${input.type}.`);
  if (previous && previous.body.type !== input.type)
    throw validationError('The type of an existing flow cannot be changed.');
  const missing = ['objectTypeId', 'flowType', 'isEnabled', 'actions'].filter(
    (field) => input[field] === undefined,
  );
  if (missing.length > 0) throw validationError(`Some required fields were not set: [${missing.join(', ')}]`);
  const objectTypeId = String(input.objectTypeId);
  // A mismatch gets a generic 400 in production too ("misleading" per hubspot-api-nodejs#695).
  if ((input.type === 'CONTACT_FLOW') !== (objectTypeId === '0-1')) {
    throw validationError('Invalid request body: the flow could not be created from the given definition.', {
      subCategory: 'FlowValidationError.INVALID_FLOW_DEFINITION',
    });
  }
  const store = storeFor(portal, objectTypeId);
  if (!store) throw validationError(`Unknown objectTypeId ${objectTypeId}.`);
  if (!['WORKFLOW', 'ACTION_SET', 'UNKNOWN'].includes(String(input.flowType)))
    throw validationError(`Invalid flowType ${String(input.flowType)}.`);
  if (typeof input.isEnabled !== 'boolean') throw validationError('isEnabled must be a boolean.');
  if (!Array.isArray(input.actions)) throw validationError('Invalid input JSON: "actions" must be an array.');
  const actions = input.actions as Json[];
  const ids = new Set<string>();
  for (const action of actions) {
    const actionId = String(action?.actionId ?? '');
    if (!actionId) throw validationError('Some required fields were not set: [actions[].actionId]');
    if (ids.has(actionId)) throw validationError(`Duplicate actionId ${actionId}.`);
    ids.add(actionId);
    if (!actionKinds.has(String(action.type)))
      throw validationError(`Action ${actionId}: unknown action type ${String(action.type)}.`);
    if (action.type === 'SINGLE_CONNECTION') {
      const actionTypeId = String(action.actionTypeId ?? '');
      if (actionTypeId === '0-13') {
        // The retired list action answers 500, not 400 (research §1.8).
        throw new HubSpotEmulatorHttpError(500, { message: 'internal error', category: 'INTERNAL_ERROR' });
      }
      if (!KNOWN_ACTION_TYPES.has(actionTypeId))
        throw validationError(`Action ${actionId}: unknown actionTypeId ${actionTypeId}.`);
      const fields = (action.fields ?? {}) as Json;
      if (
        actionTypeId === '0-5' &&
        typeof fields.property_name === 'string' &&
        !store.properties.has(fields.property_name)
      ) {
        throw validationError(
          `Action ${actionId}: property ${fields.property_name} does not exist on object type ${objectTypeId}.`,
        );
      }
    }
  }
  for (const action of actions) {
    const connection = action.connection as Json | undefined;
    if (connection && !ids.has(String(connection.nextActionId))) {
      throw validationError(
        `Action ${String(action.actionId)} connects to action ${String(connection.nextActionId)}, which does not exist; the last action must not have a connection.`,
      );
    }
  }
  if (
    actions.length > 0 &&
    actions.every((action) => action.connection !== undefined && action.type === 'SINGLE_CONNECTION')
  ) {
    throw validationError('The last action must not have a connection.');
  }
  const startActionId =
    input.startActionId === undefined ? String(actions[0]?.actionId ?? '') : String(input.startActionId);
  if (actions.length > 0 && !ids.has(startActionId))
    throw validationError(`startActionId ${startActionId} is not an action of this flow.`);
  const enrollment = input.enrollmentCriteria as Json | undefined;
  if (enrollment) {
    if (!enrollmentKinds.has(String(enrollment.type)))
      throw validationError(`Invalid enrollmentCriteria type ${String(enrollment.type)}.`);
    checkFilters(store, enrollment.listFilterBranch, 'enrollmentCriteria.listFilterBranch');
    if (Array.isArray(enrollment.reEnrollmentTriggersFilterBranches)) {
      enrollment.reEnrollmentTriggersFilterBranches.forEach((branch, index) => {
        checkFilters(store, branch, `enrollmentCriteria.reEnrollmentTriggersFilterBranches[${index}]`);
      });
    }
    if (Array.isArray(enrollment.eventFilterBranches)) {
      enrollment.eventFilterBranches.forEach((branch, index) => {
        checkFilters(store, branch, `enrollmentCriteria.eventFilterBranches[${index}]`);
      });
    }
  }
  const { revisionId: _revision, id: _id, ...rest } = input;
  return {
    blockedDates: [],
    timeWindows: [],
    customProperties: {},
    dataSources: [],
    ...rest,
    objectTypeId,
    ...(actions.length > 0 ? { startActionId } : {}),
  };
}

/** The API view of a flow. */
export function flowView(flow: HubSpotFlow): Json {
  const actions = (flow.body.actions as Json[]) ?? [];
  const highest = actions.reduce((maximum, action) => Math.max(maximum, Number(action.actionId) || 0), 0);
  return {
    ...structuredClone(flow.body),
    id: flow.id,
    revisionId: flow.revisionId,
    createdAt: flow.createdAt,
    updatedAt: flow.updatedAt,
    nextAvailableActionId: String(highest + 1),
    crmObjectCreationStatus: 'COMPLETE',
  };
}

function listingView(flow: HubSpotFlow): Json {
  return {
    id: flow.id,
    revisionId: flow.revisionId,
    isEnabled: flow.body.isEnabled,
    flowType: flow.body.flowType,
    name: flow.body.name,
    objectTypeId: flow.body.objectTypeId,
    createdAt: flow.createdAt,
    updatedAt: flow.updatedAt,
  };
}

function requireFlow(context: HubSpotHandlerContext): HubSpotFlow {
  const flow = context.portal.flows.get(context.params.flowId ?? '');
  if (!flow) throw notFoundError(`Flow ${context.params.flowId} not found.`);
  return flow;
}

/** Routes of the flows API. */
export function workflowRoutes(): HubSpotRoute[] {
  const paths = (suffix: string) => [`/automation/v4/flows${suffix}`, `/automation/:version/flows${suffix}`];
  const scopes = () => ['automation'];
  return [
    {
      method: 'GET',
      paths: paths(''),
      auth: 'token',
      scopes,
      tier: 'professional',
      handle(context) {
        const limit = Math.min(Math.max(queryInteger(context, 'limit', 100), 1), 100);
        const after = Number(context.query.get('after') ?? '0') || 0;
        const all = [...context.portal.flows.values()]
          .filter((flow) => Number(flow.id) > after)
          .sort((left, right) => Number(left.id) - Number(right.id));
        const page = all.slice(0, limit);
        const body: Json = { results: page.map(listingView) };
        if (all.length > limit) body.paging = { next: { after: page[page.length - 1]?.id } };
        return json(200, body);
      },
    },
    {
      method: 'POST',
      paths: paths(''),
      auth: 'token',
      scopes,
      tier: 'professional',
      write: true,
      handle(context) {
        const body = validateFlow(context.portal, bodyObject(context));
        context.portal.counters.flow += 1;
        const now = nowIso(context);
        const flow: HubSpotFlow = {
          id: String(context.portal.counters.flow),
          revisionId: '1',
          createdAt: now,
          updatedAt: now,
          body,
        };
        context.portal.flows.set(flow.id, flow);
        return json(201, flowView(flow));
      },
    },
    {
      method: 'POST',
      paths: paths('/batch/read'),
      auth: 'token',
      scopes,
      tier: 'professional',
      handle(context) {
        const startedAt = nowIso(context);
        const results: unknown[] = [];
        const errors: HubSpotBatchError[] = [];
        for (const raw of batchInputs(context)) {
          const flowId = String((raw as { flowId?: unknown })?.flowId ?? '');
          const flow = context.portal.flows.get(flowId);
          if (flow) results.push(flowView(flow));
          else
            errors.push({
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              message: `Flow ${flowId} not found.`,
              context: { flowId: [flowId] },
            });
        }
        return batchResult(context, startedAt, results, errors, 200);
      },
    },
    {
      method: 'GET',
      paths: paths('/:flowId'),
      auth: 'token',
      scopes,
      tier: 'professional',
      handle(context) {
        return json(200, flowView(requireFlow(context)));
      },
    },
    {
      method: 'PUT',
      paths: paths('/:flowId'),
      auth: 'token',
      scopes,
      tier: 'professional',
      write: true,
      handle(context) {
        const flow = requireFlow(context);
        const input = bodyObject(context);
        if (input.revisionId === undefined)
          throw validationError('Some required fields were not set: [revisionId]');
        if (String(input.revisionId) !== flow.revisionId) {
          throw conflictError(
            `revisionId ${String(input.revisionId)} is not the latest revision (${flow.revisionId}) of flow ${flow.id}; fetch the flow and retry.`,
          );
        }
        flow.body = validateFlow(context.portal, input, flow);
        flow.revisionId = String(Number(flow.revisionId) + 1);
        flow.updatedAt = nowIso(context);
        return json(200, flowView(flow));
      },
    },
    {
      method: 'DELETE',
      paths: paths('/:flowId'),
      auth: 'token',
      scopes,
      tier: 'professional',
      write: true,
      handle(context) {
        const flow = requireFlow(context);
        context.portal.flows.delete(flow.id);
        return json(204);
      },
    },
  ];
}
