/**
 * The state of one portal (hub) and the record-level rules every write goes through: property value
 * validation and normalisation, unique values, property history, pipeline stages and their
 * date-entered properties. Handlers for the HTTP API and the direct (no-HTTP) test access share it.
 */
import {
  CUSTOM_OBJECT_SCOPES,
  customObjectDefaultProperties,
  DEFAULT_ASSOCIATION_TYPES,
  defaultPipelinesOf,
  defaultPropertiesOf,
  hubSpotDefinedProperty,
  STANDARD_OBJECT_TYPES,
} from './hubspot-emulator-catalog.js';
import {
  conflictError,
  type HubSpotPropertyValidationResult,
  propertyValuesError,
  validationError,
} from './hubspot-emulator-errors.js';
import type {
  HubSpotAssociationLabel,
  HubSpotAssociationType,
  HubSpotFlow,
  HubSpotObjectSchema,
  HubSpotObjectTypeInfo,
  HubSpotOwner,
  HubSpotPipeline,
  HubSpotPipelineStage,
  HubSpotPropertyDefinition,
  HubSpotPropertyGroup,
  HubSpotRecord,
  HubSpotTier,
} from './hubspot-emulator-types.js';

/** Everything the emulator keeps for one object type of one portal. */
export interface HubSpotObjectStore {
  info: HubSpotObjectTypeInfo;
  properties: Map<string, HubSpotPropertyDefinition>;
  groups: Map<string, HubSpotPropertyGroup>;
  pipelines: Map<string, HubSpotPipeline>;
  records: Map<string, HubSpotRecord>;
  archivedRecords: Map<string, HubSpotRecord>;
  /** Active record ids in ascending numeric order, for cursor paging without scanning. */
  order: number[];
  /** value → record id, for properties with `hasUniqueValue`. */
  unique: Map<string, Map<string, string>>;
}

/** A change to a record, reported to the webhook dispatcher. */
export interface HubSpotRecordChange {
  kind: 'creation' | 'propertyChange' | 'deletion' | 'associationChange';
  store: HubSpotObjectStore;
  recordId: string;
  propertyName?: string;
  propertyValue?: string;
  source: string;
}

/** One portal's state. */
export interface HubSpotPortalState {
  hubId: number;
  tier: HubSpotTier;
  appKind: 'private' | 'public';
  /** Scopes the portal's default token holds (and the most an OAuth install may grant). */
  scopes: string[];
  stores: Map<string, HubSpotObjectStore>;
  schemas: Map<string, HubSpotObjectSchema>;
  /** `${objectTypeId}:${id}` → `${objectTypeId}:${id}` → types. Stored in both directions. */
  associations: Map<string, Map<string, HubSpotAssociationType[]>>;
  /** `${fromTypeId}|${toTypeId}` → label definitions (HUBSPOT_DEFINED defaults are implicit). */
  associationLabels: Map<string, HubSpotAssociationLabel[]>;
  owners: HubSpotOwner[];
  flows: Map<string, HubSpotFlow>;
  counters: {
    record: number;
    pipeline: number;
    stage: number;
    flow: number;
    schema: number;
    associationType: number;
  };
  installedApps: Set<number>;
  now: () => number;
  onChange: (change: HubSpotRecordChange) => void;
}

/** Settings of a new portal. */
export interface HubSpotPortalStateOptions {
  hubId: number;
  tier: HubSpotTier;
  appKind: 'private' | 'public';
  scopes: string[];
  now: () => number;
  onChange?: (change: HubSpotRecordChange) => void;
}

const iso = (milliseconds: number) => new Date(milliseconds).toISOString();

function newStore(info: HubSpotObjectTypeInfo): HubSpotObjectStore {
  return {
    info,
    properties: new Map(),
    groups: new Map(),
    pipelines: new Map(),
    records: new Map(),
    archivedRecords: new Map(),
    order: [],
    unique: new Map(),
  };
}

/** Creates an empty portal with HubSpot's default properties and pipelines. */
export function createPortalState(options: HubSpotPortalStateOptions): HubSpotPortalState {
  const portal: HubSpotPortalState = {
    hubId: options.hubId,
    tier: options.tier,
    appKind: options.appKind,
    scopes: options.scopes,
    stores: new Map(),
    schemas: new Map(),
    associations: new Map(),
    associationLabels: new Map(),
    owners: [],
    flows: new Map(),
    // Record ids look like HubSpot's (large integers); one counter per portal keeps them unique across types.
    counters: {
      record: 10_000_000_000,
      pipeline: 100_000_000,
      stage: 200_000_000,
      flow: 1_600_000_000,
      schema: 10_000,
      associationType: 1000,
    },
    installedApps: new Set(),
    now: options.now,
    onChange: options.onChange ?? (() => {}),
  };
  const now = iso(options.now());
  for (const info of STANDARD_OBJECT_TYPES) {
    const store = newStore(info);
    const defaults = defaultPropertiesOf(info.objectTypeId, now);
    for (const group of defaults.groups) store.groups.set(group.name, group);
    for (const property of defaults.properties) addProperty(store, property);
    for (const pipeline of defaultPipelinesOf(info.objectTypeId, now)) addPipeline(store, pipeline);
    portal.stores.set(info.objectTypeId, store);
  }
  return portal;
}

/** Registers a property definition (and its unique index). */
export function addProperty(store: HubSpotObjectStore, property: HubSpotPropertyDefinition): void {
  store.properties.set(property.name, property);
  if (property.hasUniqueValue && !store.unique.has(property.name)) {
    const index = new Map<string, string>();
    for (const record of store.records.values()) {
      const value = record.properties[property.name];
      if (value) index.set(value, record.id);
    }
    store.unique.set(property.name, index);
  }
}

/** Registers a pipeline and the date-entered/exited properties of its stages. */
export function addPipeline(store: HubSpotObjectStore, pipeline: HubSpotPipeline): void {
  store.pipelines.set(pipeline.id, pipeline);
  for (const stage of pipeline.stages) addStageProperties(store, stage);
}

/** HubSpot adds read-only `hs_date_entered_<stageId>`-style properties for every stage of deal and ticket pipelines. */
export function addStageProperties(store: HubSpotObjectStore, stage: HubSpotPipelineStage): void {
  const group = store.groups.keys().next().value ?? 'information';
  const now = stage.createdAt;
  for (const [prefix, label] of [
    ['hs_date_entered_', 'Date entered'],
    ['hs_date_exited_', 'Date exited'],
    ['hs_v2_date_entered_', 'Date entered'],
    ['hs_v2_date_exited_', 'Date exited'],
  ] as const) {
    const name = `${prefix}${stage.id}`;
    if (store.properties.has(name)) continue;
    store.properties.set(
      name,
      hubSpotDefinedProperty(
        {
          name,
          label: `${label} "${stage.label}"`,
          type: 'datetime',
          fieldType: 'date',
          groupName: group,
          readOnlyValue: true,
          calculated: true,
        },
        now,
      ),
    );
  }
}

/** Finds an object type by plural name, singular name, objectTypeId or a custom schema's (fully qualified) name. */
export function resolveStore(portal: HubSpotPortalState, objectType: string): HubSpotObjectStore | undefined {
  const direct = portal.stores.get(objectType);
  if (direct) return direct;
  const lower = objectType.toLowerCase();
  for (const store of portal.stores.values()) {
    const info = store.info;
    if (info.name === lower || info.singularLabel.toLowerCase() === lower) return store;
    if (info.custom) {
      const schema = portal.schemas.get(info.objectTypeId);
      if (
        schema &&
        (schema.fullyQualifiedName.toLowerCase() === lower ||
          schema.name === lower ||
          `p_${schema.name}` === lower)
      )
        return store;
    }
  }
  return undefined;
}

/** Adds the object store of a new custom object type. */
export function addCustomObjectStore(
  portal: HubSpotPortalState,
  schema: HubSpotObjectSchema,
): HubSpotObjectStore {
  const info: HubSpotObjectTypeInfo = {
    objectTypeId: schema.objectTypeId,
    name: schema.name,
    webhookName: 'object',
    singularLabel: schema.labels.singular,
    pluralLabel: schema.labels.plural,
    custom: true,
    hasPipelines: true,
    requiredProperties: schema.requiredProperties,
    searchableProperties: schema.searchableProperties,
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    readScopes: CUSTOM_OBJECT_SCOPES.read,
    writeScopes: CUSTOM_OBJECT_SCOPES.write,
    schemaReadScopes: CUSTOM_OBJECT_SCOPES.schemaRead,
    schemaWriteScopes: CUSTOM_OBJECT_SCOPES.schemaWrite,
    pipelineProperty: 'hs_pipeline',
    stageProperty: 'hs_pipeline_stage',
    createdDateProperty: 'hs_createdate',
  };
  const store = newStore(info);
  const groupName = `${schema.name}_information`;
  store.groups.set(groupName, {
    name: groupName,
    label: `${schema.labels.singular} information`,
    displayOrder: -1,
    archived: false,
  });
  for (const property of customObjectDefaultProperties(groupName, schema.createdAt))
    addProperty(store, property);
  portal.stores.set(info.objectTypeId, store);
  return store;
}

/** The HUBSPOT_DEFINED types between two object types: [unlabeled, primary?]. */
export function defaultAssociationTypes(
  portal: HubSpotPortalState,
  fromTypeId: string,
  toTypeId: string,
): HubSpotAssociationLabel[] {
  const result: HubSpotAssociationLabel[] = [];
  for (const [from, to, typeId, primaryTypeId] of DEFAULT_ASSOCIATION_TYPES) {
    if (from !== fromTypeId || to !== toTypeId) continue;
    const inverse = DEFAULT_ASSOCIATION_TYPES.find(
      ([reverseFrom, reverseTo]) => reverseFrom === to && reverseTo === from,
    );
    result.push({
      category: 'HUBSPOT_DEFINED',
      typeId,
      inverseTypeId: inverse?.[2] ?? typeId,
      label: null,
      inverseLabel: null,
    });
    if (primaryTypeId !== undefined) {
      result.push({
        category: 'HUBSPOT_DEFINED',
        typeId: primaryTypeId,
        inverseTypeId: inverse?.[3] ?? primaryTypeId,
        label: 'Primary',
        inverseLabel: null,
      });
    }
  }
  if (result.length === 0) {
    // Custom objects: the schema's associations define one unlabeled type per pair.
    for (const schema of portal.schemas.values()) {
      for (const association of schema.associations) {
        const typeId = Number(association.id);
        if (association.fromObjectTypeId === fromTypeId && association.toObjectTypeId === toTypeId) {
          result.push({
            category: 'USER_DEFINED',
            typeId,
            inverseTypeId: typeId + 1,
            label: null,
            inverseLabel: null,
          });
        } else if (association.fromObjectTypeId === toTypeId && association.toObjectTypeId === fromTypeId) {
          result.push({
            category: 'USER_DEFINED',
            typeId: typeId + 1,
            inverseTypeId: typeId,
            label: null,
            inverseLabel: null,
          });
        }
      }
    }
  }
  return result;
}

/** Every association type (default and labelled) between two object types. */
export function associationTypesBetween(
  portal: HubSpotPortalState,
  fromTypeId: string,
  toTypeId: string,
): HubSpotAssociationLabel[] {
  return [
    ...defaultAssociationTypes(portal, fromTypeId, toTypeId),
    ...(portal.associationLabels.get(`${fromTypeId}|${toTypeId}`) ?? []),
  ];
}

// ---------------------------------------------------------------------------------------------
// Property values

const numberPattern = /^-?(\d+\.?\d*|\.\d+)$/;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function invalid(
  portal: HubSpotPortalState,
  name: string,
  error: string,
  message: string,
  value?: string,
): HubSpotPropertyValidationResult {
  return {
    isValid: false,
    message,
    error,
    name,
    localizedErrorMessage: message,
    ...(value !== undefined ? { propertyValue: value } : {}),
    portalId: portal.hubId,
  };
}

/** Turns an input value (string, number, boolean, null) into HubSpot's stored string form. */
function inputToString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Validates property values against the definitions and returns them normalised (dates as `YYYY-MM-DD`,
 * datetimes as ISO-8601, booleans lowercase). Throws HubSpot's "Property values were not valid" 400.
 */
export function normalizeValues(
  portal: HubSpotPortalState,
  store: HubSpotObjectStore,
  input: Record<string, unknown>,
  existing?: HubSpotRecord,
): Record<string, string> {
  const results: HubSpotPropertyValidationResult[] = [];
  const values: Record<string, string> = {};
  const info = store.info;
  for (const [name, raw] of Object.entries(input)) {
    const definition = store.properties.get(name);
    if (!definition || definition.archived) {
      results.push(invalid(portal, name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`));
      continue;
    }
    const text = inputToString(raw);
    if (text === null || text === '') {
      values[name] = '';
      continue;
    }
    if (definition.calculated || name === 'hs_object_id' || name === 'hs_lastmodifieddate') {
      results.push(
        invalid(
          portal,
          name,
          'READ_ONLY_VALUE',
          `Property "${name}" is read-only and its value cannot be set`,
          text,
        ),
      );
      continue;
    }
    switch (definition.type) {
      case 'number': {
        if (!numberPattern.test(text.trim())) {
          results.push(invalid(portal, name, 'INVALID_INTEGER', `${text} was not a valid number.`, text));
        } else values[name] = text.trim();
        break;
      }
      case 'bool': {
        const lower = text.toLowerCase();
        if (lower !== 'true' && lower !== 'false')
          results.push(invalid(portal, name, 'INVALID_BOOLEAN', `${text} was not a valid boolean.`, text));
        else values[name] = lower;
        break;
      }
      case 'date': {
        const normalized = normalizeDate(text);
        if (typeof normalized === 'object')
          results.push(invalid(portal, name, 'INVALID_DATE', normalized.message, text));
        else values[name] = normalized;
        break;
      }
      case 'datetime': {
        const milliseconds = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        if (Number.isNaN(milliseconds))
          results.push(invalid(portal, name, 'INVALID_DATE', `${text} is not a valid datetime.`, text));
        else values[name] = iso(milliseconds);
        break;
      }
      case 'enumeration': {
        const allowed = allowedOptions(portal, store, definition, input, existing);
        if (allowed === undefined) {
          values[name] = text;
          break;
        }
        const parts = definition.fieldType === 'checkbox' ? text.split(';') : [text];
        const bad = parts.find((part) => !allowed.includes(part));
        if (bad !== undefined) {
          results.push(
            invalid(
              portal,
              name,
              'INVALID_OPTION',
              `${bad} was not one of the allowed options: [${allowed.join(', ')}]`,
              text,
            ),
          );
        } else values[name] = text;
        break;
      }
      default: {
        if (text.length > 65_536) {
          results.push(
            invalid(
              portal,
              name,
              'INVALID_STRING',
              `Value of "${name}" is longer than 65536 characters.`,
              text.slice(0, 100),
            ),
          );
        } else values[name] = text;
      }
    }
  }
  if (!existing) {
    const missing = info.requiredProperties.filter((name) => !values[name]);
    for (const name of missing)
      results.push(invalid(portal, name, 'REQUIRED', `Property "${name}" is required.`));
  }
  if (results.length > 0) throw propertyValuesError(results);
  return values;
}

function normalizeDate(text: string): string | { message: string } {
  if (datePattern.test(text)) return text;
  if (/^\d+$/.test(text)) {
    const milliseconds = Number(text);
    const date = new Date(milliseconds);
    if (milliseconds % 86_400_000 !== 0) {
      // HubSpot's own wording for a date property given a non-midnight timestamp.
      return {
        message: `${text} is at ${date.getUTCHours()}:${date.getUTCMinutes()}:${date.getUTCSeconds()}.${date.getUTCMilliseconds()} UTC, not midnight!`,
      };
    }
    return date.toISOString().slice(0, 10);
  }
  const parsed = Date.parse(text);
  if (!Number.isNaN(parsed) && /T00:00(:00(\.0+)?)?(Z|\+00:00)?$/.test(text))
    return new Date(parsed).toISOString().slice(0, 10);
  return { message: `${text} is not a valid date.` };
}

/** Options an enumeration accepts; `undefined` means anything goes. External options come from pipelines and owners. */
function allowedOptions(
  portal: HubSpotPortalState,
  store: HubSpotObjectStore,
  definition: HubSpotPropertyDefinition,
  input: Record<string, unknown>,
  existing?: HubSpotRecord,
): string[] | undefined {
  if (!definition.externalOptions) return definition.options.map((option) => option.value);
  if (definition.referencedObjectType === 'OWNER')
    return portal.owners.filter((owner) => !owner.archived).map((owner) => owner.id);
  if (definition.name === store.info.pipelineProperty)
    return [...store.pipelines.values()]
      .filter((pipeline) => !pipeline.archived)
      .map((pipeline) => pipeline.id);
  if (definition.name === store.info.stageProperty) {
    const pipelineId =
      inputToString(input[store.info.pipelineProperty ?? '']) ||
      existing?.properties[store.info.pipelineProperty ?? ''] ||
      firstPipeline(store)?.id;
    const pipeline = pipelineId ? store.pipelines.get(pipelineId) : undefined;
    return pipeline ? pipeline.stages.filter((stage) => !stage.archived).map((stage) => stage.id) : [];
  }
  return undefined;
}

/** The pipeline new records land in when none is given (lowest display order). */
export function firstPipeline(store: HubSpotObjectStore): HubSpotPipeline | undefined {
  let best: HubSpotPipeline | undefined;
  for (const pipeline of store.pipelines.values()) {
    if (pipeline.archived) continue;
    if (!best || pipeline.displayOrder < best.displayOrder) best = pipeline;
  }
  return best;
}

/** Stages of a pipeline in display order. */
export function sortedStages(pipeline: HubSpotPipeline): HubSpotPipelineStage[] {
  return pipeline.stages
    .filter((stage) => !stage.archived)
    .sort((left, right) => left.displayOrder - right.displayOrder);
}

// ---------------------------------------------------------------------------------------------
// Records

/** Throws HubSpot's 409 when a unique property value is already held by another record. */
export function checkUnique(
  store: HubSpotObjectStore,
  values: Record<string, string>,
  recordId?: string,
): void {
  for (const [name, index] of store.unique) {
    const value = values[name];
    if (!value) continue;
    const owner = index.get(value);
    if (owner !== undefined && owner !== recordId) {
      throw conflictError(`${store.info.singularLabel} already exists. Existing ID: ${owner}`);
    }
  }
}

function setValue(
  store: HubSpotObjectStore,
  record: HubSpotRecord,
  name: string,
  value: string,
  timestamp: string,
  source: string,
): boolean {
  const old = record.properties[name];
  if (old === value) return false;
  const index = store.unique.get(name);
  if (index) {
    if (old) index.delete(old);
    if (value) index.set(value, record.id);
  }
  record.properties[name] = value;
  if (!record.history) record.history = {};
  let entries = record.history[name];
  if (!entries) {
    entries = [];
    // The creation value lived only in `properties`; keep it as the oldest history entry.
    if (old !== undefined && old !== null)
      entries.push({ value: old, timestamp: record.createdAt, sourceType: record.createdSource });
    record.history[name] = entries;
  }
  entries.push({ value, timestamp, sourceType: source });
  return true;
}

/** Options of a record write. */
export interface HubSpotWriteOptions {
  /** History `sourceType` (`INTEGRATION` for API writes). */
  source?: string;
  /** Overrides the clock (seeding past data). */
  at?: number;
  /** Skips webhook events (seeding, bulk loads). */
  silent?: boolean;
  /** Skips validation (bulk loads of known-good data). */
  trusted?: boolean;
}

/** Creates a record after validation; returns it. */
export function createRecord(
  portal: HubSpotPortalState,
  store: HubSpotObjectStore,
  input: Record<string, unknown>,
  options: HubSpotWriteOptions = {},
): HubSpotRecord {
  const values = options.trusted ? (input as Record<string, string>) : normalizeValues(portal, store, input);
  applyPipelineDefaults(store, values);
  checkUnique(store, values);
  const milliseconds = options.at ?? portal.now();
  const timestamp = iso(milliseconds);
  portal.counters.record += 1;
  const id = String(portal.counters.record);
  const properties: Record<string, string | null> = { ...values };
  if (!properties[store.info.createdDateProperty]) properties[store.info.createdDateProperty] = timestamp;
  properties.hs_lastmodifieddate = timestamp;
  properties.hs_object_id = id;
  const stage = store.info.stageProperty ? values[store.info.stageProperty] : undefined;
  if (stage) {
    properties[`hs_date_entered_${stage}`] = timestamp;
    properties[`hs_v2_date_entered_${stage}`] = timestamp;
  }
  const record: HubSpotRecord = {
    id,
    properties,
    createdSource: options.source ?? 'INTEGRATION',
    createdAt: properties[store.info.createdDateProperty] ?? timestamp,
    updatedAt: timestamp,
    archived: false,
  };
  store.records.set(id, record);
  store.order.push(Number(id));
  for (const [name, index] of store.unique) {
    const value = properties[name];
    if (value) index.set(value, id);
  }
  if (!options.silent) {
    portal.onChange({ kind: 'creation', store, recordId: id, source: options.source ?? 'INTEGRATION' });
  }
  return record;
}

function applyPipelineDefaults(store: HubSpotObjectStore, values: Record<string, string>): void {
  const { pipelineProperty, stageProperty } = store.info;
  if (!pipelineProperty || !stageProperty) return;
  if (!values[pipelineProperty] && !values[stageProperty]) return;
  if (!values[pipelineProperty]) {
    // A stage without a pipeline means the default pipeline, as in HubSpot.
    const pipeline = [...store.pipelines.values()].find((candidate) =>
      candidate.stages.some((stage) => stage.id === values[stageProperty]),
    );
    if (pipeline) values[pipelineProperty] = pipeline.id;
  }
  if (!values[stageProperty]) {
    const pipeline = store.pipelines.get(values[pipelineProperty] ?? '');
    const first = pipeline ? sortedStages(pipeline)[0] : undefined;
    if (first) values[stageProperty] = first.id;
  }
}

/** Updates a record after validation; returns the names of properties that changed. */
export function updateRecord(
  portal: HubSpotPortalState,
  store: HubSpotObjectStore,
  record: HubSpotRecord,
  input: Record<string, unknown>,
  options: HubSpotWriteOptions = {},
): string[] {
  const values = options.trusted
    ? (input as Record<string, string>)
    : normalizeValues(portal, store, input, record);
  checkUnique(store, values, record.id);
  const milliseconds = options.at ?? portal.now();
  const timestamp = iso(milliseconds);
  const source = options.source ?? 'INTEGRATION';
  const stageProperty = store.info.stageProperty;
  const previousStage = stageProperty ? record.properties[stageProperty] : undefined;
  const changed: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (setValue(store, record, name, value, timestamp, source)) changed.push(name);
  }
  if (stageProperty && changed.includes(stageProperty)) {
    const stage = record.properties[stageProperty];
    if (previousStage) {
      record.properties[`hs_date_exited_${previousStage}`] = timestamp;
      record.properties[`hs_v2_date_exited_${previousStage}`] = timestamp;
    }
    if (stage) {
      record.properties[`hs_date_entered_${stage}`] = timestamp;
      record.properties[`hs_v2_date_entered_${stage}`] = timestamp;
    }
  }
  if (changed.length > 0) {
    record.properties.hs_lastmodifieddate = timestamp;
    record.updatedAt = timestamp;
    if (!options.silent) {
      for (const name of changed) {
        portal.onChange({
          kind: 'propertyChange',
          store,
          recordId: record.id,
          propertyName: name,
          propertyValue: record.properties[name] ?? '',
          source,
        });
      }
    }
  }
  return changed;
}

/** Archives (soft-deletes) a record and its associations. */
export function archiveRecord(
  portal: HubSpotPortalState,
  store: HubSpotObjectStore,
  record: HubSpotRecord,
  options: HubSpotWriteOptions = {},
): void {
  const timestamp = iso(options.at ?? portal.now());
  store.records.delete(record.id);
  record.archived = true;
  record.archivedAt = timestamp;
  store.archivedRecords.set(record.id, record);
  const position = lowerBound(store.order, Number(record.id));
  if (store.order[position] === Number(record.id)) store.order.splice(position, 1);
  for (const [name, index] of store.unique) {
    const value = record.properties[name];
    if (value && index.get(value) === record.id) index.delete(value);
  }
  const key = `${store.info.objectTypeId}:${record.id}`;
  const edges = portal.associations.get(key);
  if (edges) {
    for (const other of edges.keys()) portal.associations.get(other)?.delete(key);
    portal.associations.delete(key);
  }
  if (!options.silent)
    portal.onChange({
      kind: 'deletion',
      store,
      recordId: record.id,
      source: options.source ?? 'INTEGRATION',
    });
}

/** First index whose value is ≥ target in an ascending array. */
export function lowerBound(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The `SimplePublicObject` view of a record. */
export function recordView(
  store: HubSpotObjectStore,
  record: HubSpotRecord,
  requested: readonly string[] | undefined,
  historyProperties?: readonly string[],
  everything = false,
): Record<string, unknown> {
  const properties: Record<string, string | null> = {};
  if (everything) Object.assign(properties, record.properties);
  else {
    for (const name of requested && requested.length > 0 ? requested : store.info.defaultProperties) {
      if (name in record.properties) properties[name] = record.properties[name] ?? null;
      else if (store.properties.has(name)) properties[name] = null;
    }
  }
  const view: Record<string, unknown> = {
    id: record.id,
    properties,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
  };
  if (record.archivedAt) view.archivedAt = record.archivedAt;
  if (historyProperties && historyProperties.length > 0) {
    const history: Record<string, unknown[]> = {};
    for (const name of historyProperties) {
      if (!store.properties.has(name)) continue;
      history[name] = propertyHistory(record, name);
    }
    view.propertiesWithHistory = history;
  }
  return view;
}

/** A property's history, newest first, as `propertiesWithHistory` answers it. */
export function propertyHistory(
  record: HubSpotRecord,
  name: string,
): { value: string; timestamp: string; sourceType: string }[] {
  const entries = record.history?.[name];
  if (entries) return [...entries].reverse().map((entry) => ({ ...entry }));
  const value = record.properties[name];
  if (value === undefined || value === null) return [];
  return [{ value, timestamp: record.createdAt, sourceType: record.createdSource }];
}

/** Validation for the inputs count of batch endpoints (research §1.6: 100 per CRM batch). */
export function checkBatchSize(inputs: unknown, limit = 100): unknown[] {
  if (!Array.isArray(inputs)) throw validationError('Invalid input JSON: "inputs" must be an array.');
  if (inputs.length > limit) {
    throw validationError(
      `The maximum number of inputs supported in a batch request is ${limit}. Please reduce the number of items and try again`,
      { context: { inputs: [String(inputs.length)] } },
    );
  }
  return inputs;
}
