import { afterEach, describe, expect, it } from 'vitest';
import { loadConnection } from './connection-store.js';
import { createHubSpotTestRig, type HubSpotTestRig } from './hubspot-test-support.js';

const HUB = 1000001;

describe('HubSpot install routes', () => {
  let rig: HubSpotTestRig;
  afterEach(async () => {
    await rig.close();
  });

  const rows = async (table: string) => rig.admin.context.database.query(`select * from ${table}`);

  it('installs through the consent page: tokens sealed per portal, preflight stored, 302 to the install screen', async () => {
    rig = await createHubSpotTestRig();
    const authorize = await rig.startInstall();
    expect(authorize.origin + authorize.pathname).toBe(`${rig.emulator.url}/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(rig.emulator.app.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${rig.publicUrl}/hubspot/oauth/callback`);
    expect(authorize.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['oauth', 'crm.objects.companies.write', 'tickets', 'crm.objects.owners.read']),
    );
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    // Only the hash of the state is stored, with a 10-minute expiry.
    const [state] = await rows('oauth_states');
    expect(state?.state_hash).not.toBe(authorize.searchParams.get('state'));
    expect(
      new Date(state?.expires_at as string).getTime() - new Date(state?.created_at as string).getTime(),
    ).toBe(600_000);

    const done = await rig.install('allow');
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe(`/installs/${HUB}`);

    const [install] = await rows('hubspot_installs');
    expect(install).toMatchObject({ status: 'active' });
    expect(Number(install?.hub_id)).toBe(HUB);
    const [connection] = await rows('connections');
    expect(connection).toMatchObject({ target: 'hubspot', auth: 'oauth', base_url: rig.emulator.url });
    const opened = await loadConnection(rig.admin.context, connection?.id as string);
    expect(opened.secrets).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresAt: expect.any(Number),
    });
    // The database holds no token in the clear, and neither the logs nor the API show one.
    const everything = JSON.stringify(
      await Promise.all(['connections', 'hubspot_installs', 'oauth_states'].map(rows)),
    );
    for (const secret of [opened.secrets.accessToken, opened.secrets.refreshToken] as string[]) {
      expect(everything).not.toContain(secret);
      expect(rig.admin.logs.join('\n')).not.toContain(secret);
    }

    await rig.admin.signIn();
    const list = await rig.admin.request('GET', '/api/installs');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      {
        hubId: HUB,
        connectionId: connection?.id,
        installedAt: expect.any(String),
        status: 'active',
        preflight: { ok: expect.any(Boolean), checks: expect.any(Array) },
      },
    ]);
    expect(list.body[0].preflight.checks).toContainEqual(
      expect.objectContaining({ name: 'scopes for companies', ok: true }),
    );
    const one = await rig.admin.request('GET', `/api/installs/${HUB}`);
    expect(one.body).toEqual(list.body[0]);
    for (const secret of [opened.secrets.accessToken, opened.secrets.refreshToken] as string[]) {
      expect(list.text).not.toContain(secret);
    }
    expect((await rig.admin.request('GET', '/api/installs/999')).status).toBe(404);
    expect((await rig.admin.request('GET', '/api/installs/abc')).status).toBe(404);
    const connections = await rig.admin.request('GET', '/api/connections');
    if (connections.status === 200)
      expect(connections.text).not.toContain(opened.secrets.accessToken as string);
  });

  it('answers 401 for the installs list without sign-in', async () => {
    rig = await createHubSpotTestRig();
    const anonymous = rig.admin.client();
    expect((await anonymous.request('GET', '/api/installs')).status).toBe(401);
    expect((await anonymous.request('GET', `/api/installs/${HUB}`)).status).toBe(401);
  });

  it('shows a friendly page on denied consent and stores nothing', async () => {
    rig = await createHubSpotTestRig();
    const denied = await rig.install('deny');
    expect(denied.status).toBe(200);
    expect(denied.text).toContain('Milepost was not installed');
    expect(denied.text).toContain('nothing was stored');
    expect(await rows('connections')).toHaveLength(0);
    expect(await rows('hubspot_installs')).toHaveLength(0);
    // The denied attempt used its state up.
    expect((await rows('oauth_states'))[0]?.used_at).not.toBeNull();
  });

  it('refuses a bad, reused or expired state with a 400 page, storing nothing more', async () => {
    rig = await createHubSpotTestRig();
    const forged = await rig.admin.request(
      'GET',
      '/hubspot/oauth/callback?code=abc&state=not-a-state-this-server-made',
    );
    expect(forged.status).toBe(400);
    expect(forged.headers.get('content-type')).toContain('text/html');
    expect(forged.text).toContain('no longer valid');
    const missing = await rig.admin.request('GET', '/hubspot/oauth/callback?code=abc');
    expect(missing.status).toBe(400);
    expect(await rows('connections')).toHaveLength(0);

    // A state works once: replaying HubSpot's redirect is refused.
    const authorize = await rig.startInstall();
    authorize.searchParams.set('emulator_decision', 'allow');
    const redirect = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '');
    expect((await rig.callback(redirect)).status).toBe(302);
    const reused = await rig.callback(redirect);
    expect(reused.status).toBe(400);
    expect(await rows('connections')).toHaveLength(1);

    // A state expires after 10 minutes.
    const late = await rig.startInstall();
    late.searchParams.set('emulator_decision', 'allow');
    const lateRedirect = new URL((await fetch(late, { redirect: 'manual' })).headers.get('location') ?? '');
    rig.emulator.clock.advance(10 * 60_000 + 1000);
    const expired = await rig.callback(lateRedirect);
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('no longer valid');
    expect(await rows('connections')).toHaveLength(1);
    expect(await rows('hubspot_installs')).toHaveLength(1);
  });

  it('reinstalls onto the same connection with new tokens', async () => {
    rig = await createHubSpotTestRig();
    await rig.install('allow');
    const [first] = await rows('connections');
    const before = await loadConnection(rig.admin.context, first?.id as string);
    expect((await rig.install('allow')).status).toBe(302);
    const connections = await rows('connections');
    expect(connections).toHaveLength(1);
    const after = await loadConnection(rig.admin.context, first?.id as string);
    expect(after.secrets.accessToken).not.toBe(before.secrets.accessToken);
    expect(rig.admin.logs.some((line) => line.includes('reinstalled'))).toBe(true);
  });

  it('refreshes the access token before it expires and seals the new one', async () => {
    rig = await createHubSpotTestRig();
    await rig.install('allow');
    const [row] = await rows('connections');
    const before = await loadConnection(rig.admin.context, row?.id as string);
    // 26 minutes on: inside the 5-minute margin of the 30-minute token.
    rig.emulator.clock.advance(26 * 60_000);
    const report = await rig.admin.context.adapterFor(before).preflight();
    expect(report.checks.length).toBeGreaterThan(0);
    const after = await loadConnection(rig.admin.context, row?.id as string);
    expect(after.secrets.accessToken).not.toBe(before.secrets.accessToken);
    expect(after.secrets.expiresAt).toBeGreaterThan(before.secrets.expiresAt as number);
    const [sealed] = await rows('connections');
    expect(sealed?.secrets).not.toContain(after.secrets.accessToken as string);
    // The old token is past its life now; the new one still works.
    rig.emulator.clock.advance(5 * 60_000);
    expect((await rig.admin.context.adapterFor(after).preflight()).checks.length).toBeGreaterThan(0);
  });

  it('says the app is not configured when the OAuth client is missing', async () => {
    rig = await createHubSpotTestRig({ configured: false });
    const response = await rig.admin.request('GET', '/hubspot/install');
    expect(response.status).toBe(503);
    expect(response.text).toContain('HUBSPOT_CLIENT_ID');
    expect(await rows('oauth_states')).toHaveLength(0);
  });
});
