/**
 * Properties and property groups (research: hubspot-api.md §1.1): single and batch, type/fieldType
 * combinations (enforced since 2021-02-01), option lists, HubSpot-defined properties, archive.
 */
import { CUSTOM_PROPERTY_LIMIT } from './hubspot-emulator-catalog.js';
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
  queryFlag,
  requireStore,
  storeOrUndefined,
} from './hubspot-emulator-handler-utilities.js';
import { addProperty, type HubSpotObjectStore } from './hubspot-emulator-portal-state.js';
import { crmPaths, type HubSpotHandlerContext, type HubSpotRoute } from './hubspot-emulator-routes.js';
import type {
  HubSpotPropertyDefinition,
  HubSpotPropertyGroup,
  HubSpotPropertyOption,
} from './hubspot-emulator-types.js';

/** Valid fieldTypes per type (https://developers.hubspot.com/docs/api/crm/properties, research §1.1). */
export const FIELD_TYPES_BY_TYPE: Record<string, readonly string[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  enumeration: ['booleancheckbox', 'checkbox', 'radio', 'select', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  string: ['file', 'text', 'textarea', 'calculation_equation', 'html', 'phonenumber'],
  number: ['number', 'calculation_equation'],
  phone_number: ['phonenumber'],
};

const namePattern = /^[a-z][a-z0-9_]*$/;

/** A copy of a definition as the API answers it. */
export function propertyView(property: HubSpotPropertyDefinition): Record<string, unknown> {
  return structuredClone(property) as unknown as Record<string, unknown>;
}

function readOptions(value: unknown, name: string): HubSpotPropertyOption[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw validationError(`Invalid input JSON: "options" of property ${name} must be an array`);
  const seen = new Set<string>();
  return value.map((raw, index) => {
    const option = (raw ?? {}) as Record<string, unknown>;
    if (typeof option.label !== 'string' || typeof option.value !== 'string') {
      throw validationError(
        `Some required fields were not set: [options[${index}].label, options[${index}].value]`,
      );
    }
    if (seen.has(option.value))
      throw validationError(`Duplicate option value "${option.value}" for property ${name}`);
    seen.add(option.value);
    return {
      label: option.label,
      value: option.value,
      description: typeof option.description === 'string' ? option.description : '',
      displayOrder: typeof option.displayOrder === 'number' ? option.displayOrder : index,
      hidden: option.hidden === true,
    };
  });
}

function checkCombination(type: string, fieldType: string): void {
  const allowed = FIELD_TYPES_BY_TYPE[type];
  if (!allowed) {
    throw validationError(
      `Invalid property type "${type}". Valid types: ${Object.keys(FIELD_TYPES_BY_TYPE).join(', ')}`,
      {
        subCategory: 'PropertyValidationError.INVALID_PROPERTY_TYPE',
      },
    );
  }
  if (!allowed.includes(fieldType)) {
    throw validationError(
      `Invalid field type "${fieldType}" for property type "${type}". Valid field types: ${allowed.join(', ')}`,
      {
        subCategory: 'PropertyValidationError.INVALID_FIELD_TYPE_FOR_PROPERTY_TYPE',
      },
    );
  }
}

/** Validates a `PropertyCreate` and builds the definition (without storing it). */
export function buildProperty(
  store: HubSpotObjectStore,
  input: Record<string, unknown>,
  now: string,
): HubSpotPropertyDefinition {
  const missing = ['name', 'label', 'type', 'fieldType', 'groupName'].filter(
    (field) => typeof input[field] !== 'string' || input[field] === '',
  );
  if (missing.length > 0) throw validationError(`Some required fields were not set: [${missing.join(', ')}]`);
  const name = input.name as string;
  const type = input.type as string;
  const fieldType = input.fieldType as string;
  const groupName = input.groupName as string;
  if (!namePattern.test(name)) {
    throw validationError(
      `Invalid property name "${name}": a name must start with a lowercase letter and contain only lowercase letters, numbers and underscores.`,
    );
  }
  const existing = store.properties.get(name);
  if (existing) throw conflictError(`Property named '${name}' already exists.`, 'OBJECT_ALREADY_EXISTS');
  checkCombination(type, fieldType);
  const group = store.groups.get(groupName);
  if (!group || group.archived) throw validationError(`Property group ${groupName} does not exist.`);
  let options = readOptions(input.options, name);
  if (type === 'bool' && options.length === 0) {
    options = [
      { label: 'Yes', value: 'true', description: '', displayOrder: 0, hidden: false },
      { label: 'No', value: 'false', description: '', displayOrder: 1, hidden: false },
    ];
  }
  const customCount = [...store.properties.values()].filter(
    (property) => !property.hubspotDefined && !property.archived,
  ).length;
  if (customCount >= CUSTOM_PROPERTY_LIMIT) {
    throw validationError(
      `You have reached the limit of ${CUSTOM_PROPERTY_LIMIT} custom properties for ${store.info.pluralLabel.toLowerCase()}.`,
    );
  }
  const property: HubSpotPropertyDefinition = {
    name,
    label: input.label as string,
    type,
    fieldType,
    groupName,
    description: typeof input.description === 'string' ? input.description : '',
    options,
    displayOrder: typeof input.displayOrder === 'number' ? input.displayOrder : -1,
    hidden: input.hidden === true,
    formField: input.formField === true,
    hasUniqueValue: input.hasUniqueValue === true,
    hubspotDefined: false,
    calculated: fieldType === 'calculation_equation',
    externalOptions: input.externalOptions === true,
    archived: false,
    createdAt: now,
    updatedAt: now,
    modificationMetadata: {
      archivable: true,
      readOnlyDefinition: false,
      readOnlyValue: fieldType === 'calculation_equation',
    },
  };
  for (const optional of [
    'dataSensitivity',
    'numberDisplayHint',
    'textDisplayHint',
    'calculationFormula',
    'referencedObjectType',
  ] as const) {
    if (typeof input[optional] === 'string') property[optional] = input[optional] as string;
  }
  if (typeof input.showCurrencySymbol === 'boolean') property.showCurrencySymbol = input.showCurrencySymbol;
  return property;
}

function requireProperty(
  store: HubSpotObjectStore,
  name: string,
  includeArchived = false,
): HubSpotPropertyDefinition {
  const property = store.properties.get(name);
  if (!property || (property.archived && !includeArchived)) {
    throw notFoundError(
      `Unable to find property with name ${name} for object type ${store.info.objectTypeId}`,
    );
  }
  return property;
}

function updateProperty(
  store: HubSpotObjectStore,
  property: HubSpotPropertyDefinition,
  input: Record<string, unknown>,
  now: string,
): void {
  if (
    property.hubspotDefined &&
    (input.type !== undefined || input.fieldType !== undefined || input.groupName !== undefined)
  ) {
    throw validationError(
      `Property ${property.name} is HubSpot-defined: its type, field type and group cannot be changed.`,
    );
  }
  const type = typeof input.type === 'string' ? input.type : property.type;
  const fieldType = typeof input.fieldType === 'string' ? input.fieldType : property.fieldType;
  if (type !== property.type || fieldType !== property.fieldType) checkCombination(type, fieldType);
  if (typeof input.groupName === 'string') {
    const group = store.groups.get(input.groupName);
    if (!group || group.archived) throw validationError(`Property group ${input.groupName} does not exist.`);
    property.groupName = input.groupName;
  }
  property.type = type;
  property.fieldType = fieldType;
  if (typeof input.label === 'string') property.label = input.label;
  if (typeof input.description === 'string') property.description = input.description;
  if (typeof input.displayOrder === 'number') property.displayOrder = input.displayOrder;
  if (typeof input.hidden === 'boolean') property.hidden = input.hidden;
  if (typeof input.formField === 'boolean') property.formField = input.formField;
  if (typeof input.calculationFormula === 'string') property.calculationFormula = input.calculationFormula;
  // `options` replaces the whole list (research §1.1).
  if (input.options !== undefined) property.options = readOptions(input.options, property.name);
  property.updatedAt = now;
}

function archiveProperty(store: HubSpotObjectStore, property: HubSpotPropertyDefinition, now: string): void {
  if (property.hubspotDefined) {
    throw new HubSpotEmulatorHttpError(400, {
      message: `Property ${property.name} is HubSpot-defined and cannot be archived.`,
      category: 'VALIDATION_ERROR',
    });
  }
  property.archived = true;
  property.archivedAt = now;
  property.updatedAt = now;
  store.unique.delete(property.name);
}

function groupView(group: HubSpotPropertyGroup): HubSpotPropertyGroup {
  return { ...group };
}

const readScopes = (context: HubSpotHandlerContext) => storeOrUndefined(context)?.info.schemaReadScopes;
const writeScopes = (context: HubSpotHandlerContext) => storeOrUndefined(context)?.info.schemaWriteScopes;

/** Routes of the properties API. */
export function propertyRoutes(): HubSpotRoute[] {
  return [
    {
      method: 'GET',
      paths: crmPaths('properties', '/:objectType'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const store = requireStore(context);
        const archived = queryFlag(context, 'archived');
        const wanted = context.query.get('properties')?.split(',');
        const results = [...store.properties.values()]
          .filter((property) => property.archived === archived && (!wanted || wanted.includes(property.name)))
          .map(propertyView);
        return json(200, { results });
      },
    },
    {
      method: 'POST',
      paths: crmPaths('properties', '/:objectType'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const property = buildProperty(store, bodyObject(context), nowIso(context));
        addProperty(store, property);
        return json(201, propertyView(property));
      },
    },
    {
      method: 'POST',
      paths: crmPaths('properties', '/:objectType/batch/create'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const startedAt = nowIso(context);
        const inputs = batchInputs(context);
        if (inputs.length > 100)
          throw validationError('The maximum number of inputs supported in a batch request is 100.');
        const results: unknown[] = [];
        const errors: HubSpotBatchError[] = [];
        for (const input of inputs) {
          try {
            const property = buildProperty(store, (input ?? {}) as Record<string, unknown>, startedAt);
            addProperty(store, property);
            results.push(propertyView(property));
          } catch (error) {
            if (!(error instanceof HubSpotEmulatorHttpError)) throw error;
            const name = String((input as Record<string, unknown>)?.name ?? '');
            errors.push({
              status: 'error',
              category: error.body.category ?? 'VALIDATION_ERROR',
              message: error.body.message,
              context: { name: [name] },
            });
          }
        }
        return batchResult(context, startedAt, results, errors, 201);
      },
    },
    {
      method: 'POST',
      paths: crmPaths('properties', '/:objectType/batch/read'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const store = requireStore(context);
        const startedAt = nowIso(context);
        const archived = bodyObject(context).archived === true;
        const results: unknown[] = [];
        const missing: string[] = [];
        for (const input of batchInputs(context)) {
          const name = String((input as Record<string, unknown>)?.name ?? '');
          const property = store.properties.get(name);
          if (property && property.archived === archived) results.push(propertyView(property));
          else missing.push(name);
        }
        const errors: HubSpotBatchError[] = missing.map((name) => ({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: `Unable to find property with name ${name}`,
          context: { name: [name] },
        }));
        return batchResult(context, startedAt, results, errors, 200);
      },
    },
    {
      method: 'POST',
      paths: crmPaths('properties', '/:objectType/batch/archive'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const now = nowIso(context);
        const properties = batchInputs(context).map((input) =>
          requireProperty(store, String((input as Record<string, unknown>)?.name ?? '')),
        );
        for (const property of properties) archiveProperty(store, property, now);
        return json(204);
      },
    },
    {
      method: 'GET',
      paths: crmPaths('properties', '/:objectType/groups'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const store = requireStore(context);
        const archived = queryFlag(context, 'archived');
        return json(200, {
          results: [...store.groups.values()].filter((group) => group.archived === archived).map(groupView),
        });
      },
    },
    {
      method: 'POST',
      paths: crmPaths('properties', '/:objectType/groups'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const input = bodyObject(context);
        const missing = ['name', 'label'].filter(
          (field) => typeof input[field] !== 'string' || input[field] === '',
        );
        if (missing.length > 0)
          throw validationError(`Some required fields were not set: [${missing.join(', ')}]`);
        const name = input.name as string;
        if (!namePattern.test(name)) throw validationError(`Invalid property group name "${name}".`);
        if (store.groups.has(name))
          throw conflictError(`Property group with name '${name}' already exists.`, 'OBJECT_ALREADY_EXISTS');
        const group: HubSpotPropertyGroup = {
          name,
          label: input.label as string,
          displayOrder: typeof input.displayOrder === 'number' ? input.displayOrder : -1,
          archived: false,
        };
        store.groups.set(name, group);
        return json(201, groupView(group));
      },
    },
    {
      method: 'GET',
      paths: crmPaths('properties', '/:objectType/groups/:groupName'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const group = requireGroup(requireStore(context), context.params.groupName ?? '');
        return json(200, groupView(group));
      },
    },
    {
      method: 'PATCH',
      paths: crmPaths('properties', '/:objectType/groups/:groupName'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const group = requireGroup(requireStore(context), context.params.groupName ?? '');
        const input = bodyObject(context);
        if (typeof input.label === 'string') group.label = input.label;
        if (typeof input.displayOrder === 'number') group.displayOrder = input.displayOrder;
        return json(200, groupView(group));
      },
    },
    {
      method: 'DELETE',
      paths: crmPaths('properties', '/:objectType/groups/:groupName'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const group = requireGroup(store, context.params.groupName ?? '');
        const inUse = [...store.properties.values()].some(
          (property) => property.groupName === group.name && !property.archived,
        );
        if (inUse)
          throw validationError(
            `Property group ${group.name} still contains properties; move or archive them first.`,
          );
        group.archived = true;
        return json(204);
      },
    },
    {
      method: 'GET',
      paths: crmPaths('properties', '/:objectType/:propertyName'),
      auth: 'token',
      scopes: readScopes,
      handle(context) {
        const store = requireStore(context);
        const property = requireProperty(
          store,
          context.params.propertyName ?? '',
          queryFlag(context, 'archived'),
        );
        return json(200, propertyView(property));
      },
    },
    {
      method: 'PATCH',
      paths: crmPaths('properties', '/:objectType/:propertyName'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        const property = requireProperty(store, context.params.propertyName ?? '');
        updateProperty(store, property, bodyObject(context), nowIso(context));
        return json(200, propertyView(property));
      },
    },
    {
      method: 'DELETE',
      paths: crmPaths('properties', '/:objectType/:propertyName'),
      auth: 'token',
      scopes: writeScopes,
      write: true,
      handle(context) {
        const store = requireStore(context);
        archiveProperty(store, requireProperty(store, context.params.propertyName ?? ''), nowIso(context));
        return json(204);
      },
    },
  ];
}

function requireGroup(store: HubSpotObjectStore, name: string): HubSpotPropertyGroup {
  const group = store.groups.get(name);
  if (!group || group.archived)
    throw notFoundError(`Unable to find property group ${name} for object type ${store.info.objectTypeId}`);
  return group;
}
