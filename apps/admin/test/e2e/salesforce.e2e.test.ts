/**
 * The whole Salesforce path in a browser: first-run setup, the saas-lifecycle template, a token
 * connection to the Salesforce emulator, field mapping with a picklist value map, plan, confirmed
 * apply — and then the org itself, described through jsforce, has the cycle object and the fields.
 */
import { createSalesforceEmulator } from '@milepost/salesforce-emulator';
import { Connection } from 'jsforce';
import { expect, it } from 'vitest';
import {
  chooseField,
  describeE2e,
  E2E_TEST_TIMEOUT,
  openFieldMapping,
  planAndApply,
  savedMapping,
  setUpJourneyAndConnection,
  shown,
  startE2eAdmin,
  valueMapStatus,
  withE2eBrowser,
} from './e2e-support.js';

const JOURNEY = 'SaaS customer success lifecycle';
const CONNECTION = 'Local Salesforce';

describeE2e('Salesforce: from sign-in to an applied journey (browser)', () => {
  const suite = withE2eBrowser(async () => {
    const [admin, salesforce] = await Promise.all([
      startE2eAdmin(),
      createSalesforceEmulator({ seed: 'demo' }),
    ]);
    return { admin, salesforce };
  });

  it(
    'maps a fact and a picklist fact, plans, applies, and the org has Success_Cycle__c and the Milepost fields',
    async () => {
      const { admin, salesforce, page } = suite;
      await setUpJourneyAndConnection(page, admin.url, {
        target: 'salesforce',
        name: CONNECTION,
        instanceUrl: salesforce.url,
        accessToken: salesforce.defaultToken,
      });

      await openFieldMapping(page, JOURNEY, `${CONNECTION} (Salesforce)`);
      await chooseField(page, 'Contract signed', 'Contract_Signed_Date__c');
      await chooseField(page, 'Plan', 'Plan__c');

      // Salesforce's picklist values are capitalised: no journey value matches one as it is.
      const valueMap = await shown(page.getByRole('table', { name: /^Values of Plan/ }));
      const valueStatus = (journeyValue: string) => valueMapStatus(valueMap, journeyValue);
      const values = { trial: 'Trial', starter: 'Starter', pro: 'Professional', enterprise: 'Enterprise' };
      for (const journeyValue of Object.keys(values)) {
        await expect.poll(valueStatus(journeyValue)).toBe('✗ Not mapped');
      }
      for (const [journeyValue, option] of Object.entries(values)) {
        await valueMap.getByLabel(journeyValue, { exact: true }).selectOption(option);
        await expect.poll(valueStatus(journeyValue)).toBe('✓ Mapped');
      }
      await shown(page.getByRole('status').filter({ hasText: 'The mapping fits the CRM’s fields.' }));
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await shown(page.getByRole('status').filter({ hasText: 'Mapping saved.' }));

      const saved = await savedMapping(page, admin.url, 'saas-lifecycle', CONNECTION);
      expect(saved.mapping.facts).toEqual({
        contract_signed_date: { field: 'Contract_Signed_Date__c' },
        plan: { field: 'Plan__c', values },
      });

      const org = new Connection({
        instanceUrl: salesforce.url,
        accessToken: salesforce.defaultToken,
        version: '63.0',
      });
      // The demo org starts without Milepost's object: the apply below is what creates it.
      await expect(org.describe('Success_Cycle__c')).rejects.toThrow();

      const outcome = await planAndApply(page, CONNECTION);
      expect(outcome).toMatch(/^Succeeded/);

      const cycle = await org.describe('Success_Cycle__c');
      expect(cycle.custom).toBe(true);
      const account = await org.describe('Account');
      const accountFields = new Map(account.fields.map((field) => [field.name, field]));
      const stage = accountFields.get('Milepost_Stage__c');
      expect(stage?.type).toBe('picklist');
      expect(stage?.picklistValues?.map((value) => value.value)).toEqual(
        expect.arrayContaining(['prospecting', 'purchase', 'onboarding', 'customer-success']),
      );
      expect(admin.logs.join('\n')).not.toContain(salesforce.defaultToken);
    },
    E2E_TEST_TIMEOUT,
  );
});
