import { recordError, type SalesforceRecordError } from './salesforce-emulator-errors.js';
import type { SalesforceRecord } from './salesforce-emulator-org-state.js';
import type {
  SalesforceFault,
  SalesforceFaultController,
  SalesforceRequestLog,
  SalesforceRequestLogEntry,
} from './salesforce-emulator-types.js';

/** Fault state shared by the HTTP server and the JS controller. */
export interface FaultState extends SalesforceFaultController {
  /** The first matching request-level fault (consumes one use). */
  takeRequestFault(method: string, path: string, orgId: string | undefined): SalesforceFault | undefined;
  /** Latency to add to a request (consumes one use of each matching latency fault). */
  takeLatency(method: string, path: string, orgId: string | undefined): number;
  /** A per-record failure for a write, if one matches (consumes one use). */
  takeRecordFailure(
    orgId: string,
    operation: 'create' | 'update' | 'delete',
    sobject: string,
    record: SalesforceRecord,
  ): SalesforceRecordError | undefined;
  /** Counts a write request; returns true when the emulator must now behave as crashed. */
  countWrite(): boolean;
}

type StoredFault = SalesforceFault & { id: string; remaining: number };

function matchesRequest(
  fault: StoredFault,
  method: string,
  path: string,
  orgId: string | undefined,
): boolean {
  if (!('path' in fault) && !('method' in fault) && !('orgId' in fault)) return true;
  const candidate = fault as { path?: string; method?: string; orgId?: string };
  if (candidate.path !== undefined && !path.includes(candidate.path)) return false;
  if (candidate.method !== undefined && candidate.method.toUpperCase() !== method.toUpperCase()) return false;
  if (candidate.orgId !== undefined && candidate.orgId !== orgId) return false;
  return true;
}

/** Creates the fault controller. */
export function createFaultState(): FaultState {
  let faults: StoredFault[] = [];
  let counter = 0;
  let writes = 0;
  let crashed = false;
  const consume = (fault: StoredFault) => {
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults = faults.filter((candidate) => candidate !== fault);
  };
  return {
    add(fault) {
      const id = `fault-${++counter}`;
      faults.push({
        ...fault,
        id,
        remaining: 'times' in fault && fault.times !== undefined ? fault.times : Number.POSITIVE_INFINITY,
      });
      if (fault.type === 'crash-after-writes') writes = 0;
      return id;
    },
    remove(id) {
      const before = faults.length;
      faults = faults.filter((fault) => fault.id !== id);
      return faults.length < before;
    },
    clear() {
      faults = [];
      crashed = false;
      writes = 0;
    },
    list() {
      return faults.map(({ remaining: _remaining, ...fault }) => fault);
    },
    get crashed() {
      return crashed;
    },
    takeRequestFault(method, path, orgId) {
      const fault = faults.find(
        (candidate) =>
          (candidate.type === 'http-error' || candidate.type === 'request-limit') &&
          matchesRequest(candidate, method, path, orgId),
      );
      if (fault) consume(fault);
      return fault;
    },
    takeLatency(method, path, orgId) {
      let total = 0;
      for (const fault of [...faults]) {
        if (fault.type !== 'latency' || !matchesRequest(fault, method, path, orgId)) continue;
        total += fault.ms;
        consume(fault);
      }
      return total;
    },
    takeRecordFailure(orgId, operation, sobject, record) {
      const fault = faults.find((candidate) => {
        if (candidate.type !== 'record-failure') return false;
        if (candidate.orgId !== undefined && candidate.orgId !== orgId) return false;
        if (candidate.sobject !== undefined && candidate.sobject.toLowerCase() !== sobject.toLowerCase())
          return false;
        if (candidate.operation !== undefined && candidate.operation !== operation) return false;
        if (candidate.field !== undefined) {
          const key = Object.keys(record).find(
            (name) => name.toLowerCase() === candidate.field?.toLowerCase(),
          );
          if (!key || String(record[key]) !== String(candidate.value)) return false;
        }
        return true;
      });
      if (fault?.type !== 'record-failure') return undefined;
      consume(fault);
      return recordError(
        fault.statusCode ?? 'UNABLE_TO_LOCK_ROW',
        fault.message ?? 'unable to obtain exclusive access to this record or 1 records',
        [],
      );
    },
    countWrite() {
      const crash = faults.find((fault) => fault.type === 'crash-after-writes');
      if (crash?.type !== 'crash-after-writes') return crashed;
      if (writes >= crash.writes) crashed = true;
      else writes += 1;
      return crashed;
    },
  };
}

const MAX_ENTRIES = 10000;

/** The request log. */
export interface RequestLogState extends SalesforceRequestLog {
  record(entry: SalesforceRequestLogEntry): void;
}

/** Creates an empty request log. */
export function createRequestLog(): RequestLogState {
  let entries: SalesforceRequestLogEntry[] = [];
  let counts = new Map<string, number>();
  return {
    record(entry) {
      entries.push(entry);
      if (entries.length > MAX_ENTRIES * 1.5) entries = entries.slice(-MAX_ENTRIES);
      counts.set(entry.endpoint, (counts.get(entry.endpoint) ?? 0) + 1);
    },
    entries: () => entries.slice(-MAX_ENTRIES),
    counts: () => Object.fromEntries(counts),
    count: (endpoint) =>
      endpoint === undefined
        ? [...counts.values()].reduce((sum, value) => sum + value, 0)
        : (counts.get(endpoint) ?? 0),
    clear() {
      entries = [];
      counts = new Map();
    },
  };
}
