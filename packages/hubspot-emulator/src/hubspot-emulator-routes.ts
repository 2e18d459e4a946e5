/**
 * Route table types and the path matcher. Every resource is reachable by its legacy path (`/crm/v3/...`,
 * `/crm/v4/...`, `/oauth/v1/...`, what `@hubspot/api-client` 14 calls) and by its date-versioned path
 * (`/crm/objects/2026-09/...`), research: hubspot-api.md §1.0.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HubSpotFaultEngine } from './hubspot-emulator-faults.js';
import type { HubSpotPortalState } from './hubspot-emulator-portal-state.js';
import type { HubSpotRateLimiter } from './hubspot-emulator-rate-limits.js';
import type { HubSpotTokenRecord, HubSpotTokenRegistry } from './hubspot-emulator-tokens.js';
import type { HubSpotTier } from './hubspot-emulator-types.js';
import type { HubSpotWebhookDispatcher } from './hubspot-emulator-webhooks.js';

/** Date versions the emulator serves (GA ones; `-beta` variants are accepted for workflows only). */
export const DATE_VERSIONS = ['2025-09', '2026-03', '2026-09'] as const;

/** What handlers can reach besides the request. */
export interface HubSpotEmulatorInternals {
  portals: Map<number, HubSpotPortalState>;
  tokens: HubSpotTokenRegistry;
  faults: HubSpotFaultEngine;
  limiter: HubSpotRateLimiter;
  webhooks: HubSpotWebhookDispatcher;
  now(): number;
  url(): string;
  defaultAppId: number;
  /** Called after every successful write so a data file can be saved. */
  changed(): void;
}

/** The request as handlers see it. */
export interface HubSpotHandlerContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  rawBody: string;
  headers: IncomingHttpHeaders;
  /** The token's portal (only on authenticated routes). */
  portal: HubSpotPortalState;
  token: HubSpotTokenRecord;
  /** True on a date-versioned path (`2026-09`), false on `v3`/`v4`/`v1`. */
  dated: boolean;
  emulator: HubSpotEmulatorInternals;
}

/** A handler's answer. */
export interface HubSpotHandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to `application/json;charset=utf-8`. */
  contentType?: string;
}

/** One route. */
export interface HubSpotRoute {
  method: string;
  /** Path patterns: `:name` captures a segment, `:version` must be a date version. */
  paths: string[];
  /** `token`: Bearer token of a portal; `developer`: `hapikey` of an app; `none`: public (OAuth endpoints). */
  auth: 'token' | 'developer' | 'none';
  /** Scopes of which one is needed; computed per request because they depend on the object type. */
  scopes?: (context: HubSpotHandlerContext) => readonly string[] | undefined;
  /** Lowest tier allowed. */
  tier?: HubSpotTier;
  /** Which budget the request is charged to. */
  budget?: 'standard' | 'search' | 'none';
  /** Counts toward `crashAfterWrites` and triggers a save. */
  write?: boolean;
  handle(context: HubSpotHandlerContext): HubSpotHandlerResult | Promise<HubSpotHandlerResult>;
}

interface CompiledPattern {
  segments: string[];
  dated: boolean;
  route: HubSpotRoute;
}

/** A compiled route table. */
export interface HubSpotRouter {
  match(
    method: string,
    segments: string[],
  ):
    | { route: HubSpotRoute; params: Record<string, string>; dated: boolean; endpoint: string }
    | { methodNotAllowed: true }
    | undefined;
}

// Params that stay literal in request-log endpoint names: they tell endpoints apart.
const literalParams = new Set(['version', 'objectType', 'fromObjectType', 'toObjectType', 'action']);

const versionPattern = /^\d{4}-\d{2}(-beta)?$/;

/** Compiles routes; literal segments win over captures, earlier routes over later ones. */
export function createRouter(routes: readonly HubSpotRoute[]): HubSpotRouter {
  const compiled: CompiledPattern[] = [];
  for (const route of routes) {
    for (const path of route.paths) {
      const segments = path.split('/').filter(Boolean);
      compiled.push({ segments, dated: segments.includes(':version'), route });
    }
  }
  const byLength = new Map<number, CompiledPattern[]>();
  for (const pattern of compiled) {
    const list = byLength.get(pattern.segments.length) ?? [];
    list.push(pattern);
    byLength.set(pattern.segments.length, list);
  }
  // More literal segments first, so `/objects/companies/search` beats `/objects/:objectType/:objectId`.
  for (const list of byLength.values()) {
    list.sort((left, right) => literalCount(right.segments) - literalCount(left.segments));
  }
  return {
    match(method, segments) {
      const candidates = byLength.get(segments.length);
      if (!candidates) return undefined;
      let pathMatched = false;
      for (const candidate of candidates) {
        const params = matchSegments(candidate.segments, segments);
        if (!params) continue;
        if (candidate.route.method !== method) {
          pathMatched = true;
          continue;
        }
        const endpoint = `${method} /${candidate.segments.map((segment, index) => (segment.startsWith(':') ? (literalParams.has(segment.slice(1)) ? segments[index] : `{${segment.slice(1)}}`) : segment)).join('/')}`;
        return { route: candidate.route, params, dated: candidate.dated, endpoint };
      }
      return pathMatched ? { methodNotAllowed: true } : undefined;
    },
  };
}

function literalCount(segments: string[]): number {
  return segments.filter((segment) => !segment.startsWith(':')).length;
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index] as string;
    const actual = segments[index] as string;
    if (expected.startsWith(':')) {
      const name = expected.slice(1);
      let value: string;
      try {
        value = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
      if (
        name === 'version' &&
        !(
          versionPattern.test(value) &&
          (DATE_VERSIONS.includes(value as (typeof DATE_VERSIONS)[number]) || value.endsWith('-beta'))
        )
      ) {
        return undefined;
      }
      params[name] = value;
    } else if (expected !== actual) return undefined;
  }
  return params;
}

/** Both spellings of a CRM path: `/crm/v3/<area>/...` and `/crm/<area>/:version/...`. */
export function crmPaths(area: string, rest: string, legacyVersion = 'v3'): string[] {
  return [`/crm/${legacyVersion}/${area}${rest}`, `/crm/${area}/:version${rest}`];
}
