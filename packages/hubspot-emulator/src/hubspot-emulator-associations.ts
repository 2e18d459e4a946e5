/**
 * Associations v4 (research: hubspot-api.md §1.5): per-record and batch, default (unlabeled) and
 * labelled types, labels API, the 1,000-id cap of batch read. Stored in both directions.
 */
import { notFoundError, validationError } from './hubspot-emulator-errors.js';
import {
  batchInputs,
  batchResult,
  bodyObject,
  type HubSpotBatchError,
  json,
  nowIso,
  queryInteger,
  requireStore,
  storeOrUndefined,
} from './hubspot-emulator-handler-utilities.js';
import {
  associationTypesBetween,
  defaultAssociationTypes,
  type HubSpotObjectStore,
  type HubSpotPortalState,
} from './hubspot-emulator-portal-state.js';
import type { HubSpotHandlerContext, HubSpotRoute } from './hubspot-emulator-routes.js';
import type { HubSpotAssociationLabel, HubSpotAssociationType } from './hubspot-emulator-types.js';

/** An association spec as clients send it. */
export interface HubSpotAssociationSpec {
  associationCategory: HubSpotAssociationType['associationCategory'];
  associationTypeId: number;
}

function readSpecs(raw: unknown): HubSpotAssociationSpec[] {
  if (!Array.isArray(raw)) throw validationError('Invalid input JSON: association types must be an array.');
  return raw.map((item) => {
    const spec = (item ?? {}) as Record<string, unknown>;
    if (typeof spec.associationCategory !== 'string' || typeof spec.associationTypeId !== 'number') {
      throw validationError('Some required fields were not set: [associationCategory, associationTypeId]');
    }
    return {
      associationCategory: spec.associationCategory as HubSpotAssociationSpec['associationCategory'],
      associationTypeId: spec.associationTypeId,
    };
  });
}

/** Resolves specs to labelled types between two object types; unknown type ids are HubSpot's 400. */
function resolveSpecs(
  portal: HubSpotPortalState,
  from: HubSpotObjectStore,
  to: HubSpotObjectStore,
  specs: readonly HubSpotAssociationSpec[],
): HubSpotAssociationLabel[] {
  const known = associationTypesBetween(portal, from.info.objectTypeId, to.info.objectTypeId);
  return specs.map((spec) => {
    const match = known.find(
      (candidate) =>
        candidate.typeId === spec.associationTypeId && candidate.category === spec.associationCategory,
    );
    if (!match) {
      throw validationError(
        `${spec.associationCategory} ${spec.associationTypeId} is not a valid association type between ${from.info.objectTypeId} and ${to.info.objectTypeId}.`,
      );
    }
    return match;
  });
}

/** Finds the object type a create-time association points to from its type id. */
export function targetTypeOf(
  portal: HubSpotPortalState,
  from: HubSpotObjectStore,
  spec: HubSpotAssociationSpec,
): HubSpotObjectStore | undefined {
  for (const to of portal.stores.values()) {
    const types = associationTypesBetween(portal, from.info.objectTypeId, to.info.objectTypeId);
    if (
      types.some(
        (type) => type.typeId === spec.associationTypeId && type.category === spec.associationCategory,
      )
    )
      return to;
  }
  return undefined;
}

/** Adds association types between two records (both directions). Returns the labels now between them. */
export function associate(
  portal: HubSpotPortalState,
  from: HubSpotObjectStore,
  fromId: string,
  to: HubSpotObjectStore,
  toId: string,
  types: readonly HubSpotAssociationLabel[],
): HubSpotAssociationType[] {
  const forwardKey = `${from.info.objectTypeId}:${fromId}`;
  const backwardKey = `${to.info.objectTypeId}:${toId}`;
  const forward = edgeList(portal, forwardKey, backwardKey);
  const backward = edgeList(portal, backwardKey, forwardKey);
  for (const type of types) {
    if (!forward.some((edge) => edge.associationTypeId === type.typeId)) {
      forward.push({ associationCategory: type.category, associationTypeId: type.typeId, label: type.label });
    }
    if (!backward.some((edge) => edge.associationTypeId === type.inverseTypeId)) {
      backward.push({
        associationCategory: type.category,
        associationTypeId: type.inverseTypeId,
        label: type.inverseLabel ?? type.label,
      });
    }
  }
  return forward;
}

function edgeList(portal: HubSpotPortalState, fromKey: string, toKey: string): HubSpotAssociationType[] {
  let edges = portal.associations.get(fromKey);
  if (!edges) {
    edges = new Map();
    portal.associations.set(fromKey, edges);
  }
  let list = edges.get(toKey);
  if (!list) {
    list = [];
    edges.set(toKey, list);
  }
  return list;
}

/** Removes associations between two records (all types, or only the given type ids). */
export function dissociate(
  portal: HubSpotPortalState,
  from: HubSpotObjectStore,
  fromId: string,
  to: HubSpotObjectStore,
  toId: string,
  typeIds?: readonly number[],
): void {
  const forwardKey = `${from.info.objectTypeId}:${fromId}`;
  const backwardKey = `${to.info.objectTypeId}:${toId}`;
  if (!typeIds) {
    portal.associations.get(forwardKey)?.delete(backwardKey);
    portal.associations.get(backwardKey)?.delete(forwardKey);
    return;
  }
  const known = associationTypesBetween(portal, from.info.objectTypeId, to.info.objectTypeId);
  const inverse = typeIds.map(
    (typeId) => known.find((type) => type.typeId === typeId)?.inverseTypeId ?? typeId,
  );
  const forward = portal.associations.get(forwardKey)?.get(backwardKey);
  const backward = portal.associations.get(backwardKey)?.get(forwardKey);
  if (forward) removeWhere(forward, (edge) => typeIds.includes(edge.associationTypeId));
  if (backward) removeWhere(backward, (edge) => inverse.includes(edge.associationTypeId));
  if (forward?.length === 0) portal.associations.get(forwardKey)?.delete(backwardKey);
  if (backward?.length === 0) portal.associations.get(backwardKey)?.delete(forwardKey);
}

function removeWhere<T>(list: T[], predicate: (item: T) => boolean): void {
  for (let index = list.length - 1; index >= 0; index--)
    if (predicate(list[index] as T)) list.splice(index, 1);
}

/** Associations of one record toward one object type: `[toId, types][]` in id order. */
export function associationsOf(
  portal: HubSpotPortalState,
  from: HubSpotObjectStore,
  fromId: string,
  to: HubSpotObjectStore,
): [string, HubSpotAssociationType[]][] {
  const edges = portal.associations.get(`${from.info.objectTypeId}:${fromId}`);
  if (!edges) return [];
  const prefix = `${to.info.objectTypeId}:`;
  const result: [string, HubSpotAssociationType[]][] = [];
  for (const [key, types] of edges)
    if (key.startsWith(prefix) && types.length > 0) result.push([key.slice(prefix.length), types]);
  return result.sort((left, right) => Number(left[0]) - Number(right[0]));
}

function requireRecord(store: HubSpotObjectStore, id: string): void {
  if (!store.records.has(id)) throw notFoundError(`${store.info.singularLabel} ${id} not found.`);
}

function typeView(type: HubSpotAssociationType): Record<string, unknown> {
  return { category: type.associationCategory, typeId: type.associationTypeId, label: type.label };
}

function labelsBetween(
  from: HubSpotObjectStore,
  fromId: string,
  to: HubSpotObjectStore,
  toId: string,
  types: HubSpotAssociationType[],
) {
  return {
    fromObjectTypeId: from.info.objectTypeId,
    fromObjectId: Number(fromId),
    toObjectTypeId: to.info.objectTypeId,
    toObjectId: Number(toId),
    labels: types.map((type) => type.label).filter((label): label is string => label !== null),
  };
}

const pairScopes = (access: 'read' | 'write') => (context: HubSpotHandlerContext) => {
  const from = storeOrUndefined(context, context.params.fromObjectType ? 'fromObjectType' : 'objectType');
  const to = storeOrUndefined(context, 'toObjectType');
  if (!from || !to) return undefined;
  // Both sides' object scopes are needed; requiring the first side's and checking the second in the handler keeps one message.
  return access === 'read' ? from.info.readScopes : from.info.writeScopes;
};

/** Routes of associations v4 (per-record, batch, labels). */
export function associationRoutes(
  checkScopes: (context: HubSpotHandlerContext, scopes: readonly string[]) => void,
): HubSpotRoute[] {
  const record = (suffix: string) => [
    `/crm/v4/objects/:objectType/:objectId/associations${suffix}`,
    `/crm/objects/:version/:objectType/:objectId/associations${suffix}`,
  ];
  const batch = (suffix: string) => [
    `/crm/v4/associations/:fromObjectType/:toObjectType/batch${suffix}`,
    `/crm/associations/:version/:fromObjectType/:toObjectType/batch${suffix}`,
  ];
  // The client's definitionsApi calls /crm/v4/associations/…/labels; the docs list /crm/associations/v4/…/labels.
  const labels = (suffix: string) => [
    `/crm/v4/associations/:fromObjectType/:toObjectType/labels${suffix}`,
    `/crm/associations/v4/:fromObjectType/:toObjectType/labels${suffix}`,
    `/crm/associations/:version/:fromObjectType/:toObjectType/labels${suffix}`,
  ];
  const sides = (context: HubSpotHandlerContext, access: 'read' | 'write') => {
    const from = requireStore(context, context.params.fromObjectType ? 'fromObjectType' : 'objectType');
    const to = requireStore(context, 'toObjectType');
    checkScopes(context, access === 'read' ? to.info.readScopes : to.info.writeScopes);
    return { from, to };
  };
  return [
    {
      method: 'PUT',
      paths: record('/default/:toObjectType/:toObjectId'),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        const fromId = context.params.objectId ?? '';
        const toId = context.params.toObjectId ?? '';
        requireRecord(from, fromId);
        requireRecord(to, toId);
        const startedAt = nowIso(context);
        const unlabeled = defaultAssociationTypes(
          context.portal,
          from.info.objectTypeId,
          to.info.objectTypeId,
        ).filter((type) => type.label === null);
        if (unlabeled.length === 0)
          throw validationError(
            `No default association type between ${from.info.objectTypeId} and ${to.info.objectTypeId}.`,
          );
        associate(context.portal, from, fromId, to, toId, unlabeled);
        context.emulator.webhooks.associationChanged(context.portal, from, fromId);
        const results = unlabeled.flatMap((type) => [
          {
            from: { id: fromId },
            to: { id: toId },
            associationSpec: { associationCategory: type.category, associationTypeId: type.typeId },
          },
          {
            from: { id: toId },
            to: { id: fromId },
            associationSpec: { associationCategory: type.category, associationTypeId: type.inverseTypeId },
          },
        ]);
        return json(200, { status: 'COMPLETE', results, startedAt, completedAt: nowIso(context) });
      },
    },
    {
      method: 'PUT',
      paths: record('/:toObjectType/:toObjectId'),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        const fromId = context.params.objectId ?? '';
        const toId = context.params.toObjectId ?? '';
        const types = resolveSpecs(context.portal, from, to, readSpecs(context.body));
        requireRecord(from, fromId);
        requireRecord(to, toId);
        const edges = associate(context.portal, from, fromId, to, toId, types);
        context.emulator.webhooks.associationChanged(context.portal, from, fromId);
        return json(201, labelsBetween(from, fromId, to, toId, edges));
      },
    },
    {
      method: 'DELETE',
      paths: record('/:toObjectType/:toObjectId'),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        dissociate(context.portal, from, context.params.objectId ?? '', to, context.params.toObjectId ?? '');
        return json(204);
      },
    },
    {
      method: 'GET',
      paths: record('/:toObjectType'),
      auth: 'token',
      scopes: pairScopes('read'),
      handle(context) {
        const { from, to } = sides(context, 'read');
        const fromId = context.params.objectId ?? '';
        requireRecord(from, fromId);
        const limit = Math.min(Math.max(queryInteger(context, 'limit', 500), 1), 500);
        const after = Number(context.query.get('after') ?? '0') || 0;
        const all = associationsOf(context.portal, from, fromId, to).filter(
          ([toId]) => Number(toId) >= after,
        );
        const page = all.slice(0, limit);
        const body: Record<string, unknown> = {
          results: page.map(([toId, types]) => ({
            toObjectId: Number(toId),
            associationTypes: types.map(typeView),
          })),
        };
        const next = all[limit];
        if (next) body.paging = { next: { after: next[0], link: null } };
        return json(200, body);
      },
    },
    {
      method: 'POST',
      paths: batch('/create'),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        const startedAt = nowIso(context);
        const inputs = batchInputs(context);
        if (inputs.length > 100)
          throw validationError(`The maximum number of inputs supported in a batch request is 100.`);
        const results: unknown[] = [];
        const errors: HubSpotBatchError[] = [];
        inputs.forEach((raw, index) => {
          const input = (raw ?? {}) as { from?: { id?: string }; to?: { id?: string }; types?: unknown };
          const fromId = String(input.from?.id ?? '');
          const toId = String(input.to?.id ?? '');
          const types = resolveSpecs(context.portal, from, to, readSpecs(input.types ?? []));
          const fault = context.emulator.faults.batchFailure(fromId, index);
          if (fault) {
            errors.push({
              status: 'error',
              category: 'INTERNAL_ERROR',
              message: fault.message,
              context: { fromId: [fromId] },
            });
            return;
          }
          const missing = [
            !from.records.has(fromId) ? `${from.info.singularLabel} ${fromId}` : '',
            !to.records.has(toId) ? `${to.info.singularLabel} ${toId}` : '',
          ].filter(Boolean);
          if (missing.length > 0) {
            errors.push({
              status: 'error',
              category: 'VALIDATION_ERROR',
              message: `${missing.join(' and ')} not found.`,
              context: { fromId: [fromId], toId: [toId] },
            });
            return;
          }
          const edges = associate(context.portal, from, fromId, to, toId, types);
          context.emulator.webhooks.associationChanged(context.portal, from, fromId);
          results.push(labelsBetween(from, fromId, to, toId, edges));
        });
        return batchResult(context, startedAt, results, errors, 201);
      },
    },
    {
      method: 'POST',
      paths: batch('/associate/default'),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        const startedAt = nowIso(context);
        const inputs = batchInputs(context);
        if (inputs.length > 100)
          throw validationError(`The maximum number of inputs supported in a batch request is 100.`);
        const unlabeled = defaultAssociationTypes(
          context.portal,
          from.info.objectTypeId,
          to.info.objectTypeId,
        ).filter((type) => type.label === null);
        if (unlabeled.length === 0)
          throw validationError(
            `No default association type between ${from.info.objectTypeId} and ${to.info.objectTypeId}.`,
          );
        const results: unknown[] = [];
        for (const raw of inputs) {
          const input = (raw ?? {}) as { from?: { id?: string }; to?: { id?: string } };
          const fromId = String(input.from?.id ?? '');
          const toId = String(input.to?.id ?? '');
          requireRecord(from, fromId);
          requireRecord(to, toId);
          associate(context.portal, from, fromId, to, toId, unlabeled);
          for (const type of unlabeled) {
            results.push({
              from: { id: fromId },
              to: { id: toId },
              associationSpec: { associationCategory: type.category, associationTypeId: type.typeId },
            });
          }
        }
        return json(200, { status: 'COMPLETE', results, startedAt, completedAt: nowIso(context) });
      },
    },
    {
      method: 'POST',
      paths: batch('/read'),
      auth: 'token',
      scopes: pairScopes('read'),
      handle(context) {
        const { from, to } = sides(context, 'read');
        const startedAt = nowIso(context);
        const inputs = batchInputs(context);
        // Capped at 1,000 ids since 2025-02-10 (research §1.5).
        if (inputs.length > 1000)
          throw validationError('The maximum number of inputs supported in a batch request is 1000.');
        const results: unknown[] = [];
        const errors: HubSpotBatchError[] = [];
        for (const raw of inputs) {
          const input = (raw ?? {}) as { id?: string; after?: string };
          const fromId = String(input.id ?? '');
          const list = associationsOf(context.portal, from, fromId, to);
          if (list.length === 0) {
            errors.push({
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              message: `No ${to.info.singularLabel.toLowerCase()} is associated with ${from.info.singularLabel.toLowerCase()} ${fromId}.`,
              context: { fromObjectId: [fromId] },
            });
            continue;
          }
          results.push({
            from: { id: fromId },
            to: list.map(([toId, types]) => ({
              toObjectId: Number(toId),
              associationTypes: types.map(typeView),
            })),
          });
        }
        return batchResult(context, startedAt, results, errors, 200);
      },
    },
    {
      method: 'POST',
      paths: batch('/archive'),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        for (const raw of batchInputs(context)) {
          const input = (raw ?? {}) as { from?: { id?: string }; to?: { id?: string }[] };
          for (const target of input.to ?? [])
            dissociate(context.portal, from, String(input.from?.id ?? ''), to, String(target.id ?? ''));
        }
        return json(204);
      },
    },
    {
      method: 'POST',
      paths: batch('/labels/archive'),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        for (const raw of batchInputs(context)) {
          const input = (raw ?? {}) as { from?: { id?: string }; to?: { id?: string }; types?: unknown };
          const specs = readSpecs(input.types ?? []);
          dissociate(
            context.portal,
            from,
            String(input.from?.id ?? ''),
            to,
            String(input.to?.id ?? ''),
            specs.map((spec) => spec.associationTypeId),
          );
        }
        return json(204);
      },
    },
    {
      method: 'GET',
      paths: labels(''),
      auth: 'token',
      scopes: pairScopes('read'),
      handle(context) {
        const { from, to } = sides(context, 'read');
        const results = associationTypesBetween(
          context.portal,
          from.info.objectTypeId,
          to.info.objectTypeId,
        ).map((type) => ({
          category: type.category,
          typeId: type.typeId,
          label: type.label,
        }));
        return json(200, { results });
      },
    },
    {
      method: 'POST',
      paths: labels(''),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        const input = bodyObject(context);
        if (typeof input.label !== 'string' || typeof input.name !== 'string')
          throw validationError('Some required fields were not set: [label, name]');
        const existing = associationTypesBetween(
          context.portal,
          from.info.objectTypeId,
          to.info.objectTypeId,
        );
        if (existing.some((type) => type.label === input.label))
          throw validationError(
            `An association label "${input.label}" already exists between these object types.`,
          );
        context.portal.counters.associationType += 2;
        const typeId = context.portal.counters.associationType - 1;
        const inverseTypeId = context.portal.counters.associationType;
        const inverseLabel = typeof input.inverseLabel === 'string' ? input.inverseLabel : null;
        const forward: HubSpotAssociationLabel = {
          category: 'USER_DEFINED',
          typeId,
          inverseTypeId,
          label: input.label,
          inverseLabel,
        };
        const backward: HubSpotAssociationLabel = {
          category: 'USER_DEFINED',
          typeId: inverseTypeId,
          inverseTypeId: typeId,
          label: inverseLabel ?? input.label,
          inverseLabel: input.label,
        };
        const key = `${from.info.objectTypeId}|${to.info.objectTypeId}`;
        const reverseKey = `${to.info.objectTypeId}|${from.info.objectTypeId}`;
        context.portal.associationLabels.set(key, [
          ...(context.portal.associationLabels.get(key) ?? []),
          forward,
        ]);
        if (key !== reverseKey)
          context.portal.associationLabels.set(reverseKey, [
            ...(context.portal.associationLabels.get(reverseKey) ?? []),
            backward,
          ]);
        const results = [{ category: 'USER_DEFINED', typeId, label: input.label }];
        if (inverseLabel)
          results.push({ category: 'USER_DEFINED', typeId: inverseTypeId, label: inverseLabel });
        return json(200, { results });
      },
    },
    {
      method: 'PUT',
      paths: labels(''),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        const input = bodyObject(context);
        const list =
          context.portal.associationLabels.get(`${from.info.objectTypeId}|${to.info.objectTypeId}`) ?? [];
        const label = list.find((candidate) => candidate.typeId === input.associationTypeId);
        if (!label) throw notFoundError(`Association type ${String(input.associationTypeId)} not found.`);
        if (typeof input.label === 'string') label.label = input.label;
        if (typeof input.inverseLabel === 'string') label.inverseLabel = input.inverseLabel;
        return json(204);
      },
    },
    {
      method: 'DELETE',
      paths: labels('/:associationTypeId'),
      auth: 'token',
      scopes: pairScopes('write'),
      write: true,
      handle(context) {
        const { from, to } = sides(context, 'write');
        const typeId = Number(context.params.associationTypeId);
        const key = `${from.info.objectTypeId}|${to.info.objectTypeId}`;
        const list = context.portal.associationLabels.get(key) ?? [];
        const label = list.find((candidate) => candidate.typeId === typeId);
        if (!label) throw notFoundError(`Association type ${typeId} not found.`);
        context.portal.associationLabels.set(
          key,
          list.filter((candidate) => candidate !== label),
        );
        const reverseKey = `${to.info.objectTypeId}|${from.info.objectTypeId}`;
        context.portal.associationLabels.set(
          reverseKey,
          (context.portal.associationLabels.get(reverseKey) ?? []).filter(
            (candidate) => candidate.typeId !== label.inverseTypeId,
          ),
        );
        return json(204);
      },
    },
  ];
}

/** Validates create-time associations (`associations` of a record create) before anything is written. */
export function prepareCreateAssociations(
  portal: HubSpotPortalState,
  from: HubSpotObjectStore,
  raw: unknown,
): { to: HubSpotObjectStore; toId: string; types: HubSpotAssociationLabel[] }[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw validationError('Invalid input JSON: "associations" must be an array.');
  return raw.map((item) => {
    const input = (item ?? {}) as { to?: { id?: string }; types?: unknown };
    const toId = String(input.to?.id ?? '');
    const specs = readSpecs(input.types ?? []);
    const first = specs[0];
    if (!first) throw validationError('Some required fields were not set: [associations[].types]');
    const to = targetTypeOf(portal, from, first);
    if (!to)
      throw validationError(
        `${first.associationCategory} ${first.associationTypeId} is not a valid association type from ${from.info.objectTypeId}.`,
      );
    if (!to.records.has(toId)) {
      throw validationError(`${to.info.singularLabel} ${toId} does not exist; it cannot be associated.`, {
        subCategory: 'crm.associations.INVALID_OBJECT_IDS',
      });
    }
    return { to, toId, types: resolveSpecs(portal, from, to, specs) };
  });
}
