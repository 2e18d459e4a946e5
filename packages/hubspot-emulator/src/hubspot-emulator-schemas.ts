/**
 * Custom object schemas (research: hubspot-api.md §1.3): Enterprise only, `crm.schemas.custom.*` scopes,
 * `ObjectSchemaEgg` validation, `2-…` object type ids, association definitions.
 */
import { CUSTOM_OBJECT_SCOPES, CUSTOM_OBJECT_TYPE_LIMIT } from './hubspot-emulator-catalog.js';
import { conflictError, notFoundError, validationError } from './hubspot-emulator-errors.js';
import { bodyObject, json, nowIso, queryFlag } from './hubspot-emulator-handler-utilities.js';
import {
  addCustomObjectStore,
  addProperty,
  type HubSpotPortalState,
  resolveStore,
} from './hubspot-emulator-portal-state.js';
import { buildProperty, propertyView } from './hubspot-emulator-properties.js';
import type { HubSpotHandlerContext, HubSpotRoute } from './hubspot-emulator-routes.js';
import type { HubSpotObjectSchema } from './hubspot-emulator-types.js';

const defaultFieldType: Record<string, string> = {
  string: 'text',
  number: 'number',
  enumeration: 'select',
  bool: 'booleancheckbox',
  date: 'date',
  datetime: 'date',
  phone_number: 'phonenumber',
};

const standardNames: Record<string, string> = {
  CONTACT: '0-1',
  COMPANY: '0-2',
  DEAL: '0-3',
  TICKET: '0-5',
  TASK: '0-27',
};

/** The API view of a schema with its current properties. */
export function schemaView(portal: HubSpotPortalState, schema: HubSpotObjectSchema): Record<string, unknown> {
  const store = portal.stores.get(schema.objectTypeId);
  return {
    ...structuredClone(schema),
    properties: store
      ? [...store.properties.values()].filter((property) => !property.archived).map(propertyView)
      : [],
    metaType: 'PORTAL_SPECIFIC',
  };
}

function requireSchema(context: HubSpotHandlerContext): HubSpotObjectSchema {
  const objectType = context.params.objectType ?? '';
  const store = resolveStore(context.portal, objectType);
  const schema = store ? context.portal.schemas.get(store.info.objectTypeId) : undefined;
  if (!schema || schema.archived) throw notFoundError(`Unable to find object schema ${objectType}`);
  return schema;
}

function resolveAssociatedType(portal: HubSpotPortalState, name: string): string {
  const standard = standardNames[name.toUpperCase()];
  if (standard) return standard;
  const store = resolveStore(portal, name);
  if (!store) throw validationError(`Unknown object type in associatedObjects: ${name}`);
  return store.info.objectTypeId;
}

function addAssociationDefinition(
  portal: HubSpotPortalState,
  schema: HubSpotObjectSchema,
  toObjectTypeId: string,
  now: string,
  name?: string,
) {
  portal.counters.associationType += 2;
  const definition = {
    id: String(portal.counters.associationType - 1),
    fromObjectTypeId: schema.objectTypeId,
    toObjectTypeId,
    name: name ?? `${schema.name}_to_${toObjectTypeId.replace('-', '_')}`,
    createdAt: now,
    updatedAt: now,
  };
  schema.associations.push(definition);
  return definition;
}

/** Routes of the schemas API. */
export function schemaRoutes(): HubSpotRoute[] {
  const paths = (suffix: string) => [
    `/crm-object-schemas/v3/schemas${suffix}`,
    `/crm-object-schemas/:version/schemas${suffix}`,
  ];
  const read = () => CUSTOM_OBJECT_SCOPES.schemaRead;
  const write = () => CUSTOM_OBJECT_SCOPES.schemaWrite;
  return [
    {
      method: 'GET',
      paths: paths(''),
      auth: 'token',
      scopes: read,
      tier: 'enterprise',
      handle(context) {
        const archived = queryFlag(context, 'archived');
        const results = [...context.portal.schemas.values()]
          .filter((schema) => schema.archived === archived)
          .map((schema) => schemaView(context.portal, schema));
        return json(200, { results });
      },
    },
    {
      method: 'POST',
      paths: paths(''),
      auth: 'token',
      scopes: write,
      tier: 'enterprise',
      write: true,
      handle(context) {
        const portal = context.portal;
        const input = bodyObject(context);
        const missing = ['name', 'labels', 'properties', 'requiredProperties'].filter(
          (field) => input[field] === undefined,
        );
        if (missing.length > 0)
          throw validationError(`Some required fields were not set: [${missing.join(', ')}]`);
        const name = String(input.name);
        if (!/^[a-z][a-z0-9_]*$/i.test(name))
          throw validationError(
            `Invalid object name "${name}": use letters, numbers and underscores, starting with a letter.`,
          );
        const labels = input.labels as { singular?: unknown; plural?: unknown };
        if (typeof labels?.singular !== 'string' || typeof labels.plural !== 'string')
          throw validationError('Some required fields were not set: [labels.singular, labels.plural]');
        const active = [...portal.schemas.values()].filter((schema) => !schema.archived);
        if (active.some((schema) => schema.name === name.toLowerCase()))
          throw conflictError(`Object type with name ${name} already exists.`, 'OBJECT_ALREADY_EXISTS');
        if (active.length >= CUSTOM_OBJECT_TYPE_LIMIT)
          throw validationError(
            `You have reached the limit of ${CUSTOM_OBJECT_TYPE_LIMIT} custom object types.`,
          );
        if (!Array.isArray(input.properties))
          throw validationError('Invalid input JSON: "properties" must be an array.');
        const propertyNames = input.properties.map((raw) => String((raw as { name?: unknown })?.name ?? ''));
        const required = Array.isArray(input.requiredProperties) ? input.requiredProperties.map(String) : [];
        const unknownRequired = required.filter((property) => !propertyNames.includes(property));
        if (unknownRequired.length > 0)
          throw validationError(
            `Required properties are not defined in properties: [${unknownRequired.join(', ')}]`,
          );
        const primary =
          typeof input.primaryDisplayProperty === 'string' ? input.primaryDisplayProperty : undefined;
        if (primary && !propertyNames.includes(primary))
          throw validationError(`primaryDisplayProperty ${primary} is not defined in properties.`);
        const associated = Array.isArray(input.associatedObjects)
          ? input.associatedObjects.map((item) => resolveAssociatedType(portal, String(item)))
          : [];
        const now = nowIso(context);
        portal.counters.schema += 1;
        const objectTypeId = `2-${portal.counters.schema * 1000 + (portal.hubId % 1000)}`;
        const schema: HubSpotObjectSchema = {
          id: String(portal.counters.schema * 1000 + (portal.hubId % 1000)),
          objectTypeId,
          name: name.toLowerCase(),
          fullyQualifiedName: `p${portal.hubId}_${name.toLowerCase()}`,
          ...(typeof input.description === 'string' ? { description: input.description } : {}),
          labels: { singular: labels.singular, plural: labels.plural },
          ...(primary ? { primaryDisplayProperty: primary } : {}),
          secondaryDisplayProperties: Array.isArray(input.secondaryDisplayProperties)
            ? input.secondaryDisplayProperties.map(String)
            : [],
          searchableProperties: Array.isArray(input.searchableProperties)
            ? input.searchableProperties.map(String)
            : primary
              ? [primary]
              : [],
          requiredProperties: required,
          associatedObjects: associated,
          associations: [],
          allowsSensitiveProperties: input.allowsSensitiveProperties === true,
          archived: false,
          createdAt: now,
          updatedAt: now,
        };
        // Build every property before storing anything, so a bad property leaves no half-made type.
        const scratch = addCustomObjectStore({ ...portal, stores: new Map() } as HubSpotPortalState, schema);
        const groupName = scratch.groups.keys().next().value as string;
        const built = input.properties.map((raw) => {
          const property = { ...(raw as Record<string, unknown>) };
          property.groupName ??= groupName;
          property.fieldType ??= defaultFieldType[String(property.type)] ?? 'text';
          const definition = buildProperty(scratch, property, now);
          addProperty(scratch, definition);
          return definition;
        });
        portal.schemas.set(objectTypeId, schema);
        const store = addCustomObjectStore(portal, schema);
        for (const definition of built) addProperty(store, definition);
        for (const toObjectTypeId of associated)
          addAssociationDefinition(portal, schema, toObjectTypeId, now);
        return json(201, schemaView(portal, schema));
      },
    },
    {
      method: 'GET',
      paths: paths('/:objectType'),
      auth: 'token',
      scopes: read,
      tier: 'enterprise',
      handle(context) {
        return json(200, schemaView(context.portal, requireSchema(context)));
      },
    },
    {
      method: 'PATCH',
      paths: paths('/:objectType'),
      auth: 'token',
      scopes: write,
      tier: 'enterprise',
      write: true,
      handle(context) {
        const schema = requireSchema(context);
        const input = bodyObject(context);
        const store = context.portal.stores.get(schema.objectTypeId);
        const known = (name: string) => store?.properties.has(name) ?? false;
        if (typeof input.primaryDisplayProperty === 'string') {
          if (!known(input.primaryDisplayProperty))
            throw validationError(
              `primaryDisplayProperty ${input.primaryDisplayProperty} is not a property of ${schema.name}.`,
            );
          schema.primaryDisplayProperty = input.primaryDisplayProperty;
        }
        if (Array.isArray(input.requiredProperties))
          schema.requiredProperties = input.requiredProperties.map(String);
        if (Array.isArray(input.searchableProperties))
          schema.searchableProperties = input.searchableProperties.map(String);
        if (Array.isArray(input.secondaryDisplayProperties))
          schema.secondaryDisplayProperties = input.secondaryDisplayProperties.map(String);
        if (typeof input.description === 'string') schema.description = input.description;
        // Labels can be patched in the current API although the docs once said they could not.
        const labels = input.labels as { singular?: unknown; plural?: unknown } | undefined;
        if (typeof labels?.singular === 'string') schema.labels.singular = labels.singular;
        if (typeof labels?.plural === 'string') schema.labels.plural = labels.plural;
        if (store) {
          store.info.requiredProperties = schema.requiredProperties;
          store.info.searchableProperties = schema.searchableProperties;
          store.info.singularLabel = schema.labels.singular;
          store.info.pluralLabel = schema.labels.plural;
        }
        schema.updatedAt = nowIso(context);
        return json(200, schemaView(context.portal, schema));
      },
    },
    {
      method: 'DELETE',
      paths: paths('/:objectType'),
      auth: 'token',
      scopes: write,
      tier: 'enterprise',
      write: true,
      handle(context) {
        const schema = requireSchema(context);
        const store = context.portal.stores.get(schema.objectTypeId);
        if (store && store.records.size > 0) {
          throw validationError(
            `Object type ${schema.objectTypeId} still has ${store.records.size} records; delete them before deleting the schema.`,
          );
        }
        schema.archived = true;
        schema.updatedAt = nowIso(context);
        context.portal.stores.delete(schema.objectTypeId);
        return json(204);
      },
    },
    {
      method: 'POST',
      paths: paths('/:objectType/associations'),
      auth: 'token',
      scopes: write,
      tier: 'enterprise',
      write: true,
      handle(context) {
        const schema = requireSchema(context);
        const input = bodyObject(context);
        if (typeof input.toObjectTypeId !== 'string')
          throw validationError('Some required fields were not set: [toObjectTypeId]');
        const toObjectTypeId = resolveAssociatedType(context.portal, input.toObjectTypeId);
        const definition = addAssociationDefinition(
          context.portal,
          schema,
          toObjectTypeId,
          nowIso(context),
          typeof input.name === 'string' ? input.name : undefined,
        );
        return json(201, definition);
      },
    },
    {
      method: 'DELETE',
      paths: paths('/:objectType/associations/:associationIdentifier'),
      auth: 'token',
      scopes: write,
      tier: 'enterprise',
      write: true,
      handle(context) {
        const schema = requireSchema(context);
        const before = schema.associations.length;
        schema.associations = schema.associations.filter(
          (association) => association.id !== context.params.associationIdentifier,
        );
        if (schema.associations.length === before)
          throw notFoundError(`Association ${context.params.associationIdentifier} not found.`);
        return json(204);
      },
    },
  ];
}
