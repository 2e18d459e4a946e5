/**
 * The live properties of a portal as core's `CrmField`s: what a mapping can point at, for mapping
 * editors and `checkMapping`.
 */
import type { CrmField, CrmFieldType, Mapping } from '@milepost/core';
import {
  type HubSpotPaths,
  type HubSpotProperty,
  hubSpotListSchema,
  hubSpotPropertySchema,
} from './hubspot-api.js';
import { HUBSPOT_MANAGED_MARKER, HUBSPOT_PROPERTY_GROUP, hubSpotSchemaTarget } from './hubspot-schema.js';
import type { HubSpotTransport } from './hubspot-transport.js';

/** A HubSpot property's value kind (research: hubspot-api.md §1, type → fieldType combinations). */
function fieldType(property: HubSpotProperty): CrmFieldType {
  switch (property.type) {
    case 'number':
      return property.showCurrencySymbol ||
        property.numberDisplayHint === 'currency' ||
        property.fieldType === 'currency'
        ? 'currency'
        : 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'bool':
      return 'boolean';
    case 'enumeration':
      // A single on/off checkbox is an enumeration of "true"/"false" to the API.
      return property.fieldType === 'booleancheckbox' ? 'boolean' : 'enum';
    default:
      return 'string';
  }
}

/** One HubSpot property as a `CrmField`; Milepost's are in its group or carry its marker. */
export function hubSpotCrmField(objectType: string, property: HubSpotProperty): CrmField {
  const type = fieldType(property);
  const field: CrmField = {
    object: objectType,
    name: property.name,
    label: property.label,
    type,
    managed:
      !property.hubspotDefined &&
      (property.groupName === HUBSPOT_PROPERTY_GROUP ||
        (property.description ?? '').endsWith(HUBSPOT_MANAGED_MARKER)),
  };
  if (type === 'enum')
    field.options = (property.options ?? []).map((option) => ({ value: option.value, label: option.label }));
  return field;
}

/** The properties of the customer record object and of the cycle host (one call per object). */
export async function describeHubSpotFields(
  transport: HubSpotTransport,
  paths: HubSpotPaths,
  mapping?: Mapping,
): Promise<CrmField[]> {
  const { recordObject, cycleObject } = hubSpotSchemaTarget(mapping);
  const fields: CrmField[] = [];
  for (const objectType of new Set([recordObject, cycleObject])) {
    const response = await transport.request({
      method: 'GET',
      path: paths.properties(objectType),
      schema: hubSpotListSchema(hubSpotPropertySchema),
    });
    for (const property of response.body.results)
      if (!property.archived) fields.push(hubSpotCrmField(objectType, property));
  }
  return fields;
}
