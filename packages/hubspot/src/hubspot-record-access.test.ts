import { type Journey, loadTemplate, MilepostError } from '@milepost/core';
import { createHubSpotEmulator, type HubSpotEmulator } from '@milepost/hubspot-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createHubSpotAdapter, type HubSpotAdapterSettings } from './hubspot-adapter.js';
import { hubSpotPaths } from './hubspot-api.js';
import { isHubSpotDeadlineExceeded } from './hubspot-errors.js';
import { virtualClock } from './hubspot-test-clock.js';

/** The error a promise rejects with. */
async function failureOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

let emulator: HubSpotEmulator;
let journey: Journey;
let companyId: string;
let ticketId: string;
let loneTicketId: string;

beforeAll(async () => {
  emulator = await createHubSpotEmulator({ rateLimits: false });
  journey = loadTemplate('saas-lifecycle');
  const setup = createHubSpotAdapter({ accessToken: emulator.defaultToken, baseUrl: emulator.url, env: {} });
  expect((await setup.apply(journey, undefined, await setup.plan(journey))).failed).toEqual([]);
  const portal = emulator.portal(emulator.defaultHubId);
  companyId = portal.createObject('companies', { name: 'Card Co' }).id;
  ticketId = portal.createObject('tickets', {
    subject: 'Cycle',
    hs_pipeline: '0',
    hs_pipeline_stage: '1',
  }).id;
  loneTicketId = portal.createObject('tickets', {
    subject: 'Alone',
    hs_pipeline: '0',
    hs_pipeline_stage: '1',
  }).id;
  const associated = await fetch(
    `${emulator.url}${hubSpotPaths().associationsBatch('tickets', 'companies', 'associate/default')}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.defaultToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ from: { id: ticketId }, to: { id: companyId } }] }),
    },
  );
  expect(associated.status).toBeLessThan(300);
}, 60_000);
afterEach(() => {
  emulator.faults.clear();
});
afterAll(async () => {
  await emulator.close();
});

function adapter(settings: Partial<HubSpotAdapterSettings> = {}) {
  return createHubSpotAdapter({
    accessToken: emulator.defaultToken,
    baseUrl: emulator.url,
    env: {},
    ...settings,
  });
}

describe('one record at a time', () => {
  test("reads a record's properties, and answers null (not an error) for a record the portal lacks", async () => {
    const hubspot = adapter();
    const record = await hubspot.readRecord('tickets', ticketId, ['subject', 'hs_pipeline']);
    expect(record).toMatchObject({ id: ticketId, properties: { subject: 'Cycle', hs_pipeline: '0' } });
    expect(await hubspot.readRecord('tickets', '999999999', ['subject'])).toBeNull();
    expect(hubspot.apiCalls()).toBe(2);
  });

  test("reads a record's associated ids; a record without any (HubSpot's 207 with an error entry) has none", async () => {
    const hubspot = adapter();
    expect(await hubspot.readAssociatedIds('tickets', ticketId, 'companies')).toEqual([companyId]);
    expect(await hubspot.readAssociatedIds('tickets', loneTicketId, 'companies')).toEqual([]);
    expect(emulator.requests.entries.at(-1)?.status).toBe(207);
  });

  test('writes journey outputs, refuses any other property before calling HubSpot, and answers not-found', async () => {
    const hubspot = adapter();
    expect(
      await hubspot.writeJourneyOutputs(journey, undefined, companyId, {
        milepost_ms_setup_done: '2026-11-22',
      }),
    ).toBe('updated');
    expect(
      emulator.portal(emulator.defaultHubId).object('companies', companyId)?.properties
        .milepost_ms_setup_done,
    ).toBe('2026-11-22');

    const refused = await failureOf(
      hubspot.writeJourneyOutputs(journey, undefined, companyId, {
        milepost_stage: 'onboarding',
        name: 'Renamed by a card',
      }),
    );
    expect(MilepostError.isInstance(refused) && refused.code).toBe('UNSAFE_CHANGE');
    expect(hubspot.apiCalls()).toBe(1);
    expect(emulator.portal(emulator.defaultHubId).object('companies', companyId)?.properties).toMatchObject({
      name: 'Card Co',
    });

    expect(
      await hubspot.writeJourneyOutputs(journey, undefined, '999999999', { milepost_stage: 'onboarding' }),
    ).toBe('not-found');
  });
});

describe('a refused token', () => {
  test('a token source that refuses (a revoked OAuth refresh) fails the call at once with AUTHENTICATION_FAILED, unretried', async () => {
    const clock = virtualClock();
    const hubspot = adapter({
      clock,
      accessToken: async () => {
        throw new MilepostError({ code: 'AUTHENTICATION_FAILED', message: 'the app must be reinstalled' });
      },
    });
    const error = await failureOf(hubspot.readRecord('tickets', ticketId, ['subject']));
    expect(MilepostError.isInstance(error) && error.code).toBe('AUTHENTICATION_FAILED');
    expect(clock.slept).toEqual([]);
  });
});

describe('calls within a deadline', () => {
  test('a 429 is waited out and retried when the wait ends before the deadline; the calls count on the adapter', async () => {
    const clock = virtualClock();
    const hubspot = adapter({ clock, random: () => 0.5 });
    emulator.faults.set({ rateLimitStorm: { count: 1, method: 'GET', pathIncludes: '/tickets/' } });
    const record = await hubspot
      .withDeadline(clock.now() + 12_000)
      .readRecord('tickets', ticketId, ['subject']);
    expect(record?.properties.subject).toBe('Cycle');
    // The emulator's 429 names a ten-second window: the limiter waits it out, then the call is retried.
    expect(clock.slept).toEqual([10_000]);
    expect(hubspot.apiCalls()).toBe(2);
  });

  test('a 429 whose wait would pass the deadline is not retried', async () => {
    const clock = virtualClock();
    const hubspot = adapter({ clock, random: () => 0.5 });
    emulator.faults.set({ rateLimitStorm: { count: 1, method: 'GET', pathIncludes: '/tickets/' } });
    const error = await failureOf(
      hubspot.withDeadline(clock.now() + 5_000).readRecord('tickets', ticketId, ['subject']),
    );
    expect(isHubSpotDeadlineExceeded(error)).toBe(true);
    expect(
      MilepostError.isInstance((error as Error).cause) &&
        (error as MilepostError & { cause: MilepostError }).cause.code,
    ).toBe('RATE_LIMITED');
    expect(clock.slept).toEqual([]);
    expect(hubspot.apiCalls()).toBe(1);
  });

  test('no retry starts once its backoff would pass the deadline (without one, all six attempts are made)', async () => {
    const clock = virtualClock();
    const hubspot = adapter({ clock, random: () => 0.5 });
    emulator.faults.set({ serverErrors: { count: 6, status: 503, pathIncludes: '/associations/' } });
    const error = await failureOf(
      hubspot.withDeadline(clock.now() + 2_000).readAssociatedIds('tickets', ticketId, 'companies'),
    );
    expect(isHubSpotDeadlineExceeded(error)).toBe(true);
    // Backoffs of 500 and 1,000 ms fit; the third (2,000 ms) would end past the deadline.
    expect(clock.slept).toEqual([500, 1_000]);
    expect(hubspot.apiCalls()).toBe(3);

    const patient = adapter({ clock: virtualClock(), random: () => 0.5 });
    emulator.faults.set({ serverErrors: { count: 6, status: 503, pathIncludes: '/associations/' } });
    const exhausted = await failureOf(patient.readAssociatedIds('tickets', ticketId, 'companies'));
    expect(MilepostError.isInstance(exhausted) && exhausted.code).toBe('VENDOR_UNAVAILABLE');
    expect(isHubSpotDeadlineExceeded(exhausted)).toBe(false);
    expect(patient.apiCalls()).toBe(6);
  });

  test('a call still in flight at the deadline is abandoned', async () => {
    const hubspot = adapter();
    emulator.faults.set({ latency: { milliseconds: 1_500, pathIncludes: '/tickets/' } });
    const error = await failureOf(
      hubspot.withDeadline(Date.now() + 20).readRecord('tickets', ticketId, ['subject']),
    );
    expect(isHubSpotDeadlineExceeded(error)).toBe(true);
    expect(hubspot.apiCalls()).toBe(1);
  });

  test('a deadline already passed starts no call', async () => {
    const clock = virtualClock();
    const hubspot = adapter({ clock });
    const error = await failureOf(
      hubspot.withDeadline(clock.now()).readRecord('tickets', ticketId, ['subject']),
    );
    expect(isHubSpotDeadlineExceeded(error)).toBe(true);
    expect(hubspot.apiCalls()).toBe(0);
  });
});
