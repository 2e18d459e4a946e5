/** What every route module receives: storage, secrets, configuration, the clock and the CRM factory. */
import type { MilepostAdapter } from '@milepost/core';
import type { Hono } from 'hono';
import type { AdminConfig } from './admin-config.js';
import type { Database } from './database.js';
import type { SecretBox } from './secret-box.js';

/** The signed-in admin, set by the session middleware. */
export interface SignedInAdmin {
  id: number;
  email: string;
}

/** Hono's typed variables for the admin app. */
export interface AdminEnv {
  Variables: {
    admin: SignedInAdmin | undefined;
    csrfToken: string;
  };
}

/** A stored connection with its secrets opened (never sent to a client). */
export interface ConnectionWithSecrets {
  id: string;
  target: 'hubspot' | 'salesforce';
  name: string;
  auth: 'token' | 'oauth' | 'client-credentials';
  baseUrl: string;
  hubId: number | null;
  secrets: Record<string, string | number | undefined>;
}

/** Builds the adapter for a connection; tests and the demo inject one pointed at the emulators. */
export type AdapterFactory = (connection: ConnectionWithSecrets) => MilepostAdapter;

/** Shared by every route module. */
export interface AdminContext {
  config: AdminConfig;
  database: Database;
  secrets: SecretBox;
  now: () => Date;
  /** Server log; never given secrets. */
  log: (line: string) => void;
  adapterFor: AdapterFactory;
}

/** The app every route module registers on. */
export type AdminApp = Hono<AdminEnv>;
