/**
 * The live fields of an org as core's `CrmField`s: what a mapping can point at, for mapping editors
 * and `checkMapping`. Read with REST describe, so only fields the integration user can see are listed
 * (research §0.4: fields without field-level security are hidden from describe).
 */
import { type CrmField, type CrmFieldType, type Mapping, MilepostError } from '@milepost/core';
import {
  SALESFORCE_NAMES,
  type SalesforceObjectDescribe,
  salesforceGlobalDescribeSchema,
  salesforceObjectDescribeSchema,
} from './salesforce-api.js';
import type { SalesforceClient } from './salesforce-client.js';
import { SALESFORCE_MANAGED_FIELD } from './salesforce-schema.js';

const FIELD_TYPES: Record<string, CrmFieldType> = {
  picklist: 'enum',
  currency: 'currency',
  date: 'date',
  datetime: 'datetime',
  boolean: 'boolean',
  double: 'number',
  int: 'number',
  long: 'number',
  percent: 'number',
};

/** One describe field as a `CrmField`; Milepost's are the custom fields its package creates. */
export function salesforceCrmField(
  objectName: string,
  field: SalesforceObjectDescribe['fields'][number],
): CrmField {
  // Everything else (text, text areas, ids, references, multi-select picklists, …) reads as text.
  const type = FIELD_TYPES[field.type] ?? 'string';
  const described: CrmField = {
    object: objectName,
    name: field.name,
    label: field.label,
    type,
    managed: field.custom && SALESFORCE_MANAGED_FIELD.test(`${objectName}.${field.name}`),
  };
  if (type === 'enum')
    // Inactive values cannot be written any more, so a mapping must not point at them.
    described.options = (field.picklistValues ?? [])
      .filter((entry) => entry.active)
      .map((entry) => ({ value: entry.value, label: entry.label ?? entry.value }));
  return described;
}

/** The fields of the customer record object and, once the package is deployed, of `Success_Cycle__c`. */
export async function describeSalesforceFields(
  client: SalesforceClient,
  mapping?: Mapping,
): Promise<CrmField[]> {
  const recordObject = mapping?.object ?? 'Account';
  const global = salesforceGlobalDescribeSchema.parse(
    await client.call('list the objects', (connection) => connection.describeGlobal()),
  );
  const visible = new Map(global.sobjects.map((entry) => [entry.name.toLowerCase(), entry.name]));
  const recordName = visible.get(recordObject.toLowerCase());
  if (!recordName)
    throw new MilepostError({
      code: 'INVALID_INPUT',
      message: `the org has no object "${recordObject}" visible to the integration user; check the mapping's "object" (an API name such as Account)`,
    });
  const objects = [recordName];
  const cycleName = visible.get(SALESFORCE_NAMES.cycleObject.toLowerCase());
  if (cycleName && cycleName !== recordName) objects.push(cycleName);
  const fields: CrmField[] = [];
  for (const objectName of objects) {
    const description = salesforceObjectDescribeSchema.parse(
      await client.call(`describe ${objectName}`, (connection) => connection.describe(objectName)),
    );
    for (const field of description.fields) fields.push(salesforceCrmField(objectName, field));
  }
  return fields;
}
