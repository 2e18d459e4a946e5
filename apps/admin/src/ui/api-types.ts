/**
 * The shapes the admin server answers with (apps/admin/API.md). Core types are imported as types
 * only, so the browser bundle never pulls the core's runtime (zod, the YAML loader) in.
 */
import type {
  FieldMapping,
  Journey,
  JourneyChange,
  JourneyChangeKind,
  JourneyStateJson,
  Mapping,
  Plan,
  PlanChange,
  PreflightReport,
} from '@milepost/core';

export type {
  FieldMapping,
  Journey,
  JourneyChange,
  JourneyChangeKind,
  JourneyStateJson,
  Mapping,
  Plan,
  PlanChange,
  PreflightReport,
};

/** The value types of CRM fields, as the server normalises them for both CRMs. */
export type CrmFieldType = 'string' | 'number' | 'currency' | 'date' | 'datetime' | 'boolean' | 'enum';

/** A problem in a submitted body or file; `line`/`column` are 1-based positions in the YAML. */
export interface Issue {
  path: string;
  message: string;
  line?: number;
  column?: number;
  file?: string;
  severity?: 'error' | 'warning';
}

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

/** A CRM account Milepost talks to. */
export interface Connection {
  id: string;
  target: 'hubspot' | 'salesforce';
  name: string;
  auth: 'token' | 'oauth' | 'client-credentials';
  baseUrl: string;
  hubId?: number;
  createdAt: string;
}

/** The body of `POST /api/connections`. */
export type NewConnection =
  | { target: 'hubspot'; name: string; accessToken: string; baseUrl?: string }
  | { target: 'salesforce'; name: string; instanceUrl: string; accessToken: string }
  | { target: 'salesforce'; name: string; instanceUrl: string; clientId: string; clientSecret: string };

/** A field of the live CRM (`GET /api/connections/:id/fields`). */
export interface CrmField {
  object: string;
  name: string;
  label: string;
  type: CrmFieldType;
  options?: Array<{ value: string; label: string }>;
  managed: boolean;
}

/** `GET /api/journeys/:key/mappings/:connectionId`. */
export interface MappingDocument {
  mapping: Mapping;
  source: string;
  saved: boolean;
}

/** One finding of the mapping check, about one fact or output. */
export interface MappingIssue {
  key: string;
  kind: 'fact' | 'output';
  severity: 'error' | 'warning';
  message: string;
  unmappedValues?: string[];
}

/** `POST .../mappings/:connectionId/check`. */
export interface MappingCheck {
  ok: boolean;
  issues: MappingIssue[];
}

/** A stored plan (`POST /api/journeys/:key/plans`, `GET /api/plans/:id`). */
export interface StoredPlan {
  id: string;
  connectionId: string;
  journey: string;
  createdAt: string;
  plan: Plan;
  text: string;
}

/** An apply or a sync, followed while it runs. */
export interface Run {
  id: string;
  kind: 'apply' | 'sync';
  journey: string;
  connectionId: string;
  status: 'running' | 'succeeded' | 'partial' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  progress: { done: number; total: number };
  results: Array<{ item: string; status: 'done' | 'failed'; message?: string }>;
  errors: Array<{ record: string; message: string }>;
  summary: string | null;
}

/** A customer in a dashboard list or search result. */
export interface CustomerRow {
  recordId: string;
  name: string;
  stage: string;
  daysInStage: number;
  expectedDays: number | null;
  sla: 'on-track' | 'behind' | 'stuck';
  whatsNext: string;
}

/** `GET /api/journeys/:key/dashboard`. */
export interface Dashboard {
  customers: number;
  funnel: Array<{ stage: string; name: string; reached: number; current: number; conversion: number | null }>;
  timeInStage: Array<{
    stage: string;
    name: string;
    expectedDays: number | null;
    medianDays: number | null;
    behind: number;
    stuck: number;
  }>;
  behind: CustomerRow[];
  stuck: CustomerRow[];
}

/** An installed HubSpot portal (`GET /api/installs/:hubId`). */
export interface Install {
  hubId: number;
  connectionId: string;
  installedAt: string;
  status: 'active' | 'needs-reinstall' | 'uninstalled';
  preflight: PreflightReport | null;
}
