/**
 * The HubSpot app's install in a browser (issue 9): Connections → "Install with OAuth" → the HubSpot
 * emulator's consent page → back on the install page with its preflight → provision the portal with
 * a template journey and the default mapping → confirmed apply — and the portal, read through
 * @hubspot/api-client, holds the Milepost properties and pipeline. Cancelling on the consent page
 * ends on the friendly page with nothing stored.
 */
import { createHubSpotEmulator } from '@milepost/hubspot-emulator';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  ADMIN,
  applyPlan,
  completeSetup,
  describeE2e,
  E2E_TEST_TIMEOUT,
  expectSaasLifecycleOnPortal,
  hubSpotClient,
  newContext,
  shown,
  signIn,
  startE2eAdmin,
  withE2eBrowser,
} from './e2e-support.js';

const JOURNEY = 'SaaS customer success lifecycle';

describeE2e('HubSpot app: install with OAuth and provision the portal (browser)', () => {
  const suite = withE2eBrowser(async () => {
    // The emulator first: the admin is configured with it as HubSpot.
    const hubspot = await createHubSpotEmulator({ seed: 'demo' });
    const admin = await startE2eAdmin({ hubspot });
    return { hubspot, admin };
  });

  /** Connections → "Install with OAuth": ends on the emulator's consent page. */
  async function openConsent(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Connections', exact: true }).click();
    await shown(page.getByRole('heading', { level: 1, name: 'Connections' }));
    await page.getByRole('radio', { name: 'HubSpot' }).check();
    await page.getByRole('link', { name: 'Install with OAuth' }).click();
    await page.waitForURL((url) => url.origin === new URL(suite.hubspot.url).origin);
  }

  const installs = async (page: Page) =>
    (await (await page.request.get(`${suite.admin.url}/api/installs`)).json()) as unknown[];

  it(
    'cancelled on the consent page: the friendly page, and no install or connection is stored',
    async () => {
      // First in the file, so it also creates the admin account the next test signs in with.
      const { admin, page } = suite;
      await completeSetup(page, admin.url);
      await openConsent(page);
      await page.getByRole('link', { name: 'Cancel' }).click();
      await shown(page.getByRole('heading', { level: 1, name: 'Milepost was not installed' }));
      expect(new URL(page.url()).origin).toBe(new URL(admin.url).origin);
      await shown(page.getByText('You cancelled the connection in HubSpot, so nothing was stored.'));
      await shown(page.getByRole('link', { name: 'Install Milepost' }));
      expect(await installs(page)).toEqual([]);
      const connections = await (await page.request.get(`${admin.url}/api/connections`)).json();
      expect(connections).toEqual([]);
    },
    E2E_TEST_TIMEOUT,
  );

  it(
    'allowed: preflight on the install page, then a template journey planned and applied on the portal',
    async () => {
      const { admin, hubspot, browser } = suite;
      // A fresh browser session that signs in, as someone coming back to install would.
      const context = await newContext(browser);
      try {
        const page = await context.newPage();
        await signIn(page, admin.url, ADMIN.email, ADMIN.password);
        await openConsent(page);
        await page.getByRole('link', { name: 'Connect app' }).click();

        const hubId = hubspot.defaultHubId;
        await page.waitForURL(new RegExp(`/installs/${hubId}$`));
        await shown(page.getByRole('heading', { level: 1, name: `HubSpot account ${hubId}` }));
        // The mark's ✓ is aria-hidden: the heading's accessible name is the words.
        await shown(page.getByRole('heading', { level: 2, name: 'Preflight: ready' }));
        const [install] = (await installs(page)) as Array<{ connectionId: string; status: string }>;
        expect(install?.status).toBe('active');

        // No journey yet: the install page offers the templates right there.
        await shown(page.getByRole('heading', { level: 2, name: 'Provision this portal' }));
        await page.getByRole('button', { name: `Use ${JOURNEY}` }).click();
        const journey = page.getByLabel('Journey', { exact: true });
        await expect.poll(() => journey.inputValue()).toBe('saas-lifecycle');
        await shown(page.getByText('Uses the default field mapping'));
        // The demo portal starts without Milepost's group: the apply below is what creates it.
        await expect(
          hubSpotClient(hubspot).crm.properties.groupsApi.getByName('companies', 'milepost'),
        ).rejects.toThrow();

        const outcome = await applyPlan(page, `HubSpot account ${hubId}`);
        expect(outcome).toMatch(/^Succeeded/);
        // Each change of the plan is listed with its result.
        const results = page.locator('.result-list > li');
        expect(await results.count()).toBeGreaterThan(0);
        expect(await results.filter({ hasText: 'Failed' }).count()).toBe(0);

        // The plan was made for the install's connection, and the journey now rides on it.
        const runs = await (
          await page.request.get(`${admin.url}/api/runs?connectionId=${install?.connectionId}`)
        ).json();
        expect(runs.map((run: { kind: string; status: string }) => [run.kind, run.status])).toEqual([
          ['apply', 'succeeded'],
        ]);

        await expectSaasLifecycleOnPortal(hubspot);

        // The app's client secret never reaches the page or the log.
        expect(await page.content()).not.toContain(hubspot.app.clientSecret);
        expect(admin.logs.join('\n')).not.toContain(hubspot.app.clientSecret);
      } finally {
        await context.close();
      }
    },
    E2E_TEST_TIMEOUT,
  );
});
