import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Signature } from '@hubspot/api-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

describe('webhooks', () => {
  let fixture: EmulatorFixture;
  let receiver: Server;
  let received: Received[];
  let failuresLeft: number;
  let targetUrl: string;

  beforeEach(async () => {
    fixture = await startEmulator({
      // A window wide enough that the events of one test batch together even on a loaded machine.
      webhooks: { batchWindowMilliseconds: 250, retryDelaysMilliseconds: [10, 10, 10] },
    });
    received = [];
    failuresLeft = 0;
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: request.headers });
        response.statusCode = failuresLeft-- > 0 ? 500 : 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hubspot/webhooks`;
  });
  afterEach(async () => {
    await fixture.emulator.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const developer = (developerApiKey = fixture.emulator.app.developerApiKey) =>
    new Client({ developerApiKey, basePath: fixture.emulator.url, numberOfApiCallRetries: 0 });

  it('manages settings and subscriptions with the developer API key', async () => {
    const client = developer();
    const appId = fixture.emulator.app.appId;
    const settings = await client.webhooks.settingsApi.configure(appId, {
      targetUrl,
      throttling: { maxConcurrentRequests: 5 },
    } as never);
    expect(settings.targetUrl).toBe(targetUrl);
    const subscription = await client.webhooks.subscriptionsApi.create(appId, {
      eventType: 'company.propertyChange' as never,
      propertyName: 'plan_tier',
      active: true,
    });
    expect(subscription).toMatchObject({
      eventType: 'company.propertyChange',
      propertyName: 'plan_tier',
      active: true,
    });
    const list = await client.webhooks.subscriptionsApi.getAll(appId);
    expect(list.results).toHaveLength(1);
    const updated = await client.webhooks.subscriptionsApi.update(Number(subscription.id), appId, {
      active: false,
    });
    expect(updated.active).toBe(false);
    await client.webhooks.subscriptionsApi.archive(Number(subscription.id), appId);
    expect((await client.webhooks.subscriptionsApi.getAll(appId)).results).toHaveLength(0);
    const denied = await fetch(`${fixture.emulator.url}/webhooks/v3/${appId}/settings?hapikey=wrong`);
    expect(denied.status).toBe(401);
  });

  it('delivers batched, signed events on record changes; the client validates the v3 signature', async () => {
    const client = developer();
    const appId = fixture.emulator.app.appId;
    await client.webhooks.settingsApi.configure(appId, {
      targetUrl,
      throttling: { maxConcurrentRequests: 5 },
    } as never);
    await client.webhooks.subscriptionsApi.create(appId, {
      eventType: 'company.creation' as never,
      active: true,
    });
    await client.webhooks.subscriptionsApi.create(appId, {
      eventType: 'company.propertyChange' as never,
      propertyName: 'lifecyclestage',
      active: true,
    });
    const created = await fixture.client.crm.companies.batchApi.create({
      inputs: [
        { properties: { name: 'A' }, associations: [] },
        { properties: { name: 'B' }, associations: [] },
      ],
    });
    await fixture.client.crm.companies.basicApi.update(created.results[0]?.id as string, {
      properties: { lifecyclestage: 'customer', name: 'A2' },
    });
    await fixture.emulator.webhooks.idle();
    const events = received.flatMap((entry) => JSON.parse(entry.body) as Record<string, unknown>[]);
    expect(events.map((event) => event.subscriptionType).sort()).toEqual([
      'company.creation',
      'company.creation',
      'company.propertyChange',
    ]);
    expect(events.find((event) => event.subscriptionType === 'company.propertyChange')).toMatchObject({
      propertyName: 'lifecyclestage',
      propertyValue: 'customer',
      portalId: 1000001,
      appId,
    });
    expect(received).toHaveLength(1);
    const delivery = received[0] as Received;
    const valid = Signature.isValid({
      signatureVersion: 'v3',
      signature: delivery.headers['x-hubspot-signature-v3'] as string,
      clientSecret: fixture.emulator.app.clientSecret,
      requestBody: delivery.body,
      url: targetUrl,
      method: 'POST',
      timestamp: Number(delivery.headers['x-hubspot-request-timestamp']),
    });
    expect(valid).toBe(true);
    expect(fixture.emulator.portal(1000001).webhooksDelivered).toHaveLength(1);
  });

  it('retries failed deliveries with increasing attemptNumber', async () => {
    const client = developer();
    const appId = fixture.emulator.app.appId;
    await client.webhooks.settingsApi.configure(appId, {
      targetUrl,
      throttling: { maxConcurrentRequests: 5 },
    } as never);
    await client.webhooks.subscriptionsApi.create(appId, {
      eventType: 'deal.deletion' as never,
      active: true,
    });
    const deal = await fixture.client.crm.deals.basicApi.create({
      properties: { dealname: 'D' },
      associations: [],
    });
    failuresLeft = 2;
    await fixture.client.crm.deals.basicApi.archive(deal.id);
    await fixture.emulator.webhooks.idle();
    expect(received).toHaveLength(3);
    expect(
      received.map((entry) => (JSON.parse(entry.body) as { attemptNumber: number }[])[0]?.attemptNumber),
    ).toEqual([0, 1, 2]);
    expect(fixture.emulator.webhooks.deliveries.map((delivery) => delivery.status)).toEqual([500, 500, 204]);
  });

  it('stops delivering to a portal once the app is uninstalled', async () => {
    await fixture.emulator.close();
    fixture = await startEmulator({
      apps: [{ appId: 11 }, { appId: 12 }],
      webhooks: { batchWindowMilliseconds: 5 },
    });
    const key = fixture.emulator.apps[1]?.developerApiKey as string;
    await developer(key).webhooks.settingsApi.configure(12, {
      targetUrl,
      throttling: { maxConcurrentRequests: 5 },
    } as never);
    await developer(key).webhooks.subscriptionsApi.create(12, {
      eventType: 'company.creation' as never,
      active: true,
    });
    await fixture.client.crm.companies.basicApi.create({
      properties: { name: 'Before uninstall' },
      associations: [],
    });
    await fixture.emulator.webhooks.idle();
    expect(received).toHaveLength(1);
    const appToken = fixture.emulator.createToken(1000001, { kind: 'oauth', appId: 12 });
    expect(
      (await fixture.call('DELETE', '/appinstalls/v3/external-install', undefined, appToken)).status,
    ).toBe(204);
    await fixture.client.crm.companies.basicApi.create({
      properties: { name: 'After uninstall' },
      associations: [],
    });
    await fixture.emulator.webhooks.idle();
    expect(received).toHaveLength(1);
  });
});
