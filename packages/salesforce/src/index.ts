export {
  createSalesforceAdapter,
  type SalesforceAdapter,
  type SalesforceAdapterSettings,
} from './salesforce-adapter.js';
export {
  chunk,
  SALESFORCE_API_VERSION,
  SALESFORCE_LIMITS,
  SALESFORCE_MANAGED_MARKER,
  SALESFORCE_NAMES,
  SALESFORCE_SLA_LABELS,
} from './salesforce-api.js';
export {
  clientCredentialsToken,
  createSalesforceClient,
  type SalesforceClient,
  type SalesforceClientOptions,
  type SalesforceCredentials,
} from './salesforce-client.js';
export { isRetryableRecordError, toMilepostError } from './salesforce-errors.js';
export {
  componentKey,
  flowCycles,
  type MetadataSpec,
  type SalesforceComponent,
  type SalesforceMetadataType,
  type SalesforceOutputField,
  type SalesforcePackageFile,
  type SalesforcePackageModel,
  salesforceAccountOutputs,
  salesforceFactFields,
  salesforceFieldName,
  salesforceMetadataZip,
  salesforcePackageModel,
  salesforcePackageXml,
  salesforceProjectFiles,
} from './salesforce-package.js';
export { listProjectFiles, writeSalesforceProject } from './salesforce-project-writer.js';
export {
  describeSalesforceOrg,
  type SalesforceOrgSnapshot,
  salesforceDesiredSchema,
} from './salesforce-schema.js';
export {
  escapeXml,
  METADATA_NAMESPACE,
  renderMetadataXml,
  type XmlNode,
  type XmlValue,
} from './salesforce-xml.js';
