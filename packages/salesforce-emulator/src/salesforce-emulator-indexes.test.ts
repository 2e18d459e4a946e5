import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceEmulator } from './salesforce-emulator.js';
import { connect, errorCodeOf, rejection } from './salesforce-emulator-test-support.js';
import type { SalesforceEmulator } from './salesforce-emulator-types.js';

// External-ID lookups and unique checks go through per-object indexes; these pin that the indexes follow
// every write (update, delete, rollback, schema change) and answer as a scan of the records would.
describe('external-ID and unique-field lookups', () => {
  let emulator: SalesforceEmulator;
  let connection: Connection;

  /** A raw REST upsert, for the status code and body jsforce would turn into an error. */
  async function patch(field: string, value: string, body: Record<string, unknown>) {
    const response = await fetch(
      `${emulator.url}/services/data/v63.0/sobjects/Account/${field}/${encodeURIComponent(value)}`,
      {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${emulator.defaultToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      },
    );
    return { status: response.status, body: (await response.json()) as unknown };
  }

  function accountsWith(field: string, value: string) {
    return emulator
      .org()
      .records('Account')
      .filter((record) => record[field] === value)
      .map((record) => record.Id);
  }

  beforeAll(async () => {
    emulator = await createSalesforceEmulator({ seed: 'demo' });
    connection = connect(emulator);
    await connection.metadata.create('CustomField', [
      { fullName: 'Account.Ext_Key__c', label: 'Ext Key', type: 'Text', length: 80, externalId: true },
      {
        fullName: 'Account.Unique_Key__c',
        label: 'Unique Key',
        type: 'Text',
        length: 80,
        externalId: true,
        unique: true,
      },
    ]);
    await connection.metadata.create('PermissionSet', {
      fullName: 'Index_Keys',
      label: 'Index Keys',
      fieldPermissions: [
        { field: 'Account.Ext_Key__c', editable: true, readable: true },
        { field: 'Account.Unique_Key__c', editable: true, readable: true },
      ],
    });
    emulator.org().assignPermissionSet(emulator.org().integrationUserId, 'Index_Keys');
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('follows an external ID changed by an update: the old value no longer matches, the new one does', async () => {
    const created = await patch('Ext_Key__c', 'move-1', { Name: 'Mover' });
    expect(created).toMatchObject({ status: 201, body: { created: true } });
    const id = (created.body as { id: string }).id;
    await connection.sobject('Account').update({ Id: id, Ext_Key__c: 'move-2' });
    const byNew = await patch('Ext_Key__c', 'move-2', { Name: 'Mover (new key)' });
    expect(byNew).toMatchObject({ status: 200, body: { id, created: false } });
    const byOld = await patch('Ext_Key__c', 'move-1', { Name: 'Newcomer' });
    expect(byOld).toMatchObject({ status: 201, body: { created: true } });
    expect((byOld.body as { id: string }).id).not.toBe(id);
    expect(emulator.org().record(id)).toMatchObject({ Name: 'Mover (new key)', Ext_Key__c: 'move-2' });
  });

  it('forgets a deleted record: its value matches nothing and can be upserted again', async () => {
    const id = emulator.org().insert('Account', { Name: 'Doomed', Ext_Key__c: 'gone-1' });
    expect((await connection.sobject('Account').retrieve(id)).Ext_Key__c).toBe('gone-1');
    await connection.sobject('Account').destroy(id);
    const missing = await rejection(connection.request('/sobjects/Account/Ext_Key__c/gone-1'));
    expect(errorCodeOf(missing)).toBe('NOT_FOUND');
    const recreated = await patch('Ext_Key__c', 'gone-1', { Name: 'Reborn' });
    expect(recreated).toMatchObject({ status: 201, body: { created: true } });
    expect((recreated.body as { id: string }).id).not.toBe(id);
  });

  it('matches external IDs case-insensitively, as the fields are not case-sensitive', async () => {
    const id = emulator.org().insert('Account', { Name: 'Mixed Case', Ext_Key__c: 'Case-Key' });
    expect(await patch('Ext_Key__c', 'CASE-KEY', { Name: 'Upper' })).toMatchObject({
      status: 200,
      body: { id, created: false },
    });
    expect(await patch('Ext_Key__c', 'case-key', { Name: 'Lower' })).toMatchObject({
      status: 200,
      body: { id, created: false },
    });
    const fetched = await connection.request<{ Id: string }>('/sobjects/Account/Ext_Key__c/cASE-kEY');
    expect(fetched.Id).toBe(id);
    expect(emulator.org().record(id)).toMatchObject({ Name: 'Lower', Ext_Key__c: 'Case-Key' });
  });

  it('answers 300 (REST) and DUPLICATE_EXTERNAL_ID (collections, Bulk API 2.0) when a non-unique value matches twice', async () => {
    const first = emulator.org().insert('Account', { Name: 'Twin A', Ext_Key__c: 'not-yet-a-twin' });
    const second = emulator.org().insert('Account', { Name: 'Twin B', Ext_Key__c: 'TWIN' });
    // The older record takes the value last; matches are still listed oldest first, as a scan lists them.
    await connection.sobject('Account').update({ Id: first, Ext_Key__c: 'twin' });
    const rest = await patch('Ext_Key__c', 'Twin', { Name: 'Which?' });
    expect(rest).toEqual({
      status: 300,
      body: [
        `/services/data/v63.0/sobjects/Account/${first}`,
        `/services/data/v63.0/sobjects/Account/${second}`,
      ],
    });
    const [collection] = await connection
      .sobject('Account')
      .upsert([{ Name: 'Which?', Ext_Key__c: 'twin' }], 'Ext_Key__c');
    expect(collection).toMatchObject({
      success: false,
      errors: [
        {
          statusCode: 'DUPLICATE_EXTERNAL_ID',
          message: `Ext Key: more than one record found for external id field: ${first}, ${second}`,
        },
      ],
    });
    // Bulk API 2.0 fails that row the same way and updates neither record.
    const bulk = await connection.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'upsert',
      externalIdFieldName: 'Ext_Key__c',
      input: 'Ext_Key__c,Name\ntwin,Which?\n',
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    expect(bulk.successfulResults).toEqual([]);
    expect(bulk.failedResults.map((row) => row.sf__Error)).toEqual([
      `DUPLICATE_EXTERNAL_ID:Ext Key: more than one record found for external id field: ${first}, ${second}:Ext_Key__c --`,
    ]);
    // Once one twin takes another value, the other is the only match.
    await connection.sobject('Account').update({ Id: first, Ext_Key__c: 'twin-moved' });
    expect(await patch('Ext_Key__c', 'twin', { Name: 'Twin B again' })).toMatchObject({
      status: 200,
      body: { id: second, created: false },
    });
    expect(accountsWith('Name', 'Which?')).toEqual([]);
  });

  it('reports unique violations (any case) on create and update, and frees a value once it moves or goes', async () => {
    const holder = emulator.org().insert('Account', { Name: 'Holder', Unique_Key__c: 'u-1' });
    const duplicate = await rejection(
      connection.sobject('Account').create({ Name: 'Copy', Unique_Key__c: 'U-1' }),
    );
    expect(errorCodeOf(duplicate)).toBe('DUPLICATE_VALUE');
    expect(duplicate.message).toBe(
      `duplicate value found: Unique_Key__c duplicates value on record with id: ${holder}`,
    );
    const other = emulator.org().insert('Account', { Name: 'Other', Unique_Key__c: 'u-2' });
    const clash = await rejection(connection.sobject('Account').update({ Id: other, Unique_Key__c: 'u-1' }));
    expect(errorCodeOf(clash)).toBe('DUPLICATE_VALUE');
    // A record keeping its own value is no duplicate of itself.
    await connection.sobject('Account').update({ Id: holder, Unique_Key__c: 'U-1', Name: 'Holder 2' });
    await connection.sobject('Account').update({ Id: holder, Unique_Key__c: 'u-3' });
    await connection.sobject('Account').update({ Id: other, Unique_Key__c: 'u-1' });
    await connection.sobject('Account').destroy(holder);
    const taken = await connection.sobject('Account').create({ Name: 'Taker', Unique_Key__c: 'u-3' });
    expect(taken.success).toBe(true);
    expect(accountsWith('Unique_Key__c', 'u-1')).toEqual([other]);
  });

  it('forgets values written by a rolled-back allOrNone request', async () => {
    const results = await connection.request<Array<{ success: boolean }>>({
      method: 'POST',
      url: '/composite/sobjects',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        allOrNone: true,
        records: [
          { attributes: { type: 'Account' }, Name: 'Rolled Back', Unique_Key__c: 'rb-1', Ext_Key__c: 'rb-1' },
          { attributes: { type: 'Account' }, Unique_Key__c: 'rb-2' },
        ],
      }),
    });
    expect(results.map((result) => result.success)).toEqual([false, false]);
    expect(accountsWith('Unique_Key__c', 'rb-1')).toEqual([]);
    const created = await connection.sobject('Account').create({ Name: 'After', Unique_Key__c: 'rb-1' });
    expect(created.success).toBe(true);
    expect(await patch('Ext_Key__c', 'rb-1', { Name: 'Fresh' })).toMatchObject({
      status: 201,
      body: { created: true },
    });
  });

  it('upserts through Bulk API 2.0 by external ID, following updates made in between', async () => {
    const id = emulator.org().insert('Account', { Name: 'Bulk Keyed', Unique_Key__c: 'bk-1' });
    const load = (operation: 'upsert' | 'update', input: string) =>
      connection.bulk2.loadAndWaitForResults({
        object: 'Account',
        operation,
        ...(operation === 'upsert' ? { externalIdFieldName: 'Unique_Key__c' } : {}),
        input,
        pollInterval: 20,
        pollTimeout: 10_000,
      });
    const first = await load('upsert', 'Unique_Key__c,Name\nBK-1,Bulk Keyed 2\nbk-2,Bulk New\n');
    expect(first.successfulResults.map((row) => [row.sf__Id, row.sf__Created])).toEqual([
      [id, 'false'],
      [expect.any(String), 'true'],
    ]);
    await load('update', `Id,Unique_Key__c\n${id},bk-9\n`);
    const second = await load('upsert', 'Unique_Key__c,Name\nbk-1,Bulk Again\nbk-9,Bulk Keyed 3\n');
    expect(second.successfulResults.map((row) => [row.sf__Id, row.sf__Created])).toEqual([
      [expect.not.stringMatching(id), 'true'],
      [id, 'false'],
    ]);
    expect(emulator.org().record(id)).toMatchObject({ Name: 'Bulk Keyed 3', Unique_Key__c: 'bk-9' });
  });

  it('drops stale lookups when a deploy deletes the field that held the values', async () => {
    emulator.org().insert('Account', { Name: 'Before Delete', Ext_Key__c: 'schema-1' });
    expect(await patch('Ext_Key__c', 'schema-1', { Name: 'Still Here' })).toMatchObject({ status: 200 });
    await connection.metadata.delete('CustomField', 'Account.Ext_Key__c');
    await connection.metadata.create('CustomField', {
      fullName: 'Account.Ext_Key__c',
      label: 'Ext Key',
      type: 'Text',
      length: 80,
      externalId: true,
    });
    expect(await patch('Ext_Key__c', 'schema-1', { Name: 'After Delete' })).toMatchObject({
      status: 201,
      body: { created: true },
    });
  });
});
