import type { SalesforceDeployResult } from './salesforce-emulator-deploy.js';
import type { SalesforceEdition, SalesforceFlowRun } from './salesforce-emulator-org-state.js';

/** Options of one emulated org. */
export interface SalesforceOrgOptions {
  /** Key of the org in the emulator (and the prefix of its tokens). */
  orgId: string;
  /** Professional has no API unless `apiEnabled` (research §0.11). */
  edition: SalesforceEdition;
  /** Defaults to false for Professional, true otherwise. */
  apiEnabled?: boolean;
  /** Whether Path is already enabled (PathAssistantSettings); default false. */
  pathEnabled?: boolean;
  /** Daily API request limit; default 100,000 (15,000 for Developer). */
  dailyApiLimit?: number;
  /** Extra fixed access tokens for the integration user. */
  tokens?: string[];
  /** Data to start with; defaults to the emulator's `seed`. */
  seed?: 'demo' | 'empty';
}

/** Options of the emulator server. */
export interface SalesforceEmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Orgs to create; default one Enterprise org `00D000000000001AAA`. */
  orgs?: SalesforceOrgOptions[];
  /** Default seed of orgs; default 'empty'. */
  seed?: 'demo' | 'empty';
  /** JSON file to load state from and save state to (so a demo survives restarts). */
  dataFile?: string;
  /** Clock used for record timestamps and date literals (tests may fix it); default the real clock. */
  now?: () => Date;
}

/** A user row as the emulator exposes it. */
export interface SalesforceEmulatorUser {
  id: string;
  username: string;
  name: string;
  email: string;
  isActive: boolean;
}

/** A permission set assignment. */
export interface SalesforceEmulatorAssignment {
  id: string;
  assigneeId: string;
  permissionSetId: string;
  permissionSetName: string;
}

/** A field history row (`AccountHistory`, `<Object>__History`). */
export interface SalesforceEmulatorHistoryEntry {
  id: string;
  parentId: string;
  field: string;
  oldValue: unknown;
  newValue: unknown;
  createdDate: string;
  createdById: string;
}

/** Direct (no HTTP) access to one org, for test assertions and setup. */
export interface SalesforceEmulatorOrg {
  readonly orgId: string;
  readonly edition: SalesforceEdition;
  /** The org's 18-character Organization ID. */
  readonly salesforceId: string;
  /** ID of the integration user (all default tokens act as this user). */
  readonly integrationUserId: string;
  /** Metadata components of a type (copies), e.g. `metadata('CustomField')`. */
  metadata(type: string): Array<Record<string, unknown>>;
  /** One metadata component (copy), or undefined. */
  component(type: string, fullName: string): Record<string, unknown> | undefined;
  /** All records of an sObject (copies, every field regardless of field-level security). */
  records(sobject: string): Array<Record<string, unknown>>;
  /** One record by ID (copy). */
  record(id: string): Record<string, unknown> | undefined;
  /** Inserts a record in system context (validation and flows run); returns its ID or throws. */
  insert(sobject: string, fields: Record<string, unknown>): string;
  /** Updates a record in system context (validation, history and flows run); throws on failure. */
  update(sobject: string, id: string, fields: Record<string, unknown>): void;
  /** Users of the org. */
  users(): SalesforceEmulatorUser[];
  /** Adds a user and returns its ID. */
  createUser(user: {
    firstName: string;
    lastName: string;
    email?: string;
    username?: string;
    title?: string;
  }): string;
  /** Permission set assignments. */
  permissionSetAssignments(): SalesforceEmulatorAssignment[];
  /** Assigns a permission set (by API name) to a user; returns the assignment ID. */
  assignPermissionSet(userId: string, permissionSetName: string): string;
  /** Field history rows of an object, optionally for one record. */
  fieldHistory(sobject: string, recordId?: string): SalesforceEmulatorHistoryEntry[];
  /** Runs of record-triggered flows, oldest first. */
  flowRuns(): SalesforceFlowRun[];
  /** Field names a user sees through describe and data calls (field-level security). */
  visibleFields(sobject: string, userId?: string): string[];
  /** Deploys, oldest first. */
  deploys(): SalesforceDeployResult[];
  /** API requests counted today and the daily limit. */
  apiUsage(): { used: number; limit: number };
  /** Sets the API usage counter (e.g. to just below the limit). */
  setApiUsage(used: number): void;
  /** Enables or disables Path. */
  setPathEnabled(enabled: boolean): void;
}

/** One logged request. */
export interface SalesforceRequestLogEntry {
  at: string;
  method: string;
  path: string;
  /** Normalized endpoint, e.g. `GET /services/data/v{version}/sobjects/{sobject}/{id}` or `SOAP createMetadata`. */
  endpoint: string;
  status: number;
  orgId?: string;
  durationMs: number;
}

/** The request log with counts per endpoint. */
export interface SalesforceRequestLog {
  /** Recent entries (the last 10,000). */
  entries(): SalesforceRequestLogEntry[];
  /** Requests per endpoint since the last clear. */
  counts(): Record<string, number>;
  /** Requests of one endpoint (or all when omitted). */
  count(endpoint?: string): number;
  /** Forgets entries and counts. */
  clear(): void;
}

/** A fault to inject. Matching faults apply in the order they were added. */
export type SalesforceFault =
  | {
      type: 'http-error';
      status: number;
      errorCode?: string;
      message?: string;
      path?: string;
      method?: string;
      orgId?: string;
      times?: number;
    }
  | { type: 'latency'; ms: number; path?: string; method?: string; orgId?: string; times?: number }
  | { type: 'request-limit'; path?: string; method?: string; orgId?: string; times?: number }
  | {
      type: 'record-failure';
      sobject?: string;
      operation?: 'create' | 'update' | 'delete';
      /** Only records whose field has this value (string comparison). */
      field?: string;
      value?: unknown;
      statusCode?: string;
      message?: string;
      orgId?: string;
      times?: number;
    }
  | { type: 'crash-after-writes'; writes: number };

/** Fault injection, the same as the `/__emulator/faults` HTTP API. */
export interface SalesforceFaultController {
  /** Adds a fault and returns its ID. */
  add(fault: SalesforceFault): string;
  /** Removes one fault. */
  remove(id: string): boolean;
  /** Removes all faults and recovers from a simulated crash. */
  clear(): void;
  /** Active faults with their IDs. */
  list(): Array<SalesforceFault & { id: string }>;
  /** True after a `crash-after-writes` fault fired (every request then fails until `clear()`). */
  readonly crashed: boolean;
}

/** A running emulator. */
export interface SalesforceEmulator {
  /** Base URL, e.g. `http://127.0.0.1:49152` (use as jsforce `instanceUrl`). */
  readonly url: string;
  /** A token of the default org's integration user. */
  readonly defaultToken: string;
  /** The first org's ID. */
  readonly defaultOrgId: string;
  /** Direct access to one org. */
  org(orgId?: string): SalesforceEmulatorOrg;
  /** Request log. */
  readonly requests: SalesforceRequestLog;
  /** Fault injection. */
  readonly faults: SalesforceFaultController;
  /** Issues an access token for an org (integration user unless `userId`). */
  createToken(orgId: string, options?: { userId?: string }): string;
  /** Writes state to `dataFile` now (no-op without one). */
  save(): Promise<void>;
  /** Stops the server (saving state first when `dataFile` is set). */
  close(): Promise<void>;
}
