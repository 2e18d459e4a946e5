import { OAuth2 } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSalesforceEmulator } from './salesforce-emulator.js';
import { connect, errorCodeOf, rejection } from './salesforce-emulator-test-support.js';
import type { SalesforceEmulator } from './salesforce-emulator-types.js';

describe('editions, limits, OAuth, fault injection and the request log', () => {
  let emulator: SalesforceEmulator;

  beforeEach(async () => {
    emulator = await createSalesforceEmulator({
      orgs: [
        { orgId: 'ent', edition: 'enterprise', dailyApiLimit: 50 },
        { orgId: 'pro', edition: 'professional' },
        { orgId: 'pro-api', edition: 'professional', apiEnabled: true, tokens: ['pro-api!fixed-token'] },
        { orgId: 'dev', edition: 'developer' },
      ],
    });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('refuses API calls on Professional Edition without the API add-on', async () => {
    const professional = connect(emulator, emulator.createToken('pro'));
    const rest = await rejection(professional.query('SELECT Id FROM Account'));
    expect(errorCodeOf(rest)).toBe('API_DISABLED_FOR_ORG');
    const soap = await rejection(professional.metadata.list({ type: 'CustomObject' }));
    expect(errorCodeOf(soap)).toBe('API_DISABLED_FOR_ORG');
    const withAddOn = connect(emulator, 'pro-api!fixed-token');
    expect((await withAddOn.query('SELECT Id FROM Organization')).totalSize).toBe(1);
    const developer = connect(emulator, emulator.createToken('dev'));
    const organization = await developer.query<{ OrganizationType: string }>(
      'SELECT OrganizationType FROM Organization',
    );
    expect(organization.records[0]?.OrganizationType).toBe('Developer Edition');
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the daily limit is used up', async () => {
    const connection = connect(emulator);
    emulator.org('ent').setApiUsage(49);
    await connection.query('SELECT Id FROM Account');
    expect(connection.limitInfo.apiUsage).toEqual({ used: 50, limit: 50 });
    const error = await rejection(connection.query('SELECT Id FROM Account'));
    expect(errorCodeOf(error)).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(error.message).toBe('TotalRequests Limit exceeded.');
  });

  it('issues tokens through OAuth client credentials, authorization code and refresh', async () => {
    const oauth2 = new OAuth2({
      loginUrl: emulator.url,
      clientId: 'ent',
      clientSecret: 'secret',
      redirectUri: 'http://127.0.0.1/callback',
    });
    const clientCredentials = await fetch(`${emulator.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=ent&client_secret=secret',
    });
    const tokenBody = (await clientCredentials.json()) as { access_token: string; instance_url: string };
    expect(tokenBody.instance_url).toBe(emulator.url);
    expect((await connect(emulator, tokenBody.access_token).query('SELECT Id FROM User')).totalSize).toBe(1);
    const authorize = await fetch(
      `${emulator.url}/services/oauth2/authorize?response_type=code&client_id=ent&redirect_uri=${encodeURIComponent('http://127.0.0.1/callback')}&state=xyz`,
      { redirect: 'manual' },
    );
    const location = new URL(authorize.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('xyz');
    const tokens = await oauth2.requestToken(location.searchParams.get('code') ?? '');
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oauth2.refreshToken(tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const invalid = await rejection(oauth2.refreshToken('nope'));
    expect(invalid.message).toContain('expired access/refresh token');
  });

  it('lets jsforce refresh an expired session on 401', async () => {
    const oauth2 = new OAuth2({
      loginUrl: emulator.url,
      clientId: 'ent',
      clientSecret: 'secret',
      redirectUri: 'http://127.0.0.1/callback',
    });
    const authorize = await fetch(
      `${emulator.url}/services/oauth2/authorize?response_type=code&client_id=ent&redirect_uri=${encodeURIComponent('http://127.0.0.1/callback')}`,
      { redirect: 'manual' },
    );
    const code = new URL(authorize.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await oauth2.requestToken(code);
    const { Connection } = await import('jsforce');
    const connection = new Connection({
      oauth2,
      instanceUrl: emulator.url,
      accessToken: 'expired-token',
      refreshToken: tokens.refresh_token as string,
      version: '63.0',
    });
    const result = await connection.query('SELECT Id FROM Organization');
    expect(result.totalSize).toBe(1);
    expect(connection.accessToken).not.toBe('expired-token');
  });

  it('injects HTTP errors, request-limit errors and latency, and counts requests per endpoint', async () => {
    const connection = connect(emulator);
    emulator.faults.add({
      type: 'http-error',
      status: 503,
      method: 'POST',
      path: '/sobjects/Account',
      times: 1,
    });
    const unavailable = await rejection(connection.sobject('Account').create({ Name: 'Down Co' }));
    expect(errorCodeOf(unavailable)).toBe('SERVER_UNAVAILABLE');
    expect((await connection.sobject('Account').create({ Name: 'Up Co' })).success).toBe(true);
    emulator.faults.add({ type: 'request-limit', path: '/query', times: 1 });
    expect(errorCodeOf(await rejection(connection.query('SELECT Id FROM Account')))).toBe(
      'REQUEST_LIMIT_EXCEEDED',
    );
    emulator.faults.add({ type: 'latency', ms: 30, path: '/query', times: 1 });
    const started = Date.now();
    await connection.query('SELECT Id FROM Account');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(emulator.faults.list()).toHaveLength(0);
    const counts = emulator.requests.counts();
    expect(counts['POST /services/data/v{version}/sobjects/{sobject}']).toBe(2);
    expect(counts['GET /services/data/v{version}/query']).toBe(2);
    expect(emulator.requests.count()).toBe(emulator.requests.entries().length);
    emulator.requests.clear();
    expect(emulator.requests.count()).toBe(0);
  });

  it('fails chosen records inside a collection (per-record failure injection)', async () => {
    const connection = connect(emulator);
    emulator.faults.add({
      type: 'record-failure',
      sobject: 'Account',
      field: 'Name',
      value: 'Locked Co',
      statusCode: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access to this record',
    });
    const results = await connection.sobject('Account').create([{ Name: 'Free Co' }, { Name: 'Locked Co' }]);
    expect(results.map((result) => result.success)).toEqual([true, false]);
    expect(results[1]?.errors[0]).toMatchObject({ statusCode: 'UNABLE_TO_LOCK_ROW' });
  });

  it('crashes after N writes until the faults are cleared', async () => {
    const connection = connect(emulator);
    emulator.faults.add({ type: 'crash-after-writes', writes: 2 });
    await connection.sobject('Account').create({ Name: 'Write 1' });
    await connection.sobject('Account').create({ Name: 'Write 2' });
    const crashed = await rejection(connection.sobject('Account').create({ Name: 'Write 3' }));
    expect(crashed.message).toMatch(/socket|ECONNRESET|fetch failed|other side closed|terminated/i);
    expect(emulator.faults.crashed).toBe(true);
    expect(emulator.org('ent').records('Account')).toHaveLength(2);
    emulator.faults.clear();
    expect((await connection.sobject('Account').create({ Name: 'Write 4' })).success).toBe(true);
  });

  it('exposes the same controls over HTTP under /__emulator', async () => {
    const added = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ type: 'http-error', status: 500, path: '/limits', times: 1 }),
    });
    expect(added.status).toBe(201);
    expect(
      ((await (await fetch(`${emulator.url}/__emulator/faults`)).json()) as { faults: unknown[] }).faults,
    ).toHaveLength(1);
    const connection = connect(emulator);
    const error = await rejection(
      connection.request({ method: 'GET', url: '/limits' }, { retry: { maxRetries: 0 } } as never),
    );
    expect(errorCodeOf(error)).toBe('SERVER_UNAVAILABLE');
    const token = (
      (await (
        await fetch(`${emulator.url}/__emulator/tokens`, {
          method: 'POST',
          body: JSON.stringify({ orgId: 'dev' }),
        })
      ).json()) as { token: string }
    ).token;
    expect((await connect(emulator, token).query('SELECT Id FROM User')).totalSize).toBe(1);
    const log = (await (await fetch(`${emulator.url}/__emulator/requests`)).json()) as {
      counts: Record<string, number>;
    };
    expect(log.counts['GET /services/data/v{version}/limits']).toBe(1);
    const users = (await (await fetch(`${emulator.url}/__emulator/orgs/ent/users`)).json()) as unknown[];
    expect(users).toHaveLength(1);
    await fetch(`${emulator.url}/__emulator/faults`, { method: 'DELETE' });
    expect(emulator.faults.list()).toHaveLength(0);
  });
});
