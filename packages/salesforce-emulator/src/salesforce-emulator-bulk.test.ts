import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceEmulator } from './salesforce-emulator.js';
import { connect, errorCodeOf, rejection } from './salesforce-emulator-test-support.js';
import type { SalesforceEmulator } from './salesforce-emulator-types.js';

async function collect(stream: NodeJS.EventEmitter): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const records: Array<Record<string, unknown>> = [];
    stream.on('record', (record: Record<string, unknown>) => records.push(record));
    stream.on('end', () => resolve(records));
    stream.on('error', reject);
  });
}

describe('Bulk API 2.0 through jsforce', () => {
  let emulator: SalesforceEmulator;
  let connection: Connection;

  beforeAll(async () => {
    emulator = await createSalesforceEmulator({ seed: 'demo' });
    connection = connect(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('ingests inserts with per-row failures', async () => {
    const results = await connection.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'insert',
      input: 'Name,Plan__c,Licensed_Seats__c\nBulk One,Trial,5\nBulk Two,Gold,10\n,Starter,3\n',
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    expect(results.successfulResults).toHaveLength(1);
    expect(results.successfulResults[0]).toMatchObject({ sf__Created: 'true', Name: 'Bulk One' });
    expect(results.failedResults).toHaveLength(2);
    expect(results.failedResults.map((row) => row.sf__Error)).toEqual([
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:Plan: bad value for restricted picklist field: Gold:Plan__c --',
      'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --',
    ]);
    const inserted = emulator
      .org()
      .records('Account')
      .find((record) => record.Name === 'Bulk One');
    expect(inserted).toMatchObject({ Plan__c: 'Trial', Licensed_Seats__c: 5 });
  });

  it('ingests updates and upserts (with #N/A to clear a field)', async () => {
    const id = emulator.org().insert('Account', { Name: 'Bulk Update Co', NPS__c: 30 });
    const updated = await connection.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'update',
      input: [{ Id: id, NPS__c: null, Active_Users__c: 7 }],
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    expect(updated.successfulResults).toHaveLength(1);
    expect(emulator.org().record(id)).toMatchObject({ NPS__c: null, Active_Users__c: 7 });
    const upserted = await connection.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'upsert',
      externalIdFieldName: 'Id',
      input: `Id,Name\n${id},Renamed By Bulk\n`,
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    expect(upserted.successfulResults[0]).toMatchObject({ sf__Created: 'false' });
    expect(emulator.org().record(id)?.Name).toBe('Renamed By Bulk');
  });

  it('runs query jobs and pages results until Sforce-Locator is null', async () => {
    const stream = await connection.bulk2.query(
      "SELECT Id, Name, Owner.Name FROM Account WHERE Plan__c = 'Enterprise'",
      { pollInterval: 20, pollTimeout: 10_000 },
    );
    const records = await collect(stream);
    const expected = emulator
      .org()
      .records('Account')
      .filter((record) => record.Plan__c === 'Enterprise').length;
    expect(records).toHaveLength(expected);
    expect(records[0]).toHaveProperty(['Owner.Name']);
    const job = await connection.request<{ id: string }>({
      method: 'POST',
      url: '/jobs/query',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Account LIMIT 5' }),
    });
    await connection.request(`/jobs/query/${job.id}`);
    const headers = { Authorization: `Bearer ${emulator.defaultToken}` };
    const first = await fetch(
      `${emulator.url}/services/data/v63.0/jobs/query/${job.id}/results?maxRecords=3`,
      { headers },
    );
    expect(first.headers.get('sforce-numberofrecords')).toBe('3');
    const locator = first.headers.get('sforce-locator');
    expect(locator).not.toBe('null');
    const last = await fetch(
      `${emulator.url}/services/data/v63.0/jobs/query/${job.id}/results?maxRecords=3&locator=${locator}`,
      { headers },
    );
    expect(last.headers.get('sforce-locator')).toBe('null');
    expect((await last.text()).trim().split('\n')).toHaveLength(3);
  });

  it('rejects unknown objects and malformed queries', async () => {
    const badObject = await rejection(
      connection.bulk2.loadAndWaitForResults({
        object: 'Nope__c',
        operation: 'insert',
        input: 'Name\nx\n',
        pollInterval: 20,
        pollTimeout: 2_000,
      }),
    );
    expect(errorCodeOf(badObject)).toBe('INVALIDENTITY');
    const badQuery = await rejection(
      connection.bulk2.query('SELECT FROM Account', { pollInterval: 20, pollTimeout: 2_000 }),
    );
    expect(errorCodeOf(badQuery)).toBe('MALFORMED_QUERY');
  });
});
