/**
 * "Accessible (keyboard, labels, contrast) and usable at laptop widths", checked on the demo: every
 * screen with real data passes axe-core's WCAG 2.1 A/AA rules and best practices, fits 1280 and 1024
 * pixel wide windows without horizontal page scrolling and with its main buttons in view, and the
 * plan → apply → confirm flow works from the keyboard alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { startDemo } from '../../src/server/admin-demo.js';
import { createApiClient } from '../../src/server/demo-api-client.js';
import {
  axeViolations,
  describeE2e,
  E2E_RUN_TIMEOUT,
  E2E_TEST_TIMEOUT,
  focused,
  horizontalOverflow,
  newContext,
  shown,
  signIn,
  startE2eAdmin,
  tabTo,
  UI_DIR,
  VIEWPORT,
  withE2eBrowser,
} from './e2e-support.js';

/** The demo syncs a few hundred customers on each CRM before it is ready. */
const DEMO_START_TIMEOUT = 300_000;
const JOURNEY_KEY = 'saas-lifecycle';
const JOURNEY = 'SaaS customer success lifecycle';
const HUBSPOT = 'Local HubSpot (demo portal)';
const SALESFORCE = 'Local Salesforce (demo org)';

/** The laptop windows the admin must work in. */
const LAPTOPS = [
  { width: 1280, height: 800 },
  { width: 1024, height: 768 },
] as const;

/** One screen: how to get there, what it has to show first, and the buttons it is for. */
interface Screen {
  name: string;
  path: string;
  /** Waits until the screen shows its data (and does what it takes to show the interesting parts). */
  ready(page: Page): Promise<void>;
  /** Its main actions, which must be in view at every laptop width. */
  buttons: string[];
}

describeE2e('accessibility and laptop widths (browser)', () => {
  const suite = withE2eBrowser(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'milepost-a11y-e2e-'));
    const removeDataDir = { close: () => rmSync(dataDir, { recursive: true, force: true }) };
    // A fresh admin next to the demo: only it still shows first-run setup.
    const [fresh, demo] = await Promise.all([
      startE2eAdmin(),
      startDemo({ port: 0, dataDir, env: { MILEPOST_UI_DIR: UI_DIR }, log: () => {} }),
    ]);
    // The demo leaves nothing to apply; one renamed stage gives both CRMs a plan with changes.
    const api = createApiClient(demo.adminUrl);
    await api.signIn(demo.email, demo.password);
    const detail = await api.call<{ source: string }>('GET', `/api/journeys/${JOURNEY_KEY}`);
    const source = detail.source.replace('    name: Prospecting\n', '    name: Prospects\n');
    if (source === detail.source) throw new Error('the template has no stage named Prospecting any more');
    await api.call('PUT', `/api/journeys/${JOURNEY_KEY}`, {
      source,
      message: 'Prospecting is now Prospects',
    });
    const connections = await api.call<Array<{ id: string; name: string }>>('GET', '/api/connections');
    const connectionId = (name: string) => {
      const found = connections.find((connection) => connection.name === name);
      if (!found) throw new Error(`the demo has no connection named ${name}`);
      return found.id;
    };
    // Not a server: nothing to close, but withE2eBrowser hands over only what it can close.
    const ids = { close() {}, hubspot: connectionId(HUBSPOT), salesforce: connectionId(SALESFORCE) };
    // Closed in reverse: the demo stops before its data directory is removed.
    return { removeDataDir, demo, fresh, ids };
  }, DEMO_START_TIMEOUT);

  // Every test drives the same signed-in page (signed-out screens get a context of their own).
  beforeAll(() => signIn(suite.page, suite.demo.adminUrl, suite.demo.email, suite.demo.password));

  const heading = (page: Page, name: string | RegExp, level = 1) =>
    shown(page.getByRole('heading', { level, name }));

  /** The screens of a signed-in admin, in the demo's state. */
  const signedInScreens = (): Screen[] => {
    const hubspot = encodeURIComponent(suite.ids.hubspot);
    const both = `journey=${JOURNEY_KEY}&connection=${hubspot}`;
    return [
      {
        name: 'journeys',
        path: '/journeys',
        async ready(page) {
          await heading(page, 'Journeys');
          await shown(page.getByRole('link', { name: `Plan and apply ${JOURNEY}` }));
          const template = page.getByLabel('Template', { exact: true });
          await expect.poll(() => template.locator('option').count()).toBeGreaterThan(1);
        },
        buttons: ['Import', 'Create from template'],
      },
      {
        name: 'journey editor',
        path: `/journeys/${JOURNEY_KEY}`,
        async ready(page) {
          await heading(page, JOURNEY);
          await shown(page.getByRole('status').filter({ hasText: 'No problems found.' }));
          await shown(page.getByRole('heading', { level: 2, name: 'Revisions' }));
          await shown(page.getByRole('cell', { name: 'Prospecting is now Prospects' }));
        },
        buttons: ['Save', 'Show changes', 'Delete journey'],
      },
      {
        name: 'journey map',
        path: `/journeys/${JOURNEY_KEY}/map`,
        async ready(page) {
          await heading(page, `Map of ${JOURNEY}`);
          await shown(page.locator('.journey-map-svg svg'));
        },
        buttons: ['Download SVG', 'Download PNG', 'Print'],
      },
      {
        name: 'field mapping',
        path: `/journeys/${JOURNEY_KEY}/mapping?connection=${hubspot}`,
        async ready(page) {
          await heading(page, `Field mapping of ${JOURNEY}`);
          await shown(page.getByRole('columnheader', { name: 'CRM field' }));
          await shown(page.getByRole('status').filter({ hasText: /^The mapping fits|— see the rows/ }));
        },
        buttons: ['Save', 'Upload'],
      },
      {
        name: 'plan and apply',
        path: `/journeys/${JOURNEY_KEY}/plan?connection=${hubspot}`,
        async ready(page) {
          await heading(page, `Plan and apply ${JOURNEY}`);
          await page.getByRole('button', { name: 'Make a plan' }).click();
          await heading(page, `Plan for ${HUBSPOT}`, 2);
        },
        buttons: ['Make a plan', 'Apply'],
      },
      {
        name: 'connections',
        path: '/connections',
        async ready(page) {
          await heading(page, 'Connections');
          for (const name of [HUBSPOT, SALESFORCE]) {
            const card = page
              .getByRole('listitem')
              .filter({ has: page.getByRole('heading', { level: 3, name }) });
            await card.getByRole('button', { name: 'Run preflight' }).click();
            await shown(card.getByRole('heading', { level: 4, name: /^Preflight:/ }));
          }
        },
        buttons: ['Run preflight', 'Add connection'],
      },
      {
        name: 'runs',
        path: `/runs?${both}`,
        async ready(page) {
          await heading(page, 'Runs');
          const history = page
            .getByRole('table')
            .filter({ has: page.getByRole('columnheader', { name: 'Kind' }) });
          await history.getByRole('button', { name: /^View/ }).first().click();
          await shown(
            page.getByRole('heading', {
              level: 2,
              name: new RegExp(`on ${HUBSPOT.replace(/[()]/g, '\\$&')}$`),
            }),
          );
        },
        buttons: ['Start sync'],
      },
      {
        name: 'dashboard',
        path: `/dashboard?${both}`,
        async ready(page) {
          await heading(page, 'Dashboard');
          await heading(page, 'Funnel', 2);
          // A customer found by name opens "where they are and what's next".
          const customers: Array<{ name: string | null; recordId: string }> = await (
            await page.request.get(
              `${suite.demo.adminUrl}/api/journeys/${JOURNEY_KEY}/customers?connectionId=${hubspot}`,
            )
          ).json();
          const name = customers.find((customer) => customer.name)?.name;
          if (!name) throw new Error('the demo has no named customer');
          await page.getByLabel('Search customers', { exact: true }).fill(name);
          await page.getByRole('button', { name, exact: true }).first().click();
          await shown(page.locator('.customer-panel').getByText('Days in stage', { exact: true }));
        },
        buttons: [],
      },
      {
        // The demo has no HubSpot app, so no install exists: the page shows its error state.
        name: 'install page',
        path: '/installs/1',
        async ready(page) {
          await heading(page, 'HubSpot account 1');
          await shown(page.getByRole('alert'));
        },
        buttons: [],
      },
    ];
  };

  /** The screens before sign-in: first-run setup on the fresh server, sign-in on the demo. */
  const signedOutScreens = (): Array<Screen & { url: string }> => [
    {
      name: 'first-run setup',
      url: suite.fresh.url,
      path: '/',
      ready: (page) => heading(page, 'Create the admin account').then(() => undefined),
      buttons: ['Create account'],
    },
    {
      name: 'sign-in',
      url: suite.demo.adminUrl,
      path: '/',
      ready: (page) => heading(page, 'Sign in to Milepost').then(() => undefined),
      buttons: ['Sign in'],
    },
  ];

  /** Runs `check` on every screen, signed out (own context) then signed in; answers what it reported. */
  async function onEveryScreen(
    check: (page: Page, screen: Screen) => Promise<string[]>,
    viewport?: { width: number; height: number },
  ): Promise<string[]> {
    const problems: string[] = [];
    const signedOut = await newContext(suite.browser);
    try {
      const page = await signedOut.newPage();
      if (viewport) await page.setViewportSize(viewport);
      for (const screen of signedOutScreens()) {
        await page.goto(`${screen.url}${screen.path}`);
        await screen.ready(page);
        problems.push(...(await check(page, screen)).map((problem) => `${screen.name}: ${problem}`));
      }
    } finally {
      await signedOut.close();
    }
    const { page } = suite;
    if (viewport) await page.setViewportSize(viewport);
    for (const screen of signedInScreens()) {
      await page.goto(`${suite.demo.adminUrl}${screen.path}`);
      await screen.ready(page);
      problems.push(...(await check(page, screen)).map((problem) => `${screen.name}: ${problem}`));
    }
    return problems;
  }

  it(
    'every screen passes axe-core’s WCAG 2.1 A and AA rules and its best practices',
    async () => {
      const violations = await onEveryScreen(async (screenPage, screen) => {
        const found = await axeViolations(screenPage);
        if (screen.name !== 'plan and apply') return found;
        // The confirmation is a modal of its own: check it open too, then cancel it.
        await screenPage.getByRole('button', { name: 'Apply', exact: true }).click();
        const dialog = await shown(screenPage.getByRole('dialog', { name: 'Apply this plan?' }));
        const inDialog = (await axeViolations(screenPage)).map((violation) => `confirm dialog: ${violation}`);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'hidden' });
        return [...found, ...inDialog];
      });
      expect(violations.join('\n')).toBe('');
    },
    E2E_TEST_TIMEOUT,
  );

  for (const viewport of LAPTOPS)
    it(
      `at ${viewport.width}×${viewport.height} no screen scrolls sideways and the main buttons are in view`,
      async () => {
        const problems = await onEveryScreen(async (screenPage, screen) => {
          const found: string[] = [];
          const { overflow, culprits } = await horizontalOverflow(screenPage);
          if (overflow > 0) found.push(`${overflow}px wider than the window (${culprits.join(', ')})`);
          for (const name of screen.buttons) {
            const button = screenPage.getByRole('button', { name, exact: true }).first();
            await button.scrollIntoViewIfNeeded();
            const box = await button.boundingBox();
            if (!box || box.width === 0) found.push(`the "${name}" button is not shown`);
            else if (box.x < 0 || box.x + box.width > viewport.width)
              found.push(`the "${name}" button is outside the window (x ${box.x}, width ${box.width})`);
          }
          return found;
        }, viewport);
        expect(problems.join('\n')).toBe('');
      },
      E2E_TEST_TIMEOUT,
    );

  it(
    'plans, applies and confirms with the keyboard alone; Escape cancels without applying',
    async () => {
      const { demo, page } = suite;
      const applies = async () => {
        const runs: Array<{ kind: string }> = await (
          await page.request.get(
            `${demo.adminUrl}/api/runs?journey=${JOURNEY_KEY}&connectionId=${encodeURIComponent(suite.ids.salesforce)}`,
          )
        ).json();
        return runs.filter((run) => run.kind === 'apply').length;
      };
      const appliesBefore = await applies();
      await page.setViewportSize(VIEWPORT);
      await page.goto(`${demo.adminUrl}/journeys`);
      await heading(page, 'Journeys');

      await tabTo(page.getByRole('link', { name: `Plan and apply ${JOURNEY}` }));
      await page.keyboard.press('Enter');
      await focused(page.getByRole('heading', { level: 1, name: `Plan and apply ${JOURNEY}` }));

      // A select is operated with the arrow keys: the demo has two connections, Salesforce second.
      const connection = page.getByLabel('Connection', { exact: true });
      await tabTo(connection);
      for (
        let presses = 0;
        presses < 3 && (await connection.inputValue()) !== suite.ids.salesforce;
        presses++
      )
        await page.keyboard.press('ArrowDown');
      expect(await connection.inputValue()).toBe(suite.ids.salesforce);

      await tabTo(page.getByRole('button', { name: 'Make a plan' }));
      await page.keyboard.press('Enter');
      await heading(page, `Plan for ${SALESFORCE}`, 2);

      const apply = page.getByRole('button', { name: 'Apply', exact: true });
      await tabTo(apply, 60);
      await page.keyboard.press('Enter');
      const dialog = await shown(page.getByRole('dialog', { name: 'Apply this plan?' }));
      // The safe choice has the focus first.
      await focused(dialog.getByRole('button', { name: 'Cancel' }));
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await focused(apply);
      expect(await page.getByRole('heading', { level: 3, name: 'Applying' }).count()).toBe(0);
      expect(await applies()).toBe(appliesBefore);

      await page.keyboard.press('Enter');
      await shown(dialog);
      await focused(dialog.getByRole('button', { name: 'Cancel' }));
      await page.keyboard.press('Tab');
      await focused(dialog.getByRole('button', { name: 'Confirm apply' }));
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      // Apply is disabled once the run starts, so the focus goes on to the run that follows it.
      await focused(page.getByRole('heading', { level: 3, name: 'Applying' }));
      const finished = page.getByRole('status').filter({ hasText: /^(Succeeded|Partly succeeded|Failed)/ });
      await shown(finished, E2E_RUN_TIMEOUT);
      expect(await finished.textContent()).toMatch(/^Succeeded/);
      expect(await applies()).toBe(appliesBefore + 1);
    },
    E2E_TEST_TIMEOUT,
  );
});
