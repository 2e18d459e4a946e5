/**
 * The card end to end (issue 9, "the card renders it"): the admin server on a real port with the
 * HubSpot emulator, the app installed through the consent page, the journey provisioned, the project's
 * own webhook subscriptions registered, a company property changed in HubSpot, the signed webhook, the
 * sync run — and the card, rendered through `@hubspot/ui-extensions/testing`, calling the admin server
 * over real HTTP with a `hubspot.fetch` stand-in that signs like HubSpot does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Flex, ProgressBar, StepIndicator, Tag } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { readTemplate } from '@milepost/core';
import { hubSpotSignatureV3 } from '@milepost/hubspot-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnection } from '../../admin/src/server/connection-store.ts';
import { loadInstallJourneys } from '../../admin/src/server/hubspot-install.ts';
import { createHubSpotTestRig, type HubSpotTestRig } from '../../admin/src/server/hubspot-test-support.ts';
import { settleHubSpotWebhookSyncs } from '../../admin/src/server/hubspot-webhooks.ts';
import { parseMappingSource, saveMapping } from '../../admin/src/server/mapping-store.ts';
import { renderWebhooksMeta } from '../scripts/configure.ts';
import { JourneyCard } from '../src/app/cards/JourneyCard.tsx';
import type { MilepostFetch } from '../src/app/cards/milepost-client.ts';

const HUB = 1000001;
const USER = { userId: 7, userEmail: 'csm@example.com' };
const projectDir = join(import.meta.dirname, '..');
const DEMO_MAPPING = await readFile(
  join(projectDir, '..', '..', 'packages', 'cli', 'demo', 'saas-lifecycle.hubspot.mapping.yaml'),
  'utf8',
);

/**
 * `hubspot.fetch` as HubSpot runs it for a card: the calling account and user are added to the query,
 * the body is sent as JSON, and the request is signed with the app's client secret
 * (`X-HubSpot-Signature-v3` over method, full URL, body and timestamp). The request itself is real HTTP.
 */
function hubSpotFetchStandIn(rig: HubSpotTestRig, calls: string[]): MilepostFetch {
  return async (url, options = {}) => {
    const target = new URL(url);
    target.searchParams.set('portalId', String(HUB));
    target.searchParams.set('userId', String(USER.userId));
    target.searchParams.set('userEmail', USER.userEmail);
    target.searchParams.set('appId', String(rig.emulator.app.appId));
    const method = options.method ?? 'GET';
    const body = options.body === undefined ? '' : JSON.stringify(options.body);
    const timestamp = String(rig.emulator.clock.now());
    calls.push(`${method} ${target.pathname}`);
    return fetch(target, {
      method,
      headers: {
        'x-hubspot-signature-v3': hubSpotSignatureV3(
          rig.emulator.app.clientSecret,
          method,
          target.toString(),
          body,
          timestamp,
        ),
        'x-hubspot-request-timestamp': timestamp,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(options.timeout ?? 15_000),
    });
  };
}

/** Registers the project's webhooks component (rendered for this admin server) with the emulator's app. */
async function registerProjectWebhooks(rig: HubSpotTestRig, properties: string[]): Promise<number> {
  const template = await readFile(join(projectDir, 'config', 'webhooks-hsmeta.template.json'), 'utf8');
  const meta = JSON.parse(
    renderWebhooksMeta(template, {
      publicUrl: rig.publicUrl,
      cycleObject: 'tickets',
      webhookProperties: properties,
    }),
  ) as {
    config: {
      settings: { targetUrl: string };
      subscriptions: {
        legacyCrmObjects: Array<{ subscriptionType: string; propertyName?: string; active: boolean }>;
      };
    };
  };
  const { appId, developerApiKey } = rig.emulator.app;
  const base = `${rig.emulator.url}/webhooks/v3/${appId}`;
  const settings = await fetch(`${base}/settings?hapikey=${developerApiKey}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ targetUrl: meta.config.settings.targetUrl }),
  });
  expect(settings.status).toBe(200);
  for (const subscription of meta.config.subscriptions.legacyCrmObjects) {
    const created = await fetch(`${base}/subscriptions?hapikey=${developerApiKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        eventType: subscription.subscriptionType,
        active: subscription.active,
        ...(subscription.propertyName ? { propertyName: subscription.propertyName } : {}),
      }),
    });
    expect(created.status, await created.text()).toBe(201);
  }
  return meta.config.subscriptions.legacyCrmObjects.length;
}

function renderCard(rig: HubSpotTestRig, crm: { objectTypeId: string; objectId: number }, calls: string[]) {
  const renderer = createRenderer('crm.record.tab');
  renderer.render(
    <JourneyCard
      layout="tab"
      crm={crm}
      fetch={hubSpotFetchStandIn(rig, calls)}
      baseUrl={rig.publicUrl}
      onChanged={() => undefined}
    />,
  );
  return renderer;
}

const WAIT = { timeoutInMs: 10_000 };

describe('the journey card end to end (admin server, HubSpot emulator, signed webhook, sync run)', () => {
  let rig: HubSpotTestRig;
  let companyId: string;
  let connectionId: string;

  beforeAll(async () => {
    rig = await createHubSpotTestRig({ seed: 'demo', extraScopes: ['crm.objects.contacts.read'] });
    // Install through HubSpot's consent page, then provision the portal as an admin would.
    expect((await rig.install('allow')).status).toBe(302);
    await rig.admin.signIn();
    expect((await rig.admin.request('POST', '/api/journeys', { template: 'saas-lifecycle' })).status).toBe(
      201,
    );
    const [row] = await rig.admin.context.database.query<{ id: string }>('select id from connections');
    connectionId = row?.id as string;
    await saveMapping(
      rig.admin.context.database,
      'saas-lifecycle',
      connectionId,
      DEMO_MAPPING,
      'admin@example.com',
    );
    const [journey] = await loadInstallJourneys(rig.admin.context, connectionId);
    const adapter = rig.admin.context.adapterFor(await loadConnection(rig.admin.context, connectionId));
    const applied = await adapter.apply(
      journey!.journey,
      journey!.mapping,
      await adapter.plan(journey!.journey, journey!.mapping),
    );
    expect(applied.failed).toEqual([]);
    // The demo mapping reads other property names than the default one; the project lists them.
    const mapping = parseMappingSource(DEMO_MAPPING, 'mapping.yaml', readTemplate('saas-lifecycle')).mapping;
    const properties = Object.values(mapping?.facts ?? {}).map((fact) => fact.field);
    expect(properties).toContain('setup_complete');
    expect(await registerProjectWebhooks(rig, properties)).toBeGreaterThan(properties.length);
    const company = rig.emulator
      .portal(HUB)
      .objects('companies')
      .find(
        (record) => record.properties.contract_signed_date && record.properties.setup_complete === 'false',
      );
    if (!company) throw new Error('the demo seed has no company without a kick-off');
    companyId = company.id;
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('shows the milestone pending, then achieved after the property change went through the webhook and the sync', async () => {
    const calls: string[] = [];
    const before = renderCard(rig, { objectTypeId: '0-2', objectId: Number(companyId) }, calls);
    await before.waitFor(
      () => expect(before.findByTestId(Flex, 'milestone-setup-done').find(Tag).text).toBe('Pending'),
      WAIT,
    );
    expect(calls).toEqual(['GET /hubspot/card']);

    // A CSM ticks "setup complete" in HubSpot.
    const patched = await fetch(`${rig.emulator.url}/crm/v3/objects/companies/${companyId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${rig.emulator.defaultToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { setup_complete: 'true' } }),
    });
    expect(patched.status).toBe(200);
    await rig.emulator.webhooks.idle();
    await settleHubSpotWebhookSyncs(rig.admin.context);

    const [delivery] = rig.emulator.webhooks.deliveries;
    expect(delivery?.status).toBe(204);
    const runs = await rig.admin.context.database.query<{ status: string; parameters: unknown }>(
      "select status, parameters from runs where kind = 'sync'",
    );
    expect(runs).toEqual([
      { status: 'succeeded', parameters: { recordIds: [companyId], trigger: 'hubspot-webhook' } },
    ]);

    const today = new Date(rig.emulator.clock.now()).toISOString().slice(0, 10);
    const stageName = rig.emulator.portal(HUB).object('companies', companyId)?.properties.milepost_stage;
    expect(stageName).toBeTruthy();
    const after = renderCard(rig, { objectTypeId: '0-2', objectId: Number(companyId) }, calls);
    await after.waitFor(
      () => expect(after.findByTestId(Flex, 'milestone-setup-done').find(Tag).text).toBe('Achieved'),
      WAIT,
    );
    // The stage path marks the stage the sync wrote as the current one.
    const path = after.find(StepIndicator).props;
    const [provisioned] = await loadInstallJourneys(rig.admin.context, connectionId);
    const stage = provisioned?.journey.stages.find((candidate) => candidate.key === stageName);
    expect(stage).toBeDefined();
    expect(path.stepNames?.[path.currentStep ?? -1]).toBe(stage?.name);
    expect(after.findByTestId(ProgressBar, 'stage-time').props.title).toMatch(
      new RegExp(`^${stage?.name}: day`),
    );
    expect(rig.emulator.portal(HUB).object('companies', companyId)?.properties.milepost_ms_setup_done).toBe(
      today,
    );
  }, 60_000);

  it("on the company's cycle ticket, shows the same journey state", async () => {
    const ticket = rig.emulator
      .portal(HUB)
      .objects('tickets')
      .find((record) => record.properties.milepost_cycle_id === `saas-lifecycle:${companyId}`);
    expect(ticket, 'the sync made no cycle ticket for the company').toBeDefined();
    const calls: string[] = [];
    const card = renderCard(rig, { objectTypeId: '0-5', objectId: Number(ticket!.id) }, calls);
    await card.waitFor(
      () => expect(card.findByTestId(Flex, 'milestone-setup-done').find(Tag).text).toBe('Achieved'),
      WAIT,
    );
    expect(calls).toEqual(['GET /hubspot/card']);
    expect(rig.admin.logs.join('\n')).not.toContain(rig.emulator.app.clientSecret);
  }, 60_000);
});
