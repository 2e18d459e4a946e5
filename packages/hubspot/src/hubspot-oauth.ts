/**
 * OAuth access tokens that refresh themselves: HubSpot access tokens last 30 minutes, so the adapter
 * asks for a new one shortly before expiry with the refresh token (research: hubspot-api.md §1.10).
 */
import { MilepostError } from '@milepost/core';
import { z } from 'zod';
import { HUBSPOT_API_VERSION } from './hubspot-api.js';

/** The tokens of one installed portal. */
export interface HubSpotOAuthTokenSet {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  hubId?: number;
  scopes?: string[];
}

/** Settings of {@link createHubSpotOAuthTokens}. */
export interface HubSpotOAuthTokensOptions {
  clientId: string;
  clientSecret: string;
  tokens: HubSpotOAuthTokenSet;
  /** Defaults to `https://api.hubapi.com`. */
  baseUrl?: string;
  /** Called with the new tokens after each refresh, to store them (encrypted) for the next run. */
  onRefresh?: (tokens: HubSpotOAuthTokenSet) => void | Promise<void>;
  /** Refresh this long before expiry (default 5 minutes). */
  marginMilliseconds?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

const tokenResponseSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number(),
  hub_id: z.number().nullish(),
  scopes: z.array(z.string()).nullish(),
});

const oauthErrorSchema = z.object({
  error: z.string().nullish(),
  error_description: z.string().nullish(),
  message: z.string().nullish(),
  status: z.string().nullish(),
});

/**
 * A token source for `createHubSpotAdapter({ accessToken })`: returns a valid access token,
 * refreshing it (once, even under concurrent calls) when it is about to expire.
 */
export function createHubSpotOAuthTokens(options: HubSpotOAuthTokensOptions): () => Promise<string> {
  const now = options.now ?? Date.now;
  const margin = options.marginMilliseconds ?? 5 * 60_000;
  const send = options.fetch ?? fetch;
  let current = options.tokens;
  let refreshing: Promise<HubSpotOAuthTokenSet> | undefined;

  const refresh = async (): Promise<HubSpotOAuthTokenSet> => {
    const response = await send(
      `${options.baseUrl ?? 'https://api.hubapi.com'}/oauth/${HUBSPOT_API_VERSION === '2026-09' ? '2026-03' : 'v1'}/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: options.clientId,
          client_secret: options.clientSecret,
          refresh_token: current.refreshToken,
        }),
      },
    );
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = oauthErrorSchema.safeParse(body);
      const reason = error.success
        ? (error.data.error_description ?? error.data.message ?? error.data.error)
        : undefined;
      throw new MilepostError({
        code: 'AUTHENTICATION_FAILED',
        message: `HubSpot refused to refresh the access token (${response.status}${reason ? `: ${reason}` : ''}); the app must be reinstalled on this portal`,
        details: { status: response.status, hubId: current.hubId },
      });
    }
    const parsed = tokenResponseSchema.parse(body);
    const next: HubSpotOAuthTokenSet = {
      accessToken: parsed.access_token,
      refreshToken: parsed.refresh_token,
      expiresAt: now() + parsed.expires_in * 1000,
      hubId: parsed.hub_id ?? current.hubId,
      scopes: parsed.scopes ?? current.scopes,
    };
    await options.onRefresh?.(next);
    return next;
  };

  return async () => {
    if (current.expiresAt - margin > now()) return current.accessToken;
    refreshing ??= refresh().finally(() => {
      refreshing = undefined;
    });
    current = await refreshing;
    return current.accessToken;
  };
}
