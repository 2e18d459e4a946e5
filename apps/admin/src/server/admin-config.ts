/** The admin server's settings, from the environment. */
import { join } from 'node:path';

/** Everything the server reads from its environment. */
export interface AdminConfig {
  /** Where PGlite and the generated secret key live (default `.milepost/admin`). */
  dataDir: string;
  /** A PostgreSQL server; PGlite in `dataDir` when absent. */
  databaseUrl?: string;
  /** The URL people and HubSpot reach the server at (OAuth redirect, webhook signatures). */
  publicUrl: string;
  port: number;
  /** 32 bytes (hex or base64); generated into `dataDir/secret.key` when absent. */
  secretKey?: string;
  /** First-run admin account, created without asking when both are set. */
  adminEmail?: string;
  adminPassword?: string;
  /** The HubSpot app's OAuth client (the HubSpot app issue). */
  hubspot: {
    clientId?: string;
    clientSecret?: string;
    /** HubSpot's authorize page (the emulator's in tests and the demo). */
    authorizeUrl: string;
    /** HubSpot's API base (token exchange, API calls). */
    apiBaseUrl: string;
    scopes: string[];
    optionalScopes: string[];
  };
  /** Where the built UI is served from; not served when absent. */
  uiDir?: string;
}

/** Reads the settings from `env`. */
export function adminConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  const port = Number(env.PORT ?? env.MILEPOST_ADMIN_PORT ?? 4400);
  const dataDir = env.MILEPOST_DATA_DIR ?? join(process.cwd(), '.milepost', 'admin');
  const list = (value: string | undefined) => (value ? value.split(/[\s,]+/).filter(Boolean) : undefined);
  return {
    dataDir,
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    publicUrl: (env.MILEPOST_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    port,
    ...(env.MILEPOST_SECRET_KEY ? { secretKey: env.MILEPOST_SECRET_KEY } : {}),
    ...(env.MILEPOST_ADMIN_EMAIL ? { adminEmail: env.MILEPOST_ADMIN_EMAIL } : {}),
    ...(env.MILEPOST_ADMIN_PASSWORD ? { adminPassword: env.MILEPOST_ADMIN_PASSWORD } : {}),
    hubspot: {
      ...(env.HUBSPOT_CLIENT_ID ? { clientId: env.HUBSPOT_CLIENT_ID } : {}),
      ...(env.HUBSPOT_CLIENT_SECRET ? { clientSecret: env.HUBSPOT_CLIENT_SECRET } : {}),
      authorizeUrl: env.HUBSPOT_AUTHORIZE_URL ?? 'https://app.hubspot.com/oauth/authorize',
      apiBaseUrl: (env.HUBSPOT_BASE_URL ?? 'https://api.hubapi.com').replace(/\/$/, ''),
      scopes: list(env.HUBSPOT_SCOPES) ?? [],
      optionalScopes: list(env.HUBSPOT_OPTIONAL_SCOPES) ?? [],
    },
    ...(env.MILEPOST_UI_DIR ? { uiDir: env.MILEPOST_UI_DIR } : {}),
  };
}
