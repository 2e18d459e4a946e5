/** Whether the browser tests can and must run here; no heavy imports, the global setup reads it too. */
import { existsSync } from 'node:fs';

/** Debian's Chromium (`apt-get install -y chromium`); Playwright never downloads a browser here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** True when the suite must run even without a browser (CI installs Chromium, so a miss is a failure). */
export const E2E_REQUIRED = Boolean(process.env.CI || process.env.MILEPOST_E2E);

/** True when this machine has no Chromium and nobody asked for the suite: skip it, loudly. */
export const E2E_SKIPPED = !existsSync(CHROMIUM_PATH) && !E2E_REQUIRED;
