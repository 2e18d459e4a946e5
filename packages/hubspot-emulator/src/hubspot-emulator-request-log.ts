/**
 * The log of API requests, so tests and benchmarks count calls exactly. Control-API requests
 * (`/__emulator/...`) are not logged.
 */

/** One logged request. */
export interface HubSpotRequestLogEntry {
  method: string;
  path: string;
  /** `METHOD /path/{param}` with ids replaced by placeholders; object types and versions stay literal. */
  endpoint: string;
  status: number;
  /** The portal of the token, when the request was authenticated. */
  hubId?: number;
  /** Epoch milliseconds on the emulator clock. */
  at: number;
}

/** A filter for {@link HubSpotRequestLog.count}. */
export interface HubSpotRequestFilter {
  method?: string;
  /** Exact path, or a RegExp tested against it. */
  path?: string | RegExp;
  endpoint?: string;
  status?: number;
  hubId?: number;
}

/** The request log. */
export interface HubSpotRequestLog {
  /** Logged requests, oldest first (the most recent `limit` of them). */
  readonly entries: readonly HubSpotRequestLogEntry[];
  count(filter?: HubSpotRequestFilter): number;
  /** Requests per endpoint since the last clear (exact even when old entries were trimmed). */
  countByEndpoint(): Record<string, number>;
  clear(): void;
}

/** Internal side used by the server. */
export interface HubSpotRequestLogWriter extends HubSpotRequestLog {
  add(entry: HubSpotRequestLogEntry): void;
}

/** Creates a log keeping at most `limit` entries. */
export function createRequestLog(limit = 200_000): HubSpotRequestLogWriter {
  let entries: HubSpotRequestLogEntry[] = [];
  let byEndpoint = new Map<string, number>();
  return {
    get entries() {
      return entries;
    },
    add(entry) {
      entries.push(entry);
      if (entries.length > limit * 1.25) entries = entries.slice(entries.length - limit);
      byEndpoint.set(entry.endpoint, (byEndpoint.get(entry.endpoint) ?? 0) + 1);
    },
    count(filter) {
      if (!filter) return entries.length;
      let total = 0;
      for (const entry of entries) {
        if (filter.method && entry.method !== filter.method.toUpperCase()) continue;
        if (
          filter.path !== undefined &&
          (typeof filter.path === 'string' ? entry.path !== filter.path : !filter.path.test(entry.path))
        )
          continue;
        if (filter.endpoint && entry.endpoint !== filter.endpoint) continue;
        if (filter.status !== undefined && entry.status !== filter.status) continue;
        if (filter.hubId !== undefined && entry.hubId !== filter.hubId) continue;
        total++;
      }
      return total;
    },
    countByEndpoint: () => Object.fromEntries(byEndpoint),
    clear() {
      entries = [];
      byEndpoint = new Map();
    },
  };
}
