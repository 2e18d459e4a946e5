/**
 * Vitest global setup: builds the UI once before the browser tests when `dist/ui` is missing or
 * older than any file in `src/ui`, so the tests never drive a stale bundle.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { CHROMIUM_PATH, E2E_SKIPPED } from './e2e-environment.js';

const APP_DIR = fileURLToPath(new URL('../../', import.meta.url));

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    const time = entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

/** True when the built UI is missing or older than its sources. */
export function uiBuildIsStale(appDir = APP_DIR): boolean {
  const index = join(appDir, 'dist', 'ui', 'index.html');
  if (!existsSync(index)) return true;
  return newestModification(join(appDir, 'src', 'ui')) > statSync(index).mtimeMs;
}

/** Builds the UI when the browser tests will run and the bundle is stale. */
export default async function setup(): Promise<void> {
  if (E2E_SKIPPED) {
    // Said once here, where it is seen; each skipped suite also names the reason in its title.
    console.warn(
      `Browser tests (test/e2e) skipped: no Chromium at ${CHROMIUM_PATH}. Install it with apt-get install -y chromium; with CI or MILEPOST_E2E set they fail instead.`,
    );
    return;
  }
  if (!uiBuildIsStale()) return;
  await build({ configFile: join(APP_DIR, 'vite.config.ts'), logLevel: 'warn' });
}
