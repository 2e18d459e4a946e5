import { describe, expect, test } from 'vitest';
import { createHubSpotRateLimiter, hubSpotRateLimits, type LimiterClock } from './hubspot-rate-limiter.js';

function fakeClock(): LimiterClock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (milliseconds: number) => {
      clock.time += milliseconds;
    },
  };
  return clock;
}

describe('hubSpotRateLimits', () => {
  test('the documented budgets per app kind and tier', () => {
    expect(hubSpotRateLimits('private', 'free')).toEqual({
      tenSecondly: 100,
      searchPerSecond: 5,
      daily: 250_000,
    });
    expect(hubSpotRateLimits('private', 'professional')).toEqual({
      tenSecondly: 190,
      searchPerSecond: 5,
      daily: 625_000,
    });
    expect(hubSpotRateLimits('private', 'enterprise').daily).toBe(1_000_000);
    expect(hubSpotRateLimits('oauth', 'enterprise')).toEqual({ tenSecondly: 110, searchPerSecond: 5 });
  });
});

describe('createHubSpotRateLimiter', () => {
  test('never starts more than the budget (less a margin) in any ten seconds, and waits no longer than needed', async () => {
    const clock = fakeClock();
    const limiter = createHubSpotRateLimiter({ tenSecondly: 12, searchPerSecond: 5 }, clock);
    const starts: number[] = [];
    for (let index = 0; index < 35; index++) {
      await limiter.acquire('standard');
      starts.push(clock.time);
    }
    for (let index = 10; index < starts.length; index++)
      expect(starts[index]! - starts[index - 10]!).toBeGreaterThanOrEqual(10_000);
    expect(starts.slice(0, 10).every((time) => time === 0)).toBe(true);
    expect(starts[10]).toBe(10_000);
    expect(starts[34]).toBe(30_000);
    expect(limiter.stats().requests.standard).toBe(35);
  });

  test('search has its own per-second budget that does not consume the standard one', async () => {
    const clock = fakeClock();
    const limiter = createHubSpotRateLimiter({ tenSecondly: 100, searchPerSecond: 5 }, clock);
    for (let index = 0; index < 8; index++) await limiter.acquire('search');
    expect(clock.time).toBe(1_000);
    await limiter.acquire('standard');
    expect(clock.time).toBe(1_000);
    expect(limiter.stats().requests).toEqual({ standard: 1, search: 8 });
  });

  test('a pause after a 429 holds every request until the window reopens', async () => {
    const clock = fakeClock();
    const limiter = createHubSpotRateLimiter({ tenSecondly: 100, searchPerSecond: 5 }, clock);
    limiter.pauseUntil(4_000);
    await limiter.acquire('standard');
    expect(clock.time).toBe(4_000);
    expect(limiter.stats().waitedMilliseconds).toBe(4_000);
  });

  test('with a deadline, a start that would not come before it is refused at once and counts nothing', async () => {
    const clock = fakeClock();
    const limiter = createHubSpotRateLimiter({ tenSecondly: 100, searchPerSecond: 5 }, clock);
    limiter.pauseUntil(4_000);
    expect(await limiter.acquire('standard', 3_000)).toBe(false);
    expect(clock.time).toBe(0);
    expect(limiter.stats().requests.standard).toBe(0);
    expect(await limiter.acquire('standard', 5_000)).toBe(true);
    expect(clock.time).toBe(4_000);
    expect(limiter.stats().requests.standard).toBe(1);
  });

  test('concurrent callers are admitted in order within the budget', async () => {
    const clock = fakeClock();
    const limiter = createHubSpotRateLimiter({ tenSecondly: 5, searchPerSecond: 5 }, clock);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, index) => limiter.acquire('standard').then(() => order.push(index))),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(clock.time).toBe(10_000);
  });

  test('follows the budget HubSpot announces in X-HubSpot-RateLimit-Max', async () => {
    const clock = fakeClock();
    const limiter = createHubSpotRateLimiter({ tenSecondly: 100, searchPerSecond: 5 }, clock);
    limiter.observe(new Headers({ 'X-HubSpot-RateLimit-Max': '12' }));
    for (let index = 0; index < 11; index++) await limiter.acquire('standard');
    expect(clock.time).toBe(10_000);
  });

  test('reads the daily remaining header when HubSpot sends it', () => {
    const limiter = createHubSpotRateLimiter({ tenSecondly: 100, searchPerSecond: 5 });
    limiter.observe(new Headers({ 'X-HubSpot-RateLimit-Daily-Remaining': '4242' }));
    expect(limiter.stats().dailyRemaining).toBe(4242);
  });
});
