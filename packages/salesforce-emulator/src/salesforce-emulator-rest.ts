import { handleBulkRequest } from './salesforce-emulator-bulk.js';
import { recordError, SalesforceApiError, type SalesforceRecordError } from './salesforce-emulator-errors.js';
import { normalizeSalesforceId } from './salesforce-emulator-ids.js';
import {
  findObject,
  findRecordById,
  type OrgState,
  recordsOf,
  recordsWithValue,
  type SalesforceRecord,
} from './salesforce-emulator-org-state.js';
import {
  createRecord,
  createWriteContext,
  deleteRecord,
  rollbackTo,
  serializeRecord,
  updateRecord,
  visibleField,
  visibleFields,
  type WriteContext,
  type WriteResult,
} from './salesforce-emulator-records.js';
import type { SalesforceFieldDefinition, SalesforceObjectDefinition } from './salesforce-emulator-schema.js';
import { runSoql, type SoqlResult } from './salesforce-emulator-soql.js';

/**
 * REST API under `/services/data/v{version}/`: sObjects, describe, collections, composite, query and
 * queryMore, limits, and (delegated) Bulk API 2.0. Shapes follow research §1.3 and §4.
 */

/** A REST request after authentication. */
export interface RestRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  apiVersion: string;
}

/** A REST response: JSON body unless `text` is set. */
export interface RestResponse {
  status: number;
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** What a REST handler knows about the caller. */
export interface RestEnvironment {
  org: OrgState;
  userId: string;
  recordFault?: WriteContext['recordFault'];
  /** Set inside composite requests so all subrequests share one transaction. */
  context?: WriteContext;
}

const COLLECTION_LIMIT = 200;
const COMPOSITE_LIMIT = 25;

function notFound(): SalesforceApiError {
  return new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

function parseJsonBody(request: RestRequest): unknown {
  if (request.rawBody.trim() === '') return {};
  try {
    return JSON.parse(request.rawBody);
  } catch (error) {
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      `Unexpected character: ${error instanceof Error ? error.message : 'invalid JSON'}`,
    );
  }
}

function objectFromPath(org: OrgState, name: string | undefined): SalesforceObjectDefinition {
  const object = name ? findObject(org, name) : undefined;
  if (!object) throw notFound();
  return object;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function failureToApiError(errors: SalesforceRecordError[]): SalesforceApiError {
  const first = errors[0] ?? recordError('UNKNOWN_EXCEPTION', 'Unknown error', []);
  const status = first.statusCode === 'ENTITY_IS_DELETED' ? 404 : 400;
  const error = new SalesforceApiError(status, first.statusCode, first.message, first.fields);
  (error as SalesforceApiError & { all?: SalesforceRecordError[] }).all = errors;
  return error;
}

function writeContext(environment: RestEnvironment): WriteContext {
  return (
    environment.context ??
    createWriteContext(
      environment.org,
      environment.userId,
      environment.recordFault ? { recordFault: environment.recordFault } : {},
    )
  );
}

function saveResultJson(result: WriteResult, upsert = false): Record<string, unknown> {
  if (result.success)
    return { id: result.id, success: true, errors: [], ...(upsert ? { created: result.created } : {}) };
  return {
    ...(result.id ? { id: result.id } : {}),
    success: false,
    errors: result.errors.map((error) => ({
      statusCode: error.statusCode,
      message: error.message,
      fields: error.fields,
    })),
  };
}

// ---- describe -------------------------------------------------------------------------------

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

function describeField(field: SalesforceFieldDefinition): Record<string, unknown> {
  const textual = [
    'string',
    'textarea',
    'picklist',
    'multipicklist',
    'email',
    'phone',
    'url',
    'id',
    'reference',
  ].includes(field.type);
  return {
    aggregatable: field.type !== 'textarea',
    autoNumber: field.autoNumberFormat !== undefined,
    byteLength: textual ? field.length * 3 : 0,
    calculated: field.calculated,
    caseSensitive: false,
    createable: field.createable,
    custom: field.custom,
    defaultValue: field.defaultValue,
    defaultedOnCreate: field.defaultedOnCreate,
    dependentPicklist: false,
    digits: field.type === 'int' ? field.precision : 0,
    externalId: field.externalId,
    filterable: field.type !== 'textarea' || field.length <= 255,
    groupable: field.type !== 'double' && field.type !== 'textarea',
    idLookup: field.name === 'Id' || field.externalId,
    inlineHelpText: field.inlineHelpText ?? null,
    label: field.label,
    length: textual ? field.length : 0,
    name: field.name,
    nameField: field.name === 'Name',
    nillable: field.nillable,
    picklistValues: field.picklistValues.map((entry) => ({
      active: entry.active,
      defaultValue: entry.defaultValue,
      label: entry.label,
      validFor: null,
      value: entry.value,
    })),
    precision: ['double', 'currency', 'percent'].includes(field.type) ? field.precision : 0,
    referenceTo: field.referenceTo,
    relationshipName: field.relationshipName ?? null,
    restrictedPicklist: field.restrictedPicklist,
    scale: field.scale,
    soapType: SOAP_TYPES[field.type] ?? 'xsd:string',
    sortable: field.type !== 'textarea' || field.length <= 255,
    type: field.type,
    unique: field.unique,
    updateable: field.updateable,
  };
}

function objectUrls(object: SalesforceObjectDefinition, apiVersion: string): Record<string, string> {
  const base = `/services/data/v${apiVersion}/sobjects/${object.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function globalEntry(object: SalesforceObjectDefinition, apiVersion: string): Record<string, unknown> {
  return {
    activateable: false,
    createable: object.createable,
    custom: object.custom,
    customSetting: false,
    deletable: object.deletable,
    keyPrefix: object.keyPrefix,
    label: object.label,
    labelPlural: object.labelPlural,
    layoutable: !object.historyOf,
    name: object.name,
    queryable: object.queryable,
    retrieveable: true,
    searchable: !object.historyOf,
    triggerable: !object.historyOf,
    updateable: object.updateable,
    urls: objectUrls(object, apiVersion),
  };
}

function describeObject(
  environment: RestEnvironment,
  object: SalesforceObjectDefinition,
  apiVersion: string,
): Record<string, unknown> {
  const childRelationships: Array<Record<string, unknown>> = [];
  for (const child of environment.org.schema.objects.values()) {
    for (const field of child.fields.values()) {
      if (
        field.type !== 'reference' ||
        !field.referenceTo.some((name) => name.toLowerCase() === object.name.toLowerCase())
      )
        continue;
      childRelationships.push({
        cascadeDelete: field.masterDetail,
        childSObject: child.name,
        deprecatedAndHidden: false,
        field: field.name,
        relationshipName: null,
      });
    }
  }
  return {
    ...globalEntry(object, apiVersion),
    childRelationships,
    fields: visibleFields(environment.org, environment.userId, object).map(describeField),
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
      },
    ],
  };
}

// ---- query ----------------------------------------------------------------------------------

interface QueryCursor {
  result: SoqlResult;
  position: number;
  batchSize: number;
}

const cursorStore = new WeakMap<OrgState, { cursors: Map<string, QueryCursor>; counter: number }>();
const MAX_OPEN_CURSORS = 200;

function cursors(org: OrgState): { cursors: Map<string, QueryCursor>; counter: number } {
  let store = cursorStore.get(org);
  if (!store) {
    store = { cursors: new Map(), counter: 0 };
    cursorStore.set(org, store);
  }
  return store;
}

function queryPage(
  org: OrgState,
  locator: string | undefined,
  cursor: QueryCursor,
  apiVersion: string,
): Record<string, unknown> {
  const { result } = cursor;
  if (result.countOnly) return { totalSize: result.totalSize, done: true, records: [] };
  const end = Math.min(cursor.position + cursor.batchSize, result.rows.length);
  const records = result.rows.slice(cursor.position, end).map((row) => result.project(row, apiVersion));
  const done = end >= result.rows.length;
  const page: Record<string, unknown> = { totalSize: result.totalSize, done };
  const store = cursors(org);
  if (!done) {
    const id = locator ?? `01g${org.podCode}${String(++store.counter).padStart(13, '0')}`;
    store.cursors.set(id, { ...cursor, position: end });
    if (store.cursors.size > MAX_OPEN_CURSORS) {
      const oldest = store.cursors.keys().next().value;
      if (oldest) store.cursors.delete(oldest);
    }
    page.nextRecordsUrl = `/services/data/v${apiVersion}/query/${id}-${end}`;
  } else if (locator) {
    store.cursors.delete(locator);
  }
  page.records = records;
  return page;
}

function batchSizeFrom(headers: RestRequest['headers']): number {
  const option = headers['sforce-query-options'];
  const match = /batchSize=(\d+)/i.exec(Array.isArray(option) ? option.join(',') : (option ?? ''));
  const requested = match ? Number(match[1]) : 2000;
  return Math.min(Math.max(requested, 200), 2000);
}

function handleQuery(environment: RestEnvironment, request: RestRequest): RestResponse {
  const locatorSegment = request.segments[1];
  if (locatorSegment) {
    const [locator = '', positionText] = locatorSegment.split('-');
    const cursor = cursors(environment.org).cursors.get(locator);
    if (!cursor || Number(positionText) !== cursor.position) {
      throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return { status: 200, body: queryPage(environment.org, locator, cursor, request.apiVersion) };
  }
  const soql = request.query.get('q');
  if (!soql) throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  const result = runSoql(environment.org, environment.userId, soql);
  return {
    status: 200,
    body: queryPage(
      environment.org,
      undefined,
      { result, position: 0, batchSize: batchSizeFrom(request.headers) },
      request.apiVersion,
    ),
  };
}

// ---- sObject rows ---------------------------------------------------------------------------

function selectedFields(
  environment: RestEnvironment,
  object: SalesforceObjectDefinition,
  fieldList: string | null | undefined | string[],
): SalesforceFieldDefinition[] | undefined {
  if (fieldList === null || fieldList === undefined) return undefined;
  const names = Array.isArray(fieldList) ? fieldList : fieldList.split(',');
  return names
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => {
      const field = visibleField(environment.org, environment.userId, object, name);
      if (!field)
        throw new SalesforceApiError(
          400,
          'INVALID_FIELD',
          `No such column '${name}' on sobject of type ${object.name}`,
        );
      return field;
    });
}

function findByExternalId(
  environment: RestEnvironment,
  object: SalesforceObjectDefinition,
  fieldName: string,
  value: string,
): { field: SalesforceFieldDefinition; matches: SalesforceRecord[] } {
  const field = visibleField(environment.org, environment.userId, object, fieldName);
  if (!field) {
    throw new SalesforceApiError(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${fieldName}`,
    );
  }
  if (field.name !== 'Id' && !field.externalId) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `Field ${field.name} is not an External ID or indexed field for ${object.name}`,
    );
  }
  if (field.name === 'Id') {
    const id = normalizeSalesforceId(value);
    const record = id ? recordsOf(environment.org, object.name).get(id) : undefined;
    return { field, matches: record ? [record] : [] };
  }
  return { field, matches: recordsWithValue(environment.org, object.name, field.name, value) };
}

function upsertOne(
  environment: RestEnvironment,
  context: WriteContext,
  object: SalesforceObjectDefinition,
  fieldName: string,
  value: string,
  input: Record<string, unknown>,
  apiVersion: string,
): { result: WriteResult; multiple?: string[] } {
  const { field, matches } = findByExternalId(environment, object, fieldName, value);
  if (matches.length > 1) {
    return {
      result: {
        success: false,
        errors: [
          recordError(
            'DUPLICATE_EXTERNAL_ID',
            `${field.label}: more than one record found for external id field: ${matches.map((match) => String(match.Id)).join(', ')}`,
            [field.name],
          ),
        ],
      },
      multiple: matches.map(
        (match) => `/services/data/v${apiVersion}/sobjects/${object.name}/${String(match.Id)}`,
      ),
    };
  }
  const body = { ...input };
  for (const key of Object.keys(body)) if (key.toLowerCase() === field.name.toLowerCase()) delete body[key];
  const match = matches[0];
  if (match) return { result: updateRecord(context, object, String(match.Id), body) };
  if (field.name !== 'Id') body[field.name] = value;
  return { result: createRecord(context, object, body) };
}

function handleSObjects(environment: RestEnvironment, request: RestRequest): RestResponse {
  const { org } = environment;
  const [, typeName, second, third, fourth] = request.segments;
  const method = request.method;
  if (!typeName) {
    if (method !== 'GET') throw notFound();
    const sobjects = [...org.schema.objects.values()].map((object) =>
      globalEntry(object, request.apiVersion),
    );
    return { status: 200, body: { encoding: 'UTF-8', maxBatchSize: 200, sobjects } };
  }
  const object = objectFromPath(org, typeName);
  if (!second) {
    if (method === 'GET')
      return {
        status: 200,
        body: { objectDescribe: globalEntry(object, request.apiVersion), recentItems: [] },
      };
    if (method !== 'POST') throw notFound();
    const input = asObject(parseJsonBody(request));
    if (Object.keys(input).some((key) => key.toLowerCase() === 'id')) {
      throw new SalesforceApiError(400, 'INVALID_FIELD', 'Id not allowed in POST', ['Id']);
    }
    const context = writeContext(environment);
    const result = createRecord(context, object, input);
    if (!result.success) throw failureToApiError(result.errors);
    return { status: 201, body: { id: result.id, success: true, errors: [] } };
  }
  if (second === 'describe' && !third) {
    if (method !== 'GET') throw notFound();
    return { status: 200, body: describeObject(environment, object, request.apiVersion) };
  }
  if (third !== undefined) {
    if (fourth !== undefined) throw notFound();
    // /sobjects/{type}/{externalIdField}/{value}
    const value = decodeURIComponent(third);
    if (method === 'GET') {
      const { matches } = findByExternalId(environment, object, second, value);
      if (matches.length === 0) throw notFound();
      if (matches.length > 1)
        return {
          status: 300,
          body: matches.map(
            (match) => `/services/data/v${request.apiVersion}/sobjects/${object.name}/${String(match.Id)}`,
          ),
        };
      const match = matches[0] as SalesforceRecord;
      return {
        status: 200,
        body: serializeRecord(
          org,
          environment.userId,
          object,
          match,
          request.apiVersion,
          selectedFields(environment, object, request.query.get('fields')),
        ),
      };
    }
    if (method === 'PATCH') {
      const context = writeContext(environment);
      const { result, multiple } = upsertOne(
        environment,
        context,
        object,
        second,
        value,
        asObject(parseJsonBody(request)),
        request.apiVersion,
      );
      if (multiple) return { status: 300, body: multiple };
      if (!result.success) throw failureToApiError(result.errors);
      return {
        status: result.created ? 201 : 200,
        body: { id: result.id, success: true, errors: [], created: result.created },
      };
    }
    if (method === 'DELETE') {
      const { matches } = findByExternalId(environment, object, second, value);
      if (matches.length === 0) throw notFound();
      const result = deleteRecord(
        writeContext(environment),
        String((matches[0] as SalesforceRecord).Id),
        object,
      );
      if (!result.success) throw failureToApiError(result.errors);
      return { status: 204 };
    }
    throw notFound();
  }
  const id = normalizeSalesforceId(second);
  if (!id)
    throw new SalesforceApiError(
      400,
      'MALFORMED_ID',
      `${object.label} ID: id value of incorrect type: ${second}`,
    );
  const record = recordsOf(org, object.name).get(id);
  if (method === 'GET') {
    if (!record) throw notFound();
    return {
      status: 200,
      body: serializeRecord(
        org,
        environment.userId,
        object,
        record,
        request.apiVersion,
        selectedFields(environment, object, request.query.get('fields')),
      ),
    };
  }
  if (method === 'PATCH') {
    if (!record) throw notFound();
    const result = updateRecord(writeContext(environment), object, id, asObject(parseJsonBody(request)));
    if (!result.success) throw failureToApiError(result.errors);
    return { status: 204 };
  }
  if (method === 'DELETE') {
    if (!record) throw notFound();
    const result = deleteRecord(writeContext(environment), id, object);
    if (!result.success) throw failureToApiError(result.errors);
    return { status: 204 };
  }
  throw notFound();
}

// ---- collections ----------------------------------------------------------------------------

const ROLLED_BACK = recordError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
  [],
);

function runCollection(
  environment: RestEnvironment,
  allOrNone: boolean,
  count: number,
  operation: (context: WriteContext, index: number) => WriteResult,
  upsert = false,
): RestResponse {
  if (count > COLLECTION_LIMIT) {
    throw new SalesforceApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      'record limit reached. cannot submit more than 200 records into this call',
    );
  }
  const context = writeContext(environment);
  const start = context.journal.length;
  const results: WriteResult[] = [];
  for (let index = 0; index < count; index++) {
    const savepoint = context.journal.length;
    const result = operation(context, index);
    if (!result.success) rollbackTo(context, savepoint);
    results.push(result);
  }
  if (allOrNone && results.some((result) => !result.success)) {
    rollbackTo(context, start);
    return {
      status: 200,
      body: results.map((result) =>
        result.success
          ? { id: result.id, success: false, errors: [ROLLED_BACK] }
          : saveResultJson(result, upsert),
      ),
    };
  }
  return { status: 200, body: results.map((result) => saveResultJson(result, upsert)) };
}

function recordType(
  environment: RestEnvironment,
  record: Record<string, unknown>,
  fallback?: SalesforceObjectDefinition,
): SalesforceObjectDefinition | SalesforceRecordError {
  const type = asObject(record.attributes).type;
  if (typeof type !== 'string') {
    return fallback ?? recordError('INVALID_TYPE', 'Must send a concrete entity type.', []);
  }
  return (
    findObject(environment.org, type) ??
    recordError('INVALID_TYPE', `sObject type '${type}' is not supported.`, [])
  );
}

function handleCollections(environment: RestEnvironment, request: RestRequest): RestResponse {
  const [, , typeName, externalField] = request.segments;
  const method = request.method;
  if (method === 'DELETE' && !typeName) {
    const ids = (request.query.get('ids') ?? '').split(',').filter((id) => id !== '');
    const allOrNone = request.query.get('allOrNone') === 'true';
    return runCollection(environment, allOrNone, ids.length, (context, index) =>
      deleteRecord(context, ids[index] as string),
    );
  }
  if (typeName && !externalField && (method === 'POST' || method === 'GET')) {
    const object = objectFromPath(environment.org, typeName);
    const body = method === 'POST' ? asObject(parseJsonBody(request)) : {};
    const ids =
      method === 'POST'
        ? Array.isArray(body.ids)
          ? body.ids.map(String)
          : []
        : (request.query.get('ids') ?? '').split(',').filter((id) => id !== '');
    const fieldNames =
      method === 'POST'
        ? Array.isArray(body.fields)
          ? body.fields.map(String)
          : []
        : (request.query.get('fields') ?? '').split(',').filter((name) => name !== '');
    if (ids.length > 2000)
      throw new SalesforceApiError(
        400,
        'EXCEEDED_ID_LIMIT',
        'record limit reached. cannot submit more than 2000 records into this call',
      );
    const fields = selectedFields(environment, object, fieldNames.length > 0 ? fieldNames : undefined);
    return {
      status: 200,
      body: ids.map((id) => {
        const normalized = normalizeSalesforceId(id);
        const record = normalized ? recordsOf(environment.org, object.name).get(normalized) : undefined;
        return record
          ? serializeRecord(environment.org, environment.userId, object, record, request.apiVersion, fields)
          : null;
      }),
    };
  }
  const body = asObject(parseJsonBody(request));
  const records = Array.isArray(body.records) ? body.records.map(asObject) : [];
  const allOrNone = body.allOrNone === true;
  if (method === 'POST' && !typeName) {
    return runCollection(environment, allOrNone, records.length, (context, index) => {
      const record = records[index] as Record<string, unknown>;
      const object = recordType(environment, record);
      if (!('name' in object)) return { success: false, errors: [object] };
      if (Object.keys(record).some((key) => key.toLowerCase() === 'id')) {
        return {
          success: false,
          errors: [recordError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id'])],
        };
      }
      return createRecord(context, object, record);
    });
  }
  if (method === 'PATCH' && !typeName) {
    return runCollection(environment, allOrNone, records.length, (context, index) => {
      const record = records[index] as Record<string, unknown>;
      const idKey = Object.keys(record).find((key) => key.toLowerCase() === 'id');
      const id = idKey ? String(record[idKey]) : '';
      const found = findRecordById(environment.org, id);
      const object = recordType(environment, record, found?.object);
      if (!('name' in object)) return { success: false, errors: [object] };
      if (!idKey)
        return {
          success: false,
          errors: [recordError('MISSING_ARGUMENT', 'Id not specified in an update call', [])],
        };
      if (!found) {
        const normalized = normalizeSalesforceId(id);
        return {
          success: false,
          ...(normalized ? { id: normalized } : {}),
          errors: [
            normalized
              ? recordError('ENTITY_IS_DELETED', 'entity is deleted', [])
              : recordError('MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${id}`, ['Id']),
          ],
        };
      }
      return updateRecord(context, object, id, record);
    });
  }
  if (method === 'PATCH' && typeName && externalField) {
    const object = objectFromPath(environment.org, typeName);
    return runCollection(
      environment,
      allOrNone,
      records.length,
      (context, index) => {
        const record = records[index] as Record<string, unknown>;
        const key = Object.keys(record).find((name) => name.toLowerCase() === externalField.toLowerCase());
        const value = key ? record[key] : undefined;
        if (value === undefined || value === null || value === '') {
          return {
            success: false,
            errors: [recordError('MISSING_ARGUMENT', `${externalField} not specified`, [externalField])],
          };
        }
        return upsertOne(
          environment,
          context,
          object,
          externalField,
          String(value),
          record,
          request.apiVersion,
        ).result;
      },
      true,
    );
  }
  throw notFound();
}

// ---- composite ------------------------------------------------------------------------------

function resolveReferences(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    return value.replace(/@\{([A-Za-z0-9_]+)\.([^}]+)\}/g, (_match, reference: string, path: string) => {
      let current: unknown = results.get(reference);
      for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.'))
        current = asObject(current)[part] ?? (Array.isArray(current) ? current[Number(part)] : undefined);
      if (current === undefined) {
        throw new SalesforceApiError(
          400,
          'INVALID_REFERENCE',
          `Invalid reference specified. No value for ${reference}.${path} found.`,
        );
      }
      return String(current);
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, results));
  if (typeof value === 'object' && value !== null) {
    const output: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) output[key] = resolveReferences(item, results);
    return output;
  }
  return value;
}

function handleComposite(environment: RestEnvironment, request: RestRequest): RestResponse {
  if (request.method !== 'POST') throw notFound();
  const body = asObject(parseJsonBody(request));
  const subrequests = Array.isArray(body.compositeRequest) ? body.compositeRequest.map(asObject) : [];
  if (subrequests.length > COMPOSITE_LIMIT) {
    throw new SalesforceApiError(
      400,
      'LIMIT_EXCEEDED',
      `A composite request can contain at most ${COMPOSITE_LIMIT} subrequests`,
    );
  }
  const allOrNone = body.allOrNone === true;
  const context = writeContext(environment);
  const start = context.journal.length;
  const bodies = new Map<string, unknown>();
  const responses: Array<Record<string, unknown>> = [];
  let failedAt = -1;
  for (const [index, subrequest] of subrequests.entries()) {
    const referenceId = String(subrequest.referenceId ?? '');
    if (failedAt >= 0 && allOrNone) {
      responses.push({
        body: [
          {
            errorCode: 'PROCESSING_HALTED',
            message:
              'The transaction was rolled back since another operation in the same transaction failed.',
          },
        ],
        httpHeaders: {},
        httpStatusCode: 400,
        referenceId,
      });
      continue;
    }
    let response: RestResponse;
    try {
      const url = String(resolveReferences(String(subrequest.url ?? ''), bodies));
      const parsed = new URL(url, 'http://composite.invalid');
      const match = /^\/services\/data\/v(\d+\.\d+)\/?(.*)$/.exec(parsed.pathname);
      if (!match) throw notFound();
      const segments = (match[2] ?? '')
        .split('/')
        .filter((segment) => segment !== '')
        .map(decodeURIComponent);
      response = handleRestRequest(
        { ...environment, context },
        {
          method: String(subrequest.method ?? 'GET').toUpperCase(),
          segments,
          query: parsed.searchParams,
          headers: {},
          rawBody:
            subrequest.body === undefined ? '' : JSON.stringify(resolveReferences(subrequest.body, bodies)),
          apiVersion: match[1] ?? request.apiVersion,
        },
      );
    } catch (error) {
      if (!(error instanceof SalesforceApiError)) throw error;
      response = {
        status: error.status,
        body: [
          {
            errorCode: error.errorCode,
            message: error.message,
            ...(error.fields.length ? { fields: error.fields } : {}),
          },
        ],
      };
    }
    if (response.status >= 400 && failedAt < 0) failedAt = index;
    if (response.status < 400) bodies.set(referenceId, response.body);
    responses.push({
      body: response.body ?? null,
      httpHeaders: response.headers ?? {},
      httpStatusCode: response.status,
      referenceId,
    });
  }
  if (allOrNone && failedAt >= 0) {
    rollbackTo(context, start);
    for (const [index, response] of responses.entries()) {
      if (index < failedAt) {
        response.body = [
          {
            errorCode: 'PROCESSING_HALTED',
            message:
              'The transaction was rolled back since another operation in the same transaction failed.',
          },
        ];
        response.httpStatusCode = 400;
      }
    }
  }
  return { status: 200, body: { compositeResponse: responses } };
}

// ---- limits and router ----------------------------------------------------------------------

function limits(org: OrgState): Record<string, unknown> {
  const limit = (max: number, remaining: number) => ({ Max: max, Remaining: remaining });
  return {
    DailyApiRequests: limit(org.dailyApiLimit, Math.max(org.dailyApiLimit - org.apiUsage, 0)),
    DailyBulkApiBatches: limit(15000, 15000),
    DailyBulkV2QueryFileStorageMB: limit(976562, 976562),
    DailyBulkV2QueryJobs: limit(10000, 10000),
    DataStorageMB: limit(org.edition === 'developer' ? 5 : 1024, org.edition === 'developer' ? 5 : 1024),
    FileStorageMB: limit(org.edition === 'developer' ? 20 : 2048, org.edition === 'developer' ? 20 : 2048),
    SingleEmail: limit(5000, 5000),
    ConcurrentAsyncGetReportInstances: limit(200, 200),
  };
}

/** Dispatches one authenticated REST request. Throws SalesforceApiError for error answers. */
export function handleRestRequest(environment: RestEnvironment, request: RestRequest): RestResponse {
  const [resource] = request.segments;
  switch (resource) {
    case undefined:
      return {
        status: 200,
        body: Object.fromEntries(
          ['sobjects', 'query', 'queryAll', 'composite', 'limits', 'jobs'].map((name) => [
            name,
            `/services/data/v${request.apiVersion}/${name}`,
          ]),
        ),
      };
    case 'sobjects':
      return handleSObjects(environment, request);
    case 'query':
    case 'queryAll':
      if (request.method !== 'GET') throw notFound();
      return handleQuery(environment, request);
    case 'composite':
      if (request.segments[1] === 'sobjects') return handleCollections(environment, request);
      if (request.segments.length === 1) return handleComposite(environment, request);
      throw notFound();
    case 'limits':
      return { status: 200, body: limits(environment.org) };
    case 'jobs':
      return handleBulkRequest(environment, request);
    default:
      throw notFound();
  }
}
