/**
 * CRM search (research: hubspot-api.md §1.7): filter groups (OR of ANDs), the operators, sorts,
 * `query`, 200 per page, 5 groups / 10 filters per group / 25 filters in all, and the 10,000-result cap
 * (paging past it is a 400).
 */
import { validationError } from './hubspot-emulator-errors.js';
import type { HubSpotObjectStore } from './hubspot-emulator-portal-state.js';
import type { HubSpotPropertyDefinition, HubSpotRecord } from './hubspot-emulator-types.js';

/** Search limits. */
export const SEARCH_LIMITS = {
  filterGroups: 5,
  filtersPerGroup: 10,
  filtersTotal: 25,
  pageSize: 200,
  resultCap: 10_000,
  queryLength: 3000,
};

const operators = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

interface Filter {
  propertyName: string;
  operator: string;
  value?: unknown;
  highValue?: unknown;
  values?: unknown[];
}

interface CompiledFilter {
  test(record: HubSpotRecord): boolean;
}

/** A parsed search request. */
export interface HubSpotSearchRequest {
  groups: CompiledFilter[][];
  sorts: { propertyName: string; descending: boolean }[];
  properties?: string[];
  limit: number;
  after: number;
  query?: string;
}

function comparable(
  definition: HubSpotPropertyDefinition | undefined,
  value: unknown,
): number | string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value);
  const type = definition?.type;
  if (type === 'number' || definition?.name === 'hs_object_id') {
    const number = Number(text);
    return Number.isNaN(number) ? text.toLowerCase() : number;
  }
  if (type === 'date' || type === 'datetime') {
    const milliseconds = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
    return Number.isNaN(milliseconds) ? text.toLowerCase() : milliseconds;
  }
  return text.toLowerCase();
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}@._-]+/u)
    .filter(Boolean)
    .flatMap((token) => [token, ...token.split(/[@._-]+/)]);
}

function tokenMatches(value: string, pattern: string): boolean {
  const wanted = pattern.toLowerCase();
  if (!wanted.includes('*')) return tokens(value).includes(wanted) || value.toLowerCase() === wanted;
  const expression = new RegExp(
    `^${wanted
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return tokens(value).some((token) => expression.test(token)) || expression.test(value.toLowerCase());
}

function compile(store: HubSpotObjectStore, filter: Filter): CompiledFilter {
  const name = filter.propertyName;
  const definition = store.properties.get(name);
  if (!definition)
    throw validationError(
      `There was a problem with the request: property "${name}" does not exist for ${store.info.objectTypeId}.`,
    );
  const read = (record: HubSpotRecord) => comparable(definition, record.properties[name]);
  const target = comparable(definition, filter.value);
  const checkbox = definition.fieldType === 'checkbox';
  switch (filter.operator) {
    case 'EQ':
      return {
        test: (record) =>
          checkbox
            ? String(record.properties[name] ?? '')
                .toLowerCase()
                .split(';')
                .includes(String(target))
            : read(record) === target,
      };
    case 'NEQ':
      return { test: (record) => read(record) !== target };
    case 'LT':
      return { test: (record) => compareDefined(read(record), target, (left, right) => left < right) };
    case 'LTE':
      return { test: (record) => compareDefined(read(record), target, (left, right) => left <= right) };
    case 'GT':
      return { test: (record) => compareDefined(read(record), target, (left, right) => left > right) };
    case 'GTE':
      return { test: (record) => compareDefined(read(record), target, (left, right) => left >= right) };
    case 'BETWEEN': {
      const high = comparable(definition, filter.highValue);
      return {
        test: (record) => {
          const value = read(record);
          return (
            value !== undefined &&
            target !== undefined &&
            high !== undefined &&
            value >= target &&
            value <= high
          );
        },
      };
    }
    case 'IN':
    case 'NOT_IN': {
      if (!Array.isArray(filter.values))
        throw validationError(`Operator ${filter.operator} needs "values" (an array).`);
      const wanted = new Set(filter.values.map((value) => comparable(definition, value)));
      const negate = filter.operator === 'NOT_IN';
      return {
        test: (record) => {
          const raw = record.properties[name];
          const hit = checkbox
            ? String(raw ?? '')
                .toLowerCase()
                .split(';')
                .some((part) => wanted.has(part))
            : wanted.has(read(record));
          return negate ? !hit : hit;
        },
      };
    }
    case 'HAS_PROPERTY':
      return { test: (record) => read(record) !== undefined };
    case 'NOT_HAS_PROPERTY':
      return { test: (record) => read(record) === undefined };
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const pattern = String(filter.value ?? '');
      const negate = filter.operator === 'NOT_CONTAINS_TOKEN';
      return {
        test: (record) => {
          const value = record.properties[name];
          const hit = value ? tokenMatches(value, pattern) : false;
          return negate ? !hit : hit;
        },
      };
    }
    default:
      throw validationError(`Unknown filter operator ${filter.operator}.`);
  }
}

function compareDefined(
  left: number | string | undefined,
  right: number | string | undefined,
  compare: (left: number | string, right: number | string) => boolean,
): boolean {
  return left !== undefined && right !== undefined && compare(left, right);
}

/** Validates and compiles a search body. */
export function parseSearch(store: HubSpotObjectStore, body: Record<string, unknown>): HubSpotSearchRequest {
  const rawGroups = body.filterGroups ?? [];
  if (!Array.isArray(rawGroups))
    throw validationError('Invalid input JSON: "filterGroups" must be an array.');
  if (rawGroups.length > SEARCH_LIMITS.filterGroups) {
    throw validationError(
      `Too many filter groups: ${rawGroups.length}. A search can have up to ${SEARCH_LIMITS.filterGroups} filterGroups.`,
      {
        subCategory: 'SearchError.TOO_MANY_FILTER_GROUPS',
      },
    );
  }
  let total = 0;
  const groups = rawGroups.map((rawGroup) => {
    const filters = ((rawGroup ?? {}) as { filters?: unknown }).filters ?? [];
    if (!Array.isArray(filters)) throw validationError('Invalid input JSON: "filters" must be an array.');
    if (filters.length > SEARCH_LIMITS.filtersPerGroup) {
      throw validationError(
        `Too many filters in a group: ${filters.length}. A filter group can have up to ${SEARCH_LIMITS.filtersPerGroup} filters.`,
        {
          subCategory: 'SearchError.TOO_MANY_FILTERS_IN_GROUP',
        },
      );
    }
    total += filters.length;
    return filters.map((raw) => {
      const filter = (raw ?? {}) as Filter;
      if (typeof filter.propertyName !== 'string' || typeof filter.operator !== 'string') {
        throw validationError('Some required fields were not set: [propertyName, operator]');
      }
      if (!operators.has(filter.operator))
        throw validationError(`Unknown filter operator ${filter.operator}.`);
      return compile(store, filter);
    });
  });
  if (total > SEARCH_LIMITS.filtersTotal) {
    throw validationError(
      `Too many filters: ${total}. A search can have up to ${SEARCH_LIMITS.filtersTotal} filters in all.`,
      {
        subCategory: 'SearchError.TOO_MANY_FILTERS',
      },
    );
  }
  const limit = body.limit === undefined ? 10 : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_LIMITS.pageSize) {
    throw validationError(
      `Invalid limit ${String(body.limit)}: a search page holds at most ${SEARCH_LIMITS.pageSize} results.`,
    );
  }
  const after = body.after === undefined || body.after === null || body.after === '' ? 0 : Number(body.after);
  if (!Number.isInteger(after) || after < 0)
    throw validationError(`Invalid after value ${String(body.after)}.`);
  if (after >= SEARCH_LIMITS.resultCap) {
    throw validationError(
      `Search results are capped at ${SEARCH_LIMITS.resultCap}: paging past result ${SEARCH_LIMITS.resultCap} is not allowed (after=${after}). Narrow the query, e.g. by a date range.`,
      { subCategory: 'SearchError.RESULT_LIMIT_EXCEEDED' },
    );
  }
  const rawSorts = body.sorts ?? [];
  if (!Array.isArray(rawSorts)) throw validationError('Invalid input JSON: "sorts" must be an array.');
  const sorts = rawSorts.map((raw) => {
    if (typeof raw === 'string')
      return raw.startsWith('-')
        ? { propertyName: raw.slice(1), descending: true }
        : { propertyName: raw, descending: false };
    const sort = (raw ?? {}) as { propertyName?: string; direction?: string };
    return { propertyName: String(sort.propertyName ?? ''), descending: sort.direction === 'DESCENDING' };
  });
  const query = typeof body.query === 'string' && body.query.trim() !== '' ? body.query.trim() : undefined;
  if (query && query.length > SEARCH_LIMITS.queryLength)
    throw validationError(`query is longer than ${SEARCH_LIMITS.queryLength} characters.`);
  const properties = Array.isArray(body.properties)
    ? body.properties.filter((item): item is string => typeof item === 'string')
    : undefined;
  return { groups, sorts, limit, after, ...(properties ? { properties } : {}), ...(query ? { query } : {}) };
}

/** Runs a search: returns the page and the total number of matches. */
export function runSearch(
  store: HubSpotObjectStore,
  request: HubSpotSearchRequest,
): { total: number; page: HubSpotRecord[]; nextAfter?: string } {
  const matches: HubSpotRecord[] = [];
  const query = request.query?.toLowerCase();
  for (const record of store.records.values()) {
    if (
      request.groups.length > 0 &&
      !request.groups.some((group) => group.every((filter) => filter.test(record)))
    )
      continue;
    if (
      query &&
      !store.info.searchableProperties.some((name) =>
        (record.properties[name] ?? '').toLowerCase().includes(query),
      )
    )
      continue;
    matches.push(record);
  }
  if (request.sorts.length > 0) {
    matches.sort((left, right) => {
      for (const sort of request.sorts) {
        const definition = store.properties.get(sort.propertyName);
        const a = comparable(definition, left.properties[sort.propertyName]);
        const b = comparable(definition, right.properties[sort.propertyName]);
        if (a === b) continue;
        // Empty values sort last ascending, as HubSpot does.
        if (a === undefined) return 1;
        if (b === undefined) return -1;
        const order = a < b ? -1 : 1;
        return sort.descending ? -order : order;
      }
      return Number(left.id) - Number(right.id);
    });
  }
  const end = Math.min(request.after + request.limit, matches.length, SEARCH_LIMITS.resultCap);
  const page = matches.slice(request.after, end);
  const nextAfter = end < matches.length ? String(end) : undefined;
  return { total: matches.length, page, ...(nextAfter !== undefined ? { nextAfter } : {}) };
}
