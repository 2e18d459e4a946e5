/** The sign-in and first-run forms with the keyboard only: Tab between fields, Enter submits. */
import { expect, it } from 'vitest';
import {
  ADMIN,
  describeE2e,
  E2E_TEST_TIMEOUT,
  focused,
  shown,
  startE2eAdmin,
  tabTo,
  withE2eBrowser,
} from './e2e-support.js';

describeE2e('sign-in with the keyboard (browser)', () => {
  const suite = withE2eBrowser(async () => ({ admin: await startE2eAdmin() }));

  it(
    'creates the first admin, signs out, refuses a wrong password and signs in, all without a mouse',
    async () => {
      const { admin, page } = suite;
      await page.goto(admin.url);
      await shown(page.getByRole('heading', { level: 1, name: 'Create the admin account' }));

      // First run: the first Tab lands on Email, the next on Password; Enter submits the form.
      await page.keyboard.press('Tab');
      await focused(page.getByLabel('Email', { exact: true }));
      await page.keyboard.type(ADMIN.email);
      await page.keyboard.press('Tab');
      await focused(page.getByLabel('Password', { exact: true }));
      // Too short: the browser's own validation (minLength) stops the submit; nobody is created.
      await page.keyboard.type('too short');
      await page.keyboard.press('Enter');
      await shown(page.getByRole('heading', { level: 1, name: 'Create the admin account' }));
      const session = await (await fetch(new URL('/api/session', admin.url))).json();
      expect(session).toMatchObject({ setupRequired: true, user: null });

      await tabTo(page.getByLabel('Password', { exact: true }));
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(ADMIN.password);
      await page.keyboard.press('Enter');
      await shown(page.getByRole('heading', { level: 1, name: 'Journeys' }));
      await shown(page.getByText(`Signed in as ${ADMIN.email}`));

      // Sign out is reachable by Tab and pressed with Enter.
      await tabTo(page.getByRole('button', { name: 'Sign out' }));
      await page.keyboard.press('Enter');
      await shown(page.getByRole('heading', { level: 1, name: 'Sign in to Milepost' }));

      await tabTo(page.getByLabel('Email', { exact: true }));
      await page.keyboard.type(ADMIN.email);
      await page.keyboard.press('Tab');
      await focused(page.getByLabel('Password', { exact: true }));
      await page.keyboard.type('not the password at all');
      await page.keyboard.press('Enter');
      const message = await (await shown(page.getByRole('alert'))).textContent();
      expect(message).toContain('You are not signed in.');
      // The refused password is not echoed back in the error.
      expect(message).not.toContain('not the password at all');

      await tabTo(page.getByLabel('Password', { exact: true }));
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(ADMIN.password);
      await page.keyboard.press('Enter');
      await shown(page.getByRole('heading', { level: 1, name: 'Journeys' }));
      expect(admin.logs.join('\n')).not.toContain(ADMIN.password);
    },
    E2E_TEST_TIMEOUT,
  );
});
