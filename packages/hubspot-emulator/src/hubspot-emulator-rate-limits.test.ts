import { afterEach, describe, expect, it } from 'vitest';
import { apiError, type EmulatorFixture, startEmulator } from './hubspot-emulator-test-support.js';

describe('rate limits', () => {
  let fixture: EmulatorFixture;
  afterEach(async () => {
    await fixture.emulator.close();
  });

  it('sends X-HubSpot-RateLimit headers with the tier budget (Professional private app: 190/10 s, daily 625,000)', async () => {
    fixture = await startEmulator({ rateLimits: true });
    const response = await fixture.call('GET', '/crm/v3/objects/companies');
    expect(response.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(response.headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(response.headers.get('x-hubspot-ratelimit-remaining')).toBe('189');
    expect(response.headers.get('x-hubspot-ratelimit-daily')).toBe('625000');
    expect(response.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('624999');
  });

  it('budgets 100/10 s for Free and Starter private apps and answers TEN_SECONDLY_ROLLING 429s', async () => {
    fixture = await startEmulator({ rateLimits: true, portals: [{ hubId: 8, tier: 'starter' }] });
    for (let index = 0; index < 100; index++)
      expect((await fixture.call('GET', '/crm/v3/objects/companies?limit=1')).status).toBe(200);
    const limited = await apiError(fixture.client.crm.companies.basicApi.getPage(1));
    expect(limited.code).toBe(429);
    expect(limited.body).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      message: 'You have reached your ten_secondly_rolling limit.',
    });
    fixture.emulator.clock.advance(10_001);
    expect((await fixture.call('GET', '/crm/v3/objects/companies?limit=1')).status).toBe(200);
  });

  it('gives OAuth apps 110 per 10 s per account and no daily headers', async () => {
    fixture = await startEmulator({ rateLimits: true, limits: { oauthTenSecondly: 3 } });
    const token = fixture.emulator.createToken(1000001, { kind: 'oauth' });
    const first = await fixture.call('GET', '/crm/v3/objects/companies', undefined, token);
    expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('3');
    expect(first.headers.get('x-hubspot-ratelimit-daily')).toBeNull();
    await fixture.call('GET', '/crm/v3/objects/companies', undefined, token);
    await fixture.call('GET', '/crm/v3/objects/companies', undefined, token);
    expect((await fixture.call('GET', '/crm/v3/objects/companies', undefined, token)).status).toBe(429);
    // Another app (the private token) has its own bucket.
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(200);
    expect(fixture.emulator.rateLimits.settings.oauthTenSecondly).toBe(3);
  });

  it('answers DAILY 429s once the account budget is spent', async () => {
    fixture = await startEmulator({ rateLimits: true, limits: { privateDaily: { professional: 2 } } });
    await fixture.call('GET', '/crm/v3/objects/companies');
    await fixture.call('GET', '/crm/v3/objects/companies');
    const limited = await fixture.call('GET', '/crm/v3/objects/companies');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      policyName: 'DAILY',
      message: 'You have reached your daily limit.',
    });
    fixture.emulator.clock.advance(86_400_000);
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(200);
  });

  it('produces no budget 429s when rate limits are off, and can be switched at runtime', async () => {
    fixture = await startEmulator({ rateLimits: false, limits: { privateTenSecondly: { professional: 1 } } });
    for (let index = 0; index < 5; index++)
      expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(200);
    fixture.emulator.rateLimits.enabled = true;
    fixture.emulator.rateLimits.reset();
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(200);
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(429);
    const control = await fetch(`${fixture.emulator.url}/__emulator/rate-limits`, {
      method: 'POST',
      body: JSON.stringify({ enabled: false }),
    });
    expect(control.status).toBe(200);
    expect((await fixture.call('GET', '/crm/v3/objects/companies')).status).toBe(200);
  });
});
