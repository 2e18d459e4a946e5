export { createHubSpotAdapter, type HubSpotAdapter, type HubSpotAdapterSettings } from './hubspot-adapter.js';
export {
  HUBSPOT_API_VERSION,
  HUBSPOT_ASSOCIATION_TYPES,
  HUBSPOT_BATCH_SIZE,
  HUBSPOT_SEARCH_PAGE_SIZE,
  HUBSPOT_SEARCH_RESULT_CAP,
  type HubSpotApiVersion,
  type HubSpotObject,
  type HubSpotPaths,
  hubSpotPaths,
  hubSpotPipelineProperties,
} from './hubspot-api.js';
export { HUBSPOT_REQUIRED_SCOPES, type HubSpotPreflight } from './hubspot-describe.js';
export { isHubSpotDeadlineExceeded } from './hubspot-errors.js';
export {
  createHubSpotOAuthTokens,
  type HubSpotOAuthTokenSet,
  type HubSpotOAuthTokensOptions,
} from './hubspot-oauth.js';
export {
  createHubSpotRateLimiter,
  type HubSpotBudget,
  type HubSpotLimiterStats,
  type HubSpotRateLimiter,
  type HubSpotRateLimits,
  hubSpotRateLimits,
  type LimiterClock,
} from './hubspot-rate-limiter.js';
export type { HubSpotRecordError, HubSpotSyncSummary } from './hubspot-records.js';
export {
  HUBSPOT_MANAGED_MARKER,
  HUBSPOT_PROPERTY_GROUP,
  hubSpotDesiredSchema,
  hubSpotOutputProperties,
} from './hubspot-schema.js';
export { hubSpotPipelineId, hubSpotStageId } from './hubspot-schema-apply.js';
