import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests live in test/, not beside the cards: everything under src/ is uploaded to HubSpot as the project.
  test: { include: ['test/**/*.test.{ts,tsx}'] },
});
