import { SalesforceApiError } from './salesforce-emulator-errors.js';
import { normalizeSalesforceId } from './salesforce-emulator-ids.js';
import {
  findObject,
  findRecordById,
  formatDate,
  type OrgState,
  type SalesforceRecord,
} from './salesforce-emulator-org-state.js';
import { fieldValue, visibleField } from './salesforce-emulator-records.js';
import type { SalesforceFieldDefinition, SalesforceObjectDefinition } from './salesforce-emulator-schema.js';

/**
 * The SOQL subset the adapter uses: SELECT fields (and one level of parent relationship fields) FROM one
 * object, WHERE with AND/OR/NOT, comparisons, IN, NULL, LIKE and date literals, ORDER BY, LIMIT, OFFSET,
 * and COUNT(). Errors carry the real codes (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE).
 */

type TokenKind = 'identifier' | 'string' | 'number' | 'date' | 'datetime' | 'symbol' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  position: number;
}

type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: string }
  | { kind: 'range'; start: string; end: string };

type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; path: string; position: number; operator: string; value: Literal }
  | { kind: 'in'; path: string; position: number; negate: boolean; values: Literal[] }
  | { kind: 'like'; path: string; position: number; pattern: string };

interface SelectItem {
  kind: 'field' | 'count';
  path: string;
  position: number;
}

interface ParsedQuery {
  select: SelectItem[];
  object: string;
  objectPosition: number;
  where?: Condition;
  orderBy: Array<{ path: string; position: number; descending: boolean; nullsLast: boolean }>;
  limit?: number;
  offset?: number;
}

function queryError(code: string, soql: string, position: number, message: string): SalesforceApiError {
  const column = position + 1;
  return new SalesforceApiError(
    400,
    code,
    `\n${soql}\n${' '.repeat(position)}^\nERROR at Row:1:Column:${column}\n${message}`,
  );
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < soql.length) {
    const character = soql.charAt(index);
    if (/\s/.test(character)) {
      index++;
      continue;
    }
    const rest = soql.slice(index);
    if (character === "'") {
      let value = '';
      let cursor = index + 1;
      let closed = false;
      while (cursor < soql.length) {
        const current = soql.charAt(cursor);
        if (current === '\\') {
          const escaped = soql.charAt(cursor + 1);
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
          cursor += 2;
          continue;
        }
        if (current === "'") {
          closed = true;
          break;
        }
        value += current;
        cursor++;
      }
      if (!closed)
        throw queryError(
          'MALFORMED_QUERY',
          soql,
          index,
          `line 1:${index} mismatched character '<EOF>' expecting '''`,
        );
      tokens.push({ kind: 'string', text: value, position: index });
      index = cursor + 1;
      continue;
    }
    const datetime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/.exec(rest);
    if (datetime) {
      tokens.push({ kind: 'datetime', text: datetime[0], position: index });
      index += datetime[0].length;
      continue;
    }
    const date = /^\d{4}-\d{2}-\d{2}/.exec(rest);
    if (date) {
      tokens.push({ kind: 'date', text: date[0], position: index });
      index += date[0].length;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], position: index });
      index += number[0].length;
      continue;
    }
    const identifier = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (identifier) {
      tokens.push({ kind: 'identifier', text: identifier[0], position: index });
      index += identifier[0].length;
      continue;
    }
    const symbol = /^(<=|>=|!=|<>|=|<|>|\(|\)|,|:)/.exec(rest);
    if (symbol) {
      tokens.push({ kind: 'symbol', text: symbol[0], position: index });
      index += symbol[0].length;
      continue;
    }
    throw queryError('MALFORMED_QUERY', soql, index, `unexpected token: '${character}'`);
  }
  tokens.push({ kind: 'end', text: '<EOF>', position: soql.length });
  return tokens;
}

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ORDER',
  'BY',
  'LIMIT',
  'OFFSET',
  'ASC',
  'DESC',
  'NULLS',
  'FIRST',
  'LAST',
  'NULL',
  'TRUE',
  'FALSE',
]);

function parse(soql: string): ParsedQuery {
  const tokens = tokenize(soql);
  let position = 0;
  const peek = (): Token => tokens[position] as Token;
  const next = (): Token => tokens[position++] as Token;
  const isKeyword = (token: Token, keyword: string) =>
    token.kind === 'identifier' && token.text.toUpperCase() === keyword;
  const unexpected = (token: Token) =>
    queryError('MALFORMED_QUERY', soql, token.position, `unexpected token: '${token.text}'`);
  const expectKeyword = (keyword: string) => {
    const token = next();
    if (!isKeyword(token, keyword)) throw unexpected(token);
  };
  const expectSymbol = (symbol: string) => {
    const token = next();
    if (token.kind !== 'symbol' || token.text !== symbol) throw unexpected(token);
  };

  expectKeyword('SELECT');
  const select: SelectItem[] = [];
  for (;;) {
    const token = next();
    if (token.kind !== 'identifier' || KEYWORDS.has(token.text.toUpperCase())) throw unexpected(token);
    if (token.text.toUpperCase() === 'COUNT' && peek().text === '(') {
      next();
      let path = '';
      if (peek().kind === 'identifier') path = next().text;
      expectSymbol(')');
      select.push({ kind: 'count', path, position: token.position });
    } else {
      select.push({ kind: 'field', path: token.text, position: token.position });
    }
    if (peek().text === ',') {
      next();
      continue;
    }
    break;
  }
  expectKeyword('FROM');
  const objectToken = next();
  if (objectToken.kind !== 'identifier' || KEYWORDS.has(objectToken.text.toUpperCase()))
    throw unexpected(objectToken);

  const parseLiteral = (): Literal => {
    const token = next();
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.kind === 'date') return { kind: 'date', value: token.text };
    if (token.kind === 'datetime') return { kind: 'datetime', value: token.text };
    if (token.kind === 'identifier') {
      const upper = token.text.toUpperCase();
      if (upper === 'NULL') return { kind: 'null' };
      if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE' };
      if (peek().text === ':') {
        next();
        const amount = next();
        if (amount.kind !== 'number') throw unexpected(amount);
        return { kind: 'range', start: `${upper}:${amount.text}`, end: '' };
      }
      return { kind: 'range', start: upper, end: '' };
    }
    throw unexpected(token);
  };

  const parsePrimary = (): Condition => {
    const token = peek();
    if (token.text === '(') {
      next();
      const inner = parseOr();
      expectSymbol(')');
      return inner;
    }
    if (isKeyword(token, 'NOT')) {
      next();
      return { kind: 'not', item: parsePrimary() };
    }
    const field = next();
    if (field.kind !== 'identifier' || KEYWORDS.has(field.text.toUpperCase())) throw unexpected(field);
    const operatorToken = next();
    if (isKeyword(operatorToken, 'LIKE')) {
      const pattern = next();
      if (pattern.kind !== 'string') throw unexpected(pattern);
      return { kind: 'like', path: field.text, position: field.position, pattern: pattern.text };
    }
    let negate = false;
    let inToken = operatorToken;
    if (isKeyword(operatorToken, 'NOT')) {
      negate = true;
      inToken = next();
    }
    if (isKeyword(inToken, 'IN')) {
      expectSymbol('(');
      const values: Literal[] = [parseLiteral()];
      while (peek().text === ',') {
        next();
        values.push(parseLiteral());
      }
      expectSymbol(')');
      return { kind: 'in', path: field.text, position: field.position, negate, values };
    }
    if (
      negate ||
      operatorToken.kind !== 'symbol' ||
      !['=', '!=', '<>', '<', '<=', '>', '>='].includes(operatorToken.text)
    ) {
      throw unexpected(operatorToken);
    }
    return {
      kind: 'compare',
      path: field.text,
      position: field.position,
      operator: operatorToken.text === '<>' ? '!=' : operatorToken.text,
      value: parseLiteral(),
    };
  };
  function parseOr(): Condition {
    const first = parsePrimary();
    const connector = peek();
    if (!isKeyword(connector, 'AND') && !isKeyword(connector, 'OR')) return first;
    const kind = connector.text.toUpperCase() === 'AND' ? 'and' : 'or';
    const items = [first];
    while (isKeyword(peek(), kind.toUpperCase())) {
      next();
      items.push(parsePrimary());
    }
    // SOQL refuses to mix AND and OR without parentheses.
    const mixed = peek();
    if (isKeyword(mixed, 'AND') || isKeyword(mixed, 'OR')) throw unexpected(mixed);
    return { kind, items };
  }

  const query: ParsedQuery = {
    select,
    object: objectToken.text,
    objectPosition: objectToken.position,
    orderBy: [],
  };
  if (isKeyword(peek(), 'WHERE')) {
    next();
    query.where = parseOr();
  }
  if (isKeyword(peek(), 'ORDER')) {
    next();
    expectKeyword('BY');
    for (;;) {
      const field = next();
      if (field.kind !== 'identifier' || KEYWORDS.has(field.text.toUpperCase())) throw unexpected(field);
      let descending = false;
      if (isKeyword(peek(), 'ASC')) next();
      else if (isKeyword(peek(), 'DESC')) {
        next();
        descending = true;
      }
      let nullsLast = descending;
      if (isKeyword(peek(), 'NULLS')) {
        next();
        const which = next();
        if (isKeyword(which, 'FIRST')) nullsLast = false;
        else if (isKeyword(which, 'LAST')) nullsLast = true;
        else throw unexpected(which);
      }
      query.orderBy.push({ path: field.text, position: field.position, descending, nullsLast });
      if (peek().text !== ',') break;
      next();
    }
  }
  if (isKeyword(peek(), 'LIMIT')) {
    next();
    const amount = next();
    if (amount.kind !== 'number') throw unexpected(amount);
    query.limit = Number(amount.text);
  }
  if (isKeyword(peek(), 'OFFSET')) {
    next();
    const amount = next();
    if (amount.kind !== 'number') throw unexpected(amount);
    query.offset = Number(amount.text);
  }
  const trailing = peek();
  if (trailing.kind !== 'end') throw unexpected(trailing);
  return query;
}

// ---- resolution -----------------------------------------------------------------------------

interface ResolvedPath {
  /** For direct fields. */
  field: SalesforceFieldDefinition;
  /** For parent fields: the reference field on the queried object and the relationship name. */
  relationship?: {
    referenceField: SalesforceFieldDefinition;
    name: string;
    parentObjects: SalesforceObjectDefinition[];
  };
  read: (record: SalesforceRecord) => unknown;
}

function resolvePath(
  org: OrgState,
  userId: string,
  object: SalesforceObjectDefinition,
  path: string,
  position: number,
  soql: string,
): ResolvedPath {
  const noSuchColumn = (name: string, entity: string) =>
    queryError(
      'INVALID_FIELD',
      soql,
      position,
      `No such column '${name}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  const parts = path.split('.');
  if (parts.length === 1) {
    const field = visibleField(org, userId, object, path);
    if (!field) throw noSuchColumn(path, object.name);
    return { field, read: (record) => fieldValue(record, field) };
  }
  if (parts.length > 2) {
    throw queryError(
      'INVALID_FIELD',
      soql,
      position,
      `The emulator supports relationship fields one level up only: '${path}'`,
    );
  }
  const [relationshipName = '', parentFieldName = ''] = parts;
  const referenceField = [...object.fields.values()].find(
    (candidate) =>
      candidate.type === 'reference' &&
      candidate.relationshipName?.toLowerCase() === relationshipName.toLowerCase(),
  );
  if (!referenceField || !visibleField(org, userId, object, referenceField.name)) {
    throw queryError(
      'INVALID_FIELD',
      soql,
      position,
      `Didn't understand relationship '${relationshipName}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const parentObjects = referenceField.referenceTo
    .map((name) => findObject(org, name))
    .filter((candidate): candidate is SalesforceObjectDefinition => candidate !== undefined);
  const parentField = parentObjects
    .map((parent) => visibleField(org, userId, parent, parentFieldName))
    .find((candidate) => candidate !== undefined);
  if (!parentField) throw noSuchColumn(parentFieldName, parentObjects[0]?.name ?? relationshipName);
  const relationship = {
    referenceField,
    name: referenceField.relationshipName ?? relationshipName,
    parentObjects,
  };
  return {
    field: parentField,
    relationship,
    read: (record) => {
      const parent = findRecordById(org, record[referenceField.name]);
      if (!parent) return null;
      const field = parent.object.fields.get(parentFieldName.toLowerCase());
      return field ? fieldValue(parent.record, field) : null;
    },
  };
}

// ---- evaluation -----------------------------------------------------------------------------

function dateRange(literal: string, today: Date): { start: string; end: string } {
  const day = (offset: number) => formatDate(new Date(today.getTime() + offset * 86400000));
  const [name = '', amountText] = literal.split(':');
  const amount = Number(amountText ?? 0);
  const weekday = today.getUTCDay();
  const monthStart = (offset: number) =>
    formatDate(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + offset, 1)));
  const yearStart = (offset: number) => formatDate(new Date(Date.UTC(today.getUTCFullYear() + offset, 0, 1)));
  switch (name) {
    case 'TODAY':
      return { start: day(0), end: day(1) };
    case 'YESTERDAY':
      return { start: day(-1), end: day(0) };
    case 'TOMORROW':
      return { start: day(1), end: day(2) };
    case 'THIS_WEEK':
      return { start: day(-weekday), end: day(7 - weekday) };
    case 'LAST_WEEK':
      return { start: day(-weekday - 7), end: day(-weekday) };
    case 'NEXT_WEEK':
      return { start: day(7 - weekday), end: day(14 - weekday) };
    case 'THIS_MONTH':
      return { start: monthStart(0), end: monthStart(1) };
    case 'LAST_MONTH':
      return { start: monthStart(-1), end: monthStart(0) };
    case 'NEXT_MONTH':
      return { start: monthStart(1), end: monthStart(2) };
    case 'THIS_YEAR':
      return { start: yearStart(0), end: yearStart(1) };
    case 'LAST_YEAR':
      return { start: yearStart(-1), end: yearStart(0) };
    case 'NEXT_YEAR':
      return { start: yearStart(1), end: yearStart(2) };
    case 'LAST_N_DAYS':
      return { start: day(-amount), end: day(1) };
    case 'NEXT_N_DAYS':
      return { start: day(1), end: day(amount + 1) };
    case 'N_DAYS_AGO':
      return { start: day(-amount), end: day(-amount + 1) };
    default:
      throw new Error(name);
  }
}

const STRINGISH = new Set(['string', 'textarea', 'picklist', 'multipicklist', 'email', 'phone', 'url']);

type Predicate = (record: SalesforceRecord) => boolean;

function compileCondition(
  condition: Condition,
  resolve: (path: string, position: number) => ResolvedPath,
  soql: string,
  today: Date,
): Predicate {
  switch (condition.kind) {
    case 'and': {
      const items = condition.items.map((item) => compileCondition(item, resolve, soql, today));
      return (record) => items.every((item) => item(record));
    }
    case 'or': {
      const items = condition.items.map((item) => compileCondition(item, resolve, soql, today));
      return (record) => items.some((item) => item(record));
    }
    case 'not': {
      const item = compileCondition(condition.item, resolve, soql, today);
      return (record) => !item(record);
    }
    case 'like': {
      const { read } = resolve(condition.path, condition.position);
      const pattern = condition.pattern
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%/g, '.*')
        .replace(/_/g, '.');
      const regex = new RegExp(`^${pattern}$`, 'is');
      return (record) => {
        const value = read(record);
        return value !== null && value !== undefined && regex.test(String(value));
      };
    }
    case 'in': {
      const resolved = resolve(condition.path, condition.position);
      const matchers = condition.values.map((value) =>
        compileComparison(resolved, '=', value, soql, condition.position, today),
      );
      return condition.negate
        ? (record) => !matchers.some((matcher) => matcher(record))
        : (record) => matchers.some((matcher) => matcher(record));
    }
    case 'compare': {
      const resolved = resolve(condition.path, condition.position);
      return compileComparison(
        resolved,
        condition.operator,
        condition.value,
        soql,
        condition.position,
        today,
      );
    }
  }
}

function compileComparison(
  resolved: ResolvedPath,
  operator: string,
  literal: Literal,
  soql: string,
  position: number,
  today: Date,
): Predicate {
  const { field, read } = resolved;
  const typeMismatch = (expected: string) =>
    queryError(
      'INVALID_QUERY_FILTER_OPERATOR',
      soql,
      position,
      `value of filter criterion for field '${field.name}' must be of type ${expected} and should not be enclosed in quotes`,
    );
  if (literal.kind === 'null') {
    if (operator !== '=' && operator !== '!=')
      throw queryError('MALFORMED_QUERY', soql, position, 'invalid operator on null');
    const wantNull = operator === '=';
    return (record) => {
      const value = read(record);
      return (value === null || value === undefined || value === '') === wantNull;
    };
  }
  let normalize: (value: unknown) => string | number | boolean | null;
  let target: string | number | boolean;
  let range: { start: string; end: string } | undefined;
  if (field.type === 'boolean') {
    if (literal.kind !== 'boolean') throw typeMismatch('boolean');
    normalize = (value) => value === true;
    target = literal.value;
  } else if (
    field.type === 'double' ||
    field.type === 'int' ||
    field.type === 'currency' ||
    field.type === 'percent'
  ) {
    if (literal.kind !== 'number') throw typeMismatch(field.type === 'int' ? 'int' : 'double');
    normalize = (value) => (value === null || value === undefined ? null : Number(value));
    target = literal.value;
  } else if (field.type === 'date' || field.type === 'datetime') {
    const isDate = field.type === 'date';
    normalize = (value) =>
      value === null || value === undefined ? null : isDate ? String(value) : String(value).slice(0, 19);
    if (literal.kind === 'range') {
      try {
        range = dateRange(literal.start, today);
      } catch {
        throw queryError('MALFORMED_QUERY', soql, position, `unexpected token: '${literal.start}'`);
      }
      target = '';
      if (!isDate) range = { start: `${range.start}T00:00:00`, end: `${range.end}T00:00:00` };
    } else if (literal.kind === 'date') {
      target = isDate ? literal.value : `${literal.value}T00:00:00`;
    } else if (literal.kind === 'datetime') {
      const time = Date.parse(literal.value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      target = isDate ? new Date(time).toISOString().slice(0, 10) : new Date(time).toISOString().slice(0, 19);
    } else {
      throw typeMismatch(isDate ? 'date' : 'dateTime');
    }
  } else if (field.type === 'id' || field.type === 'reference') {
    if (literal.kind !== 'string') throw typeMismatch('id');
    normalize = (value) => (value === null || value === undefined ? null : String(value));
    target = normalizeSalesforceId(literal.value) ?? literal.value;
  } else if (STRINGISH.has(field.type)) {
    if (literal.kind !== 'string') throw typeMismatch('string');
    // SOQL string comparison is case-insensitive.
    normalize = (value) => (value === null || value === undefined ? null : String(value).toLowerCase());
    target = literal.value.toLowerCase();
  } else {
    normalize = (value) => (value === null || value === undefined ? null : String(value));
    target = literal.kind === 'string' ? literal.value : String('value' in literal ? literal.value : '');
  }
  if (range) {
    const { start, end } = range;
    return (record) => {
      const value = normalize(read(record));
      if (value === null || typeof value !== 'string') return operator === '!=';
      switch (operator) {
        case '=':
          return value >= start && value < end;
        case '!=':
          return !(value >= start && value < end);
        case '<':
          return value < start;
        case '<=':
          return value < end;
        case '>':
          return value >= end;
        default:
          return value >= start;
      }
    };
  }
  const expected = target;
  return (record) => {
    const value = normalize(read(record));
    if (value === null) return operator === '!=';
    switch (operator) {
      case '=':
        return value === expected;
      case '!=':
        return value !== expected;
      case '<':
        return value < expected;
      case '<=':
        return value <= expected;
      case '>':
        return value > expected;
      default:
        return value >= expected;
    }
  };
}

/** The outcome of a query: matching rows and how to project one row for output. */
export interface SoqlResult {
  object: SalesforceObjectDefinition;
  rows: SalesforceRecord[];
  totalSize: number;
  countOnly: boolean;
  aggregateCount?: { alias: string; value: number };
  project: (record: SalesforceRecord, apiVersion: string) => Record<string, unknown>;
  /** Column names for CSV output (Bulk API 2.0). */
  columns: string[];
  projectFlat: (record: SalesforceRecord) => unknown[];
}

function directIdCandidates(where: Condition | undefined): string[] | undefined {
  if (!where) return undefined;
  const conditions = where.kind === 'and' ? where.items : [where];
  for (const condition of conditions) {
    if (
      condition.kind === 'compare' &&
      condition.path.toLowerCase() === 'id' &&
      condition.operator === '=' &&
      condition.value.kind === 'string'
    ) {
      return [normalizeSalesforceId(condition.value.value) ?? condition.value.value];
    }
    if (condition.kind === 'in' && !condition.negate && condition.path.toLowerCase() === 'id') {
      return condition.values.map((value) =>
        value.kind === 'string' ? (normalizeSalesforceId(value.value) ?? value.value) : '',
      );
    }
  }
  return undefined;
}

/** Parses and runs a SOQL query as a user (field-level security applies). */
export function runSoql(org: OrgState, userId: string, soql: string): SoqlResult {
  const query = parse(soql);
  const object = findObject(org, query.object);
  if (!object?.queryable) {
    throw queryError(
      'INVALID_TYPE',
      soql,
      query.objectPosition,
      `sObject type '${query.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const cache = new Map<string, ResolvedPath>();
  const resolve = (path: string, position: number): ResolvedPath => {
    const key = path.toLowerCase();
    let resolved = cache.get(key);
    if (!resolved) {
      resolved = resolvePath(org, userId, object, path, position, soql);
      cache.set(key, resolved);
    }
    return resolved;
  };
  const countItem = query.select.find((item) => item.kind === 'count');
  if (countItem && query.select.length > 1) {
    throw queryError(
      'MALFORMED_QUERY',
      soql,
      countItem.position,
      'COUNT() and fields cannot be mixed in this emulator',
    );
  }
  const fieldItems = query.select
    .filter((item) => item.kind === 'field')
    .map((item) => ({ item, resolved: resolve(item.path, item.position) }));
  const today = new Date(`${formatDate(org.now())}T00:00:00Z`);
  const predicate = query.where ? compileCondition(query.where, resolve, soql, today) : () => true;
  const orderBy = query.orderBy.map((order) => ({
    ...order,
    read: resolve(order.path, order.position).read,
  }));

  const store = org.records.get(object.name.toLowerCase()) ?? new Map<string, SalesforceRecord>();
  const direct = directIdCandidates(query.where);
  const candidates: Iterable<SalesforceRecord> = direct
    ? direct.map((id) => store.get(id)).filter((record): record is SalesforceRecord => record !== undefined)
    : store.values();
  const offset = query.offset ?? 0;
  const stopAfter =
    orderBy.length === 0 && query.limit !== undefined && !countItem
      ? query.limit + offset
      : Number.POSITIVE_INFINITY;
  let rows: SalesforceRecord[] = [];
  for (const record of candidates) {
    if (!predicate(record)) continue;
    rows.push(record);
    if (rows.length >= stopAfter) break;
  }
  if (orderBy.length > 0) {
    rows.sort((left, right) => {
      for (const order of orderBy) {
        const a = order.read(left);
        const b = order.read(right);
        const aNull = a === null || a === undefined;
        const bNull = b === null || b === undefined;
        if (aNull && bNull) continue;
        if (aNull || bNull) return aNull === order.nullsLast ? 1 : -1;
        const difference =
          typeof a === 'number' && typeof b === 'number'
            ? a - b
            : String(a).toLowerCase() < String(b).toLowerCase()
              ? -1
              : String(a).toLowerCase() > String(b).toLowerCase()
                ? 1
                : 0;
        if (difference !== 0) return order.descending ? -difference : difference;
      }
      return 0;
    });
  }
  if (offset > 0) rows = rows.slice(offset);
  if (query.limit !== undefined) rows = rows.slice(0, query.limit);

  const project = (record: SalesforceRecord, apiVersion: string): Record<string, unknown> => {
    const output: Record<string, unknown> = {
      attributes: {
        type: object.name,
        url: `/services/data/v${apiVersion}/sobjects/${object.name}/${String(record.Id)}`,
      },
    };
    for (const { resolved } of fieldItems) {
      if (!resolved.relationship) {
        output[resolved.field.name] = resolved.read(record);
        continue;
      }
      const name = resolved.relationship.name;
      const parent = findRecordById(org, record[resolved.relationship.referenceField.name]);
      if (!parent) {
        output[name] = null;
        continue;
      }
      let nested = output[name] as Record<string, unknown> | undefined;
      if (!nested) {
        nested = {
          attributes: {
            type: parent.object.name,
            url: `/services/data/v${apiVersion}/sobjects/${parent.object.name}/${String(parent.record.Id)}`,
          },
        };
        output[name] = nested;
      }
      nested[resolved.field.name] = resolved.read(record);
    }
    return output;
  };
  const columns = fieldItems.map(({ resolved }) =>
    resolved.relationship ? `${resolved.relationship.name}.${resolved.field.name}` : resolved.field.name,
  );
  const projectFlat = (record: SalesforceRecord) => fieldItems.map(({ resolved }) => resolved.read(record));
  if (countItem) {
    const count = rows.length;
    return {
      object,
      rows: countItem.path ? [{}] : [],
      totalSize: countItem.path ? 1 : count,
      countOnly: !countItem.path,
      ...(countItem.path ? { aggregateCount: { alias: 'expr0', value: count } } : {}),
      project: () => ({ attributes: { type: 'AggregateResult' }, expr0: count }),
      columns: ['expr0'],
      projectFlat: () => [count],
    };
  }
  return { object, rows, totalSize: rows.length, countOnly: false, project, columns, projectFlat };
}
