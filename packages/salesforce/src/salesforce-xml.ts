/**
 * Metadata XML from typed objects. Elements come out in XSD sequence order, which is what a Salesforce
 * retrieve produces and what `xmllint --schema` against the Metadata WSDL accepts (research §2, §3.2):
 * the inherited `fullName` first, then each type's own elements alphabetically; Flow elements inherit
 * from FlowBaseElement/FlowElement/FlowNode, whose elements come before the subtype's own.
 */

/** A value of an element: text, a nested element, or a repeated element. Attributes are `@name` keys. */
export type XmlValue = string | number | boolean | XmlNode | readonly XmlValue[] | undefined;
/** A nested element. */
export interface XmlNode {
  [element: string]: XmlValue;
}

/** The Metadata API namespace every file's root element carries. */
export const METADATA_NAMESPACE = 'http://soap.sforce.com/2006/04/metadata';

// FlowNode (decisions, record creates, start, …): FlowBaseElement, FlowElement, FlowNode, then its own.
const FLOW_NODE_LEAD = [
  'processMetadataValues',
  'description',
  'name',
  'elementSubtype',
  'label',
  'locationX',
  'locationY',
];
// FlowElement (rules, formulas, variables): FlowBaseElement, FlowElement, then its own.
const FLOW_ELEMENT_LEAD = ['processMetadataValues', 'description', 'name'];
const FLOW_NODES = new Set([
  'actionCalls',
  'assignments',
  'decisions',
  'loops',
  'recordCreates',
  'recordDeletes',
  'recordLookups',
  'recordUpdates',
  'screens',
  'start',
  'subflows',
]);
const FLOW_ELEMENTS = new Set(['rules', 'formulas', 'variables', 'constants', 'choices', 'textTemplates']);

function leadingElements(element: string, inFlow: boolean): readonly string[] {
  if (inFlow && FLOW_NODES.has(element)) return FLOW_NODE_LEAD;
  if (inFlow && FLOW_ELEMENTS.has(element)) return FLOW_ELEMENT_LEAD;
  return ['fullName'];
}

/** The element names of a node in schema order. */
export function schemaOrder(element: string, node: XmlNode, inFlow: boolean): string[] {
  const lead = leadingElements(element, inFlow);
  const keys = Object.keys(node).filter((key) => !key.startsWith('@') && node[key] !== undefined);
  const rank = (key: string) => {
    const index = lead.indexOf(key);
    return index === -1 ? lead.length : index;
  };
  return keys.sort((left, right) => rank(left) - rank(right) || (left < right ? -1 : left > right ? 1 : 0));
}

/** Escapes text for an element or attribute. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function renderElement(name: string, value: XmlValue, depth: number, inFlow: boolean, out: string[]): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value as readonly XmlValue[]) renderElement(name, item, depth, inFlow, out);
    return;
  }
  const indent = '    '.repeat(depth);
  if (typeof value === 'object') {
    const node = value as XmlNode;
    const attributes = Object.keys(node)
      .filter((key) => key.startsWith('@') && node[key] !== undefined)
      .map((key) => ` ${key.slice(1)}="${escapeXml(String(node[key]))}"`)
      .join('');
    const children = schemaOrder(name, node, inFlow);
    if (children.length === 0) {
      out.push(`${indent}<${name}${attributes}/>`);
      return;
    }
    out.push(`${indent}<${name}${attributes}>`);
    for (const child of children) renderElement(child, node[child], depth + 1, inFlow, out);
    out.push(`${indent}</${name}>`);
    return;
  }
  out.push(`${indent}<${name}>${escapeXml(String(value))}</${name}>`);
}

/**
 * A metadata file: the XML declaration, then `root` in the Metadata namespace with its elements in
 * schema order, indented by four spaces like a Salesforce retrieve.
 */
export function renderMetadataXml(root: string, node: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const inFlow = root === 'Flow';
  const children = schemaOrder(root, node, inFlow);
  out.push(`<${root} xmlns="${METADATA_NAMESPACE}">`);
  for (const child of children) renderElement(child, node[child], 1, inFlow, out);
  out.push(`</${root}>`);
  return `${out.join('\n')}\n`;
}
