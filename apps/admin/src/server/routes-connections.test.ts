import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closeCheckingSecrets,
  createRecordingAdmin,
  type RecordingAdmin,
  withDemoEmulators,
} from './admin-test-support.js';
import { updateConnectionSecrets } from './connection-store.js';

const emulators = withDemoEmulators();

const BAD_HUBSPOT_TOKEN = 'pat-na1-11111111-2222-4333-8444-555555555555';
const BAD_SALESFORCE_TOKEN = '00D000000000001AAA!NotAValidSessionToken0000';

describe('connection routes', () => {
  let admin: RecordingAdmin;
  /** Every secret a test sent, to assert none comes back or reaches the log. */
  let secrets: string[];
  const call: RecordingAdmin['request'] = (...args) => admin.request(...args);

  beforeEach(async () => {
    admin = await createRecordingAdmin();
    secrets = [
      emulators.hubspot.defaultToken,
      emulators.salesforce.defaultToken,
      BAD_HUBSPOT_TOKEN,
      BAD_SALESFORCE_TOKEN,
    ];
  });
  afterEach(() => closeCheckingSecrets(admin, secrets));

  const addHubSpot = () =>
    call('POST', '/api/connections', {
      target: 'hubspot',
      name: 'Demo portal',
      accessToken: emulators.hubspot.defaultToken,
      baseUrl: `${emulators.hubspot.url}/`,
    });
  const addSalesforce = () =>
    call('POST', '/api/connections', {
      target: 'salesforce',
      name: 'Demo org',
      instanceUrl: emulators.salesforce.url,
      accessToken: emulators.salesforce.defaultToken,
    });
  const storedRows = () => admin.context.database.query('select * from connections');

  it('adds a HubSpot connection after checking it, keeping the token sealed', async () => {
    const created = await addHubSpot();
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      target: 'hubspot',
      name: 'Demo portal',
      auth: 'token',
      baseUrl: emulators.hubspot.url,
      hubId: emulators.hubspot.defaultHubId,
      createdAt: expect.any(String),
    });
    const list = await call('GET', '/api/connections');
    expect(list.body).toEqual([created.body]);
    const [row] = await storedRows();
    expect(JSON.stringify(row)).not.toContain(emulators.hubspot.defaultToken);
    expect(admin.logs.some((line) => line.includes(created.body.id))).toBe(true);
  });

  it('adds Salesforce connections with a token or with client credentials', async () => {
    const withToken = await addSalesforce();
    expect(withToken.status).toBe(201);
    expect(withToken.body).toMatchObject({
      target: 'salesforce',
      auth: 'token',
      baseUrl: emulators.salesforce.url,
    });
    expect(withToken.body).not.toHaveProperty('hubId');
    const clientSecret = 'connected-app-secret-0123456789';
    secrets.push(clientSecret);
    const withClient = await call('POST', '/api/connections', {
      target: 'salesforce',
      name: 'Demo org (client credentials)',
      instanceUrl: emulators.salesforce.url,
      clientId: '3MVG9-demo-client-id',
      clientSecret,
    });
    expect(withClient.status).toBe(201);
    expect(withClient.body.auth).toBe('client-credentials');
    const preflight = await call('GET', `/api/connections/${withClient.body.id}/preflight`);
    expect(preflight.body.ok).toBe(true);
    expect(await storedRows()).toHaveLength(2);
  });

  it('refuses a HubSpot token the portal refuses with 502 and the reason, storing nothing', async () => {
    const response = await call('POST', '/api/connections', {
      target: 'hubspot',
      name: 'Wrong token',
      accessToken: BAD_HUBSPOT_TOKEN,
      baseUrl: emulators.hubspot.url,
    });
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe('CONNECTION_FAILED');
    expect(response.body.error.message).toContain('HubSpot refused');
    expect(response.body.error.message).toContain('access token');
    expect(await storedRows()).toHaveLength(0);
  });

  it('refuses a Salesforce session the org refuses with 502 and the reason, storing nothing', async () => {
    const response = await call('POST', '/api/connections', {
      target: 'salesforce',
      name: 'Expired',
      instanceUrl: emulators.salesforce.url,
      accessToken: BAD_SALESFORCE_TOKEN,
    });
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe('CONNECTION_FAILED');
    expect(response.body.error.message).toContain('INVALID_SESSION_ID');
    expect(await storedRows()).toHaveLength(0);
  });

  it('answers 400 naming the field for bodies that miss or misuse fields, storing nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ target: 'pipedrive', name: 'x', accessToken: 'x' }, 'target'],
      [{ target: 'hubspot', name: '', accessToken: 'token' }, 'name'],
      [{ target: 'hubspot', name: 'x' }, 'accessToken'],
      [{ target: 'hubspot', name: 'x', accessToken: 'token', baseUrl: 'http://api.hubapi.com' }, 'baseUrl'],
      [{ target: 'hubspot', name: 'x', accessToken: 'token', extra: true }, ''],
      [{ target: 'salesforce', name: 'x', accessToken: 'token' }, 'instanceUrl'],
      [
        { target: 'salesforce', name: 'x', instanceUrl: 'http://acme.my.salesforce.com', accessToken: 't' },
        'instanceUrl',
      ],
      [
        {
          target: 'salesforce',
          name: 'x',
          instanceUrl: 'https://user:pw@acme.my.salesforce.com',
          accessToken: 't',
        },
        'instanceUrl',
      ],
      [{ target: 'salesforce', name: 'x', instanceUrl: 'not a url', accessToken: 't' }, 'instanceUrl'],
      [{ target: 'salesforce', name: 'x', instanceUrl: 'https://acme.my.salesforce.com' }, 'accessToken'],
      [
        { target: 'salesforce', name: 'x', instanceUrl: 'https://acme.my.salesforce.com', clientId: 'id' },
        'clientSecret',
      ],
      [
        {
          target: 'salesforce',
          name: 'x',
          instanceUrl: 'https://acme.my.salesforce.com',
          accessToken: 't',
          clientId: 'i',
          clientSecret: 's',
        },
        'accessToken',
      ],
    ];
    for (const [body, path] of cases) {
      const response = await call('POST', '/api/connections', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('BAD_REQUEST');
      expect(response.body.error.issues.map((issue: { path: string }) => issue.path)).toContain(path);
    }
    const notJson = await call('POST', '/api/connections', '{', {
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(await storedRows()).toHaveLength(0);
  });

  it('runs the preflight of a stored connection', async () => {
    const hubSpotId = (await addHubSpot()).body.id;
    const salesforceId = (await addSalesforce()).body.id;
    const hubSpotReport = await call('GET', `/api/connections/${hubSpotId}/preflight`);
    expect(hubSpotReport.status).toBe(200);
    expect(hubSpotReport.body.ok).toBe(true);
    expect(hubSpotReport.body.checks).toContainEqual({
      name: 'scopes for companies',
      ok: true,
      detail: 'granted',
    });
    const salesforceReport = await call('GET', `/api/connections/${salesforceId}/preflight`);
    expect(salesforceReport.body).toMatchObject({ ok: true });
    expect(salesforceReport.body.checks).toContainEqual(
      expect.objectContaining({ name: 'API access', ok: true }),
    );
    expect((await call('GET', '/api/connections/nope/preflight')).status).toBe(404);
  });

  it('lists the live fields of each CRM by object, with types and enum options', async () => {
    const hubSpotId = (await addHubSpot()).body.id;
    const fields = await call('GET', `/api/connections/${hubSpotId}/fields`);
    expect(fields.status).toBe(200);
    expect(new Set(fields.body.map((field: { object: string }) => field.object))).toEqual(
      new Set(['companies', 'tickets']),
    );
    expect(fields.body).toContainEqual({
      object: 'companies',
      name: 'plan_tier',
      label: 'Plan tier',
      type: 'enum',
      managed: false,
      options: [
        { value: 'trial', label: 'Trial' },
        { value: 'starter', label: 'Starter' },
        { value: 'professional', label: 'Professional' },
        { value: 'enterprise', label: 'Enterprise' },
      ],
    });
    expect(fields.body).toContainEqual(
      expect.objectContaining({ object: 'companies', name: 'kickoff_date', type: 'date' }),
    );
    expect(fields.body).toContainEqual(
      expect.objectContaining({ object: 'companies', name: 'annualrevenue', type: 'currency' }),
    );
    expect(fields.body).toContainEqual(
      expect.objectContaining({ object: 'companies', name: 'churned', type: 'boolean' }),
    );

    const salesforceId = (await addSalesforce()).body.id;
    const salesforceFields = await call('GET', `/api/connections/${salesforceId}/fields`);
    expect(salesforceFields.body).toContainEqual(
      expect.objectContaining({
        object: 'Account',
        name: 'Plan__c',
        type: 'enum',
        options: expect.arrayContaining([{ value: 'Professional', label: 'Professional' }]),
      }),
    );
    expect(salesforceFields.body).toContainEqual(
      expect.objectContaining({ object: 'Account', name: 'Active_Users__c', type: 'number' }),
    );
    expect((await call('GET', `/api/connections/${hubSpotId}/fields?journey=missing`)).status).toBe(404);
  });

  it('answers 502 with the CRM reason when a stored token stops working, never 500', async () => {
    const id = (await addHubSpot()).body.id;
    await updateConnectionSecrets(admin.context, id, { accessToken: BAD_HUBSPOT_TOKEN });
    const preflight = await call('GET', `/api/connections/${id}/preflight`);
    expect(preflight.status).toBe(502);
    expect(preflight.body.error).toEqual({
      code: 'AUTHENTICATION_FAILED',
      message: expect.stringContaining('refused'),
    });
    const fields = await call('GET', `/api/connections/${id}/fields`);
    expect(fields.status).toBe(502);
    expect(fields.body.error.code).toBe('AUTHENTICATION_FAILED');

    const salesforceId = (await addSalesforce()).body.id;
    await updateConnectionSecrets(admin.context, salesforceId, { accessToken: BAD_SALESFORCE_TOKEN });
    const salesforceFields = await call('GET', `/api/connections/${salesforceId}/fields`);
    expect(salesforceFields.status).toBe(502);
    expect(salesforceFields.body.error.code).toBe('AUTHENTICATION_FAILED');
  });

  it('answers 502 CONNECTION_FAILED for a failure that is not the CRM answering', async () => {
    const failing = await createRecordingAdmin({
      adapterFor: () => {
        throw new TypeError(`fetch failed for ${emulators.hubspot.defaultToken}`);
      },
    });
    try {
      const response = await failing.request('POST', '/api/connections', {
        target: 'hubspot',
        name: 'x',
        accessToken: emulators.hubspot.defaultToken,
      });
      expect(response.status).toBe(502);
      expect(response.body.error.code).toBe('CONNECTION_FAILED');
      expect(response.text).not.toContain(emulators.hubspot.defaultToken);
      expect(response.text).toContain('[redacted]');
      expect(failing.logs.join('\n')).not.toContain(emulators.hubspot.defaultToken);
      expect(await failing.context.database.query('select * from connections')).toHaveLength(0);
    } finally {
      await failing.close();
    }
  });

  it('removes a connection', async () => {
    const id = (await addHubSpot()).body.id;
    expect((await call('DELETE', `/api/connections/${id}`)).status).toBe(204);
    expect(await storedRows()).toHaveLength(0);
    expect((await call('DELETE', `/api/connections/${id}`)).status).toBe(404);
    expect((await call('GET', `/api/connections/${id}/fields`)).status).toBe(404);
  });

  it('answers 401 on every route without sign-in', async () => {
    const id = (await addHubSpot()).body.id;
    const anonymous = admin.client();
    const attempts = [
      anonymous.request('GET', '/api/connections'),
      anonymous.request('POST', '/api/connections', {
        target: 'hubspot',
        name: 'x',
        accessToken: emulators.hubspot.defaultToken,
        baseUrl: emulators.hubspot.url,
      }),
      anonymous.request('DELETE', `/api/connections/${id}`),
      anonymous.request('GET', `/api/connections/${id}/preflight`),
      anonymous.request('GET', `/api/connections/${id}/fields`),
    ];
    for (const response of await Promise.all(attempts)) {
      admin.responses.push(response);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(await storedRows()).toHaveLength(1);
  });
});
