/**
 * Shared pieces of the browser end-to-end tests: Debian's Chromium driven by playwright-core, the
 * admin server with the built UI on a fresh in-memory database, and the steps every flow starts with.
 *
 * Playwright never downloads a browser here: the suite uses the system Chromium, and skips itself
 * with a clear title when that is missing — unless `CI` or `MILEPOST_E2E` says it must run.
 */

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Client } from '@hubspot/api-client';
import type { HubSpotEmulator } from '@milepost/hubspot-emulator';
import type { AxeResults } from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { adminConfigFromEnv } from '../../src/server/admin-config.js';
import type { AdminContext } from '../../src/server/admin-context.js';
import { type RunningAdminServer, startAdminServer } from '../../src/server/admin-server.js';
import { createAdapterFactory } from '../../src/server/crm-adapters.js';
import { type Database, openDatabase } from '../../src/server/database.js';
import { hubSpotOAuthAccessToken } from '../../src/server/hubspot-install.js';
import { freePort } from '../../src/server/hubspot-test-support.js';
import { CHROMIUM_PATH, E2E_SKIPPED } from './e2e-environment.js';

export { CHROMIUM_PATH, E2E_REQUIRED, E2E_SKIPPED } from './e2e-environment.js';

/** The built UI the server serves (the global setup builds it when missing or stale). */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const SKIP_REASON = `skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium; set MILEPOST_E2E=1 to make this a failure)`;

/**
 * `describe` for a browser suite: skipped with the reason in its title when Chromium is missing and
 * neither `CI` nor `MILEPOST_E2E` is set.
 */
export function describeE2e(name: string, suite: () => void): void {
  describe.skipIf(E2E_SKIPPED)(E2E_SKIPPED ? `${name} (${SKIP_REASON})` : name, suite);
}

/**
 * Timeout of one browser test. A full plan and apply takes seconds, but the suite shares a 2-core
 * machine with PGlite, the emulators and other test files, so every wait is generous.
 */
export const E2E_TEST_TIMEOUT = 240_000;

/** Timeout of a beforeAll that boots PGlite, emulators or the browser. */
export const E2E_HOOK_TIMEOUT = 180_000;

/** How long an apply or sync may run before the test gives up on it. */
export const E2E_RUN_TIMEOUT = 150_000;

/** How long one Playwright action or wait may take before it fails. */
export const E2E_ACTION_TIMEOUT = 60_000;

/** The viewport every test uses; screenshots compare only when it never changes. */
export const VIEWPORT = { width: 1440, height: 1000 } as const;

/**
 * Starts Chromium. `launch()` gives the browser a fresh temporary profile (user data dir) that
 * Playwright deletes on close; each test then opens its own context (cookies, storage).
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `The browser tests must run (CI or MILEPOST_E2E is set) but there is no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium.`,
    );
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A new browser context with the fixed viewport and scale, so layout and screenshots are stable. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'UTC',
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(E2E_ACTION_TIMEOUT);
  return context;
}

/** An admin server with the UI, on its own in-memory database, with no admin account yet. */
export interface E2eAdmin {
  url: string;
  server: RunningAdminServer;
  /** Every line the server logged (to check that no secret leaks). */
  logs: string[];
  close(): Promise<void>;
}

/** Options of {@link startE2eAdmin}. */
export interface E2eAdminOptions {
  /**
   * Configures the server's HubSpot app with this emulator as HubSpot (authorize page, API, the
   * emulator app's OAuth client), as hubspot-test-support.ts does for the route tests.
   */
  hubspot?: HubSpotEmulator;
}

/**
 * Starts the admin server on a free port with a fresh PGlite in memory and no `MILEPOST_ADMIN_*`
 * settings, so the first visit shows first-run setup.
 */
export async function startE2eAdmin(options: E2eAdminOptions = {}): Promise<E2eAdmin> {
  if (!existsSync(`${UI_DIR}index.html`))
    throw new Error(`The UI is not built in ${UI_DIR}; the e2e global setup should have built it.`);
  const database: Database = await openDatabase({});
  const logs: string[] = [];
  const { hubspot } = options;
  // OAuth needs the public URL before the server starts (it is the redirect URI), so the port is
  // picked first. It is `localhost`, like the server's URL, so the session cookie rides along.
  const port = hubspot ? await freePort() : 0;
  const config = adminConfigFromEnv({
    MILEPOST_DATA_DIR: '/nonexistent',
    MILEPOST_SECRET_KEY: randomBytes(32).toString('hex'),
    MILEPOST_UI_DIR: UI_DIR,
    PORT: String(port),
    ...(hubspot
      ? {
          MILEPOST_PUBLIC_URL: `http://localhost:${port}`,
          HUBSPOT_AUTHORIZE_URL: `${hubspot.url}/oauth/authorize`,
          HUBSPOT_BASE_URL: hubspot.url,
          HUBSPOT_CLIENT_ID: hubspot.app.clientId,
          HUBSPOT_CLIENT_SECRET: hubspot.app.clientSecret,
        }
      : {}),
  });
  // Installs get the production token refresh, which needs the context the server makes.
  let context: AdminContext | undefined;
  const server = await startAdminServer({
    config,
    database,
    adapterFor: createAdapterFactory({
      salesforcePollIntervalMs: 50,
      oauthAccessToken: (connection) => {
        if (!context) throw new Error('the admin server has not started');
        return hubSpotOAuthAccessToken(context)(connection);
      },
    }),
    log: (line) => logs.push(line),
  });
  context = server.context;
  return {
    url: server.url,
    server,
    logs,
    async close() {
      await server.close();
      await database.close();
    },
  };
}

/** Anything a suite starts and stops: the admin, an emulator, the demo. */
export interface Closable {
  close(): Promise<void> | void;
}

/** The browser a suite drives: one context and page shared by its tests. */
export interface E2eBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * Registers the suite's lifecycle: `beforeAll` launches Chromium and runs `start` at the same time
 * (the admin, emulators…), then opens a context and page; `afterAll` closes them all, what `start`
 * made last first. The answer is filled in by `beforeAll`: read its fields inside tests only.
 */
export function withE2eBrowser<Resources extends Record<string, Closable>>(
  start: () => Promise<Resources>,
  hookTimeout: number = E2E_HOOK_TIMEOUT,
): E2eBrowser & Resources {
  const suite = {} as E2eBrowser & Resources;
  let started: Closable[] = [];
  beforeAll(async () => {
    const [browser, resources] = await Promise.all([launchBrowser(), start()]);
    started = Object.values(resources);
    Object.assign(suite, resources, { browser });
    suite.context = await newContext(browser);
    suite.page = await suite.context.newPage();
  }, hookTimeout);
  afterAll(async () => {
    await suite.context?.close();
    await suite.browser?.close();
    for (const resource of started.reverse()) await resource.close();
  });
  return suite;
}

/** The admin account the flows create through first-run setup. */
export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' } as const;

/** First-run setup through the form: creates the admin account and lands on Journeys. */
export async function completeSetup(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await shown(page.getByRole('heading', { level: 1, name: 'Create the admin account' }));
  await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await shown(page.getByRole('heading', { level: 1, name: 'Journeys' }));
}

/** Signs in through the sign-in form. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(url);
  await shown(page.getByRole('heading', { level: 1, name: 'Sign in to Milepost' }));
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await shown(page.getByRole('heading', { level: 1, name: 'Journeys' }));
}

/** "Start from a template" on the Journeys screen; ends on the new journey's editor. */
export async function importTemplate(page: Page, templateKey: string): Promise<void> {
  await page.getByRole('link', { name: 'Journeys', exact: true }).click();
  const select = page.getByLabel('Template', { exact: true });
  // The templates load after the screen; the option is there once they have.
  await expect.poll(() => select.locator(`option[value="${templateKey}"]`).count()).toBe(1);
  await select.selectOption(templateKey);
  await page.getByRole('button', { name: 'Create from template' }).click();
  await page.waitForURL(new RegExp(`/journeys/${templateKey}$`));
}

/** Adds a connection through the Connections screen's form. */
export async function addConnection(
  page: Page,
  connection:
    | { target: 'hubspot'; name: string; accessToken: string; baseUrl: string }
    | { target: 'salesforce'; name: string; accessToken: string; instanceUrl: string },
): Promise<void> {
  await page.getByRole('link', { name: 'Connections', exact: true }).click();
  await shown(page.getByRole('heading', { level: 1, name: 'Connections' }));
  if (connection.target === 'hubspot') {
    await page.getByRole('radio', { name: 'HubSpot' }).check();
    await page.getByLabel('Name', { exact: true }).fill(connection.name);
    await page.getByLabel('Access token', { exact: true }).fill(connection.accessToken);
    await page.getByLabel('Base URL', { exact: true }).fill(connection.baseUrl);
  } else {
    await page.getByRole('radio', { name: 'Salesforce' }).check();
    await page.getByLabel('Name', { exact: true }).fill(connection.name);
    await page.getByLabel('Instance URL', { exact: true }).fill(connection.instanceUrl);
    await page.getByRole('radio', { name: 'An access token' }).check();
    await page.getByLabel('Access token', { exact: true }).fill(connection.accessToken);
  }
  await page.getByRole('button', { name: 'Add connection' }).click();
  await shown(page.getByRole('status').filter({ hasText: `Added ${connection.name}.` }));
  await shown(page.getByRole('heading', { level: 3, name: connection.name }));
}

/**
 * Where the mapping flows start: first-run setup, the saas-lifecycle template and a connection. The
 * token is sent once and never shown again.
 */
export async function setUpJourneyAndConnection(
  page: Page,
  adminUrl: string,
  connection: Parameters<typeof addConnection>[1],
): Promise<void> {
  await completeSetup(page, adminUrl);
  await importTemplate(page, 'saas-lifecycle');
  await addConnection(page, connection);
  expect(await page.content()).not.toContain(connection.accessToken);
}

/** @hubspot/api-client on the emulator's default portal, with its private app token. */
export function hubSpotClient(hubspot: HubSpotEmulator): Client {
  return new Client({ accessToken: hubspot.defaultToken, basePath: hubspot.url, numberOfApiCallRetries: 0 });
}

/**
 * Asserts, through @hubspot/api-client, that the portal holds what applying saas-lifecycle creates:
 * the Milepost property group, the stage property with the journey's stages, and the ticket pipeline.
 */
export async function expectSaasLifecycleOnPortal(hubspot: HubSpotEmulator): Promise<void> {
  const client = hubSpotClient(hubspot);
  const group = await client.crm.properties.groupsApi.getByName('companies', 'milepost');
  expect(group.label).toBe('Milepost');
  const stage = await client.crm.properties.coreApi.getByName('companies', 'milepost_stage');
  expect(stage.groupName).toBe('milepost');
  expect(stage.options.map((option) => option.value)).toEqual([
    'prospecting',
    'purchase',
    'onboarding',
    'customer-success',
  ]);
  const pipelines = await client.crm.pipelines.pipelinesApi.getAll('tickets');
  const pipeline = pipelines.results.find((item) => item.id === 'milepost-saas-lifecycle');
  expect(pipeline?.label).toBe('SaaS customer success lifecycle');
  expect(pipeline?.stages.map((item) => item.label)).toEqual([
    'Prospecting',
    'Purchase',
    'Onboarding',
    'Customer Success',
  ]);
}

/**
 * Waits until the locator is visible (Playwright's auto-waiting; playwright-core has no `expect`).
 * Fails with the locator in the message after `timeout` milliseconds (default: the context's).
 */
export async function shown(locator: Locator, timeout?: number): Promise<Locator> {
  await locator.waitFor({ state: 'visible', ...(timeout === undefined ? {} : { timeout }) });
  return locator;
}

/** Waits until the locator's element has the keyboard focus. */
export function focused(locator: Locator): Promise<Locator> {
  return shown(locator.and(locator.page().locator(':focus')));
}

/**
 * Presses Tab until `locator` has the focus, as a keyboard user would; fails after `limit` presses
 * so a broken tab order shows up as a failure, not a hang.
 */
export async function tabTo(locator: Locator, limit = 30): Promise<void> {
  const page = locator.page();
  const target = locator.and(page.locator(':focus'));
  for (let presses = 0; presses < limit; presses++) {
    if ((await target.count()) === 1) return;
    await page.keyboard.press('Tab');
  }
  if ((await target.count()) === 1) return;
  throw new Error(`${String(locator)} never got the focus after ${limit} presses of Tab`);
}

/**
 * Opens the field mapping screen of a journey from the Journeys list and picks the connection; ends
 * when the mapping table has loaded the CRM's fields.
 */
export async function openFieldMapping(
  page: Page,
  journeyName: string,
  connectionLabel: string,
): Promise<void> {
  await page.getByRole('link', { name: 'Journeys', exact: true }).click();
  await page.getByRole('link', { name: `Field mapping of ${journeyName}` }).click();
  await shown(page.getByRole('heading', { level: 1, name: `Field mapping of ${journeyName}` }));
  await page.getByLabel('Connection', { exact: true }).selectOption({ label: connectionLabel });
  await shown(page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'CRM field' }) }));
}

/**
 * Points one mapping row at a CRM field with the mouse: opens the row's combobox, types to filter and
 * clicks the option whose text holds the field's internal name.
 */
export async function chooseField(page: Page, rowLabel: string, fieldName: string): Promise<void> {
  const combobox = page.getByRole('combobox', { name: `CRM field for ${rowLabel}`, exact: true });
  await combobox.click();
  await combobox.fill(fieldName);
  await page.getByRole('option', { name: new RegExp(`${fieldName} · `) }).click();
  await expect.poll(() => combobox.getAttribute('aria-expanded')).toBe('false');
}

/**
 * The plan → confirm → run flow (the plan screen and the install page share it): makes a plan,
 * applies it after the confirmation and waits for the run's end; answers the run's status line.
 */
export async function applyPlan(page: Page, connectionName: string): Promise<string> {
  await page.getByRole('button', { name: 'Make a plan' }).click();
  await shown(page.getByRole('heading', { level: 2, name: `Plan for ${connectionName}` }));
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  const dialog = await shown(page.getByRole('dialog', { name: 'Apply this plan?' }));
  await dialog.getByRole('button', { name: 'Confirm apply' }).click();
  await shown(page.getByRole('heading', { level: 3, name: 'Applying' }));
  const finished = page.getByRole('status').filter({ hasText: /^(Succeeded|Partly succeeded|Failed)/ });
  await shown(finished, E2E_RUN_TIMEOUT);
  return (await finished.textContent()) ?? '';
}

/** The plan screen: opens it from the journey's tabs, then {@link applyPlan}. */
export async function planAndApply(page: Page, connectionName: string): Promise<string> {
  await page.getByRole('link', { name: 'Plan and apply', exact: true }).click();
  await shown(page.getByRole('heading', { level: 1, name: /^Plan and apply / }));
  return applyPlan(page, connectionName);
}

/** The mapping the server stored for a journey on the connection named so, read with the page's session. */
export async function savedMapping(
  page: Page,
  adminUrl: string,
  journeyKey: string,
  connectionName: string,
): Promise<{ saved: boolean; mapping: { facts: Record<string, unknown> } }> {
  const connections: Array<{ id: string; name: string }> = await (
    await page.request.get(`${adminUrl}/api/connections`)
  ).json();
  const connection = connections.find((item) => item.name === connectionName);
  if (!connection) throw new Error(`no connection named ${connectionName}`);
  return (await page.request.get(`${adminUrl}/api/journeys/${journeyKey}/mappings/${connection.id}`)).json();
}

/** The status cell ("✓ Mapped", "Same value"…) of one journey value in a value map table, for `expect.poll`. */
export function valueMapStatus(valueMap: Locator, journeyValue: string): () => Promise<string | null> {
  return () =>
    valueMap
      .getByRole('row', { name: new RegExp(`^${journeyValue}\\b`) })
      .getByRole('cell')
      .last()
      .textContent();
}

/** axe-core's browser bundle, injected into the page under test. */
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * The WCAG 2.0 and 2.1 level A and AA rules — what "accessible" means for the admin — and axe's best
 * practices, which hold the checks of landmarks and heading order that the WCAG tags leave out.
 */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * The page's WCAG 2.1 A/AA and best-practice violations as axe-core finds them, one line each with the rule, its
 * impact, what it asks for and the elements that break it; empty when the page passes.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // The test tsconfig has no DOM types: these are the few browser globals the checks touch.
  type AxeWindow = {
    axe?: { run(context: unknown, options: unknown): Promise<AxeResults> };
    document: unknown;
  };
  // A full page load (goto) drops the script; client-side navigation keeps it.
  if (!(await page.evaluate(() => Boolean((globalThis as unknown as AxeWindow).axe))))
    await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async (tags) => {
    const browser = globalThis as unknown as AxeWindow;
    if (!browser.axe) throw new Error('axe-core did not load');
    const results = await browser.axe.run(browser.document, {
      runOnly: tags,
      resultTypes: ['violations'],
    });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? 'unknown',
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
  }, AXE_TAGS);
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.targets.join(' | ')}`,
  );
}

/**
 * How far the page is wider than the window (0 or less: no horizontal page scrolling), and the
 * outermost elements that stick out on the right, to say where it comes from.
 */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  type Box = { right: number };
  type Element = {
    tagName: string;
    id: string;
    className: unknown;
    parentElement: Element | null;
    getBoundingClientRect(): Box;
  };
  type OverflowWindow = {
    innerWidth: number;
    document: {
      documentElement: { scrollWidth: number };
      body: { querySelectorAll(selector: string): Element[] };
    };
  };
  return page.evaluate(() => {
    const browser = globalThis as unknown as OverflowWindow;
    const width = browser.innerWidth;
    const sticksOut = (element: Element | null) =>
      element !== null && element.getBoundingClientRect().right > width + 0.5;
    const describe = (element: Element) =>
      `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${
        typeof element.className === 'string' && element.className
          ? `.${element.className.split(' ').join('.')}`
          : ''
      }`;
    const culprits = [...browser.document.body.querySelectorAll('*')]
      .filter((element) => sticksOut(element) && !sticksOut(element.parentElement))
      .slice(0, 5)
      .map(describe);
    return { overflow: browser.document.documentElement.scrollWidth - width, culprits };
  });
}
