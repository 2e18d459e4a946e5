/**
 * A limiter clock for tests whose sleeps pass instantly: backoff and rate-limit waits cost no test
 * time, and `slept` lists them for assertions. Only tests import it.
 */
import type { LimiterClock } from './hubspot-rate-limiter.js';

export function virtualClock(start = Date.now()): LimiterClock & { slept: number[] } {
  let time = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => time,
    sleep: async (milliseconds: number) => {
      slept.push(milliseconds);
      time += milliseconds;
    },
  };
}
