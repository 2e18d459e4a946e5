export { createSalesforceEmulator } from './salesforce-emulator.js';
export type { DeployMessage, SalesforceDeployResult } from './salesforce-emulator-deploy.js';
export { SalesforceApiError, type SalesforceRecordError } from './salesforce-emulator-errors.js';
export type { SalesforceEdition, SalesforceFlowRun } from './salesforce-emulator-org-state.js';
export {
  DEMO_ACCOUNT_FIELDS,
  DEMO_LIFECYCLE_SEGMENTS,
  DEMO_PERMISSION_SET,
} from './salesforce-emulator-seed.js';
export {
  runSalesforceEmulatorStandalone,
  type SalesforceStandaloneOptions,
} from './salesforce-emulator-standalone.js';
export type {
  SalesforceEmulator,
  SalesforceEmulatorAssignment,
  SalesforceEmulatorHistoryEntry,
  SalesforceEmulatorOptions,
  SalesforceEmulatorOrg,
  SalesforceEmulatorUser,
  SalesforceFault,
  SalesforceFaultController,
  SalesforceOrgOptions,
  SalesforceRequestLog,
  SalesforceRequestLogEntry,
} from './salesforce-emulator-types.js';
