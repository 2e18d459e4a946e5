import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

const redirectUri = 'http://127.0.0.1:9/oauth/callback';

describe('OAuth', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await startEmulator({
      apps: [
        {
          appId: 3000001,
          redirectUris: [redirectUri],
          scopes: ['oauth', 'crm.objects.companies.read', 'crm.objects.companies.write', 'automation'],
        },
      ],
    });
  });
  afterEach(async () => {
    await fixture.emulator.close();
  });

  const authorizeUrl = (extra: Record<string, string> = {}) => {
    const url = new URL('/oauth/authorize', fixture.emulator.url);
    url.searchParams.set('client_id', fixture.emulator.app.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', 'oauth crm.objects.companies.read');
    url.searchParams.set('state', 'xyz');
    for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
    return url;
  };

  async function authorize(decision: 'allow' | 'deny'): Promise<URL> {
    const page = await fetch(authorizeUrl());
    expect(page.status).toBe(200);
    const html = await page.text();
    const href = new RegExp(`id="${decision}" href="([^"]+)"`).exec(html)?.[1]?.replaceAll('&#38;', '&');
    expect(href).toBeDefined();
    const response = await fetch(new URL(href as string, fixture.emulator.url), { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location') as string);
  }

  it('shows a consent page, redirects with a code, and exchanges it with the client (oauth v1)', async () => {
    const location = await authorize('allow');
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code') as string;
    const tokens = await fixture.client.oauth.tokensApi.create(
      'authorization_code',
      code,
      redirectUri,
      fixture.emulator.app.clientId,
      fixture.emulator.app.clientSecret,
    );
    expect(tokens).toMatchObject({ tokenType: 'bearer', expiresIn: 1800 });
    const companies = await fixture.clientFor(tokens.accessToken).crm.companies.basicApi.getPage();
    expect(companies.results).toEqual([]);
    const info = await fixture.client.oauth.accessTokensApi.get(tokens.accessToken);
    expect(info).toMatchObject({
      hubId: 1000001,
      appId: 3000001,
      scopes: ['oauth', 'crm.objects.companies.read'],
    });
    // The code is single-use.
    const reused = await apiError(
      fixture.client.oauth.tokensApi.create(
        'authorization_code',
        code,
        redirectUri,
        fixture.emulator.app.clientId,
        fixture.emulator.app.clientSecret,
      ),
    );
    expect(reused.code).toBe(400);
    expect(reused.body).toMatchObject({ status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code' });
  });

  it('redirects with access_denied when the user cancels', async () => {
    const location = await authorize('deny');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('skips the page with emulator_decision, refuses unknown scopes and redirect URIs', async () => {
    const allowed = await fetch(authorizeUrl({ emulator_decision: 'allow' }), { redirect: 'manual' });
    expect(allowed.status).toBe(302);
    expect((await fetch(authorizeUrl({ scope: 'tickets' }))).status).toBe(400);
    expect((await fetch(authorizeUrl({ redirect_uri: 'http://evil.example/cb' }))).status).toBe(400);
  });

  it('expires access tokens after 30 minutes, refreshes, and uses RFC 6749 errors on 2026-03', async () => {
    const location = new URL(
      (await fetch(authorizeUrl({ emulator_decision: 'allow' }), { redirect: 'manual' })).headers.get(
        'location',
      ) as string,
    );
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: fixture.emulator.app.clientId,
        client_secret: fixture.emulator.app.clientSecret,
        ...fields,
      }).toString(),
    });
    const exchanged = await fetch(
      `${fixture.emulator.url}/oauth/2026-03/token`,
      form({
        grant_type: 'authorization_code',
        code: location.searchParams.get('code') as string,
        redirect_uri: redirectUri,
      }),
    );
    const tokens = (await exchanged.json()) as {
      access_token: string;
      refresh_token: string;
      hub_id: number;
      token_use: string;
    };
    expect(tokens).toMatchObject({ hub_id: 1000001, token_use: 'access_token' });
    fixture.emulator.clock.advance(31 * 60 * 1000);
    const expired = await apiError(fixture.clientFor(tokens.access_token).crm.companies.basicApi.getPage());
    expect(expired.code).toBe(401);
    expect(expired.body.category).toBe('EXPIRED_AUTHENTICATION');
    const refreshed = await fixture.client.oauth.tokensApi.create(
      'refresh_token',
      undefined,
      undefined,
      fixture.emulator.app.clientId,
      fixture.emulator.app.clientSecret,
      tokens.refresh_token,
    );
    expect((await fixture.clientFor(refreshed.accessToken).crm.companies.basicApi.getPage()).results).toEqual(
      [],
    );
    const bad = await fetch(
      `${fixture.emulator.url}/oauth/2026-03/token`,
      form({ grant_type: 'refresh_token', refresh_token: 'nope' }),
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_grant', status: 'BAD_REFRESH_TOKEN' });
    const introspected = await fetch(
      `${fixture.emulator.url}/oauth/2026-03/token/introspect`,
      form({ token: refreshed.accessToken }),
    );
    expect(await introspected.json()).toMatchObject({ active: true, hub_id: 1000001 });
    await fetch(`${fixture.emulator.url}/oauth/2026-03/token/revoke`, form({ token: refreshed.accessToken }));
    expect(
      (await apiError(fixture.clientFor(refreshed.accessToken).crm.companies.basicApi.getPage())).code,
    ).toBe(401);
    const inactive = await fetch(
      `${fixture.emulator.url}/oauth/2026-03/token/introspect`,
      form({ token: refreshed.accessToken }),
    );
    expect(await inactive.json()).toEqual({ active: false });
  });

  it('revokes refresh tokens and uninstalls the app', async () => {
    const location = new URL(
      (await fetch(authorizeUrl({ emulator_decision: 'allow' }), { redirect: 'manual' })).headers.get(
        'location',
      ) as string,
    );
    const tokens = await fixture.client.oauth.tokensApi.create(
      'authorization_code',
      location.searchParams.get('code') as string,
      redirectUri,
      fixture.emulator.app.clientId,
      fixture.emulator.app.clientSecret,
    );
    const refreshInfo = await fixture.client.oauth.refreshTokensApi.get(tokens.refreshToken);
    expect(refreshInfo.hubId).toBe(1000001);
    const uninstall = await fixture.call(
      'DELETE',
      '/appinstalls/v3/external-install',
      undefined,
      tokens.accessToken,
    );
    expect(uninstall.status).toBe(204);
    expect(
      (await apiError(fixture.clientFor(tokens.accessToken).crm.companies.basicApi.getPage())).code,
    ).toBe(401);
    const refresh = await apiError(
      fixture.client.oauth.tokensApi.create(
        'refresh_token',
        undefined,
        undefined,
        fixture.emulator.app.clientId,
        fixture.emulator.app.clientSecret,
        tokens.refreshToken,
      ),
    );
    expect(refresh.body).toMatchObject({ status: 'BAD_REFRESH_TOKEN' });
  });

  it('describes private app tokens', async () => {
    const response = await fetch(`${fixture.emulator.url}/oauth/v2/private-apps/get/access-token-info`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tokenKey: fixture.emulator.defaultToken }),
    });
    expect(await response.json()).toMatchObject({ hubId: 1000001 });
  });
});
