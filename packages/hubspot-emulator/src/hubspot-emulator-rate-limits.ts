/**
 * HubSpot's API budgets (research: hubspot-api.md §2.1–§2.2): a rolling ten-second budget per app
 * (private apps: 100 on Free/Starter, 190 on Professional/Enterprise; OAuth/marketplace apps: 110 per
 * installing account), a daily budget per account for private apps, and 5 searches per second per account.
 */
import { rateLimitBody } from './hubspot-emulator-errors.js';
import type { HubSpotTokenRecord } from './hubspot-emulator-tokens.js';
import type { HubSpotTier } from './hubspot-emulator-types.js';

/** Budgets; each may be overridden (a test wanting 429s quickly sets small numbers). */
export interface HubSpotRateLimitSettings {
  /** Ten-secondly budget of a private app by tier. */
  privateTenSecondly: Record<HubSpotTier, number>;
  /** Ten-secondly budget of an OAuth app per installing account. */
  oauthTenSecondly: number;
  /** Daily budget per account, shared by its private apps. OAuth apps have none stated. */
  privateDaily: Record<HubSpotTier, number>;
  /** Search requests per second per account. */
  searchPerSecond: number;
  /** The rolling window, 10,000 ms. */
  intervalMilliseconds: number;
}

/** Overrides of {@link HubSpotRateLimitSettings}. */
export type HubSpotRateLimitOverrides = Partial<
  Omit<HubSpotRateLimitSettings, 'privateTenSecondly' | 'privateDaily'>
> & {
  privateTenSecondly?: Partial<Record<HubSpotTier, number>>;
  privateDaily?: Partial<Record<HubSpotTier, number>>;
};

/** The published defaults. */
export const DEFAULT_RATE_LIMITS: HubSpotRateLimitSettings = {
  privateTenSecondly: { free: 100, starter: 100, professional: 190, enterprise: 190 },
  oauthTenSecondly: 110,
  // 625,000 per the current usage-guidelines page (the 2024 changelog said 650,000).
  privateDaily: { free: 250_000, starter: 250_000, professional: 625_000, enterprise: 1_000_000 },
  searchPerSecond: 5,
  intervalMilliseconds: 10_000,
};

/** Merges overrides into the defaults. */
export function mergeRateLimits(
  overrides: HubSpotRateLimitOverrides | undefined,
  base = DEFAULT_RATE_LIMITS,
): HubSpotRateLimitSettings {
  return {
    ...base,
    ...overrides,
    privateTenSecondly: { ...base.privateTenSecondly, ...overrides?.privateTenSecondly },
    privateDaily: { ...base.privateDaily, ...overrides?.privateDaily },
  };
}

/** The outcome of charging a request to its budgets. */
export type HubSpotRateDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; body: Record<string, unknown> };

/** The rate limiter of the whole emulator (buckets are per portal and app). */
export interface HubSpotRateLimiter {
  settings: HubSpotRateLimitSettings;
  enabled: boolean;
  charge(token: HubSpotTokenRecord, tier: HubSpotTier, budget: 'standard' | 'search'): HubSpotRateDecision;
  reset(): void;
}

/** A window of timestamps kept as a ring, cheap enough for thousands of requests a second. */
interface RollingWindow {
  stamps: number[];
}

function countSince(window: RollingWindow, since: number): number {
  // Drop expired stamps from the front; the array stays sorted because the clock never goes back.
  let drop = 0;
  while (drop < window.stamps.length && (window.stamps[drop] as number) <= since) drop++;
  if (drop > 0) window.stamps.splice(0, drop);
  return window.stamps.length;
}

/** Creates the limiter. */
export function createRateLimiter(
  settings: HubSpotRateLimitSettings,
  enabled: boolean,
  now: () => number,
): HubSpotRateLimiter {
  const tenSecondly = new Map<string, RollingWindow>();
  const daily = new Map<number, { day: number; used: number }>();
  const searches = new Map<number, RollingWindow>();
  const limiter: HubSpotRateLimiter = {
    settings,
    enabled,
    reset() {
      tenSecondly.clear();
      daily.clear();
      searches.clear();
    },
    charge(token, tier, budget) {
      const current = now();
      const s = limiter.settings;
      if (budget === 'search') {
        // Search is exempt from the ten-secondly budget, has its own per-second one and sends no headers.
        let window = searches.get(token.hubId);
        if (!window) {
          window = { stamps: [] };
          searches.set(token.hubId, window);
        }
        if (limiter.enabled && countSince(window, current - 1000) >= s.searchPerSecond) {
          return {
            allowed: false,
            headers: {},
            body: rateLimitBody('SECONDLY', `publicapi:search-secondly:${token.hubId}`),
          };
        }
        window.stamps.push(current);
        return { allowed: true, headers: {} };
      }
      const key = `${token.hubId}:${token.appId}`;
      const max = token.kind === 'oauth' ? s.oauthTenSecondly : s.privateTenSecondly[tier];
      let window = tenSecondly.get(key);
      if (!window) {
        window = { stamps: [] };
        tenSecondly.set(key, window);
      }
      const used = countSince(window, current - s.intervalMilliseconds);
      const headers: Record<string, string> = {
        'X-HubSpot-RateLimit-Interval-Milliseconds': String(s.intervalMilliseconds),
        'X-HubSpot-RateLimit-Max': String(max),
      };
      const dailyMax = s.privateDaily[tier];
      const day = Math.floor(current / 86_400_000);
      let dailyUsage = daily.get(token.hubId);
      if (!dailyUsage || dailyUsage.day !== day) {
        dailyUsage = { day, used: 0 };
        daily.set(token.hubId, dailyUsage);
      }
      const isPrivate = token.kind === 'private';
      if (limiter.enabled && isPrivate && dailyUsage.used >= dailyMax) {
        headers['X-HubSpot-RateLimit-Remaining'] = String(Math.max(0, max - used));
        headers['X-HubSpot-RateLimit-Daily'] = String(dailyMax);
        headers['X-HubSpot-RateLimit-Daily-Remaining'] = '0';
        return {
          allowed: false,
          headers,
          body: rateLimitBody('DAILY', `publicapi:private-app-api-calls-daily:${token.hubId}`),
        };
      }
      if (limiter.enabled && used >= max) {
        headers['X-HubSpot-RateLimit-Remaining'] = '0';
        if (isPrivate) {
          headers['X-HubSpot-RateLimit-Daily'] = String(dailyMax);
          headers['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, dailyMax - dailyUsage.used));
        }
        const group = isPrivate
          ? `publicapi:private-app-api-calls-ten-secondly:${token.appId}:${token.hubId}`
          : `publicapi:oauth-app-api-calls-ten-secondly:${token.appId}:${token.hubId}`;
        return { allowed: false, headers, body: rateLimitBody('TEN_SECONDLY_ROLLING', group) };
      }
      window.stamps.push(current);
      if (window.stamps.length > max * 2) window.stamps.splice(0, window.stamps.length - max);
      dailyUsage.used += 1;
      headers['X-HubSpot-RateLimit-Remaining'] = String(Math.max(0, max - used - 1));
      // Daily headers are not sent for OAuth-authorised requests (research §2.2).
      if (isPrivate) {
        headers['X-HubSpot-RateLimit-Daily'] = String(dailyMax);
        headers['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, dailyMax - dailyUsage.used));
      }
      return { allowed: true, headers };
    },
  };
  return limiter;
}
