/**
 * `pnpm demo` in a browser: the demo comes up with both emulators, its printed admin signs in, and
 * the dashboard shows customers moving through the funnel on both connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startDemo } from '../../src/server/admin-demo.js';
import { describeE2e, E2E_TEST_TIMEOUT, shown, signIn, UI_DIR, withE2eBrowser } from './e2e-support.js';

/** The demo syncs a few hundred customers on each CRM before it is ready. */
const DEMO_START_TIMEOUT = 300_000;

describeE2e('the demo (browser)', () => {
  const lines: string[] = [];
  const suite = withE2eBrowser(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'milepost-demo-e2e-'));
    const removeDataDir = { close: () => rmSync(dataDir, { recursive: true, force: true }) };
    // Only the built UI from the environment: no admin e-mail or password, so the demo makes one up.
    const demo = await startDemo({
      port: 0,
      dataDir,
      env: { MILEPOST_UI_DIR: UI_DIR },
      log: (line) => lines.push(line),
    });
    // Closed in reverse: the demo stops before its data directory is removed.
    return { removeDataDir, demo };
  }, DEMO_START_TIMEOUT);

  it(
    'signs in with the demo admin and shows a funnel with customers for both connections',
    async () => {
      const { demo, page } = suite;
      expect(demo.email).toBe('admin@milepost.local');
      await signIn(page, demo.adminUrl, demo.email, demo.password);
      // The demo's own progress lines never carry its password.
      expect(lines.join('\n')).not.toContain(demo.password);

      await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
      await shown(page.getByRole('heading', { level: 1, name: 'Dashboard' }));
      const journey = page.getByLabel('Journey', { exact: true });
      await expect.poll(() => journey.locator('option[value="saas-lifecycle"]').count()).toBe(1);
      await journey.selectOption('saas-lifecycle');

      const connections: Array<{ id: string; name: string; target: string }> = await (
        await page.request.get(`${demo.adminUrl}/api/connections`)
      ).json();
      expect(connections.map((connection) => connection.target).sort()).toEqual(['hubspot', 'salesforce']);
      const funnel = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Funnel' }) });
      const shownCounts = async () =>
        (await funnel.getByRole('listitem').allTextContents()).map((text) => {
          const match = text.match(/(\d+) reached · (\d+) here/);
          return match ? { reached: Number(match[1]), here: Number(match[2]) } : text;
        });

      for (const connection of connections) {
        await page.getByLabel('Connection', { exact: true }).selectOption({
          label: `${connection.name} (${connection.target === 'hubspot' ? 'HubSpot' : 'Salesforce'})`,
        });
        // The screen keeps the previous connection's numbers while it loads the next: wait for these.
        const dashboard: { customers: number; funnel: Array<{ reached: number; current: number }> } = await (
          await page.request.get(
            `${demo.adminUrl}/api/journeys/saas-lifecycle/dashboard?connectionId=${connection.id}`,
          )
        ).json();
        const expected = dashboard.funnel.map((step) => ({ reached: step.reached, here: step.current }));
        await expect.poll(shownCounts, { timeout: 60_000 }).toEqual(expected);
        expect(expected, connection.name).toHaveLength(4);
        expect(
          expected.some((step) => step.reached > 0),
          `${connection.name}: nobody reached any stage`,
        ).toBe(true);
        expect(
          expected.reduce((sum, step) => sum + step.here, 0),
          `${connection.name}: nobody is on the journey`,
        ).toBeGreaterThan(0);
        expect(dashboard.customers, connection.name).toBeGreaterThan(0);
        await shown(page.getByText(`${dashboard.customers} customers on this journey, as of the last sync.`));
      }
    },
    E2E_TEST_TIMEOUT,
  );
});
