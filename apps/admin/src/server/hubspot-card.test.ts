import { readFileSync } from 'node:fs';
import { readTemplate } from '@milepost/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCardState } from '../../../hubspot-app/src/app/cards/card-state.js';
import { loadConnection } from './connection-store.js';
import { loadInstallJourneys } from './hubspot-install.js';
import { createHubSpotTestRig, type HubSpotTestRig } from './hubspot-test-support.js';
import { saveMapping } from './mapping-store.js';

const HUB = 1000001;
const OTHER_HUB = 1000002;
const DEMO_MAPPING = readFileSync(
  new URL('../../../../packages/cli/demo/saas-lifecycle.hubspot.mapping.yaml', import.meta.url),
  'utf8',
);
// Stages moved by hand as well as by milestones, and "Initial setup complete" recorded by hand.
const HYBRID_JOURNEY = readTemplate('saas-lifecycle')
  .replace(/^stagePolicy: derived$/m, 'stagePolicy: hybrid')
  .replace(/\n\s*criteria: \{ fact: setup_complete, op: eq, value: true \}/, '');

describe('HubSpot card API', () => {
  let rig: HubSpotTestRig;
  let companyId: string;
  let otherPortalCompanyId: string;
  let cycleCompanyId: string;
  let cycleTicketId: string;
  let foreignTicketId: string;
  let otherPortalTicketId: string;

  beforeAll(async () => {
    rig = await createHubSpotTestRig({
      seed: 'demo',
      portals: [HUB, OTHER_HUB],
      extraScopes: ['crm.objects.contacts.read'],
    });
    expect((await rig.install('allow', HUB)).status).toBe(302);
    await rig.admin.signIn();
    const imported = await rig.admin.request('POST', '/api/journeys', { source: HYBRID_JOURNEY });
    expect(imported.status).toBe(201);
    const [row] = await rig.admin.context.database.query<{ id: string }>('select id from connections');
    await saveMapping(
      rig.admin.context.database,
      'saas-lifecycle',
      row!.id,
      DEMO_MAPPING,
      'admin@example.com',
    );
    const [journey] = await loadInstallJourneys(rig.admin.context, row!.id);
    const adapter = rig.admin.context.adapterFor(await loadConnection(rig.admin.context, row!.id));
    await adapter.apply(
      journey!.journey,
      journey!.mapping,
      await adapter.plan(journey!.journey, journey!.mapping),
    );
    const ours = rig.emulator.portal(HUB).objects('companies');
    companyId = ours.find((record) => record.properties.setup_complete === 'false')!.id;
    // A sync of another company creates its cycle record (a ticket in Milepost's pipeline).
    cycleCompanyId = ours.find(
      (record) => record.id !== companyId && record.properties.contract_signed_date,
    )!.id;
    const synced = await adapter.sync(journey!.journey, journey!.mapping, {
      now: new Date(rig.emulator.clock.now()),
      recordIds: [cycleCompanyId],
    });
    expect(synced.errors).toEqual([]);
    const tickets = rig.emulator.portal(HUB).objects('tickets');
    cycleTicketId = tickets.find(
      (ticket) => ticket.properties.milepost_cycle_id === `saas-lifecycle:${cycleCompanyId}`,
    )!.id;
    foreignTicketId = rig.emulator
      .portal(HUB)
      .createObject('tickets', { subject: 'Printer on fire', hs_pipeline: '0', hs_pipeline_stage: '1' }).id;
    const ourTicketIds = new Set(
      rig.emulator
        .portal(HUB)
        .objects('tickets')
        .map((ticket) => ticket.id),
    );
    do {
      otherPortalTicketId = rig.emulator
        .portal(OTHER_HUB)
        .createObject('tickets', { subject: 'Elsewhere', hs_pipeline: '0', hs_pipeline_stage: '1' }).id;
    } while (ourTicketIds.has(otherPortalTicketId));
    const ourIds = new Set(ours.map((record) => record.id));
    // Record ids are per portal; make one in the other portal that ours does not have.
    do {
      otherPortalCompanyId = rig.emulator
        .portal(OTHER_HUB)
        .createObject('companies', { name: 'Elsewhere Ltd' }).id;
    } while (ourIds.has(otherPortalCompanyId));
  }, 120_000);
  afterAll(async () => {
    await rig.close();
  });

  const cardPath = (id: string, portal = HUB, type = 'companies') =>
    `/hubspot/card?objectType=${type}&objectId=${id}&portalId=${portal}&userId=7&userEmail=csm%40example.com`;
  const actionPath = `/hubspot/card/actions?portalId=${HUB}&userId=7`;

  it('answers the CardState of a record of the calling portal', async () => {
    const response = await rig.signed('GET', cardPath(companyId));
    expect(response.status).toBe(200);
    expect(isCardState(response.body)).toBe(true);
    expect(response.body).toMatchObject({
      portalId: HUB,
      objectType: 'companies',
      objectId: companyId,
      journey: { key: 'saas-lifecycle', version: expect.any(Number) },
      actions: { advanceStage: true, nextStage: expect.objectContaining({ key: expect.any(String) }) },
    });
    expect(response.body.path.filter((step: { status: string }) => step.status === 'current')).toHaveLength(
      1,
    );
    expect(response.body.milestones).toContainEqual(
      expect.objectContaining({ key: 'setup-done', manual: true, status: 'pending' }),
    );
  });

  it("answers 404 NOT_FOUND for another portal's record and NOT_INSTALLED for a portal without Milepost", async () => {
    const foreign = await rig.signed('GET', cardPath(otherPortalCompanyId));
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    const other = await rig.signed('GET', cardPath(otherPortalCompanyId, OTHER_HUB));
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_INSTALLED');
    const deals = await rig.signed('GET', cardPath('1', HUB, 'deals'));
    expect(deals.status).toBe(404);
    expect(deals.body.error.code).toBe('NOT_TRACKED');
  });

  it("answers a cycle record (the ticket a sync made) with its company's state", async () => {
    const company = await rig.signed('GET', cardPath(cycleCompanyId));
    const ticket = await rig.signed('GET', cardPath(cycleTicketId, HUB, 'tickets'));
    expect(ticket.status).toBe(200);
    expect(isCardState(ticket.body)).toBe(true);
    expect(ticket.body).toEqual({ ...company.body, objectType: 'tickets', objectId: cycleTicketId });
    expect(ticket.text).not.toMatch(/access_?token|refresh/i);
  });

  it("answers NOT_TRACKED for a ticket of another pipeline and NOT_FOUND for another portal's ticket", async () => {
    const foreign = await rig.signed('GET', cardPath(foreignTicketId, HUB, 'tickets'));
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_TRACKED');
    const elsewhere = await rig.signed('GET', cardPath(otherPortalTicketId, HUB, 'tickets'));
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe('NOT_FOUND');
  });

  it("records a manual milestone from a cycle record's card on its company", async () => {
    const response = await rig.signed(
      'POST',
      actionPath,
      JSON.stringify({
        objectType: 'tickets',
        objectId: cycleTicketId,
        action: 'achieve-milestone',
        milestone: 'setup-done',
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ objectType: 'tickets', objectId: cycleTicketId });
    const today = new Date(rig.emulator.clock.now()).toISOString().slice(0, 10);
    const portal = rig.emulator.portal(HUB);
    expect(portal.object('companies', cycleCompanyId)?.properties.milepost_ms_setup_done).toBe(today);
    expect(portal.object('tickets', cycleTicketId)?.properties.milepost_ms_setup_done).toBeUndefined();
    const [event] = await rig.admin.context.database.query<{ object_type: string; object_id: string }>(
      'select object_type, object_id from webhook_events where object_id = $1',
      [cycleCompanyId],
    );
    expect(event).toEqual({ object_type: 'companies', object_id: cycleCompanyId });
    expect(rig.admin.logs.join('\n')).not.toMatch(/Bearer|access_?token/i);
  });

  it('answers NOT_TRACKED for a ticket in the Milepost pipeline without a company', async () => {
    const orphan = rig.emulator.portal(HUB).createObject('tickets', {
      subject: 'Made by hand',
      hs_pipeline: 'milepost-saas-lifecycle',
      hs_pipeline_stage: 'milepost-saas-lifecycle-onboarding',
    });
    const response = await rig.signed('GET', cardPath(orphan.id, HUB, 'tickets'));
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'NOT_TRACKED', message: /not associated/ });
  });

  it('refuses unsigned, forged and stale requests, and bad queries', async () => {
    const unsigned = await rig.admin.app.request(cardPath(companyId));
    expect(unsigned.status).toBe(401);
    const forged = await rig.signed('GET', cardPath(companyId), '', { secret: 'guessed' });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('INVALID_SIGNATURE');
    const stale = await rig.signed('GET', cardPath(companyId), '', { ageMs: 6 * 60_000 });
    expect(stale.status).toBe(401);
    const good = await rig.signed('GET', cardPath(companyId));
    expect(good.status).toBe(200);
    const noPortal = await rig.signed('GET', `/hubspot/card?objectType=companies&objectId=${companyId}`);
    expect(noPortal.status).toBe(400);
    const badId = await rig.signed('GET', cardPath('12;drop'));
    expect(badId.status).toBe(400);
  });

  it('marks a manual milestone achieved, refuses criteria milestones, bad bodies and replays', async () => {
    const body = JSON.stringify({
      objectType: 'companies',
      objectId: companyId,
      action: 'achieve-milestone',
      milestone: 'setup-done',
    });
    const achieved = await rig.signed('POST', actionPath, body);
    expect(achieved.status).toBe(200);
    expect(isCardState(achieved.body)).toBe(true);
    const today = new Date(rig.emulator.clock.now()).toISOString().slice(0, 10);
    expect(achieved.body.milestones).toContainEqual(
      expect.objectContaining({ key: 'setup-done', status: 'achieved', achievedAt: today }),
    );
    expect(rig.emulator.portal(HUB).object('companies', companyId)?.properties.milepost_ms_setup_done).toBe(
      today,
    );

    const criteria = await rig.signed(
      'POST',
      actionPath,
      JSON.stringify({
        objectType: 'companies',
        objectId: companyId,
        action: 'achieve-milestone',
        milestone: 'first-adoption',
      }),
    );
    expect(criteria.status).toBe(409);
    const unknown = await rig.signed(
      'POST',
      actionPath,
      JSON.stringify({
        objectType: 'companies',
        objectId: companyId,
        action: 'achieve-milestone',
        milestone: 'nope',
      }),
    );
    expect(unknown.status).toBe(400);
    const badBody = await rig.signed(
      'POST',
      actionPath,
      JSON.stringify({ objectType: 'companies', action: 'dance' }),
    );
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.code).toBe('BAD_REQUEST');
    expect((await rig.signed('POST', actionPath, 'not json')).status).toBe(400);
    const forged = await rig.signed('POST', actionPath, body, { secret: 'guessed' });
    expect(forged.status).toBe(401);

    // The same signed request again (inside the 5-minute window) is refused, not applied twice.
    const timestamp = String(rig.emulator.clock.now());
    const { hubSpotSignatureV3 } = await import('./hubspot-signatures.js');
    const headers = {
      'x-hubspot-signature-v3': hubSpotSignatureV3(
        rig.emulator.app.clientSecret,
        'POST',
        `${rig.publicUrl}${actionPath}`,
        body,
        timestamp,
      ),
      'x-hubspot-request-timestamp': timestamp,
      'content-type': 'application/json',
    };
    expect((await rig.admin.app.request(actionPath, { method: 'POST', headers, body })).status).toBe(200);
    const replay = await rig.admin.app.request(actionPath, { method: 'POST', headers, body });
    expect(replay.status).toBe(409);
  });

  it('moves a record to the next stage when the journey allows manual moves', async () => {
    const before = await rig.signed('GET', cardPath(companyId));
    const next = before.body.actions.nextStage;
    expect(next).not.toBeNull();
    const moved = await rig.signed(
      'POST',
      actionPath,
      JSON.stringify({ objectType: 'companies', objectId: companyId, action: 'advance-stage' }),
    );
    expect(moved.status).toBe(200);
    expect(isCardState(moved.body)).toBe(true);
    expect(rig.emulator.portal(HUB).object('companies', companyId)?.properties.milepost_stage).toBe(next.key);
    expect(moved.body.stage.key).toBe(next.key);
  });

  // The card's calls go through @milepost/hubspot's transport (they were raw fetches before): a 429 is
  // waited out by its policy and retried within the card's deadline, and the calls are counted.
  it('retries a 429 from HubSpot within its deadline and answers the card', async () => {
    const ticketPath = `/tickets/${cycleTicketId}`;
    const reads = () =>
      rig.emulator.requests.entries.filter(
        (entry) => entry.method === 'GET' && entry.path.endsWith(ticketPath),
      ).length;
    const before = reads();
    rig.emulator.faults.set({
      rateLimitStorm: { count: 1, policyName: 'SECONDLY', method: 'GET', pathIncludes: ticketPath },
    });
    try {
      const ticket = await rig.signed('GET', cardPath(cycleTicketId, HUB, 'tickets'));
      expect(ticket.status).toBe(200);
      expect(isCardState(ticket.body)).toBe(true);
      expect(reads() - before).toBe(2);
    } finally {
      rig.emulator.faults.clear();
    }
  });

  it('answers 502 CONNECTION_FAILED when HubSpot refuses a read', async () => {
    rig.emulator.faults.set({
      serverErrors: { count: 1, status: 400, method: 'GET', pathIncludes: `/tickets/${cycleTicketId}` },
    });
    try {
      const ticket = await rig.signed('GET', cardPath(cycleTicketId, HUB, 'tickets'));
      expect(ticket.status).toBe(502);
      expect(ticket.body.error.code).toBe('CONNECTION_FAILED');
    } finally {
      rig.emulator.faults.clear();
    }
  });

  // Last: it leaves the install needing a reinstall.
  it('answers 409 NEEDS_REINSTALL and marks the install when HubSpot refuses the token', async () => {
    const [row] = await rig.admin.context.database.query<{ id: string }>('select id from connections');
    const connection = await loadConnection(rig.admin.context, row!.id);
    const revoked = await fetch(`${rig.emulator.url}/appinstalls/v3/external-install`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${connection.secrets.accessToken}` },
    });
    expect(revoked.status).toBe(204);
    const ticket = await rig.signed('GET', cardPath(cycleTicketId, HUB, 'tickets'));
    expect(ticket.status).toBe(409);
    expect(ticket.body.error.code).toBe('NEEDS_REINSTALL');
    const [install] = await rig.admin.context.database.query<{ status: string }>(
      'select status from hubspot_installs where hub_id = $1',
      [HUB],
    );
    expect(install?.status).toBe('needs-reinstall');
  });
});
