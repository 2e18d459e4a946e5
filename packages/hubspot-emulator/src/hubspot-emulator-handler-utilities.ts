/** Helpers shared by the route handlers. */
import { notFoundError, validationError } from './hubspot-emulator-errors.js';
import { type HubSpotObjectStore, resolveStore } from './hubspot-emulator-portal-state.js';
import type { HubSpotHandlerContext, HubSpotHandlerResult } from './hubspot-emulator-routes.js';

/** The current emulator time as ISO-8601. */
export function nowIso(context: HubSpotHandlerContext): string {
  return new Date(context.emulator.now()).toISOString();
}

/** Resolves the object type named by a path parameter; unknown types answer HubSpot's 400. */
export function requireStore(context: HubSpotHandlerContext, parameter = 'objectType'): HubSpotObjectStore {
  const objectType = context.params[parameter] ?? '';
  const store = resolveStore(context.portal, objectType);
  if (!store) throw validationError(`Unable to infer object type from: ${objectType}`);
  return store;
}

/** Like {@link requireStore} but returns undefined (for scope computation, which must not throw). */
export function storeOrUndefined(
  context: HubSpotHandlerContext,
  parameter = 'objectType',
): HubSpotObjectStore | undefined {
  return resolveStore(context.portal, context.params[parameter] ?? '');
}

/** The JSON body as an object; anything else is HubSpot's invalid-input 400. */
export function bodyObject(context: HubSpotHandlerContext): Record<string, unknown> {
  const body = context.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw validationError(
      'Invalid input JSON on line 1, column 1: Cannot build the request body: expected a JSON object',
    );
  }
  return body as Record<string, unknown>;
}

/** The `inputs` array of a batch body. */
export function batchInputs(context: HubSpotHandlerContext): unknown[] {
  const inputs = bodyObject(context).inputs;
  if (!Array.isArray(inputs)) throw validationError('Some required fields were not set: [inputs]');
  return inputs;
}

/** A string list from a query (`properties=a,b&properties=c`). */
export function queryList(context: HubSpotHandlerContext, name: string): string[] | undefined {
  const values = context.query.getAll(name);
  if (values.length === 0) return undefined;
  return values.flatMap((value) => value.split(',')).filter(Boolean);
}

/** A string list from a body field. */
export function bodyList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}

/** A JSON answer. */
export function json(status: number, body?: unknown): HubSpotHandlerResult {
  return { status, body };
}

/** A per-input error of a 207 batch answer. */
export interface HubSpotBatchError {
  status: 'error';
  category: string;
  message: string;
  context?: Record<string, string[]>;
  errors?: unknown[];
}

/** Batch envelope; 207 (`...WithErrors`) when any input failed, the success code otherwise. */
export function batchResult(
  context: HubSpotHandlerContext,
  startedAt: string,
  results: unknown[],
  errors: HubSpotBatchError[],
  successStatus: number,
): HubSpotHandlerResult {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    startedAt,
    completedAt: nowIso(context),
  };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
    return json(207, body);
  }
  return json(successStatus, body);
}

/** Throws 404 when a thing is missing. */
export function found<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw notFoundError(message);
  return value;
}

/** A query flag (`archived=true`). */
export function queryFlag(context: HubSpotHandlerContext, name: string, fallback = false): boolean {
  const value = context.query.get(name);
  if (value === null) return fallback;
  return value === 'true';
}

/** A bounded integer query parameter. */
export function queryInteger(context: HubSpotHandlerContext, name: string, fallback: number): number {
  const value = context.query.get(name);
  if (value === null || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw validationError(`Invalid value for query parameter ${name}: ${value}`);
  return parsed;
}
