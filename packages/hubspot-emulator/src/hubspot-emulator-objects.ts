/**
 * CRM records (research: hubspot-api.md §1.4, §1.6, §1.7): companies, deals, tickets, tasks, contacts
 * and custom objects — create, read, update, archive, list with paging, batch read/create/update/
 * upsert/archive (≤ 100 inputs, 207 with per-input errors, unique `idProperty`), `propertiesWithHistory`
 * and search.
 */

import { associate, associationsOf, prepareCreateAssociations } from './hubspot-emulator-associations.js';
import { type HubSpotEmulatorHttpError, notFoundError, validationError } from './hubspot-emulator-errors.js';
import {
  batchInputs,
  batchResult,
  bodyList,
  bodyObject,
  type HubSpotBatchError,
  json,
  nowIso,
  queryFlag,
  queryInteger,
  queryList,
  requireStore,
  storeOrUndefined,
} from './hubspot-emulator-handler-utilities.js';
import {
  archiveRecord,
  checkBatchSize,
  checkUnique,
  createRecord,
  type HubSpotObjectStore,
  type HubSpotPortalState,
  lowerBound,
  normalizeValues,
  recordView,
  updateRecord,
} from './hubspot-emulator-portal-state.js';
import { crmPaths, type HubSpotHandlerContext, type HubSpotRoute } from './hubspot-emulator-routes.js';
import { parseSearch, runSearch } from './hubspot-emulator-search.js';
import type { HubSpotRecord } from './hubspot-emulator-types.js';

const readScopes = (context: HubSpotHandlerContext) => storeOrUndefined(context)?.info.readScopes;
const writeScopes = (context: HubSpotHandlerContext) => storeOrUndefined(context)?.info.writeScopes;

/** Finds a record by id or by a unique `idProperty`. */
function findRecord(
  store: HubSpotObjectStore,
  id: string,
  idProperty: string | undefined,
  archived = false,
): HubSpotRecord | undefined {
  if (idProperty && idProperty !== 'hs_object_id') {
    const index = store.unique.get(idProperty);
    if (!index) throw nonUniqueIdProperty(store, idProperty);
    const recordId = index.get(id);
    return recordId === undefined ? undefined : store.records.get(recordId);
  }
  return archived ? store.archivedRecords.get(id) : store.records.get(id);
}

function nonUniqueIdProperty(store: HubSpotObjectStore, idProperty: string): HubSpotEmulatorHttpError {
  // Wording from hubspot-api-nodejs#548 (research §1.6).
  return validationError(
    `Unable to perform update/upsert by non-unique ${store.info.objectTypeId} property ${idProperty}`,
  );
}

function recordNotFound(): HubSpotEmulatorHttpError {
  return notFoundError('resource not found');
}

/** v3 `associations` of a GET (`associations=deals`): `{deals: {results: [{id, type}]}}`. */
function v3Associations(
  portal: HubSpotPortalState,
  store: HubSpotObjectStore,
  record: HubSpotRecord,
  names: readonly string[] | undefined,
) {
  if (!names || names.length === 0) return undefined;
  const result: Record<string, unknown> = {};
  for (const name of names) {
    const to = [...portal.stores.values()].find(
      (candidate) =>
        candidate.info.name === name ||
        candidate.info.objectTypeId === name ||
        candidate.info.singularLabel.toLowerCase() === name,
    );
    if (!to) continue;
    const list = associationsOf(portal, store, record.id, to);
    if (list.length === 0) continue;
    const type = `${store.info.singularLabel.toLowerCase()}_to_${to.info.singularLabel.toLowerCase()}`;
    result[to.info.name] = { results: list.map(([id]) => ({ id, type })) };
  }
  return result;
}

function view(
  context: HubSpotHandlerContext,
  store: HubSpotObjectStore,
  record: HubSpotRecord,
  properties?: string[],
  history?: string[],
  associations?: string[],
) {
  const result = recordView(store, record, properties, history);
  const linked = v3Associations(context.portal, store, record, associations);
  if (linked && Object.keys(linked).length > 0) result.associations = linked;
  return result;
}

/** Write answers carry every stored value of the record (a superset of what HubSpot returns). */
function writeView(store: HubSpotObjectStore, record: HubSpotRecord) {
  return recordView(store, record, undefined, undefined, true);
}

function inputProperties(raw: unknown): Record<string, unknown> {
  const properties = (raw as { properties?: unknown } | undefined)?.properties;
  if (
    properties === undefined ||
    properties === null ||
    typeof properties !== 'object' ||
    Array.isArray(properties)
  ) {
    throw validationError('Some required fields were not set: [properties]');
  }
  return properties as Record<string, unknown>;
}

function duplicateIds(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const id of ids) (seen.has(id) ? duplicates : seen).add(id);
  return [...duplicates];
}

/** Batch update/upsert inputs with their ids; HubSpot refuses the whole batch when an id repeats. */
function keyedBatchInputs(context: HubSpotHandlerContext) {
  const inputs = checkBatchSize(bodyObject(context).inputs) as {
    id?: unknown;
    idProperty?: unknown;
    properties?: unknown;
  }[];
  const ids = inputs.map((input) => String(input?.id ?? ''));
  const duplicates = duplicateIds(ids);
  if (duplicates.length > 0) {
    throw validationError(
      `Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`,
    );
  }
  return { inputs, ids };
}

/** The 207 error HubSpot gives for batch inputs whose ids do not exist. */
function objectsNotFound(store: HubSpotObjectStore, missing: string[]): HubSpotBatchError {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${store.info.singularLabel.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids: missing },
  };
}

/** Routes of the CRM objects API (generic `{objectType}` paths, so every object type shares them). */
export function objectRoutes(): HubSpotRoute[] {
  return [
    {
      method: 'GET',
      paths: crmPaths('objects', '/:objectType'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const store = requireStore(context);
        const history = queryList(context, 'propertiesWithHistory');
        // HubSpot serves at most 50 records per page when histories are asked for.
        const maximum = history ? 50 : 100;
        const limit = Math.min(Math.max(queryInteger(context, 'limit', 10), 1), maximum);
        const properties = queryList(context, 'properties');
        const associations = queryList(context, 'associations');
        const archived = queryFlag(context, 'archived');
        const after = context.query.get('after');
        let records: HubSpotRecord[];
        let next: string | undefined;
        if (archived) {
          const all = [...store.archivedRecords.values()].sort(
            (left, right) => Number(left.id) - Number(right.id),
          );
          const start = after ? all.findIndex((record) => Number(record.id) >= Number(after)) : 0;
          records = start < 0 ? [] : all.slice(start, start + limit);
          next = start >= 0 ? all[start + limit]?.id : undefined;
        } else {
          const start = after ? lowerBound(store.order, Number(after)) : 0;
          const ids = store.order.slice(start, start + limit);
          records = ids
            .map((id) => store.records.get(String(id)))
            .filter((record): record is HubSpotRecord => record !== undefined);
          const following = store.order[start + limit];
          next = following === undefined ? undefined : String(following);
        }
        const body: Record<string, unknown> = {
          results: records.map((record) => view(context, store, record, properties, history, associations)),
        };
        if (next !== undefined) {
          const link = new URL(context.path, context.emulator.url());
          link.searchParams.set('after', next);
          body.paging = { next: { after: next, link: link.toString() } };
        }
        return json(200, body);
      },
    },
    {
      method: 'POST',
      paths: crmPaths('objects', '/:objectType'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const body = bodyObject(context);
        const properties = inputProperties(body);
        const links = prepareCreateAssociations(context.portal, store, body.associations);
        const record = createRecord(context.portal, store, properties);
        for (const link of links) associate(context.portal, store, record.id, link.to, link.toId, link.types);
        return json(201, writeView(store, record));
      },
    },
    {
      method: 'POST',
      paths: crmPaths('objects', '/:objectType/search'),
      auth: 'token',
      scopes: readScopes,
      budget: 'search',
      handle(context) {
        const store = requireStore(context);
        const request = parseSearch(store, bodyObject(context));
        const { total, page, nextAfter } = runSearch(store, request);
        // Search results always carry the id and the two date properties besides the requested ones.
        const properties =
          request.properties && request.properties.length > 0
            ? [
                ...new Set([
                  ...request.properties,
                  store.info.createdDateProperty,
                  'hs_lastmodifieddate',
                  'hs_object_id',
                ]),
              ]
            : undefined;
        const body: Record<string, unknown> = {
          total,
          results: page.map((record) => recordView(store, record, properties)),
        };
        if (nextAfter !== undefined) body.paging = { next: { after: nextAfter } };
        return json(200, body);
      },
    },
    {
      method: 'POST',
      paths: crmPaths('objects', '/:objectType/batch/read'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const store = requireStore(context);
        const body = bodyObject(context);
        const startedAt = nowIso(context);
        const history = bodyList(body.propertiesWithHistory);
        const inputs = checkBatchSize(body.inputs);
        if (history && history.length > 0 && inputs.length > 50) {
          // Quoted from activepieces/activepieces#9359.
          throw validationError(
            'The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again',
          );
        }
        const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
        const properties = bodyList(body.properties);
        const archived = body.archived === true;
        const results: unknown[] = [];
        const missing: string[] = [];
        const failed: HubSpotBatchError[] = [];
        inputs.forEach((raw, index) => {
          const id = String((raw as { id?: unknown })?.id ?? '');
          const fault = context.emulator.faults.batchFailure(id, index);
          if (fault) {
            failed.push({
              status: 'error',
              category: 'INTERNAL_ERROR',
              message: fault.message,
              context: { ids: [id] },
            });
            return;
          }
          const record = findRecord(store, id, idProperty, archived);
          if (record) results.push(recordView(store, record, properties, history));
          else missing.push(id);
        });
        const errors: HubSpotBatchError[] = [...failed];
        if (missing.length > 0) errors.push(objectsNotFound(store, missing));
        return batchResult(context, startedAt, results, errors, 200);
      },
    },
    {
      method: 'POST',
      paths: crmPaths('objects', '/:objectType/batch/create'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const startedAt = nowIso(context);
        const inputs = checkBatchSize(bodyObject(context).inputs);
        // HubSpot validates the whole batch first: one bad input fails the request (400/409), nothing is written.
        const prepared = inputs.map((raw) => {
          const properties = normalizeValues(context.portal, store, inputProperties(raw));
          const links = prepareCreateAssociations(
            context.portal,
            store,
            (raw as { associations?: unknown })?.associations,
          );
          return { properties, links };
        });
        checkUniqueWithinBatch(
          store,
          prepared.map((input) => input.properties),
        );
        for (const input of prepared) checkUnique(store, input.properties);
        const results: unknown[] = [];
        const errors: HubSpotBatchError[] = [];
        prepared.forEach((input, index) => {
          const fault = context.emulator.faults.batchFailure(undefined, index);
          if (fault) {
            errors.push({
              status: 'error',
              category: 'INTERNAL_ERROR',
              message: fault.message,
              context: { inputIndex: [String(index)] },
            });
            return;
          }
          const record = createRecord(context.portal, store, input.properties, { trusted: true });
          for (const link of input.links)
            associate(context.portal, store, record.id, link.to, link.toId, link.types);
          results.push(writeView(store, record));
        });
        return batchResult(context, startedAt, results, errors, 201);
      },
    },
    {
      method: 'POST',
      paths: crmPaths('objects', '/:objectType/batch/update'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const startedAt = nowIso(context);
        const { inputs, ids } = keyedBatchInputs(context);
        const prepared = inputs.map((input, index) => {
          const idProperty = typeof input?.idProperty === 'string' ? input.idProperty : undefined;
          const record = findRecord(store, ids[index] as string, idProperty);
          const properties = normalizeValues(
            context.portal,
            store,
            inputProperties(input),
            record ?? ({ properties: {} } as HubSpotRecord),
          );
          return { record, properties };
        });
        const results: unknown[] = [];
        const errors: HubSpotBatchError[] = [];
        const missing: string[] = [];
        prepared.forEach((input, index) => {
          const id = ids[index] as string;
          const fault = context.emulator.faults.batchFailure(id, index);
          if (fault) {
            errors.push({
              status: 'error',
              category: 'INTERNAL_ERROR',
              message: fault.message,
              context: { ids: [id] },
            });
            return;
          }
          if (!input.record) {
            missing.push(id);
            return;
          }
          updateRecord(context.portal, store, input.record, input.properties, { trusted: true });
          results.push(writeView(store, input.record));
        });
        if (missing.length > 0) errors.push(objectsNotFound(store, missing));
        return batchResult(context, startedAt, results, errors, 200);
      },
    },
    {
      method: 'POST',
      paths: crmPaths('objects', '/:objectType/batch/upsert'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const startedAt = nowIso(context);
        const { inputs, ids } = keyedBatchInputs(context);
        const prepared = inputs.map((input, index) => {
          const idProperty = typeof input?.idProperty === 'string' ? input.idProperty : undefined;
          if (idProperty && idProperty !== 'hs_object_id' && !store.unique.has(idProperty))
            throw nonUniqueIdProperty(store, idProperty);
          const id = ids[index] as string;
          const record = findRecord(store, id, idProperty);
          const raw = { ...inputProperties(input) };
          if (!record && idProperty && idProperty !== 'hs_object_id') raw[idProperty] = id;
          const properties = normalizeValues(context.portal, store, raw, record);
          return { record, properties, idProperty, id };
        });
        const results: unknown[] = [];
        const errors: HubSpotBatchError[] = [];
        prepared.forEach((input, index) => {
          const fault = context.emulator.faults.batchFailure(input.id, index);
          if (fault) {
            errors.push({
              status: 'error',
              category: 'INTERNAL_ERROR',
              message: fault.message,
              context: { ids: [input.id] },
            });
            return;
          }
          if (input.record) {
            updateRecord(context.portal, store, input.record, input.properties, { trusted: true });
            results.push({ ...writeView(store, input.record), new: false });
            return;
          }
          if (!input.idProperty || input.idProperty === 'hs_object_id') {
            errors.push({
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              message: `${store.info.singularLabel} ${input.id} does not exist.`,
              context: { ids: [input.id] },
            });
            return;
          }
          const record = createRecord(context.portal, store, input.properties, { trusted: true });
          results.push({ ...writeView(store, record), new: true });
        });
        return batchResult(context, startedAt, results, errors, 200);
      },
    },
    {
      method: 'POST',
      paths: crmPaths('objects', '/:objectType/batch/archive'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        for (const raw of checkBatchSize(batchInputs(context))) {
          const record = store.records.get(String((raw as { id?: unknown })?.id ?? ''));
          if (record) archiveRecord(context.portal, store, record);
        }
        return json(204);
      },
    },
    {
      method: 'GET',
      paths: crmPaths('objects', '/:objectType/:objectId'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const store = requireStore(context);
        const idProperty = context.query.get('idProperty') ?? undefined;
        const record = findRecord(
          store,
          context.params.objectId ?? '',
          idProperty,
          queryFlag(context, 'archived'),
        );
        if (!record) throw recordNotFound();
        return json(
          200,
          view(
            context,
            store,
            record,
            queryList(context, 'properties'),
            queryList(context, 'propertiesWithHistory'),
            queryList(context, 'associations'),
          ),
        );
      },
    },
    {
      method: 'PATCH',
      paths: crmPaths('objects', '/:objectType/:objectId'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const idProperty = context.query.get('idProperty') ?? undefined;
        const record = findRecord(store, context.params.objectId ?? '', idProperty);
        if (!record) throw recordNotFound();
        const properties = inputProperties(bodyObject(context));
        updateRecord(context.portal, store, record, properties);
        return json(200, writeView(store, record));
      },
    },
    {
      method: 'DELETE',
      paths: crmPaths('objects', '/:objectType/:objectId'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const record = store.records.get(context.params.objectId ?? '');
        // Archiving a missing or already archived record is still a 204, as in HubSpot.
        if (record) archiveRecord(context.portal, store, record);
        return json(204);
      },
    },
  ];
}

function checkUniqueWithinBatch(store: HubSpotObjectStore, inputs: readonly Record<string, string>[]): void {
  for (const name of store.unique.keys()) {
    const seen = new Set<string>();
    for (const input of inputs) {
      const value = input[name];
      if (!value) continue;
      if (seen.has(value))
        throw validationError(`Duplicate value "${value}" for unique property ${name} within the batch.`);
      seen.add(value);
    }
  }
}
