// Regenerates apps/salesforce-package from the default template (run after `pnpm build`):
//   pnpm --filter @milepost/salesforce generate:package
import { fileURLToPath } from 'node:url';
import { loadTemplate } from '@milepost/core';
import { salesforcePackageModel, salesforceProjectFiles, writeSalesforceProject } from '../dist/index.js';

const target = fileURLToPath(new URL('../../../apps/salesforce-package/', import.meta.url));
const files = salesforceProjectFiles(salesforcePackageModel(loadTemplate('saas-lifecycle')));
const written = await writeSalesforceProject(target, files);
console.log(`wrote ${written.length} files to apps/salesforce-package`);
