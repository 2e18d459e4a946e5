import { recordError, type SalesforceRecordError } from './salesforce-emulator-errors.js';
import { runAfterSaveFlows } from './salesforce-emulator-flow.js';
import { normalizeSalesforceId } from './salesforce-emulator-ids.js';
import {
  type FieldAccess,
  fieldAccessFor,
  findRecordById,
  formatDateTime,
  nextId,
  type OrgState,
  recordsOf,
  recordsWithValue,
  type SalesforceRecord,
  storeRecord,
  touchAccess,
} from './salesforce-emulator-org-state.js';
import type { SalesforceFieldDefinition, SalesforceObjectDefinition } from './salesforce-emulator-schema.js';

/** Who writes, and the undo journal of the surrounding transaction. */
export interface WriteContext {
  org: OrgState;
  userId: string;
  /** System context (flows, direct access): no field-level security. */
  system: boolean;
  /** Undo steps, run in reverse to roll back (allOrNone, composite, failed flows). */
  journal: Array<() => void>;
  depth: number;
  /** Injected per-record failure (fault injection), if any applies. */
  recordFault?: (
    operation: 'create' | 'update' | 'delete',
    sobject: string,
    record: SalesforceRecord,
  ) => SalesforceRecordError | undefined;
}

/** Outcome of one record write. */
export type WriteResult =
  | { success: true; id: string; created: boolean }
  | { success: false; id?: string; errors: SalesforceRecordError[] };

/** Rolls a journal back to a savepoint. */
export function rollbackTo(context: WriteContext, savepoint: number): void {
  while (context.journal.length > savepoint) context.journal.pop()?.();
}

/** A new write context for a request. */
export function createWriteContext(
  org: OrgState,
  userId: string,
  options: { system?: boolean; recordFault?: WriteContext['recordFault'] } = {},
): WriteContext {
  return {
    org,
    userId,
    system: options.system ?? false,
    journal: [],
    depth: 0,
    ...(options.recordFault ? { recordFault: options.recordFault } : {}),
  };
}

const visibleFieldCache = new WeakMap<
  OrgState,
  { version: string; entries: Map<string, SalesforceFieldDefinition[]> }
>();

/** Whether a user may read a field (field-level security; research §0.4). */
export function canReadField(
  access: FieldAccess | undefined,
  object: SalesforceObjectDefinition,
  field: SalesforceFieldDefinition,
): boolean {
  if (!access || field.alwaysVisible) return true;
  return access.readable.has(`${object.name}.${field.name}`.toLowerCase());
}

function canEditField(
  access: FieldAccess | undefined,
  object: SalesforceObjectDefinition,
  field: SalesforceFieldDefinition,
): boolean {
  if (!access || field.alwaysVisible) return true;
  return access.editable.has(`${object.name}.${field.name}`.toLowerCase());
}

/** The fields of an object the user can see, in definition order (cached per schema/access version). */
export function visibleFields(
  org: OrgState,
  userId: string | undefined,
  object: SalesforceObjectDefinition,
): SalesforceFieldDefinition[] {
  const version = `${org.schemaVersion}:${org.accessVersion}`;
  let cache = visibleFieldCache.get(org);
  if (!cache || cache.version !== version) {
    cache = { version, entries: new Map() };
    visibleFieldCache.set(org, cache);
  }
  const key = `${userId ?? '*'}|${object.name}`;
  let fields = cache.entries.get(key);
  if (!fields) {
    const access = userId ? fieldAccessFor(org, userId) : undefined;
    fields = [...object.fields.values()].filter((field) => canReadField(access, object, field));
    cache.entries.set(key, fields);
  }
  return fields;
}

/** Looks a field up by name as a given user sees it (undefined when missing or hidden by FLS). */
export function visibleField(
  org: OrgState,
  userId: string | undefined,
  object: SalesforceObjectDefinition,
  name: string,
): SalesforceFieldDefinition | undefined {
  const field = object.fields.get(name.toLowerCase());
  if (!field) return undefined;
  if (!userId || field.alwaysVisible) return field;
  return canReadField(fieldAccessFor(org, userId), object, field) ? field : undefined;
}

/** The stored value of a field, with the defaults a new field has on existing rows. */
export function fieldValue(record: SalesforceRecord, field: SalesforceFieldDefinition): unknown {
  const value = record[field.name];
  if (value === undefined) return field.type === 'boolean' ? (field.defaultValue ?? false) : null;
  return value;
}

/** A record as REST returns it: `attributes` then the visible (or selected) fields. */
export function serializeRecord(
  org: OrgState,
  userId: string | undefined,
  object: SalesforceObjectDefinition,
  record: SalesforceRecord,
  apiVersion: string,
  selected?: SalesforceFieldDefinition[],
): Record<string, unknown> {
  const output: Record<string, unknown> = {
    attributes: {
      type: object.name,
      url: `/services/data/v${apiVersion}/sobjects/${object.name}/${String(record.Id)}`,
    },
  };
  for (const field of selected ?? visibleFields(org, userId, object))
    output[field.name] = fieldValue(record, field);
  return output;
}

const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})/;

function parseError(field: SalesforceFieldDefinition, kind: string, raw: unknown): SalesforceRecordError {
  const token =
    typeof raw === 'string'
      ? 'VALUE_STRING'
      : typeof raw === 'boolean'
        ? `VALUE_${String(raw).toUpperCase()}`
        : typeof raw === 'number'
          ? 'VALUE_NUMBER'
          : 'START_OBJECT';
  return recordError(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${kind} from ${token} value ${String(raw)} or request may be missing a required field`,
    [field.name],
  );
}

/** Converts an incoming value to the stored form of a field, or explains why it cannot. */
export function coerceFieldValue(
  field: SalesforceFieldDefinition,
  raw: unknown,
): { value: unknown } | { error: SalesforceRecordError } {
  if (raw === null || raw === undefined || raw === '') {
    if (field.type === 'boolean') return { value: false };
    return { value: null };
  }
  switch (field.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { error: parseError(field, 'boolean', raw) };
    }
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      const number =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : Number.NaN;
      if (!Number.isFinite(number))
        return { error: parseError(field, field.type === 'int' ? 'int' : 'double', raw) };
      const integerDigits = Math.max(field.precision - field.scale, 1);
      if (field.precision > 0 && Math.abs(number) >= 10 ** integerDigits) {
        return {
          error: recordError(
            'NUMBER_OUTSIDE_VALID_RANGE',
            `${field.label}: value outside of valid range on numeric field: ${number}`,
            [field.name],
          ),
        };
      }
      const factor = 10 ** (field.type === 'int' ? 0 : field.scale);
      return { value: Math.round(number * factor) / factor };
    }
    case 'date': {
      const text = String(raw);
      const match = DATE_PATTERN.exec(text);
      if (!match || typeof raw !== 'string') return { error: parseError(field, 'date', raw) };
      const date = new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`);
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text.slice(0, 10)) {
        return { error: parseError(field, 'date', raw) };
      }
      return { value: text.slice(0, 10) };
    }
    case 'datetime': {
      if (typeof raw !== 'string') return { error: parseError(field, 'datetime', raw) };
      const normalized = raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
      const time = Date.parse(normalized.length === 10 ? `${normalized}T00:00:00Z` : normalized);
      if (Number.isNaN(time)) return { error: parseError(field, 'datetime', raw) };
      return { value: formatDateTime(new Date(time)) };
    }
    case 'reference':
    case 'id': {
      if (typeof raw !== 'string') return { error: parseError(field, 'id', raw) };
      const id = normalizeSalesforceId(raw);
      if (!id) {
        return {
          error: recordError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${raw}`, [
            field.name,
          ]),
        };
      }
      return { value: id };
    }
    default: {
      if (typeof raw === 'object') return { error: parseError(field, 'String', raw) };
      const text = String(raw);
      if (field.length > 0 && text.length > field.length) {
        return {
          error: recordError(
            'STRING_TOO_LONG',
            `${field.label}: data value too large: ${text} (max length=${field.length})`,
            [field.name],
          ),
        };
      }
      if (field.type === 'email' && !EMAIL_PATTERN.test(text)) {
        return {
          error: recordError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, [
            field.name,
          ]),
        };
      }
      if ((field.type === 'picklist' || field.type === 'multipicklist') && field.restrictedPicklist) {
        const allowed = new Set(
          field.picklistValues.filter((entry) => entry.active).map((entry) => entry.value),
        );
        const values = field.type === 'multipicklist' ? text.split(';') : [text];
        const bad = values.find((value) => !allowed.has(value));
        if (bad !== undefined) {
          return {
            error: recordError(
              'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
              `${field.label}: bad value for restricted picklist field: ${bad}`,
              [field.name],
            ),
          };
        }
      }
      return { value: text };
    }
  }
}

function validateReference(
  context: WriteContext,
  field: SalesforceFieldDefinition,
  id: string,
): SalesforceRecordError | undefined {
  const target = findRecordById(context.org, id);
  const allowed = field.referenceTo.map((name) => name.toLowerCase());
  if (!target) {
    const prefixObject = context.org.schema.byKeyPrefix.get(id.slice(0, 3));
    if (prefixObject && allowed.includes(prefixObject.name.toLowerCase())) {
      return recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]);
    }
    return recordError('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${id}`, [
      field.name,
    ]);
  }
  if (!allowed.includes(target.object.name.toLowerCase())) {
    return recordError('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${id}`, [
      field.name,
    ]);
  }
  return undefined;
}

function nextAutoNumber(
  org: OrgState,
  object: SalesforceObjectDefinition,
  field: SalesforceFieldDefinition,
): string {
  const key = `${object.name}.${field.name}`.toLowerCase();
  const counter = (org.autoNumbers.get(key) ?? 0) + 1;
  org.autoNumbers.set(key, counter);
  const format = field.autoNumberFormat ?? 'A-{0000}';
  return format.replace(/\{(0+)\}/, (_match, zeros: string) => String(counter).padStart(zeros.length, '0'));
}

function applyComputedFields(object: SalesforceObjectDefinition, record: SalesforceRecord): void {
  const name = object.name;
  if (name === 'Contact' || name === 'User') {
    record.Name = [record.FirstName, record.LastName]
      .filter((part) => part !== null && part !== undefined && part !== '')
      .join(' ');
  }
  if (name === 'Task') record.IsClosed = record.Status === 'Completed';
}

function checkUnique(
  context: WriteContext,
  object: SalesforceObjectDefinition,
  record: SalesforceRecord,
  changed: Iterable<SalesforceFieldDefinition>,
): SalesforceRecordError | undefined {
  for (const field of changed) {
    if (!field.unique) continue;
    const other = recordsWithValue(context.org, object.name, field.name, record[field.name]).find(
      (candidate) => candidate.Id !== record.Id,
    );
    if (other) {
      return recordError(
        'DUPLICATE_VALUE',
        `duplicate value found: ${field.name} duplicates value on record with id: ${String(other.Id)}`,
        [field.name],
      );
    }
  }
  return undefined;
}

interface PreparedValues {
  values: Map<SalesforceFieldDefinition, unknown>;
  errors: SalesforceRecordError[];
}

function prepareValues(
  context: WriteContext,
  object: SalesforceObjectDefinition,
  input: Record<string, unknown>,
  operation: 'create' | 'update',
): PreparedValues {
  const values = new Map<SalesforceFieldDefinition, unknown>();
  const errors: SalesforceRecordError[] = [];
  const access = context.system ? undefined : fieldAccessFor(context.org, context.userId);
  const notWritable: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes') continue;
    if (operation === 'update' && key.toLowerCase() === 'id') continue;
    const field = object.fields.get(key.toLowerCase());
    if (!field || !canReadField(access, object, field)) {
      errors.push(
        recordError('INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`, [key]),
      );
      continue;
    }
    const writable = operation === 'create' ? field.createable : field.updateable;
    if (!writable || !canEditField(access, object, field)) {
      notWritable.push(field.name);
      continue;
    }
    const coerced = coerceFieldValue(field, raw);
    if ('error' in coerced) {
      errors.push(coerced.error);
      continue;
    }
    values.set(field, coerced.value);
  }
  if (notWritable.length > 0) {
    errors.push(
      recordError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        notWritable,
      ),
    );
  }
  if (errors.length > 0) return { values, errors };
  for (const [field, value] of values) {
    if (value === null || (field.type !== 'reference' && field.type !== 'id')) continue;
    const problem = validateReference(context, field, String(value));
    if (problem) errors.push(problem);
  }
  return { values, errors };
}

function missingRequired(
  object: SalesforceObjectDefinition,
  record: SalesforceRecord,
  only?: Set<SalesforceFieldDefinition>,
): string[] {
  const missing: string[] = [];
  for (const field of object.fields.values()) {
    if (field.nillable || !field.createable || field.type === 'boolean') continue;
    if (only && !only.has(field)) continue;
    const value = record[field.name];
    if (value === null || value === undefined || value === '') missing.push(field.name);
  }
  return missing;
}

function setRecord(
  context: WriteContext,
  object: SalesforceObjectDefinition,
  id: string,
  next: SalesforceRecord | undefined,
): void {
  const previous = recordsOf(context.org, object.name).get(id);
  storeRecord(context.org, object.name, id, next);
  context.journal.push(() => storeRecord(context.org, object.name, id, previous));
  if (object.name === 'PermissionSetAssignment') {
    touchAccess(context.org);
    context.journal.push(() => touchAccess(context.org));
  }
}

function historyDataType(field: SalesforceFieldDefinition): string {
  const map: Record<string, string> = {
    string: 'Text',
    textarea: 'TextArea',
    boolean: 'Checkbox',
    double: 'Number',
    int: 'Number',
    currency: 'Currency',
    percent: 'Percent',
    date: 'Date',
    datetime: 'DateTime',
    picklist: 'DynamicEnum',
    multipicklist: 'DynamicEnum',
    reference: 'EntityId',
    email: 'Email',
    phone: 'Phone',
    url: 'Url',
  };
  return map[field.type] ?? 'Text';
}

function addHistory(
  context: WriteContext,
  object: SalesforceObjectDefinition,
  recordId: string,
  fieldName: string,
  dataType: string,
  oldValue: unknown,
  newValue: unknown,
): void {
  if (!object.enableHistory || !object.historyObjectName) return;
  const history = context.org.schema.objects.get(object.historyObjectName.toLowerCase());
  if (!history?.historyOf) return;
  const id = nextId(context.org, history.keyPrefix);
  const now = formatDateTime(context.org.now());
  setRecord(context, history, id, {
    Id: id,
    [history.historyOf.parentField]: recordId,
    Field: fieldName,
    DataType: dataType,
    OldValue: oldValue === undefined ? null : oldValue,
    NewValue: newValue === undefined ? null : newValue,
    IsDeleted: false,
    CreatedDate: now,
    CreatedById: context.userId,
  });
}

function flowFailure(context: WriteContext, savepoint: number, message: string, id?: string): WriteResult {
  rollbackTo(context, savepoint);
  return {
    success: false,
    ...(id ? { id } : {}),
    errors: [recordError('CANNOT_EXECUTE_FLOW_TRIGGER', message, [])],
  };
}

/** Creates one record with the validation a real org applies, then runs after-save flows. */
export function createRecord(
  context: WriteContext,
  object: SalesforceObjectDefinition,
  input: Record<string, unknown>,
): WriteResult {
  if (!object.createable && !context.system) {
    return {
      success: false,
      errors: [recordError('INVALID_TYPE', `entity type ${object.name} does not support insert`, [])],
    };
  }
  const { values, errors } = prepareValues(context, object, input, 'create');
  if (errors.length > 0) return { success: false, errors };
  const org = context.org;
  const id = nextId(org, object.keyPrefix);
  const now = formatDateTime(org.now());
  const record: SalesforceRecord = {
    Id: id,
    IsDeleted: false,
    CreatedDate: now,
    CreatedById: context.userId,
    LastModifiedDate: now,
    LastModifiedById: context.userId,
    SystemModstamp: now,
  };
  for (const field of object.fields.values()) {
    if (field.name in record) continue;
    if (field.autoNumberFormat && !values.has(field)) record[field.name] = nextAutoNumber(org, object, field);
    else if (field.name === 'OwnerId') record[field.name] = context.userId;
    else if (field.defaultedOnCreate && field.defaultValue !== null) record[field.name] = field.defaultValue;
  }
  for (const [field, value] of values) {
    if (value === null && field.name === 'OwnerId') continue;
    record[field.name] = value;
  }
  applyComputedFields(object, record);
  const missing = missingRequired(object, record);
  if (missing.length > 0) {
    return {
      success: false,
      errors: [
        recordError(
          'REQUIRED_FIELD_MISSING',
          `Required fields are missing: [${missing.join(', ')}]`,
          missing,
        ),
      ],
    };
  }
  const specialError = validateSpecialObject(context, object, record);
  if (specialError) return { success: false, errors: [specialError] };
  const duplicate = checkUnique(context, object, record, values.keys());
  if (duplicate) return { success: false, errors: [duplicate] };
  const injected = context.recordFault?.('create', object.name, record);
  if (injected) return { success: false, errors: [injected] };
  const savepoint = context.journal.length;
  setRecord(context, object, id, record);
  addHistory(context, object, id, 'created', 'Text', null, null);
  const flowError = runAfterSaveFlows(context, object, record, undefined);
  if (flowError) return flowFailure(context, savepoint, flowError);
  return { success: true, id, created: true };
}

function validateSpecialObject(
  context: WriteContext,
  object: SalesforceObjectDefinition,
  record: SalesforceRecord,
): SalesforceRecordError | undefined {
  if (object.name !== 'PermissionSetAssignment') return undefined;
  for (const other of recordsOf(context.org, object.name).values()) {
    if (
      other.Id !== record.Id &&
      other.AssigneeId === record.AssigneeId &&
      other.PermissionSetId === record.PermissionSetId
    ) {
      return recordError(
        'DUPLICATE_VALUE',
        `duplicate value found: <unknown> duplicates value on record with id: <unknown>`,
        [],
      );
    }
  }
  return undefined;
}

/** Updates one record; tracked fields write history rows; after-save flows see the prior values. */
export function updateRecord(
  context: WriteContext,
  object: SalesforceObjectDefinition,
  id: string,
  input: Record<string, unknown>,
): WriteResult {
  const normalized = normalizeSalesforceId(id);
  const existing = normalized ? recordsOf(context.org, object.name).get(normalized) : undefined;
  if (!normalized || !existing) {
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
  if (!object.updateable && !context.system) {
    return {
      success: false,
      id: normalized,
      errors: [recordError('INVALID_TYPE', `entity type ${object.name} does not support update`, [])],
    };
  }
  const { values, errors } = prepareValues(context, object, input, 'update');
  if (errors.length > 0) return { success: false, id: normalized, errors };
  const next: SalesforceRecord = { ...existing };
  for (const [field, value] of values) next[field.name] = value;
  applyComputedFields(object, next);
  const missing = missingRequired(object, next, new Set(values.keys()));
  if (missing.length > 0) {
    return {
      success: false,
      id: normalized,
      errors: [
        recordError(
          'REQUIRED_FIELD_MISSING',
          `Required fields are missing: [${missing.join(', ')}]`,
          missing,
        ),
      ],
    };
  }
  const duplicate = checkUnique(context, object, next, values.keys());
  if (duplicate) return { success: false, id: normalized, errors: [duplicate] };
  const injected = context.recordFault?.('update', object.name, next);
  if (injected) return { success: false, id: normalized, errors: [injected] };
  const now = formatDateTime(context.org.now());
  next.LastModifiedDate = now;
  next.LastModifiedById = context.userId;
  next.SystemModstamp = now;
  const savepoint = context.journal.length;
  setRecord(context, object, normalized, next);
  for (const [field] of values) {
    if (!field.trackHistory) continue;
    const before = fieldValue(existing, field);
    const after = fieldValue(next, field);
    if (before !== after)
      addHistory(context, object, normalized, field.name, historyDataType(field), before, after);
  }
  const flowError = runAfterSaveFlows(context, object, next, existing);
  if (flowError) return flowFailure(context, savepoint, flowError, normalized);
  return { success: true, id: normalized, created: false };
}

/** Deletes one record (master-detail children go with it). */
export function deleteRecord(
  context: WriteContext,
  id: string,
  expectedObject?: SalesforceObjectDefinition,
): WriteResult {
  const found = findRecordById(context.org, id);
  const normalized = normalizeSalesforceId(id);
  if (!found || (expectedObject && found.object !== expectedObject)) {
    return {
      success: false,
      ...(normalized ? { id: normalized } : {}),
      errors: [
        normalized
          ? recordError('ENTITY_IS_DELETED', 'entity is deleted', [])
          : recordError('MALFORMED_ID', `bad id ${id}`, []),
      ],
    };
  }
  if (!found.object.deletable && !context.system) {
    return {
      success: false,
      id: String(found.record.Id),
      errors: [recordError('INVALID_TYPE', `entity type ${found.object.name} does not support delete`, [])],
    };
  }
  const injected = context.recordFault?.('delete', found.object.name, found.record);
  if (injected) return { success: false, id: String(found.record.Id), errors: [injected] };
  const recordId = String(found.record.Id);
  setRecord(context, found.object, recordId, undefined);
  for (const child of context.org.schema.objects.values()) {
    for (const field of child.fields.values()) {
      if (
        !field.masterDetail ||
        !field.referenceTo.some((name) => name.toLowerCase() === found.object.name.toLowerCase())
      )
        continue;
      for (const row of [...recordsOf(context.org, child.name).values()]) {
        if (row[field.name] === recordId) setRecord(context, child, String(row.Id), undefined);
      }
    }
  }
  return { success: true, id: recordId, created: false };
}
