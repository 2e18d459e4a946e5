/**
 * Access tokens, refresh tokens, authorization codes and apps. Private-app tokens never expire; OAuth
 * access tokens expire after 30 minutes (research: hubspot-api.md §1.10).
 */
import { createHash, randomBytes } from 'node:crypto';

/** OAuth access tokens live this long. */
export const ACCESS_TOKEN_LIFETIME_MILLISECONDS = 30 * 60 * 1000;

/** A token the emulator accepts as `Authorization: Bearer`. */
export interface HubSpotTokenRecord {
  token: string;
  kind: 'private' | 'oauth';
  hubId: number;
  appId: number;
  scopes: string[];
  userId: number;
  issuedAt: number;
  /** Only OAuth access tokens expire. */
  expiresAt?: number;
  revoked: boolean;
}

/** A refresh token of an OAuth install. */
export interface HubSpotRefreshTokenRecord {
  token: string;
  hubId: number;
  appId: number;
  clientId: string;
  scopes: string[];
  userId: number;
  revoked: boolean;
}

/** An authorization code from the consent page. */
export interface HubSpotAuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  hubId: number;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

/** A developer app (OAuth client and webhook owner). */
export interface HubSpotApp {
  appId: number;
  clientId: string;
  clientSecret: string;
  /** `hapikey` for the webhooks settings/subscriptions API. */
  developerApiKey: string;
  redirectUris: string[];
  /** Scopes the app may request. */
  scopes: string[];
}

/** The token registry. */
export interface HubSpotTokenRegistry {
  apps: Map<number, HubSpotApp>;
  tokens: Map<string, HubSpotTokenRecord>;
  refreshTokens: Map<string, HubSpotRefreshTokenRecord>;
  codes: Map<string, HubSpotAuthorizationCode>;
  issueAccessToken(
    input: Omit<HubSpotTokenRecord, 'token' | 'issuedAt' | 'revoked' | 'expiresAt'> & { token?: string },
  ): HubSpotTokenRecord;
  issueRefreshToken(input: Omit<HubSpotRefreshTokenRecord, 'token' | 'revoked'>): HubSpotRefreshTokenRecord;
  appByClientId(clientId: string): HubSpotApp | undefined;
  /** Revokes every token of an app in a portal (uninstall). */
  revokeInstall(hubId: number, appId: number): void;
}

/** Creates the token registry; `now` is the emulator clock. */
export function createTokenRegistry(now: () => number): HubSpotTokenRegistry {
  const apps = new Map<number, HubSpotApp>();
  const tokens = new Map<string, HubSpotTokenRecord>();
  const refreshTokens = new Map<string, HubSpotRefreshTokenRecord>();
  const codes = new Map<string, HubSpotAuthorizationCode>();
  return {
    apps,
    tokens,
    refreshTokens,
    codes,
    issueAccessToken(input) {
      const issuedAt = now();
      const token =
        input.token ??
        (input.kind === 'private'
          ? `pat-na1-${randomBytes(16)
              .toString('hex')
              .replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5')}`
          : `CJ${randomBytes(24).toString('base64url')}`);
      const record: HubSpotTokenRecord = {
        ...input,
        token,
        issuedAt,
        revoked: false,
        ...(input.kind === 'oauth' ? { expiresAt: issuedAt + ACCESS_TOKEN_LIFETIME_MILLISECONDS } : {}),
      };
      tokens.set(token, record);
      return record;
    },
    issueRefreshToken(input) {
      const token = `na1-${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(6).toString('hex')}`;
      const record = { ...input, token, revoked: false };
      refreshTokens.set(token, record);
      return record;
    },
    appByClientId(clientId) {
      for (const app of apps.values()) if (app.clientId === clientId) return app;
      return undefined;
    },
    revokeInstall(hubId, appId) {
      for (const record of tokens.values())
        if (record.hubId === hubId && record.appId === appId && record.kind === 'oauth')
          record.revoked = true;
      for (const record of refreshTokens.values())
        if (record.hubId === hubId && record.appId === appId) record.revoked = true;
    },
  };
}

/** A deterministic app for a seed string, so the standalone server prints the same client id every run. */
export function deterministicApp(appId: number, scopes: string[]): HubSpotApp {
  const digest = (label: string) => createHash('sha256').update(`${appId}:${label}`).digest('hex');
  const clientId = digest('client');
  return {
    appId,
    clientId: `${clientId.slice(0, 8)}-${clientId.slice(8, 12)}-${clientId.slice(12, 16)}-${clientId.slice(16, 20)}-${clientId.slice(20, 32)}`,
    clientSecret: `${digest('secret').slice(0, 8)}-${digest('secret').slice(8, 12)}-${digest('secret').slice(12, 16)}-${digest('secret').slice(16, 20)}-${digest('secret').slice(20, 32)}`,
    developerApiKey: `${digest('developer').slice(0, 8)}-${digest('developer').slice(8, 12)}-${digest('developer').slice(12, 16)}-${digest('developer').slice(16, 20)}-${digest('developer').slice(20, 32)}`,
    redirectUris: [],
    scopes,
  };
}
