import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // CI runs every package's suite at once on two cores; these tests drive real servers and big
    // inputs, so the limit is there to catch hangs, not to time anything (benchmarks do that).
    testTimeout: 60_000,
  },
});
