/** The journey map screen draws the server's SVG; its pixels are compared with a stored PNG. */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import {
  completeSetup,
  describeE2e,
  E2E_TEST_TIMEOUT,
  importTemplate,
  shown,
  startE2eAdmin,
  withE2eBrowser,
} from './e2e-support.js';
import { compareScreenshot } from './screenshot-compare.js';

const STORED = fileURLToPath(new URL('./__screenshots__/saas-lifecycle-map.png', import.meta.url));

describeE2e('journey map (browser)', () => {
  const suite = withE2eBrowser(async () => ({ admin: await startE2eAdmin() }));

  it(
    'renders the saas-lifecycle map as the stored picture',
    async () => {
      const { admin, page } = suite;
      await completeSetup(page, admin.url);
      await importTemplate(page, 'saas-lifecycle');
      await page.getByRole('link', { name: 'Journeys', exact: true }).click();
      await page.getByRole('link', { name: 'Map of SaaS customer success lifecycle' }).click();
      await shown(page.getByRole('heading', { level: 1, name: 'Map of SaaS customer success lifecycle' }));

      const map = await shown(
        page.getByRole('img', { name: 'Journey map: SaaS customer success lifecycle' }),
      );
      await shown(page.getByRole('figure', { name: 'Journey map of SaaS customer success lifecycle' }));
      const picture = await map.screenshot({ animations: 'disabled', caret: 'hide', scale: 'css' });
      const result = compareScreenshot(picture, STORED, { threshold: 0.1, maxRatio: 0.01 });
      expect(result.ratio).toBeLessThanOrEqual(0.01);
    },
    E2E_TEST_TIMEOUT,
  );
});
