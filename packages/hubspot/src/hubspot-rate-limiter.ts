/**
 * One rate limiter per portal: HubSpot's ten-secondly budget for the app kind and tier, the search
 * endpoints' own per-second budget, and the daily budget — so the sync spends calls as fast as the
 * portal allows and never faster. `@hubspot/api-client`'s own limiter is process-wide (shared across
 * portals), so it is not used (research: hubspot-api.md §2.3).
 */

/** The budget a request draws from. */
export type HubSpotBudget = 'standard' | 'search';

/** Budgets of one portal. */
export interface HubSpotRateLimits {
  /** Requests per rolling ten seconds (private apps: 100 free/starter, 190 pro/enterprise; OAuth apps: 110). */
  tenSecondly: number;
  /** Search requests per second (5 per account). */
  searchPerSecond: number;
  /** Requests per day, when known (private apps); undefined for OAuth apps, whose daily budget is not published. */
  daily?: number;
}

/** The budgets HubSpot documents for an app kind and tier (research: hubspot-api.md §2.1). */
export function hubSpotRateLimits(
  appKind: 'private' | 'oauth',
  tier: 'free' | 'starter' | 'professional' | 'enterprise',
): HubSpotRateLimits {
  if (appKind === 'oauth') return { tenSecondly: 110, searchPerSecond: 5 };
  const paid = tier === 'professional' || tier === 'enterprise';
  return {
    tenSecondly: paid ? 190 : 100,
    searchPerSecond: 5,
    daily: tier === 'enterprise' ? 1_000_000 : tier === 'professional' ? 625_000 : 250_000,
  };
}

/** A clock and a sleep, injectable so tests run without waiting. */
export interface LimiterClock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

const realClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** What the limiter knows, for progress displays and reports. */
export interface HubSpotLimiterStats {
  /** Requests started, per budget. */
  requests: Record<HubSpotBudget, number>;
  /** Milliseconds spent waiting for a budget. */
  waitedMilliseconds: number;
  /** The daily remaining count from the last response that carried it. */
  dailyRemaining?: number;
}

/** A per-portal limiter. */
export interface HubSpotRateLimiter {
  /**
   * Waits until a request may start on `budget`, then counts it and answers true. With a `deadline`
   * (a time on the limiter's clock) it answers false at once, counting nothing, when that start would
   * not come before the deadline.
   */
  acquire(budget: HubSpotBudget, deadline?: number): Promise<boolean>;
  /** Makes every request wait until `until` (after a 429 told us the window is spent). */
  pauseUntil(until: number): void;
  /** Reads `X-HubSpot-RateLimit-*` headers to stay in step with HubSpot's own count. */
  observe(headers: Headers): void;
  stats(): HubSpotLimiterStats;
}

/** Sliding-window limiter: at most `limit` starts in any `windowMilliseconds`. */
function slidingWindow(initialLimit: number, windowMilliseconds: number) {
  const starts: number[] = [];
  let head = 0;
  let limit = initialLimit;
  return {
    setLimit(value: number): void {
      limit = value;
    },
    /** Milliseconds until a start is allowed at `now` (0 when allowed). */
    delay(now: number): number {
      while (head < starts.length && starts[head]! <= now - windowMilliseconds) head++;
      if (head > 1024) {
        starts.splice(0, head);
        head = 0;
      }
      if (starts.length - head < limit) return 0;
      return starts[head]! + windowMilliseconds - now;
    },
    record(now: number): void {
      starts.push(now);
    },
  };
}

/** Creates the limiter of one portal. */
export function createHubSpotRateLimiter(
  limits: HubSpotRateLimits,
  clock: LimiterClock = realClock,
): HubSpotRateLimiter {
  // Keep a small safety margin: HubSpot counts on its side, and requests in flight arrive late.
  const standard = slidingWindow(Math.max(1, limits.tenSecondly - 2), 10_000);
  const search = slidingWindow(Math.max(1, limits.searchPerSecond - 1), 1_000);
  const stats: HubSpotLimiterStats = { requests: { standard: 0, search: 0 }, waitedMilliseconds: 0 };
  let pausedUntil = 0;
  let queue: Promise<void> = Promise.resolve();

  const acquireNow = async (budget: HubSpotBudget, deadline: number | undefined): Promise<boolean> => {
    const window = budget === 'search' ? search : standard;
    for (;;) {
      const now = clock.now();
      const wait = Math.max(pausedUntil - now, window.delay(now));
      if (deadline !== undefined && now + Math.max(0, wait) >= deadline) return false;
      if (wait <= 0) {
        window.record(now);
        stats.requests[budget]++;
        return true;
      }
      stats.waitedMilliseconds += wait;
      await clock.sleep(wait);
    }
  };

  return {
    acquire(budget, deadline) {
      // Serialise acquisitions so concurrent callers are admitted in order.
      const turn = queue.then(() => acquireNow(budget, deadline));
      queue = turn.then(
        () => undefined,
        () => undefined,
      );
      return turn;
    },
    pauseUntil(until) {
      pausedUntil = Math.max(pausedUntil, until);
    },
    observe(headers) {
      // HubSpot says the portal's real budget on every response: follow it rather than a guessed tier.
      const max = Number(headers.get('x-hubspot-ratelimit-max'));
      if (Number.isInteger(max) && max > 0) standard.setLimit(Math.max(1, max - 2));
      const remaining = headers.get('x-hubspot-ratelimit-daily-remaining');
      if (remaining !== null && !Number.isNaN(Number(remaining))) stats.dailyRemaining = Number(remaining);
    },
    stats: () => ({ ...stats, requests: { ...stats.requests } }),
  };
}
