/**
 * The whole HubSpot path in a browser: first-run setup, the saas-lifecycle template, a connection
 * to the HubSpot emulator, field mapping with an enum value map, plan, confirmed apply — and then
 * the portal itself, read through @hubspot/api-client, holds what Milepost created. The field picker
 * is also driven with the keyboard only.
 */
import { createHubSpotEmulator } from '@milepost/hubspot-emulator';
import { expect, it } from 'vitest';
import {
  chooseField,
  describeE2e,
  E2E_TEST_TIMEOUT,
  expectSaasLifecycleOnPortal,
  focused,
  hubSpotClient,
  openFieldMapping,
  planAndApply,
  savedMapping,
  setUpJourneyAndConnection,
  shown,
  startE2eAdmin,
  tabTo,
  valueMapStatus,
  withE2eBrowser,
} from './e2e-support.js';

const JOURNEY = 'SaaS customer success lifecycle';
const CONNECTION = 'Local HubSpot';
const CONNECTION_OPTION = `${CONNECTION} (HubSpot)`;

describeE2e('HubSpot: from sign-in to an applied journey (browser)', () => {
  const suite = withE2eBrowser(async () => {
    const [admin, hubspot] = await Promise.all([startE2eAdmin(), createHubSpotEmulator({ seed: 'demo' })]);
    return { admin, hubspot };
  });

  it(
    'maps a fact and an enum fact, plans, applies, and the portal has the Milepost properties and pipeline',
    async () => {
      const { admin, hubspot, page } = suite;
      await setUpJourneyAndConnection(page, admin.url, {
        target: 'hubspot',
        name: CONNECTION,
        accessToken: hubspot.defaultToken,
        baseUrl: hubspot.url,
      });

      await openFieldMapping(page, JOURNEY, CONNECTION_OPTION);
      await chooseField(page, 'Contract signed', 'contract_signed_date');
      await chooseField(page, 'Plan', 'plan_tier');

      // The journey's "pro" has no option of that name in the portal: the value map says so until mapped.
      const valueMap = await shown(page.getByRole('table', { name: /^Values of Plan/ }));
      const valueStatus = (journeyValue: string) => valueMapStatus(valueMap, journeyValue);
      await expect.poll(valueStatus('pro')).toBe('✗ Not mapped');
      await expect.poll(valueStatus('trial')).toBe('Same value');
      await valueMap.getByLabel('pro', { exact: true }).selectOption('professional');
      await expect.poll(valueStatus('pro')).toBe('✓ Mapped');
      await shown(page.getByRole('status').filter({ hasText: 'The mapping fits the CRM’s fields.' }));

      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await shown(page.getByRole('status').filter({ hasText: 'Mapping saved.' }));

      // What the server stored is what was picked (read with the browser's own session).
      const saved = await savedMapping(page, admin.url, 'saas-lifecycle', CONNECTION);
      expect(saved.saved).toBe(true);
      expect(saved.mapping.facts).toEqual({
        contract_signed_date: { field: 'contract_signed_date' },
        plan: { field: 'plan_tier', values: { pro: 'professional' } },
      });

      const client = hubSpotClient(hubspot);
      // The demo portal starts without Milepost's group: the apply below is what creates it.
      await expect(client.crm.properties.groupsApi.getByName('companies', 'milepost')).rejects.toThrow();

      const outcome = await planAndApply(page, CONNECTION);
      expect(outcome).toMatch(/^Succeeded/);

      await expectSaasLifecycleOnPortal(hubspot);
      const sla = await client.crm.properties.coreApi.getByName('companies', 'milepost_sla_status');
      expect(sla.type).toBe('enumeration');
      // The token was sent once and is never shown again (setUpJourneyAndConnection checked), nor logged.
      expect(admin.logs.join('\n')).not.toContain(hubspot.defaultToken);
    },
    E2E_TEST_TIMEOUT,
  );

  it(
    'works the field picker with the keyboard only: arrows choose, Enter picks, Escape closes, Tab moves on',
    async () => {
      // Continues the test above (same page: signed in, journey imported, connection added), so it
      // fails along with it rather than on its own.
      const { admin, page } = suite;
      await openFieldMapping(page, JOURNEY, CONNECTION_OPTION);
      const activeUsers = page.getByRole('combobox', { name: 'CRM field for Active users', exact: true });
      await tabTo(activeUsers, 60);

      // Arrow down opens the list on the first option; typing filters; arrows move; Enter picks.
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => activeUsers.getAttribute('aria-expanded')).toBe('true');
      await page.keyboard.type('users');
      const listbox = page
        .getByRole('listbox')
        .filter({ has: page.getByRole('option', { name: /active_users · / }) });
      await shown(listbox);
      const activeOption = async () => {
        const id = await activeUsers.getAttribute('aria-activedescendant');
        return id ? page.locator(`[id="${id}"]`).textContent() : null;
      };
      // The first option is always "Default"; the fields follow, sorted by label.
      await expect.poll(activeOption).toMatch(/^Default/);
      await page.keyboard.press('ArrowDown');
      await expect.poll(activeOption).toContain('active_users · number');
      await page.keyboard.press('ArrowDown');
      await expect.poll(activeOption).toContain('trained_users · number');
      await page.keyboard.press('ArrowUp');
      await expect.poll(activeOption).toContain('active_users · number');
      await page.keyboard.press('Enter');
      await expect.poll(() => activeUsers.getAttribute('aria-expanded')).toBe('false');
      await expect.poll(() => activeUsers.inputValue()).toBe('Active users (companies.active_users)');

      // Escape closes the list without changing the choice.
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => activeUsers.getAttribute('aria-expanded')).toBe('true');
      await page.keyboard.press('End');
      await page.keyboard.press('Escape');
      await expect.poll(() => activeUsers.getAttribute('aria-expanded')).toBe('false');
      await expect.poll(() => activeUsers.inputValue()).toBe('Active users (companies.active_users)');

      // Tab leaves for the next row's picker.
      await page.keyboard.press('Tab');
      await focused(page.getByRole('combobox', { name: 'CRM field for Licensed seats', exact: true }));

      // Save with the keyboard too.
      await tabTo(page.getByRole('button', { name: 'Save', exact: true }), 120);
      await page.keyboard.press('Enter');
      await shown(page.getByRole('status').filter({ hasText: 'Mapping saved.' }));
      const saved = await savedMapping(page, admin.url, 'saas-lifecycle', CONNECTION);
      expect(saved.mapping.facts.active_users).toEqual({ field: 'active_users' });
    },
    E2E_TEST_TIMEOUT,
  );
});
