import { buildSalesforceId, normalizeSalesforceId, toBase62 } from './salesforce-emulator-ids.js';
import {
  createStandardObjects,
  customHistoryObject,
  customObjectFromMetadata,
  fieldFromMetadata,
  fieldHostObject,
  type SalesforceObjectDefinition,
  type SalesforceSchema,
} from './salesforce-emulator-schema.js';
import { type XmlObject, xmlBoolean, xmlList, xmlObject, xmlText } from './salesforce-emulator-xml.js';

/** Editions the emulator knows (research §0.11: Professional has no API without the add-on). */
export type SalesforceEdition = 'professional' | 'enterprise' | 'unlimited' | 'developer';

/** A stored record: canonical field names to JSON values. */
export type SalesforceRecord = Record<string, unknown>;

/** One run of a record-triggered flow, for assertions. */
export interface SalesforceFlowRun {
  flowName: string;
  flowLabel: string;
  sobject: string;
  recordId: string;
  event: 'create' | 'update';
  at: string;
  elements: string[];
  createdRecords: Array<{ sobject: string; id: string }>;
  error?: string;
}

/** The complete mutable state of one emulated org. */
export interface OrgState {
  orgId: string;
  salesforceId: string;
  name: string;
  edition: SalesforceEdition;
  apiEnabled: boolean;
  pathEnabled: boolean;
  dailyApiLimit: number;
  apiUsage: number;
  podCode: string;
  idCounter: number;
  /** Metadata components by type, then by lower-case fullName. */
  metadata: Map<string, Map<string, XmlObject>>;
  /** Key prefixes allocated to custom objects (lower-case name to prefix). */
  customPrefixes: Map<string, string>;
  schema: SalesforceSchema;
  schemaVersion: number;
  accessVersion: number;
  records: Map<string, Map<string, SalesforceRecord>>;
  integrationUserId: string;
  flowRuns: SalesforceFlowRun[];
  autoNumbers: Map<string, number>;
  now: () => Date;
  accessCache: Map<string, FieldAccess>;
  accessCacheVersion: string;
}

/** Field-level security of one user: lower-case `object.field` keys. */
export interface FieldAccess {
  readable: Set<string>;
  editable: Set<string>;
}

/** Salesforce's datetime wire format (`2026-01-02T03:04:05.000+0000`). */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** `YYYY-MM-DD` of a date in UTC (the emulated org's time zone is GMT). */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Allocates the next record ID for a key prefix. */
export function nextId(org: OrgState, keyPrefix: string): string {
  org.idCounter += 1;
  return buildSalesforceId(keyPrefix, org.podCode, org.idCounter);
}

/** The metadata components of one type. */
export function metadataOfType(org: OrgState, type: string): Map<string, XmlObject> {
  let components = org.metadata.get(type);
  if (!components) {
    components = new Map();
    org.metadata.set(type, components);
  }
  return components;
}

/** Records of one sObject (created on first use). */
export function recordsOf(org: OrgState, objectName: string): Map<string, SalesforceRecord> {
  const key = objectName.toLowerCase();
  let records = org.records.get(key);
  if (!records) {
    records = new Map();
    org.records.set(key, records);
  }
  return records;
}

/**
 * Lookup indexes of one record table: canonical field name, then lower-case value, then the IDs of the
 * records holding it. Built on the first lookup by a field and kept in step by `storeRecord`; a schema
 * change drops them (metadata deploys rename and drop field values in place).
 */
interface TableIndexes {
  schemaVersion: number;
  fields: Map<string, Map<string, Set<string>>>;
}

const tableIndexes = new WeakMap<Map<string, SalesforceRecord>, TableIndexes>();

/** The key a value is indexed under: external IDs and unique values match case-insensitively. */
function lookupKey(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value).toLowerCase();
}

function currentIndexes(org: OrgState, records: Map<string, SalesforceRecord>): TableIndexes | undefined {
  const indexes = tableIndexes.get(records);
  if (indexes && indexes.schemaVersion !== org.schemaVersion) {
    tableIndexes.delete(records);
    return undefined;
  }
  return indexes;
}

function addToIndex(index: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const ids = index.get(key);
  if (ids) ids.add(id);
  else index.set(key, new Set([id]));
}

function removeFromIndex(index: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}

/** Stores a record under its ID (or removes it, given undefined), keeping the table's indexes in step. */
export function storeRecord(
  org: OrgState,
  objectName: string,
  id: string,
  record: SalesforceRecord | undefined,
): void {
  const records = recordsOf(org, objectName);
  const previous = records.get(id);
  if (record) records.set(id, record);
  else records.delete(id);
  const indexes = currentIndexes(org, records);
  if (!indexes) return;
  for (const [fieldName, index] of indexes.fields) {
    const before = previous ? lookupKey(previous[fieldName]) : undefined;
    const after = record ? lookupKey(record[fieldName]) : undefined;
    if (before === after) continue;
    removeFromIndex(index, before, id);
    addToIndex(index, after, id);
  }
}

/**
 * The records of an object whose field (canonical name) holds a value, compared case-insensitively as
 * Salesforce compares external IDs and unique fields. In creation order (IDs grow with the org's
 * counter), the order a scan of the table lists them in.
 */
export function recordsWithValue(
  org: OrgState,
  objectName: string,
  fieldName: string,
  value: unknown,
): SalesforceRecord[] {
  const key = lookupKey(value);
  if (key === undefined) return [];
  const records = recordsOf(org, objectName);
  let indexes = currentIndexes(org, records);
  if (!indexes) {
    indexes = { schemaVersion: org.schemaVersion, fields: new Map() };
    tableIndexes.set(records, indexes);
  }
  let index = indexes.fields.get(fieldName);
  if (!index) {
    index = new Map();
    for (const [id, record] of records) addToIndex(index, lookupKey(record[fieldName]), id);
    indexes.fields.set(fieldName, index);
  }
  const ids = [...(index.get(key) ?? [])];
  if (ids.length > 1) ids.sort();
  return ids
    .map((id) => records.get(id))
    .filter((record): record is SalesforceRecord => record !== undefined);
}

/** Finds a record by ID (any 15/18-character form) through its key prefix. */
export function findRecordById(
  org: OrgState,
  id: unknown,
): { object: SalesforceObjectDefinition; record: SalesforceRecord } | undefined {
  const normalized = normalizeSalesforceId(id);
  if (!normalized) return undefined;
  const prefix = normalized.slice(0, 3);
  const candidates =
    prefix === '017'
      ? [...org.schema.objects.values()].filter((object) => object.keyPrefix === '017')
      : [org.schema.byKeyPrefix.get(prefix)];
  for (const object of candidates) {
    if (!object) continue;
    const record = org.records.get(object.name.toLowerCase())?.get(normalized);
    if (record) return { object, record };
  }
  return undefined;
}

/** Looks an sObject up by name, case-insensitively. */
export function findObject(org: OrgState, name: string): SalesforceObjectDefinition | undefined {
  return org.schema.objects.get(name.toLowerCase());
}

/** Allocates (once) a key prefix for a custom object. */
export function customKeyPrefix(org: OrgState, name: string): string {
  const key = name.toLowerCase();
  let prefix = org.customPrefixes.get(key);
  if (!prefix) {
    prefix = `a${toBase62(org.customPrefixes.size, 2)}`;
    org.customPrefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * Recomputes the org schema from the standard objects plus the CustomObject, CustomField and
 * GlobalValueSet metadata. Runs only when metadata changes.
 */
export function rebuildSchema(org: OrgState): void {
  const objects = new Map<string, SalesforceObjectDefinition>();
  for (const object of createStandardObjects()) objects.set(object.name.toLowerCase(), object);
  for (const component of metadataOfType(org, 'CustomObject').values()) {
    const name = xmlText(component.fullName);
    if (!name.endsWith('__c')) {
      const standard = objects.get(name.toLowerCase());
      if (standard && component.enableHistory !== undefined)
        standard.enableHistory = xmlBoolean(component.enableHistory);
      continue;
    }
    const definition = customObjectFromMetadata(name, component, customKeyPrefix(org, name));
    objects.set(name.toLowerCase(), definition);
    if (definition.historyObjectName) {
      const history = customHistoryObject(name, customKeyPrefix(org, definition.historyObjectName));
      objects.set(history.name.toLowerCase(), history);
    }
  }
  const globalValueSets = metadataOfType(org, 'GlobalValueSet');
  const lookupValueSet = (name: string) => globalValueSets.get(name.toLowerCase());
  for (const component of metadataOfType(org, 'CustomField').values()) {
    const fullName = xmlText(component.fullName);
    const dot = fullName.indexOf('.');
    const host = objects.get(fieldHostObject(fullName.slice(0, dot)).toLowerCase());
    if (!host) continue;
    const fieldName = fullName.slice(dot + 1);
    host.fields.set(fieldName.toLowerCase(), fieldFromMetadata(fieldName, component, lookupValueSet));
  }
  // Tasks may relate (WhatId) to any object with activities enabled.
  const task = objects.get('task');
  const whatId = task?.fields.get('whatid');
  if (whatId) {
    whatId.referenceTo = [...objects.values()]
      .filter((object) => object.enableActivities)
      .map((object) => object.name);
  }
  const byKeyPrefix = new Map<string, SalesforceObjectDefinition>();
  for (const object of objects.values())
    if (!byKeyPrefix.has(object.keyPrefix)) byKeyPrefix.set(object.keyPrefix, object);
  org.schema = { objects, byKeyPrefix };
  org.schemaVersion += 1;
  org.accessCache.clear();
}

/** Marks permission-related data as changed so field access is recomputed. */
export function touchAccess(org: OrgState): void {
  org.accessVersion += 1;
  org.accessCache.clear();
}

/** Field-level security granted to a user through assigned permission sets. */
export function fieldAccessFor(org: OrgState, userId: string): FieldAccess {
  const cached = org.accessCache.get(userId);
  if (cached) return cached;
  const readable = new Set<string>();
  const editable = new Set<string>();
  const permissionSets = org.records.get('permissionset') ?? new Map<string, SalesforceRecord>();
  const components = metadataOfType(org, 'PermissionSet');
  for (const assignment of org.records.get('permissionsetassignment')?.values() ?? []) {
    if (assignment.AssigneeId !== userId) continue;
    const permissionSet = permissionSets.get(String(assignment.PermissionSetId));
    const component = permissionSet ? components.get(String(permissionSet.Name).toLowerCase()) : undefined;
    if (!component) continue;
    for (const raw of xmlList(component.fieldPermissions)) {
      const permission = xmlObject(raw);
      const fieldKey = xmlText(permission.field).toLowerCase();
      const keys = fieldKey.startsWith('activity.') ? [fieldKey, `task.${fieldKey.slice(9)}`] : [fieldKey];
      const canEdit = xmlBoolean(permission.editable);
      const canRead = canEdit || xmlBoolean(permission.readable);
      for (const key of keys) {
        if (canRead) readable.add(key);
        if (canEdit) editable.add(key);
      }
    }
  }
  const access = { readable, editable };
  org.accessCache.set(userId, access);
  return access;
}

/** Keeps the PermissionSet sObject rows in step with PermissionSet metadata. */
export function syncPermissionSetRecords(org: OrgState): void {
  const records = recordsOf(org, 'PermissionSet');
  const components = metadataOfType(org, 'PermissionSet');
  const byName = new Map<string, SalesforceRecord>();
  for (const record of records.values()) byName.set(String(record.Name).toLowerCase(), record);
  for (const [key, component] of components) {
    const existing = byName.get(key);
    const now = formatDateTime(org.now());
    if (existing) {
      storeRecord(org, 'PermissionSet', String(existing.Id), {
        ...existing,
        Label: xmlText(component.label),
        Description: xmlText(component.description) || null,
        LastModifiedDate: now,
        SystemModstamp: now,
      });
      continue;
    }
    const id = nextId(org, '0PS');
    storeRecord(org, 'PermissionSet', id, {
      Id: id,
      Name: xmlText(component.fullName),
      Label: xmlText(component.label),
      Description: xmlText(component.description) || null,
      IsOwnedByProfile: false,
      NamespacePrefix: null,
      IsDeleted: false,
      CreatedDate: now,
      CreatedById: org.integrationUserId,
      LastModifiedDate: now,
      LastModifiedById: org.integrationUserId,
      SystemModstamp: now,
    });
  }
  for (const [id, record] of records) {
    if (!components.has(String(record.Name).toLowerCase())) {
      storeRecord(org, 'PermissionSet', id, undefined);
      for (const [assignmentId, assignment] of recordsOf(org, 'PermissionSetAssignment'))
        if (assignment.PermissionSetId === id)
          storeRecord(org, 'PermissionSetAssignment', assignmentId, undefined);
    }
  }
  touchAccess(org);
}

/** Options for a new org state. */
export interface OrgStateOptions {
  orgId: string;
  edition: SalesforceEdition;
  apiEnabled?: boolean;
  pathEnabled?: boolean;
  dailyApiLimit?: number;
  orgNumber: number;
  now: () => Date;
}

const EDITION_LABELS: Record<SalesforceEdition, string> = {
  professional: 'Professional Edition',
  enterprise: 'Enterprise Edition',
  unlimited: 'Unlimited Edition',
  developer: 'Developer Edition',
};

/** Creates an empty org with its Organization row and integration user. */
export function createOrgState(options: OrgStateOptions): OrgState {
  const podCode = toBase62(options.orgNumber, 2);
  const org: OrgState = {
    orgId: options.orgId,
    salesforceId: buildSalesforceId('00D', podCode, 0),
    name: `Emulated ${EDITION_LABELS[options.edition]} Org`,
    edition: options.edition,
    apiEnabled: options.apiEnabled ?? options.edition !== 'professional',
    pathEnabled: options.pathEnabled ?? false,
    dailyApiLimit: options.dailyApiLimit ?? (options.edition === 'developer' ? 15000 : 100000),
    apiUsage: 0,
    podCode,
    idCounter: 0,
    metadata: new Map(),
    customPrefixes: new Map(),
    schema: { objects: new Map(), byKeyPrefix: new Map() },
    schemaVersion: 0,
    accessVersion: 0,
    records: new Map(),
    integrationUserId: '',
    flowRuns: [],
    autoNumbers: new Map(),
    now: options.now,
    accessCache: new Map(),
    accessCacheVersion: '',
  };
  rebuildSchema(org);
  const now = formatDateTime(org.now());
  storeRecord(org, 'Organization', org.salesforceId, {
    Id: org.salesforceId,
    Name: org.name,
    OrganizationType: EDITION_LABELS[options.edition],
    IsSandbox: false,
    IsDeleted: false,
    CreatedDate: now,
    CreatedById: null,
    LastModifiedDate: now,
    LastModifiedById: null,
    SystemModstamp: now,
  });
  org.integrationUserId = addUser(org, {
    firstName: 'Integration',
    lastName: 'User',
    title: 'API Integration',
  });
  return org;
}

/** Adds a User row and returns its ID. */
export function addUser(
  org: OrgState,
  user: { firstName: string; lastName: string; email?: string; username?: string; title?: string },
): string {
  const id = nextId(org, '005');
  const now = formatDateTime(org.now());
  const slug = `${user.firstName}.${user.lastName}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
  const domain = `${org.orgId.toLowerCase().replace(/[^a-z0-9]/g, '')}.example.com`;
  storeRecord(org, 'User', id, {
    Id: id,
    Username: user.username ?? `${slug}@${domain}`,
    FirstName: user.firstName,
    LastName: user.lastName,
    Name: `${user.firstName} ${user.lastName}`,
    Email: user.email ?? `${slug}@${domain}`,
    Alias: `${user.firstName.charAt(0)}${user.lastName}`.slice(0, 8).toLowerCase(),
    Title: user.title ?? null,
    IsActive: true,
    UserType: 'Standard',
    IsDeleted: false,
    CreatedDate: now,
    CreatedById: org.integrationUserId || id,
    LastModifiedDate: now,
    LastModifiedById: org.integrationUserId || id,
    SystemModstamp: now,
  });
  return id;
}
