/**
 * `@milepost/hubspot-emulator`: a stateful local HubSpot API server for tests and demos.
 * Public API only; see README.md for what is and is not emulated.
 */
export {
  createHubSpotEmulator,
  type HubSpotAppOptions,
  type HubSpotAssociationSnapshot,
  type HubSpotEmulator,
  type HubSpotEmulatorClock,
  type HubSpotEmulatorOptions,
  type HubSpotEmulatorPortal,
  type HubSpotEmulatorStandaloneOptions,
  type HubSpotPortalOptions,
  type HubSpotRecordSnapshot,
  runHubSpotEmulatorStandalone,
} from './hubspot-emulator.js';
export type { HubSpotErrorBody, HubSpotErrorDetail } from './hubspot-emulator-errors.js';
export type { HubSpotFaultMatch, HubSpotFaultSettings, HubSpotFaults } from './hubspot-emulator-faults.js';
export {
  DEFAULT_RATE_LIMITS,
  type HubSpotRateLimitOverrides,
  type HubSpotRateLimitSettings,
} from './hubspot-emulator-rate-limits.js';
export type {
  HubSpotRequestFilter,
  HubSpotRequestLog,
  HubSpotRequestLogEntry,
} from './hubspot-emulator-request-log.js';
export { HUBSPOT_DEMO_SEED_FACTS, type HubSpotDemoSegment } from './hubspot-emulator-seed.js';
export type { HubSpotApp } from './hubspot-emulator-tokens.js';
export type {
  HubSpotHistoryEntry,
  HubSpotOwner,
  HubSpotPipeline,
  HubSpotPipelineStage,
  HubSpotPropertyDefinition,
  HubSpotPropertyGroup,
  HubSpotPropertyOption,
  HubSpotTier,
  HubSpotWebhookDelivery,
  HubSpotWebhookEvent,
} from './hubspot-emulator-types.js';
export { type HubSpotWebhookOptions, hubSpotSignatureV3 } from './hubspot-emulator-webhooks.js';
