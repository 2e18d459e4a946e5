/**
 * The package and the org as plain schema resources for core's `planSchema`: one resource per
 * metadata component (`CustomField:Account.Milepost_Stage__c`), plus one per stage value of the
 * stage value set (`stage:onboarding`) so a removed stage that still holds records is refused.
 * Remote components are read with listMetadata + readMetadata (chunks of 10) and normalised to text,
 * because jsforce returns XML text for every value (research §0.8).
 */
import type { DesiredSchema, RemoteSchema, SchemaResource } from '@milepost/core';
import {
  chunk,
  SALESFORCE_LIMITS,
  SALESFORCE_MANAGED_MARKER,
  SALESFORCE_NAMES,
  salesforceFilePropertiesSchema,
  soqlString,
} from './salesforce-api.js';
import type { SalesforceClient } from './salesforce-client.js';
import { componentKey, type SalesforceComponent, type SalesforcePackageModel } from './salesforce-package.js';
import type { XmlNode, XmlValue } from './salesforce-xml.js';

const N = SALESFORCE_NAMES;
/** Resource id of a stage value. */
export function stageResourceId(stageKey: string): string {
  return `stage:${stageKey}`;
}
const STAGE_VALUE_SET = `GlobalValueSet:${N.stageValueSet}`;

/** Metadata types as read and listed (package.xml `Settings:PathAssistant` is `PathAssistantSettings`). */
function crudType(component: Pick<SalesforceComponent, 'type' | 'fullName'>): string {
  return component.type === 'Settings' ? `${component.fullName}Settings` : component.type;
}

type Text = string | Text[] | { [key: string]: Text };

/** XML values as text, the way jsforce reads them; empty lists and undefined are dropped. */
function asText(value: XmlValue | unknown): Text | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(asText).filter((item): item is Text => item !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const result: Record<string, Text> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key.startsWith('@') || key.startsWith('$')) continue;
      const text = asText(item);
      if (text !== undefined) result[key] = text;
    }
    return result;
  }
  return String(value);
}

function list(value: Text | undefined): Text[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function field(node: Text | undefined, key: string): Text | undefined {
  return node && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined;
}

/** The attributes Milepost owns and compares, as text, from a component body (desired or read). */
function comparable(type: string, node: Text | undefined, desiredBody?: XmlNode): Record<string, unknown> {
  const pick = (...keys: string[]) =>
    Object.fromEntries(keys.map((key) => [key, field(node, key)]).filter(([, value]) => value !== undefined));
  switch (type) {
    case 'CustomObject':
      return pick('label', 'pluralLabel', 'description', 'enableActivities', 'enableHistory', 'sharingModel');
    case 'CustomField': {
      const attributes: Record<string, unknown> = {};
      for (const key of Object.keys(desiredBody ?? (node as Record<string, Text>) ?? {})) {
        if (key === 'fullName') continue;
        const value = field(node, key);
        if (key === 'valueSet') {
          attributes[key] = {
            restricted: field(value, 'restricted'),
            valueSetName: field(value, 'valueSetName'),
          };
          continue;
        }
        // A read leaves out elements at their default; Milepost writes them explicitly.
        attributes[key] =
          value ?? (desiredBody && asText(desiredBody[key]) === 'false' ? 'false' : undefined);
      }
      return attributes;
    }
    case 'GlobalValueSet': {
      const attributes = pick('masterLabel', 'description', 'sorted');
      if (field(node, 'fullName') !== N.stageValueSet)
        attributes.values = list(field(node, 'customValue')).map((value) => field(value, 'fullName'));
      return attributes;
    }
    case 'PathAssistant':
      return {
        ...pick('active', 'entityName', 'fieldName', 'masterLabel', 'recordTypeName'),
        steps: list(field(node, 'pathAssistantSteps')).map((step) => ({
          value: field(step, 'picklistValueName'),
          info: field(step, 'info') ?? '',
          fieldNames: list(field(step, 'fieldNames')),
        })),
      };
    case 'PathAssistantSettings':
      return pick('pathAssistantEnabled');
    case 'PermissionSet':
      return {
        ...pick('label', 'description'),
        fields: list(field(node, 'fieldPermissions'))
          .map((entry) => `${field(entry, 'field')}:${field(entry, 'readable')}:${field(entry, 'editable')}`)
          .sort(),
        objects: list(field(node, 'objectPermissions'))
          .map((entry) =>
            ['object', 'allowRead', 'allowCreate', 'allowEdit', 'allowDelete']
              .map((key) => field(entry, key))
              .join(':'),
          )
          .sort(),
      };
    case 'Flow':
    case 'LightningComponentBundle':
      // Compared by the fingerprint in the description (a Flow read back is not the XML written).
      return pick('description', 'status');
    default:
      return {};
  }
}

function resourceLabel(component: Pick<SalesforceComponent, 'type' | 'fullName'>): string {
  return component.type === 'Settings' ? 'Path settings' : component.fullName;
}

const KIND: Record<string, string> = {
  CustomObject: 'custom-object',
  CustomField: 'custom-field',
  GlobalValueSet: 'value-set',
  PathAssistant: 'path',
  Settings: 'settings',
  Flow: 'flow',
  PermissionSet: 'permission-set',
  LightningComponentBundle: 'lightning-component',
};

function dependencies(component: SalesforceComponent, model: SalesforcePackageModel): string[] {
  const keys = new Set(model.components.map(componentKey));
  const wanted: string[] = [];
  const add = (key: string) => {
    if (keys.has(key) && key !== componentKey(component)) wanted.push(key);
  };
  if (component.type === 'CustomField') {
    const [objectName] = component.fullName.split('.');
    add(`CustomObject:${objectName}`);
    const valueSet = field(asText(component.body.valueSet), 'valueSetName');
    if (typeof valueSet === 'string') add(`GlobalValueSet:${valueSet}`);
  }
  if (component.type === 'PathAssistant') {
    add('Settings:PathAssistant');
    add(`CustomField:${N.cycleObject}.${N.cycleStage}`);
  }
  if (
    component.type === 'PermissionSet' ||
    component.type === 'Flow' ||
    component.type === 'LightningComponentBundle'
  )
    for (const other of model.components) if (other.type === 'CustomField') add(componentKey(other));
  return wanted;
}

/** What the package needs, as resources. */
export function salesforceDesiredSchema(model: SalesforcePackageModel): DesiredSchema {
  const resources: SchemaResource[] = [];
  for (const component of model.components) {
    resources.push({
      id: componentKey(component),
      kind: KIND[component.type] ?? component.type,
      label: resourceLabel(component),
      attributes: comparable(
        crudType(component),
        asText({ ...component.body, fullName: component.fullName }),
        component.body,
      ),
      dependsOn: dependencies(component, model),
    });
  }
  for (const stage of model.journey.stages)
    resources.push({
      id: stageResourceId(stage.key),
      kind: 'stage',
      label: `stage "${stage.name}"`,
      attributes: { label: stage.name },
      dependsOn: [STAGE_VALUE_SET],
    });
  for (const output of Object.values(model.accountOutputs))
    if (output.adopt)
      resources.push({
        id: `CustomField:Account.${output.field}`,
        kind: 'custom-field',
        label: `Account.${output.field}`,
        attributes: {},
        adopt: true,
      });
  return { resources };
}

/** What the org holds now, read through the Metadata API. */
export interface SalesforceOrgSnapshot {
  remote: RemoteSchema;
  /** Components found, by `Type:fullName` (text values). */
  found: Map<string, Text>;
  /** Other paths on the cycle object and record type (a collision, research §0.6). */
  foreignPaths: string[];
}

const LIST_TYPES = [
  'CustomObject',
  'CustomField',
  'GlobalValueSet',
  'PathAssistant',
  'Flow',
  'PermissionSet',
  'LightningComponentBundle',
];
/** `Object.Field` names of the custom fields Milepost's package creates (outputs, cycle fields, task key). */
export const SALESFORCE_MANAGED_FIELD = new RegExp(
  `^(${N.cycleObject}\\..+|Account\\.(Milepost_|MP_).+|Activity\\.Milepost_.+)$`,
);

/** Reads the org's metadata for a package and describes it as resources. */
export async function describeSalesforceOrg(
  client: SalesforceClient,
  model: SalesforcePackageModel,
): Promise<SalesforceOrgSnapshot> {
  const listed = new Map<string, string[]>();
  for (const queries of chunk(LIST_TYPES, SALESFORCE_LIMITS.listMetadataQueries)) {
    const rows = await client.call('list metadata', (connection) =>
      connection.metadata.list(queries.map((type) => ({ type }))),
    );
    for (const raw of Array.isArray(rows) ? rows : [rows]) {
      const row = salesforceFilePropertiesSchema.safeParse(raw);
      if (!row.success) continue;
      const names = listed.get(row.data.type) ?? [];
      names.push(row.data.fullName);
      listed.set(row.data.type, names);
    }
  }
  const desiredKeys = new Set(model.components.map(componentKey));
  const toRead = new Map<string, Set<string>>();
  const want = (type: string, fullName: string) => {
    const names = toRead.get(type) ?? new Set<string>();
    names.add(fullName);
    toRead.set(type, names);
  };
  const ours = (type: string, fullName: string): boolean =>
    desiredKeys.has(`${type}:${fullName}`) ||
    (type === 'CustomField' && SALESFORCE_MANAGED_FIELD.test(fullName)) ||
    (type === 'PathAssistant' && fullName !== N.path) ||
    (type !== 'CustomField' && /^Milepost_/.test(fullName)) ||
    (type === 'LightningComponentBundle' && fullName === N.lightningComponent);
  for (const [type, names] of listed) for (const name of names) if (ours(type, name)) want(type, name);
  want('PathAssistantSettings', 'PathAssistant');

  const found = new Map<string, Text>();
  for (const [type, names] of toRead) {
    for (const batch of chunk([...names], SALESFORCE_LIMITS.metadataCrudChunk)) {
      const records = await client.call(`read ${type}`, (connection) =>
        connection.metadata.read(type as never, batch),
      );
      for (const record of Array.isArray(records) ? records : [records]) {
        const text = asText(record);
        const fullName = field(text, 'fullName');
        // A missing component reads as an empty record: no fullName (research §0.12).
        if (typeof fullName !== 'string' || fullName === '') continue;
        const packageType = type === 'PathAssistantSettings' ? 'Settings' : type;
        const name = type === 'PathAssistantSettings' ? 'PathAssistant' : fullName;
        if (type === 'PathAssistantSettings' && field(text, 'pathAssistantEnabled') !== 'true') continue;
        found.set(`${packageType}:${name}`, text!);
      }
    }
  }

  const resources: SchemaResource[] = [];
  const foreignPaths: string[] = [];
  const desiredBodies = new Map(
    model.components.map((component) => [componentKey(component), component.body]),
  );
  for (const [key, text] of found) {
    const [packageType = '', ...rest] = key.split(':');
    const fullName = rest.join(':');
    if (packageType === 'PathAssistant' && fullName !== N.path) {
      if (field(text, 'entityName') === N.cycleObject && field(text, 'recordTypeName') === '__MASTER__')
        foreignPaths.push(fullName);
      continue;
    }
    const description = field(text, 'description');
    const isManaged =
      packageType === 'Settings' ||
      packageType === 'PathAssistant' ||
      (typeof description === 'string' && description.includes(SALESFORCE_MANAGED_MARKER));
    const normalisedText =
      packageType === 'CustomField'
        ? { ...(text as Record<string, Text>), fullName: fullName.split('.')[1] ?? '' }
        : text;
    resources.push({
      id: key,
      kind: KIND[packageType] ?? packageType,
      label: resourceLabel({ type: packageType as SalesforceComponent['type'], fullName }),
      attributes: comparable(
        packageType === 'Settings' ? 'PathAssistantSettings' : packageType,
        normalisedText,
        desiredBodies.get(key),
      ),
      managed: isManaged,
    });
  }
  const valueSet = found.get(STAGE_VALUE_SET);
  if (valueSet) {
    const managedSet = resources.find((resource) => resource.id === STAGE_VALUE_SET)?.managed ?? false;
    const desiredStages = new Set(model.journey.stages.map((stage) => stage.key));
    for (const value of list(field(valueSet, 'customValue'))) {
      const key = String(field(value, 'fullName') ?? '');
      if (!key) continue;
      const inUse = desiredStages.has(key) ? 0 : await countStage(client, key);
      resources.push({
        id: stageResourceId(key),
        kind: 'stage',
        label: `stage "${String(field(value, 'label') ?? key)}"`,
        attributes: { label: field(value, 'label') ?? key },
        dependsOn: [STAGE_VALUE_SET],
        managed: managedSet,
        inUse,
      });
    }
  }
  return { remote: { resources }, found, foreignPaths };
}

async function countStage(client: SalesforceClient, stageKey: string): Promise<number> {
  const result = await client.call('count the records in a stage', (connection) =>
    connection.query(`SELECT COUNT() FROM ${N.cycleObject} WHERE ${N.cycleStage} = ${soqlString(stageKey)}`),
  );
  return result.totalSize;
}

/** The component a resource id stands for (stage values stand for the stage value set). */
export function componentOfResource(id: string): string {
  return id.startsWith('stage:') ? STAGE_VALUE_SET : id;
}

/** The CRUD type of a component key (`Settings:PathAssistant` → `PathAssistantSettings`). */
export function crudTypeOfKey(key: string): { type: string; fullName: string } {
  const [type = '', ...rest] = key.split(':');
  const fullName = rest.join(':');
  return { type: crudType({ type: type as SalesforceComponent['type'], fullName }), fullName };
}
