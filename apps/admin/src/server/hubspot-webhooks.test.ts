import { readFileSync } from 'node:fs';
import { readTemplate } from '@milepost/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isCardState } from '../../../hubspot-app/src/app/cards/card-state.js';
import { loadConnection } from './connection-store.js';
import { loadInstallJourneys } from './hubspot-install.js';
import { createHubSpotTestRig, type HubSpotTestRig } from './hubspot-test-support.js';
import { settleHubSpotWebhookSyncs } from './hubspot-webhooks.js';
import { parseMappingSource, saveMapping } from './mapping-store.js';

const HUB = 1000001;
const DEMO_MAPPING = readFileSync(
  new URL('../../../../packages/cli/demo/saas-lifecycle.hubspot.mapping.yaml', import.meta.url),
  'utf8',
);

/** Installs, imports the journey, saves the demo mapping and provisions the portal through the adapter. */
async function provision(rig: HubSpotTestRig): Promise<string> {
  expect((await rig.install('allow')).status).toBe(302);
  await rig.admin.signIn();
  expect((await rig.admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' })).status).toBe(201);
  const [row] = await rig.admin.context.database.query<{ id: string }>('select id from connections');
  const connectionId = row?.id as string;
  await saveMapping(
    rig.admin.context.database,
    'saas-lifecycle',
    connectionId,
    DEMO_MAPPING,
    'admin@example.com',
  );
  const [journey] = await loadInstallJourneys(rig.admin.context, connectionId);
  const adapter = rig.admin.context.adapterFor(await loadConnection(rig.admin.context, connectionId));
  const plan = await adapter.plan(journey!.journey, journey!.mapping);
  const applied = await adapter.apply(journey!.journey, journey!.mapping, plan);
  expect(applied.failed).toEqual([]);
  return connectionId;
}

async function subscribe(rig: HubSpotTestRig, propertyName: string): Promise<void> {
  const { appId, developerApiKey } = rig.emulator.app;
  const base = `${rig.emulator.url}/webhooks/v3/${appId}`;
  const put = await fetch(`${base}/settings?hapikey=${developerApiKey}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ targetUrl: `${rig.publicUrl}/hubspot/webhooks` }),
  });
  expect(put.status).toBe(200);
  const post = await fetch(`${base}/subscriptions?hapikey=${developerApiKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ eventType: 'company.propertyChange', propertyName }),
  });
  expect(post.status).toBe(201);
}

/** Changes a company property as a HubSpot user would, through the API. */
async function setProperty(
  rig: HubSpotTestRig,
  id: string,
  properties: Record<string, string>,
): Promise<void> {
  const response = await fetch(`${rig.emulator.url}/crm/v3/objects/companies/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${rig.emulator.defaultToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ properties }),
  });
  expect(response.status).toBe(200);
}

function justSignedCompany(rig: HubSpotTestRig): string {
  const company = rig.emulator
    .portal(HUB)
    .objects('companies')
    .find((record) => record.properties.contract_signed_date && record.properties.setup_complete === 'false');
  if (!company) throw new Error('the demo seed has no company without a kick-off');
  return company.id;
}

const waitForWork = async (rig: HubSpotTestRig) => {
  await rig.emulator.webhooks.idle();
  await settleHubSpotWebhookSyncs(rig.admin.context);
};

describe('HubSpot webhooks', () => {
  let rig: HubSpotTestRig;
  afterEach(async () => {
    await rig.close();
  });

  it('end to end: install → provision → property change → signed webhook → sync run → card shows the new state', async () => {
    rig = await createHubSpotTestRig({ seed: 'demo', extraScopes: ['crm.objects.contacts.read'] });
    const connectionId = await provision(rig);
    await subscribe(rig, 'setup_complete');
    const companyId = justSignedCompany(rig);
    const cardPath = `/hubspot/card?objectType=companies&objectId=${companyId}&portalId=${HUB}&userId=1&userEmail=csm%40example.com&appId=${rig.emulator.app.appId}`;

    const before = await rig.signed('GET', cardPath);
    expect(before.status).toBe(200);
    expect(isCardState(before.body)).toBe(true);
    expect(before.body.milestones).toContainEqual(
      expect.objectContaining({ key: 'setup-done', status: 'pending', manual: false }),
    );

    const today = new Date(rig.emulator.clock.now()).toISOString().slice(0, 10);
    await setProperty(rig, companyId, { setup_complete: 'true' });
    await waitForWork(rig);

    const [delivery] = rig.emulator.webhooks.deliveries;
    expect(delivery?.status).toBe(204);
    const runs = await rig.admin.context.database.query<Record<string, unknown>>(
      "select * from runs where kind = 'sync'",
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      journey_key: 'saas-lifecycle',
      connection_id: connectionId,
      status: 'succeeded',
      parameters: { recordIds: [companyId], trigger: 'hubspot-webhook' },
    });
    const [state] = await rig.admin.context.database.query<{ record_id: string }>(
      'select record_id from customer_states',
    );
    expect(state?.record_id).toBe(companyId);
    const pending = await rig.admin.context.database.query(
      'select * from webhook_events where processed_at is null',
    );
    expect(pending).toHaveLength(0);
    // The sync wrote the milestone's date into HubSpot.
    expect(rig.emulator.portal(HUB).object('companies', companyId)?.properties.milepost_ms_setup_done).toBe(
      today,
    );

    const after = await rig.signed('GET', cardPath);
    expect(after.status).toBe(200);
    expect(isCardState(after.body)).toBe(true);
    expect(after.body).toMatchObject({ portalId: HUB, objectType: 'companies', objectId: companyId });
    expect(after.body.milestones).toContainEqual(
      expect.objectContaining({ key: 'setup-done', status: 'achieved', achievedAt: today }),
    );
    expect(after.body.journey).toMatchObject({ key: 'saas-lifecycle' });
    expect(after.body.actions.advanceStage).toBe(false);
    expect(after.text.length).toBeLessThan(1_000_000);

    // HubSpot's retry (or an attacker's replay) of the same delivery inside the window: recorded once.
    const replay = await rig.admin.app.request('/hubspot/webhooks', {
      method: 'POST',
      headers: delivery?.headers ?? {},
      body: delivery?.body ?? '',
    });
    expect(replay.status).toBe(204);
    await settleHubSpotWebhookSyncs(rig.admin.context);
    expect(await rig.admin.context.database.query("select * from runs where kind = 'sync'")).toHaveLength(1);
  }, 120_000);

  it('refuses a forged or stale signature with 401 and records nothing', async () => {
    rig = await createHubSpotTestRig();
    const body = JSON.stringify([
      {
        eventId: 1,
        subscriptionId: 2,
        portalId: HUB,
        subscriptionType: 'company.propertyChange',
        objectId: 5,
      },
    ]);
    const forged = await rig.signed('POST', '/hubspot/webhooks', body, { secret: 'not-the-client-secret' });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('INVALID_SIGNATURE');
    const stale = await rig.signed('POST', '/hubspot/webhooks', body, { ageMs: 5 * 60_000 + 1000 });
    expect(stale.status).toBe(401);
    const unsigned = await rig.admin.app.request('/hubspot/webhooks', { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    // A signed body that is not HubSpot's event list is a 400, also storing nothing.
    const bad = await rig.signed('POST', '/hubspot/webhooks', '{"not":"a list"}');
    expect(bad.status).toBe(400);
    const notJson = await rig.signed('POST', '/hubspot/webhooks', 'nope');
    expect(notJson.status).toBe(400);
    expect(await rig.admin.context.database.query('select * from webhook_events')).toHaveLength(0);
    expect(rig.admin.logs.join('\n')).not.toContain(rig.emulator.app.clientSecret);
  });

  it('a revoked token: the install needs a reinstall, the events are kept and synced after it', async () => {
    rig = await createHubSpotTestRig({ seed: 'demo', extraScopes: ['crm.objects.contacts.read'] });
    const connectionId = await provision(rig);
    const companyId = justSignedCompany(rig);
    const opened = await loadConnection(rig.admin.context, connectionId);
    // The portal's admin disconnects the app in HubSpot: every token of the install is revoked.
    const revoked = await fetch(`${rig.emulator.url}/appinstalls/v3/external-install`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${opened.secrets.accessToken}` },
    });
    expect(revoked.status).toBe(204);

    const event = {
      eventId: 77,
      subscriptionId: 9,
      portalId: HUB,
      subscriptionType: 'company.propertyChange',
    };
    const body = JSON.stringify([{ ...event, objectId: Number(companyId), propertyName: 'setup_complete' }]);
    expect((await rig.signed('POST', '/hubspot/webhooks', body)).status).toBe(204);
    await settleHubSpotWebhookSyncs(rig.admin.context);

    const [install] = await rig.admin.context.database.query<{ status: string }>(
      'select status from hubspot_installs',
    );
    expect(install?.status).toBe('needs-reinstall');
    const [failed] = await rig.admin.context.database.query<{ status: string; summary: string }>(
      "select status, summary from runs where kind = 'sync'",
    );
    expect(failed).toMatchObject({ status: 'failed', summary: expect.stringContaining('reinstall') });
    expect(
      await rig.admin.context.database.query('select * from webhook_events where processed_at is null'),
    ).toHaveLength(1);
    const card = await rig.signed(
      'GET',
      `/hubspot/card?objectType=companies&objectId=${companyId}&portalId=${HUB}`,
    );
    expect(card.status).toBe(409);
    expect(card.body.error.code).toBe('NEEDS_REINSTALL');
    // Nothing was lost: the connection and its mapping are still there.
    expect(await rig.admin.context.database.query('select * from mappings')).toHaveLength(1);

    // Reinstalling reuses the connection and syncs the kept event.
    expect((await rig.install('allow')).status).toBe(302);
    await settleHubSpotWebhookSyncs(rig.admin.context);
    const [active] = await rig.admin.context.database.query<{ status: string; connection_id: string }>(
      'select status, connection_id from hubspot_installs',
    );
    expect(active).toEqual({ status: 'active', connection_id: connectionId });
    expect(
      await rig.admin.context.database.query('select * from webhook_events where processed_at is null'),
    ).toHaveLength(0);
    const statuses = await rig.admin.context.database.query<{ status: string }>(
      "select status from runs where kind = 'sync' order by started_at, id",
    );
    expect(statuses.map((row) => row.status)).toContain('succeeded');
    expect(
      (await rig.signed('GET', `/hubspot/card?objectType=companies&objectId=${companyId}&portalId=${HUB}`))
        .status,
    ).toBe(200);
  }, 120_000);

  it('an uninstall event marks the install uninstalled and drops its tokens', async () => {
    rig = await createHubSpotTestRig();
    await rig.install('allow');
    const body = JSON.stringify([{ eventId: 5, portalId: HUB, subscriptionType: 'app.uninstall', appId: 1 }]);
    expect((await rig.signed('POST', '/hubspot/webhooks', body)).status).toBe(204);
    const [install] = await rig.admin.context.database.query<{ status: string; connection_id: string }>(
      'select status, connection_id from hubspot_installs',
    );
    expect(install?.status).toBe('uninstalled');
    expect((await loadConnection(rig.admin.context, install?.connection_id as string)).secrets).toEqual({});
    const card = await rig.signed('GET', `/hubspot/card?objectType=companies&objectId=1&portalId=${HUB}`);
    expect(card.body.error.code).toBe('NOT_INSTALLED');
  });
});

describe('the card view of the mapping check', () => {
  it('parses the demo mapping the tests provision with', () => {
    expect(
      parseMappingSource(DEMO_MAPPING, 'mapping.yaml', readTemplate('saas-lifecycle')).mapping,
    ).toBeDefined();
  });
});
