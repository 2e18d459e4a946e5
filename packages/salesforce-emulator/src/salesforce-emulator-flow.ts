import {
  findRecordById,
  formatDate,
  formatDateTime,
  metadataOfType,
  type OrgState,
  type SalesforceFlowRun,
  type SalesforceRecord,
} from './salesforce-emulator-org-state.js';
import { createRecord, fieldValue, updateRecord, type WriteContext } from './salesforce-emulator-records.js';
import type { SalesforceObjectDefinition } from './salesforce-emulator-schema.js';
import { type XmlObject, xmlBoolean, xmlList, xmlObject, xmlText } from './salesforce-emulator-xml.js';

/**
 * A small interpreter for the record-triggered flows the Salesforce adapter generates (research §2.7):
 * an after-save start with filters and `doesRequireRecordChangedToMeetCriteria`, decisions, record
 * creates, `$Record` updates, assignments and simple formulas (`TODAY() + 7`, field references).
 */

const MAX_ELEMENTS = 2000;
const MAX_DEPTH = 5;
const MAX_RUN_LOG = 10000;

const flowCache = new WeakMap<OrgState, { version: number; byObject: Map<string, XmlObject[]> }>();

function activeFlowsFor(org: OrgState, objectName: string): XmlObject[] {
  let cache = flowCache.get(org);
  if (!cache || cache.version !== org.schemaVersion) {
    const byObject = new Map<string, XmlObject[]>();
    for (const flow of metadataOfType(org, 'Flow').values()) {
      if (xmlText(flow.status) !== 'Active') continue;
      const start = xmlObject(flow.start);
      if (xmlText(start.triggerType) !== 'RecordAfterSave') continue;
      const key = xmlText(start.object).toLowerCase();
      const list = byObject.get(key) ?? [];
      list.push(flow);
      byObject.set(key, list);
    }
    for (const list of byObject.values()) {
      list.sort(
        (left, right) => Number(xmlText(left.triggerOrder) || 0) - Number(xmlText(right.triggerOrder) || 0),
      );
    }
    cache = { version: org.schemaVersion, byObject };
    flowCache.set(org, cache);
  }
  return cache.byObject.get(objectName.toLowerCase()) ?? [];
}

/** Everything an interview can read. */
interface Interview {
  context: WriteContext;
  flow: XmlObject;
  object: SalesforceObjectDefinition;
  record: SalesforceRecord;
  prior: SalesforceRecord | undefined;
  variables: Map<string, unknown>;
  formulas: Map<string, XmlObject>;
  run: SalesforceFlowRun;
}

function readRecordPath(interview: Interview, source: SalesforceRecord | undefined, path: string[]): unknown {
  if (!source) return null;
  const [first, ...rest] = path;
  if (first === undefined) return null;
  const field = interview.object.fields.get(first.toLowerCase());
  if (rest.length === 0) return field ? fieldValue(source, field) : (source[first] ?? null);
  // One level up: `$Record.Account__r.Name` or `$Record.Owner.Name`.
  const relationship = [...interview.object.fields.values()].find(
    (candidate) => candidate.relationshipName?.toLowerCase() === first.toLowerCase(),
  );
  if (!relationship) return null;
  const parent = findRecordById(interview.context.org, source[relationship.name]);
  if (!parent) return null;
  const parentField = parent.object.fields.get((rest[0] ?? '').toLowerCase());
  return parentField ? fieldValue(parent.record, parentField) : null;
}

function resolveReference(interview: Interview, reference: string): unknown {
  const cleaned = reference.replace(/^\{!/, '').replace(/\}$/, '').trim();
  const parts = cleaned.split('.');
  const head = parts[0] ?? '';
  if (head === '$Record') return readRecordPath(interview, interview.record, parts.slice(1));
  if (head === '$Record__Prior') return readRecordPath(interview, interview.prior, parts.slice(1));
  if (head === '$Flow' && parts[1] === 'CurrentDate') return formatDate(interview.context.org.now());
  if (head === '$Flow' && parts[1] === 'CurrentDateTime') return formatDateTime(interview.context.org.now());
  if (head === '$User' && parts[1] === 'Id') return interview.context.userId;
  const formula = interview.formulas.get(head.toLowerCase());
  if (formula) return evaluateFormula(interview, xmlText(formula.expression), xmlText(formula.dataType));
  if (interview.variables.has(head.toLowerCase())) return interview.variables.get(head.toLowerCase());
  throw new Error(`The flow references "${reference}", which isn't a resource in this flow.`);
}

function resolveValue(interview: Interview, raw: unknown): unknown {
  const value = xmlObject(raw);
  if (value.elementReference !== undefined)
    return resolveReference(interview, xmlText(value.elementReference));
  if (value.stringValue !== undefined) return xmlText(value.stringValue);
  if (value.numberValue !== undefined) return Number(xmlText(value.numberValue));
  if (value.booleanValue !== undefined) return xmlBoolean(value.booleanValue);
  if (value.dateValue !== undefined) return xmlText(value.dateValue);
  if (value.dateTimeValue !== undefined) return xmlText(value.dateTimeValue);
  return null;
}

// ---- formulas -------------------------------------------------------------------------------

type FormulaToken = { kind: 'number' | 'string' | 'name' | 'symbol'; text: string };

function tokenizeFormula(expression: string): FormulaToken[] {
  const tokens: FormulaToken[] = [];
  let index = 0;
  while (index < expression.length) {
    const character = expression.charAt(index);
    if (/\s/.test(character)) {
      index++;
    } else if (/[0-9.]/.test(character)) {
      const match = /^[0-9]*\.?[0-9]+/.exec(expression.slice(index));
      const text = match?.[0] ?? character;
      tokens.push({ kind: 'number', text });
      index += text.length;
    } else if (character === '"' || character === "'") {
      const end = expression.indexOf(character, index + 1);
      if (end < 0) throw new Error(`Unterminated string in formula: ${expression}`);
      tokens.push({ kind: 'string', text: expression.slice(index + 1, end) });
      index = end + 1;
    } else if (character === '{' && expression.charAt(index + 1) === '!') {
      const end = expression.indexOf('}', index);
      if (end < 0) throw new Error(`Unterminated merge field in formula: ${expression}`);
      tokens.push({ kind: 'name', text: expression.slice(index + 2, end).trim() });
      index = end + 1;
    } else if (/[A-Za-z_$]/.test(character)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$.]*/.exec(expression.slice(index));
      const text = match?.[0] ?? character;
      tokens.push({ kind: 'name', text });
      index += text.length;
    } else if ('+-*/(),&'.includes(character)) {
      tokens.push({ kind: 'symbol', text: character });
      index++;
    } else {
      throw new Error(`Unsupported character "${character}" in formula: ${expression}`);
    }
  }
  return tokens;
}

function addDays(value: string, days: number): string {
  const isDateOnly = value.length === 10;
  const base = new Date(isDateOnly ? `${value}T00:00:00Z` : value.replace(/\+0000$/, 'Z'));
  const result = new Date(base.getTime() + days * 86400000);
  return isDateOnly ? formatDate(result) : formatDateTime(result);
}

function isDateText(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value);
}

function evaluateFormula(interview: Interview, expression: string, dataType: string): unknown {
  const tokens = tokenizeFormula(expression);
  let position = 0;
  const peek = () => tokens[position];
  const expectSymbol = (symbol: string) => {
    const token = tokens[position];
    if (!token || token.text !== symbol) throw new Error(`Expected "${symbol}" in formula: ${expression}`);
    position++;
  };
  const callFunction = (name: string, args: unknown[]): unknown => {
    const upper = name.toUpperCase();
    const now = interview.context.org.now();
    if (upper === 'TODAY') return formatDate(now);
    if (upper === 'NOW') return formatDateTime(now);
    if (upper === 'TEXT') return args[0] === null || args[0] === undefined ? '' : String(args[0]);
    if (upper === 'VALUE') return Number(args[0]);
    if (upper === 'DATEVALUE') return isDateText(args[0]) ? args[0].slice(0, 10) : null;
    if (upper === 'BLANKVALUE')
      return args[0] === null || args[0] === undefined || args[0] === '' ? args[1] : args[0];
    if (upper === 'ADDMONTHS' && isDateText(args[0])) {
      const date = new Date(`${args[0].slice(0, 10)}T00:00:00Z`);
      date.setUTCMonth(date.getUTCMonth() + Number(args[1]));
      return formatDate(date);
    }
    throw new Error(`Unsupported formula function ${name}() in: ${expression}`);
  };
  const primary = (): unknown => {
    const token = tokens[position++];
    if (!token) throw new Error(`Unexpected end of formula: ${expression}`);
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'string') return token.text;
    if (token.kind === 'symbol' && token.text === '(') {
      const value = additive();
      expectSymbol(')');
      return value;
    }
    if (token.kind === 'symbol' && token.text === '-') {
      const value = primary();
      return -Number(value);
    }
    if (token.kind === 'name') {
      if (peek()?.text === '(') {
        position++;
        const args: unknown[] = [];
        if (peek()?.text !== ')') {
          args.push(additive());
          while (peek()?.text === ',') {
            position++;
            args.push(additive());
          }
        }
        expectSymbol(')');
        return callFunction(token.text, args);
      }
      const upper = token.text.toUpperCase();
      if (upper === 'TRUE') return true;
      if (upper === 'FALSE') return false;
      if (upper === 'NULL') return null;
      return resolveReference(interview, token.text);
    }
    throw new Error(`Unexpected "${token.text}" in formula: ${expression}`);
  };
  const multiplicative = (): unknown => {
    let value = primary();
    while (peek()?.text === '*' || peek()?.text === '/') {
      const operator = tokens[position++]?.text;
      const right = Number(primary());
      value = operator === '*' ? Number(value) * right : Number(value) / right;
    }
    return value;
  };
  function additive(): unknown {
    let value = multiplicative();
    while (peek()?.text === '+' || peek()?.text === '-' || peek()?.text === '&') {
      const operator = tokens[position++]?.text;
      const right = multiplicative();
      if (operator === '&') value = `${value ?? ''}${right ?? ''}`;
      else if (isDateText(value) && typeof right === 'number')
        value = addDays(value, operator === '+' ? right : -right);
      else if (isDateText(value) && isDateText(right) && operator === '-') {
        value = Math.round((Date.parse(value.slice(0, 10)) - Date.parse(right.slice(0, 10))) / 86400000);
      } else if (value === null || right === null) value = null;
      else if (typeof value === 'string' && operator === '+') value = `${value}${String(right)}`;
      else value = operator === '+' ? Number(value) + Number(right) : Number(value) - Number(right);
    }
    return value;
  }
  const result = additive();
  if (position < tokens.length)
    throw new Error(`Unexpected "${tokens[position]?.text}" in formula: ${expression}`);
  if (dataType === 'Date' && isDateText(result)) return result.slice(0, 10);
  return result;
}

// ---- conditions -----------------------------------------------------------------------------

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function looseEquals(left: unknown, right: unknown): boolean {
  if (isBlank(left) && isBlank(right)) return true;
  if (isBlank(left) || isBlank(right)) return false;
  if (typeof left === 'number' || typeof right === 'number') return Number(left) === Number(right);
  if (typeof left === 'boolean' || typeof right === 'boolean')
    return String(left).toLowerCase() === String(right).toLowerCase();
  return String(left) === String(right);
}

function compare(left: unknown, right: unknown): number {
  if (typeof left === 'number' || typeof right === 'number') return Number(left) - Number(right);
  return String(left).localeCompare(String(right));
}

function evaluateOperator(operator: string, left: unknown, right: unknown, changed: () => boolean): boolean {
  switch (operator) {
    case 'EqualTo':
      return looseEquals(left, right);
    case 'NotEqualTo':
      return !looseEquals(left, right);
    case 'GreaterThan':
      return !isBlank(left) && compare(left, right) > 0;
    case 'GreaterThanOrEqualTo':
      return !isBlank(left) && compare(left, right) >= 0;
    case 'LessThan':
      return !isBlank(left) && compare(left, right) < 0;
    case 'LessThanOrEqualTo':
      return !isBlank(left) && compare(left, right) <= 0;
    case 'IsNull':
      return isBlank(left) === (right === true || right === 'true');
    case 'IsChanged':
      return changed() === (right === true || right === 'true');
    case 'Contains':
      return !isBlank(left) && String(left).includes(String(right));
    case 'StartsWith':
      return !isBlank(left) && String(left).startsWith(String(right));
    case 'EndsWith':
      return !isBlank(left) && String(left).endsWith(String(right));
    default:
      throw new Error(`Unsupported operator ${operator}`);
  }
}

/** Evaluates `and`, `or` or a custom logic string like `1 AND (2 OR 3)`. */
function combine(logic: string, results: boolean[]): boolean {
  const normalized = logic.trim().toLowerCase();
  if (results.length === 0) return true;
  if (normalized === '' || normalized === 'and') return results.every(Boolean);
  if (normalized === 'or') return results.some(Boolean);
  const tokens = logic.toUpperCase().match(/\d+|AND|OR|NOT|\(|\)/g) ?? [];
  let position = 0;
  const unary = (): boolean => {
    const token = tokens[position++];
    if (token === 'NOT') return !unary();
    if (token === '(') {
      const value = orExpression();
      position++;
      return value;
    }
    return results[Number(token) - 1] ?? false;
  };
  const andExpression = (): boolean => {
    let value = unary();
    while (tokens[position] === 'AND') {
      position++;
      const right = unary();
      value = value && right;
    }
    return value;
  };
  function orExpression(): boolean {
    let value = andExpression();
    while (tokens[position] === 'OR') {
      position++;
      const right = andExpression();
      value = value || right;
    }
    return value;
  }
  return orExpression();
}

function startCriteriaMet(interview: Interview, source: SalesforceRecord | undefined): boolean {
  if (!source) return false;
  const start = xmlObject(interview.flow.start);
  const filters = xmlList(start.filters).map(xmlObject);
  const results = filters.map((filter) => {
    const fieldName = xmlText(filter.field);
    const left = readRecordPath(interview, source, [fieldName]);
    const right = resolveValue(interview, filter.value);
    return evaluateOperator(xmlText(filter.operator), left, right, () => {
      // Judged on the prior version, a field "did not change" (so IsChanged criteria can become true).
      if (!interview.prior || source !== interview.record) return false;
      return !looseEquals(
        readRecordPath(interview, interview.prior, [fieldName]),
        readRecordPath(interview, interview.record, [fieldName]),
      );
    });
  });
  return combine(xmlText(start.filterLogic) || 'and', results);
}

function conditionMet(interview: Interview, condition: XmlObject): boolean {
  const reference = xmlText(condition.leftValueReference);
  const left = resolveReference(interview, reference);
  const right = resolveValue(interview, condition.rightValue);
  return evaluateOperator(xmlText(condition.operator), left, right, () => {
    if (!interview.prior) return false;
    const priorReference = reference.replace(/^\$Record\./, '$Record__Prior.');
    return !looseEquals(resolveReference(interview, priorReference), left);
  });
}

// ---- execution ------------------------------------------------------------------------------

function indexElements(flow: XmlObject): Map<string, { kind: string; element: XmlObject }> {
  const elements = new Map<string, { kind: string; element: XmlObject }>();
  for (const kind of ['decisions', 'recordCreates', 'recordUpdates', 'assignments']) {
    for (const raw of xmlList(flow[kind])) {
      const element = xmlObject(raw);
      elements.set(xmlText(element.name), { kind, element });
    }
  }
  return elements;
}

function target(connector: unknown): string | undefined {
  const text = xmlText(xmlObject(connector).targetReference);
  return text === '' ? undefined : text;
}

function assignmentValues(interview: Interview, element: XmlObject): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const raw of xmlList(element.inputAssignments)) {
    const assignment = xmlObject(raw);
    values[xmlText(assignment.field)] = resolveValue(interview, assignment.value);
  }
  return values;
}

function executeInterview(interview: Interview): void {
  const elements = indexElements(interview.flow);
  const flowLabel = interview.run.flowLabel;
  let current = target(xmlObject(interview.flow.start).connector);
  let steps = 0;
  while (current) {
    if (++steps > MAX_ELEMENTS)
      throw new Error(`The flow "${flowLabel}" exceeded ${MAX_ELEMENTS} executed elements.`);
    const entry = elements.get(current);
    if (!entry) throw new Error(`The flow "${flowLabel}" connects to "${current}", which doesn't exist.`);
    interview.run.elements.push(current);
    const { kind, element } = entry;
    if (kind === 'decisions') {
      let next = target(element.defaultConnector);
      for (const raw of xmlList(element.rules)) {
        const rule = xmlObject(raw);
        const results = xmlList(rule.conditions).map((condition) =>
          conditionMet(interview, xmlObject(condition)),
        );
        if (combine(xmlText(rule.conditionLogic) || 'and', results)) {
          next = target(rule.connector);
          break;
        }
      }
      current = next;
    } else if (kind === 'recordCreates') {
      const objectName = xmlText(element.object);
      const object = interview.context.org.schema.objects.get(objectName.toLowerCase());
      if (!object)
        throw new Error(`The flow tried to create a ${objectName} record, but that object doesn't exist.`);
      const result = createRecord(
        { ...interview.context, system: true, depth: interview.context.depth + 1 },
        object,
        assignmentValues(interview, element),
      );
      if (!result.success) {
        const fault = target(element.faultConnector);
        const problem = result.errors.map((error) => `${error.statusCode}: ${error.message}`).join('; ');
        if (!fault) throw new Error(`This error occurred when the flow tried to create records: ${problem}.`);
        interview.variables.set('$flow.faultmessage', problem);
        current = fault;
        continue;
      }
      interview.run.createdRecords.push({ sobject: object.name, id: result.id });
      if (xmlBoolean(element.storeOutputAutomatically))
        interview.variables.set(current.toLowerCase(), result.id);
      const assignTo = xmlText(element.assignRecordIdToReference);
      if (assignTo) interview.variables.set(assignTo.toLowerCase(), result.id);
      current = target(element.connector);
    } else if (kind === 'recordUpdates') {
      const inputReference = xmlText(element.inputReference);
      if (inputReference !== '$Record') {
        throw new Error(`The emulator only runs Update Records on $Record (element ${current}).`);
      }
      const result = updateRecord(
        { ...interview.context, system: true, depth: interview.context.depth + 1 },
        interview.object,
        String(interview.record.Id),
        assignmentValues(interview, element),
      );
      if (!result.success) {
        const problem = result.errors.map((error) => `${error.statusCode}: ${error.message}`).join('; ');
        throw new Error(`This error occurred when the flow tried to update records: ${problem}.`);
      }
      current = target(element.connector);
    } else {
      for (const raw of xmlList(element.assignmentItems)) {
        const item = xmlObject(raw);
        const name = xmlText(item.assignToReference).toLowerCase();
        const value = resolveValue(interview, item.value);
        const operator = xmlText(item.operator) || 'Assign';
        const previous = interview.variables.get(name);
        interview.variables.set(name, operator === 'Add' ? Number(previous ?? 0) + Number(value) : value);
      }
      current = target(element.connector);
    }
  }
}

/**
 * Runs the active after-save flows of an object for one saved record. Returns an error message when a
 * flow fails (the caller rolls the save back, as Salesforce does).
 */
export function runAfterSaveFlows(
  context: WriteContext,
  object: SalesforceObjectDefinition,
  record: SalesforceRecord,
  prior: SalesforceRecord | undefined,
): string | undefined {
  if (context.depth >= MAX_DEPTH) return undefined;
  const flows = activeFlowsFor(context.org, object.name);
  if (flows.length === 0) return undefined;
  const isCreate = prior === undefined;
  for (const flow of flows) {
    const start = xmlObject(flow.start);
    const triggerType = xmlText(start.recordTriggerType) || 'CreateAndUpdate';
    if (triggerType === 'Create' && !isCreate) continue;
    if (triggerType === 'Update' && isCreate) continue;
    if (triggerType !== 'Create' && triggerType !== 'Update' && triggerType !== 'CreateAndUpdate') continue;
    const flowName = xmlText(flow.fullName);
    const formulas = new Map<string, XmlObject>();
    for (const raw of xmlList(flow.formulas)) {
      const formula = xmlObject(raw);
      formulas.set(xmlText(formula.name).toLowerCase(), formula);
    }
    const variables = new Map<string, unknown>();
    for (const raw of xmlList(flow.variables)) {
      const variable = xmlObject(raw);
      if (variable.value !== undefined) variables.set(xmlText(variable.name).toLowerCase(), null);
    }
    const run: SalesforceFlowRun = {
      flowName,
      flowLabel: xmlText(flow.label) || flowName,
      sobject: object.name,
      recordId: String(record.Id),
      event: isCreate ? 'create' : 'update',
      at: formatDateTime(context.org.now()),
      elements: [],
      createdRecords: [],
    };
    const interview: Interview = { context, flow, object, record, prior, variables, formulas, run };
    try {
      for (const raw of xmlList(flow.variables)) {
        const variable = xmlObject(raw);
        if (variable.value !== undefined)
          variables.set(xmlText(variable.name).toLowerCase(), resolveValue(interview, variable.value));
      }
      const metNow = startCriteriaMet(interview, record);
      if (!metNow) continue;
      // "Only when a record is updated to meet the condition requirements": false -> true only.
      if (
        !isCreate &&
        xmlBoolean(start.doesRequireRecordChangedToMeetCriteria) &&
        startCriteriaMet(interview, prior)
      )
        continue;
      executeInterview(interview);
      pushRun(context.org, run);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      run.error = message;
      pushRun(context.org, run);
      return `We can't save this record because the “${run.flowLabel}” process failed. Give your Salesforce admin these details. ${message}`;
    }
  }
  return undefined;
}

function pushRun(org: OrgState, run: SalesforceFlowRun): void {
  org.flowRuns.push(run);
  if (org.flowRuns.length > MAX_RUN_LOG) org.flowRuns.splice(0, org.flowRuns.length - MAX_RUN_LOG);
}
