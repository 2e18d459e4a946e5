import { XMLParser } from 'fast-xml-parser';

/**
 * XML in and out for the Metadata API. Values stay strings (the SOAP wire has no types); element names
 * that repeat in Metadata API types are always parsed as arrays so a single child looks like many.
 */

/** A parsed XML element: strings, nested elements, arrays of either; `@_x` keys are attributes. */
export type XmlValue = string | XmlObject | XmlValue[];
/** A parsed XML element with children. */
export interface XmlObject {
  [key: string]: XmlValue;
}

const ALWAYS_ARRAY = new Set([
  'metadata',
  'fullNames',
  'queries',
  'types',
  'members',
  'customValue',
  'fieldPermissions',
  'objectPermissions',
  'userPermissions',
  'classAccesses',
  'tabSettings',
  'recordTypeVisibilities',
  'applicationVisibilities',
  'pageAccesses',
  'filters',
  'recordCreates',
  'recordUpdates',
  'recordLookups',
  'recordDeletes',
  'decisions',
  'rules',
  'conditions',
  'inputAssignments',
  'outputAssignments',
  'pathAssistantSteps',
  'fieldNames',
  'formulas',
  'variables',
  'constants',
  'assignments',
  'assignmentItems',
  'processMetadataValues',
  'target',
  'targets',
  'targetConfig',
  'valueSettings',
  'listViews',
  'recordTypes',
  'validationRules',
  'webLinks',
  'fieldSets',
  'compactLayouts',
  'businessProcesses',
  'scheduledPaths',
  'actionCalls',
  'screens',
  'loops',
  'waits',
  'subflows',
  'textTemplates',
  'choices',
  'environments',
  'fields',
]);

/** Elements that only repeat under one parent (the same name is a single element elsewhere). */
const ARRAY_UNDER_PARENT: Record<string, string> = { value: 'valueSetDefinition', object: 'objects' };

function isArrayElement(name: string, jpath: unknown): boolean {
  if (ALWAYS_ARRAY.has(name)) return true;
  const parent = ARRAY_UNDER_PARENT[name];
  if (!parent) return false;
  const segments = String(jpath).split('.');
  return segments[segments.length - 2] === parent;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name, jpath, _isLeaf, isAttribute) => !isAttribute && isArrayElement(name, jpath),
});

/** Parses XML text; throws on malformed input. */
export function parseXml(text: string): XmlObject {
  const parsed: unknown = parser.parse(text, true);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('Empty XML document');
  return parsed as XmlObject;
}

/** Escapes text content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Serializes a value as `<name>…</name>`; arrays repeat the element, null writes xsi:nil. */
export function toXml(name: string, value: unknown, attributes: Record<string, string> = {}): string {
  if (Array.isArray(value)) return value.map((item) => toXml(name, item, attributes)).join('');
  const attributeText = Object.entries(attributes)
    .map(([key, attributeValue]) => ` ${key}="${escapeXml(attributeValue)}"`)
    .join('');
  if (value === null || value === undefined) return `<${name}${attributeText} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    let inner = '';
    let ownAttributes = attributeText;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key.startsWith('@_')) ownAttributes += ` ${key.slice(2)}="${escapeXml(String(child))}"`;
      else if (key === '#text') inner += escapeXml(String(child));
      else if (child !== undefined) inner += toXml(key, child);
    }
    return `<${name}${ownAttributes}>${inner}</${name}>`;
  }
  return `<${name}${attributeText}>${escapeXml(String(value))}</${name}>`;
}

/** Reads a child element as text ('' when missing). */
export function xmlText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && !Array.isArray(value) && '#text' in (value as XmlObject)) {
    return String((value as XmlObject)['#text']);
  }
  return '';
}

/** Reads a child element as a list. */
export function xmlList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** Reads a boolean-ish element (`true` / `false` strings from SOAP, booleans from JSON). */
export function xmlBoolean(value: unknown, fallback = false): boolean {
  const text = xmlText(value);
  if (text === '') return fallback;
  return text === 'true';
}

/** A child as an object, or an empty object. */
export function xmlObject(value: unknown): XmlObject {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as XmlObject;
  return {};
}
