/**
 * The shapes the admin server answers with (apps/admin/API.md). Where the server or the core
 * declares a response shape it is imported from there as a type only (erased from the bundle, so
 * neither the server nor the core's runtime reaches the browser) and the two cannot drift; what the
 * server builds inline is declared here.
 */
import type { Journey, JourneyChange, Mapping, MappingIssue } from '@milepost/core';
import type { ApiIssue as Issue } from '../server/http-errors.js';

export type {
  CrmField,
  CrmFieldType,
  FieldMapping,
  Journey,
  JourneyChange,
  JourneyChangeKind,
  JourneyStateJson,
  Mapping,
  MappingIssue,
  Plan,
  PlanChange,
  PreflightReport,
} from '@milepost/core';
export type { PublicConnection as Connection } from '../server/connection-store.js';
export type { ApiIssue as Issue } from '../server/http-errors.js';
export type { HubSpotInstall as Install } from '../server/hubspot-install.js';
export type { CustomerRow, DashboardJson as Dashboard } from '../server/routes-dashboard.js';
export type { PlanJson as StoredPlan } from '../server/routes-plans.js';
export type { RunJson as Run } from '../server/run-executor.js';

/** `GET /api/session`. */
export interface Session {
  setupRequired: boolean;
  user: { email: string } | null;
  csrfToken: string;
}

/** One entry of `GET /api/templates`. */
export interface JourneyTemplate {
  key: string;
  name: string;
  description: string;
  stages: number;
}

/** One entry of `GET /api/journeys`. */
export interface JourneySummary {
  key: string;
  name: string;
  version: number;
  revision: number;
  updatedAt: string;
  updatedBy: string;
}

/** A journey with its current source and parsed model. */
export interface JourneyDetail extends JourneySummary {
  source: string;
  journey: Journey;
}

/** `POST /api/journeys/validate`. */
export interface ValidationResult {
  ok: boolean;
  issues: Issue[];
}

/** One entry of `GET /api/journeys/:key/revisions`. */
export interface RevisionSummary {
  revision: number;
  version: number;
  createdAt: string;
  createdBy: string;
  message: string | null;
}

/** `GET /api/journeys/:key/diff`. */
export interface RevisionDiff {
  from: number;
  to: number;
  changes: JourneyChange[];
}

/** The body of `POST /api/connections`. */
export type NewConnection =
  | { target: 'hubspot'; name: string; accessToken: string; baseUrl?: string }
  | { target: 'salesforce'; name: string; instanceUrl: string; accessToken: string }
  | { target: 'salesforce'; name: string; instanceUrl: string; clientId: string; clientSecret: string };

/** `GET /api/journeys/:key/mappings/:connectionId`. */
export interface MappingDocument {
  mapping: Mapping;
  source: string;
  saved: boolean;
}

/** `POST .../mappings/:connectionId/check`. */
export interface MappingCheck {
  ok: boolean;
  issues: MappingIssue[];
}
