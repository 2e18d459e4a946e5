/**
 * Fault injection for tests: 429 storms, 5xx, latency, dropped connections, per-record failures in a
 * batch and a crash after N writes. Set from JS (`emulator.faults.set`) or `POST /__emulator/faults`.
 */

/** Which requests a fault applies to (all API requests when omitted). */
export interface HubSpotFaultMatch {
  /** HTTP method, e.g. `POST`. */
  method?: string;
  /** A substring of the path, e.g. `/batch/`. */
  pathIncludes?: string;
}

/** Fault settings; each counted fault is consumed by the requests it hits. */
export interface HubSpotFaultSettings {
  /** The next `count` matching requests get a 429 of this policy (default `TEN_SECONDLY_ROLLING`). */
  rateLimitStorm?: {
    count: number;
    policyName?: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY';
  } & HubSpotFaultMatch;
  /** The next `count` matching requests get this 5xx status (default 502). */
  serverErrors?: { count: number; status?: number } & HubSpotFaultMatch;
  /** Every matching request waits this long before being handled. */
  latency?: { milliseconds: number } & HubSpotFaultMatch;
  /** The next `count` matching requests have their connection destroyed without an answer. */
  dropConnections?: { count: number } & HubSpotFaultMatch;
  /**
   * Batch inputs that fail with a per-input error (the batch answers 207): by record id, by
   * `idProperty` value, or by input position.
   */
  batchFailures?: { ids?: string[]; inputIndexes?: number[]; status?: number; message?: string };
  /** After this many successful writes the server "crashes": every later request is dropped until cleared. */
  crashAfterWrites?: number;
}

/** The fault controller. */
export interface HubSpotFaults {
  /** Replaces the current settings (and resets the write counter of `crashAfterWrites`). */
  set(settings: HubSpotFaultSettings): void;
  /** Removes every fault and recovers from a crash. */
  clear(): void;
  /** The current settings (counts decrease as faults are consumed). */
  get(): HubSpotFaultSettings;
  /** True once `crashAfterWrites` has been reached. */
  readonly crashed: boolean;
}

/** Internal side of the controller used by the server. */
export interface HubSpotFaultEngine extends HubSpotFaults {
  /** Decides what happens to a request before it is handled. */
  before(
    method: string,
    path: string,
  ):
    | { kind: 'drop' }
    | { kind: 'status'; status: number; policyName?: string }
    | { kind: 'latency'; milliseconds: number }
    | undefined;
  /** Counts a successful write toward `crashAfterWrites`. */
  countWrite(): void;
  batchFailure(id: string | undefined, index: number): { status: number; message: string } | undefined;
}

function matches(match: HubSpotFaultMatch, method: string, path: string): boolean {
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.pathIncludes && !path.includes(match.pathIncludes)) return false;
  return true;
}

/** Creates the fault controller. */
export function createFaults(): HubSpotFaultEngine {
  let settings: HubSpotFaultSettings = {};
  let writes = 0;
  let crashed = false;
  return {
    set(next) {
      settings = structuredClone(next);
      writes = 0;
      crashed = false;
    },
    clear() {
      settings = {};
      writes = 0;
      crashed = false;
    },
    get: () => structuredClone(settings),
    get crashed() {
      return crashed;
    },
    before(method, path) {
      if (crashed) return { kind: 'drop' };
      const drop = settings.dropConnections;
      if (drop && drop.count > 0 && matches(drop, method, path)) {
        drop.count -= 1;
        return { kind: 'drop' };
      }
      const storm = settings.rateLimitStorm;
      if (storm && storm.count > 0 && matches(storm, method, path)) {
        storm.count -= 1;
        return { kind: 'status', status: 429, policyName: storm.policyName ?? 'TEN_SECONDLY_ROLLING' };
      }
      const errors = settings.serverErrors;
      if (errors && errors.count > 0 && matches(errors, method, path)) {
        errors.count -= 1;
        return { kind: 'status', status: errors.status ?? 502 };
      }
      const latency = settings.latency;
      if (latency && latency.milliseconds > 0 && matches(latency, method, path))
        return { kind: 'latency', milliseconds: latency.milliseconds };
      return undefined;
    },
    countWrite() {
      if (settings.crashAfterWrites === undefined) return;
      writes += 1;
      if (writes >= settings.crashAfterWrites) crashed = true;
    },
    batchFailure(id, index) {
      const failures = settings.batchFailures;
      if (!failures) return undefined;
      const hit = (id !== undefined && failures.ids?.includes(id)) || failures.inputIndexes?.includes(index);
      if (!hit) return undefined;
      return {
        status: failures.status ?? 500,
        message: failures.message ?? 'Internal error while processing this input (injected fault).',
      };
    },
  };
}
