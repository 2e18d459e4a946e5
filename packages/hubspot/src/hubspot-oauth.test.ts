import { MilepostError } from '@milepost/core';
import { createHubSpotEmulator } from '@milepost/hubspot-emulator';
import { describe, expect, test } from 'vitest';
import { createHubSpotAdapter } from './hubspot-adapter.js';
import { createHubSpotOAuthTokens, type HubSpotOAuthTokenSet } from './hubspot-oauth.js';

async function installedPortal() {
  const emulator = await createHubSpotEmulator({ rateLimits: false });
  const app = emulator.app;
  // Install through the emulator's authorize step (consent given) and code exchange, as a HubSpot admin would.
  const authorize = new URL(`${emulator.url}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: app.redirectUris[0] ?? 'https://milepost.example/hubspot/callback',
    scope: app.scopes.join(' '),
    state: 'state-1',
    emulator_decision: 'allow',
  }).toString();
  const consent = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(consent.headers.get('location') ?? '', emulator.url).searchParams.get('code');
  if (!code) throw new Error(`the authorize step gave no code: ${consent.status}`);
  const exchanged = await fetch(`${emulator.url}/oauth/2026-03/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: app.redirectUris[0] ?? 'https://milepost.example/hubspot/callback',
      code,
    }),
  });
  const body = (await exchanged.json()) as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
  };
  return {
    emulator,
    app,
    tokens: {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresAt: emulator.clock.now() + body.expires_in * 1000,
    },
  };
}

describe('OAuth tokens that refresh themselves', () => {
  test('an expiring token is refreshed once, stored through onRefresh, and the adapter keeps working', async () => {
    const { emulator, app, tokens } = await installedPortal();
    try {
      const stored: HubSpotOAuthTokenSet[] = [];
      const accessToken = createHubSpotOAuthTokens({
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        tokens,
        baseUrl: emulator.url,
        now: () => emulator.clock.now(),
        onRefresh: (next) => void stored.push(next),
      });
      const adapter = createHubSpotAdapter({ accessToken, baseUrl: emulator.url, env: {} });
      expect((await adapter.preflight()).checks.length).toBeGreaterThan(0);
      expect(stored).toEqual([]);
      emulator.clock.advance(29 * 60_000);
      const [first, second] = await Promise.all([accessToken(), accessToken()]);
      expect(first).toBe(second);
      expect(first).not.toBe(tokens.accessToken);
      expect(stored).toHaveLength(1);
      emulator.clock.advance(10 * 60_000);
      // The old token has expired; the adapter uses the refreshed one.
      expect((await adapter.preflight()).ok).toBeTypeOf('boolean');
    } finally {
      await emulator.close();
    }
  });

  test('a revoked refresh token asks for a reinstall', async () => {
    const { emulator, app, tokens } = await installedPortal();
    try {
      await fetch(`${emulator.url}/oauth/2026-03/token/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: tokens.refreshToken,
          client_id: app.clientId,
          client_secret: app.clientSecret,
        }),
      });
      const accessToken = createHubSpotOAuthTokens({
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        tokens: { ...tokens, expiresAt: 0 },
        baseUrl: emulator.url,
      });
      const error = await accessToken().catch((caught: unknown) => caught);
      expect(MilepostError.isInstance(error) && error.code).toBe('AUTHENTICATION_FAILED');
      expect((error as Error).message).toContain('the app must be reinstalled on this portal');
    } finally {
      await emulator.close();
    }
  });
});
