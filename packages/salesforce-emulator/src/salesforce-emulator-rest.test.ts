import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceEmulator } from './salesforce-emulator.js';
import { connect, errorCodeOf, rejection } from './salesforce-emulator-test-support.js';
import type { SalesforceEmulator } from './salesforce-emulator-types.js';

describe('REST sObjects, collections, composite and SOQL through jsforce', () => {
  let emulator: SalesforceEmulator;
  let connection: Connection;

  beforeAll(async () => {
    emulator = await createSalesforceEmulator({ seed: 'demo' });
    connection = connect(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('creates, retrieves, updates and deletes a record', async () => {
    const created = await connection.sobject('Account').create({
      Name: 'Acme Rockets',
      Plan__c: 'Starter',
      Licensed_Seats__c: 40,
      Kickoff_Date__c: '2026-03-01',
    });
    expect(created).toMatchObject({ success: true, errors: [] });
    const fetched = await connection.sobject('Account').retrieve(created.id!);
    expect(fetched).toMatchObject({
      Name: 'Acme Rockets',
      Plan__c: 'Starter',
      Licensed_Seats__c: 40,
      Kickoff_Date__c: '2026-03-01',
      Setup_Complete__c: false,
      OwnerId: emulator.org().integrationUserId,
    });
    await connection
      .sobject('Account')
      .update({ Id: created.id!, Setup_Complete__c: true, Industry: 'Technology' });
    expect(emulator.org().record(created.id!)).toMatchObject({
      Setup_Complete__c: true,
      Industry: 'Technology',
    });
    const selected = await connection.request<Record<string, unknown>>(
      `/sobjects/Account/${created.id!}?fields=Name,Plan__c`,
    );
    expect(Object.keys(selected)).toEqual(['attributes', 'Name', 'Plan__c']);
    await connection.sobject('Account').destroy(created.id!);
    const gone = await rejection(connection.sobject('Account').retrieve(created.id!));
    expect(errorCodeOf(gone)).toBe('NOT_FOUND');
  });

  it('answers validation failures like the real API', async () => {
    const restricted = await rejection(
      connection.sobject('Account').create({ Name: 'X', Plan__c: 'Platinum' }),
    );
    expect(errorCodeOf(restricted)).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(restricted.message).toBe('Plan: bad value for restricted picklist field: Platinum');
    const required = await rejection(connection.sobject('Account').create({ Industry: 'Banking' }));
    expect(errorCodeOf(required)).toBe('REQUIRED_FIELD_MISSING');
    expect(required.message).toBe('Required fields are missing: [Name]');
    const unknown = await rejection(connection.sobject('Account').create({ Name: 'X', Nope__c: 1 }));
    expect(unknown.message).toBe("No such column 'Nope__c' on sobject of type Account");
    const badNumber = await rejection(
      connection.sobject('Account').create({ Name: 'X', Licensed_Seats__c: 'many' }),
    );
    expect(errorCodeOf(badNumber)).toBe('JSON_PARSER_ERROR');
    const badDate = await rejection(
      connection.sobject('Account').create({ Name: 'X', Kickoff_Date__c: '2026-02-30' }),
    );
    expect(errorCodeOf(badDate)).toBe('JSON_PARSER_ERROR');
    const tooLarge = await rejection(
      connection.sobject('Account').create({ Name: 'X', Licensed_Seats__c: 1_000_000_000 }),
    );
    expect(errorCodeOf(tooLarge)).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    const readOnly = await rejection(
      connection.sobject('Account').create({ Name: 'X', CreatedDate: '2020-01-01T00:00:00.000Z' }),
    );
    expect(errorCodeOf(readOnly)).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    const badOwner = await rejection(
      connection.sobject('Account').create({ Name: 'X', OwnerId: '001000000000000AAA' }),
    );
    expect(errorCodeOf(badOwner)).toBe('FIELD_INTEGRITY_EXCEPTION');
    const unknownType = await rejection(connection.sobject('Nope__c').create({ Name: 'X' }));
    expect(errorCodeOf(unknownType)).toBe('NOT_FOUND');
  });

  it('upserts by external id (create 201, update 200) and answers 300 for duplicates', async () => {
    await connection.metadata.create('CustomField', {
      fullName: 'Account.Journey_Key__c',
      label: 'Journey Key',
      type: 'Text',
      length: 80,
      externalId: true,
    });
    await connection.metadata.create('PermissionSet', {
      fullName: 'Journey_Keys',
      label: 'Journey Keys',
      fieldPermissions: [{ field: 'Account.Journey_Key__c', editable: true, readable: true }],
    });
    emulator.org().assignPermissionSet(emulator.org().integrationUserId, 'Journey_Keys');
    const first = await connection
      .sobject('Account')
      .upsert({ Name: 'Upsert Co', Journey_Key__c: 'key-1' }, 'Journey_Key__c');
    expect(first).toMatchObject({ success: true, created: true });
    const second = await connection
      .sobject('Account')
      .upsert({ Name: 'Upsert Co 2', Journey_Key__c: 'key-1' }, 'Journey_Key__c');
    expect(second).toMatchObject({ success: true, created: false, id: (first as { id: string }).id });
    emulator.org().insert('Account', { Name: 'Dup A', Journey_Key__c: 'dup' });
    emulator.org().insert('Account', { Name: 'Dup B', Journey_Key__c: 'dup' });
    const duplicate = await rejection(
      connection.sobject('Account').upsert({ Name: 'Dup', Journey_Key__c: 'dup' }, 'Journey_Key__c'),
    );
    expect(errorCodeOf(duplicate)).toBe('MULTIPLE_CHOICES');
    const notExternal = await rejection(
      connection.sobject('Account').upsert({ Name: 'N', Industry: 'Banking' }, 'Industry'),
    );
    expect(errorCodeOf(notExternal)).toBe('INVALID_FIELD');
  });

  it('describes objects and lists them globally, and sends Sforce-Limit-Info', async () => {
    const global = await connection.describeGlobal();
    expect(global.sobjects.map((object) => object.name)).toEqual(
      expect.arrayContaining(['Account', 'Task', 'User', 'PermissionSetAssignment', 'AccountHistory']),
    );
    const account = await connection.describe('Account');
    const plan = account.fields.find((field) => field.name === 'Plan__c');
    expect(plan).toMatchObject({ type: 'picklist', restrictedPicklist: true, custom: true });
    expect(plan?.picklistValues?.map((entry) => entry.value)).toEqual([
      'Trial',
      'Starter',
      'Professional',
      'Enterprise',
    ]);
    expect(account.fields.find((field) => field.name === 'Name')).toMatchObject({
      nillable: false,
      type: 'string',
      nameField: true,
    });
    expect(connection.limitInfo.apiUsage?.limit).toBe(100000);
    const limits = await connection.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100000);
    expect(limits.DailyApiRequests?.Remaining).toBe(100000 - emulator.org().apiUsage().used);
  });

  it('runs collections with per-record errors, allOrNone and the 200 record limit', async () => {
    const results = await connection
      .sobject('Account')
      .create([{ Name: 'Coll 1' }, { Industry: 'Banking' }, { Name: 'Coll 3', Plan__c: 'Trial' }]);
    expect(results.map((result) => result.success)).toEqual([true, false, true]);
    expect(results[1]?.errors[0]).toMatchObject({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] });
    const ids = results.filter((result) => result.success).map((result) => result.id as string);
    const updated = await connection
      .sobject('Account')
      .update(ids.map((id) => ({ Id: id, Active_Users__c: 5 })));
    expect(updated.every((result) => result.success)).toBe(true);
    const rolledBack = await connection
      .sobject('Account')
      .create([{ Name: 'AllOrNone 1' }, { Name: 'AllOrNone 2', Plan__c: 'Gold' }], { allOrNone: true });
    expect(
      rolledBack.map((result) => (result.errors[0] as { statusCode?: string } | undefined)?.statusCode),
    ).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST']);
    expect((await connection.query("SELECT Id FROM Account WHERE Name = 'AllOrNone 1'")).totalSize).toBe(0);
    const retrieved = await connection
      .sobject('Account')
      .retrieve(ids, { fields: ['Name', 'Active_Users__c'] });
    expect(retrieved.map((record) => record?.Active_Users__c)).toEqual([5, 5]);
    const tooMany = await rejection(
      connection
        .sobject('Account')
        .create(Array.from({ length: 201 }, (_, index) => ({ Name: `Bulk ${index}` }))),
    );
    expect(errorCodeOf(tooMany)).toBe('EXCEEDED_ID_LIMIT');
    const deleted = await connection.sobject('Account').destroy([...ids, '001000000000000AAA']);
    expect(deleted.map((result) => result.success)).toEqual([true, true, false]);
  });

  it('upserts collections by external id', async () => {
    const results = await connection.sobject('Account').upsert(
      [
        { Name: 'Coll Upsert A', Journey_Key__c: 'c-1' },
        { Name: 'Coll Upsert B', Journey_Key__c: 'key-1' },
      ],
      'Journey_Key__c',
    );
    expect(results.map((result) => (result as { created?: boolean }).created)).toEqual([true, false]);
  });

  it('runs composite requests with references and rolls back allOrNone', async () => {
    const response = await connection.request<{
      compositeResponse: Array<{ httpStatusCode: number; body: unknown; referenceId: string }>;
    }>({
      method: 'POST',
      url: '/composite',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        allOrNone: true,
        compositeRequest: [
          {
            method: 'POST',
            url: '/services/data/v63.0/sobjects/Account',
            referenceId: 'account',
            body: { Name: 'Composite Co' },
          },
          {
            method: 'POST',
            url: '/services/data/v63.0/sobjects/Task',
            referenceId: 'task',
            body: { Subject: 'Kickoff', WhatId: '@{account.id}' },
          },
          {
            method: 'GET',
            url: '/services/data/v63.0/sobjects/Account/@{account.id}?fields=Name',
            referenceId: 'read',
          },
        ],
      }),
    });
    expect(response.compositeResponse.map((entry) => entry.httpStatusCode)).toEqual([201, 201, 200]);
    const failing = await connection.request<{
      compositeResponse: Array<{ httpStatusCode: number; body: Array<{ errorCode: string }> }>;
    }>({
      method: 'POST',
      url: '/composite',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        allOrNone: true,
        compositeRequest: [
          {
            method: 'POST',
            url: '/services/data/v63.0/sobjects/Account',
            referenceId: 'a',
            body: { Name: 'Rolled Back Co' },
          },
          {
            method: 'POST',
            url: '/services/data/v63.0/sobjects/Account',
            referenceId: 'b',
            body: { Plan__c: 'Trial' },
          },
        ],
      }),
    });
    expect(failing.compositeResponse.map((entry) => entry.body[0]?.errorCode)).toEqual([
      'PROCESSING_HALTED',
      'REQUIRED_FIELD_MISSING',
    ]);
    expect((await connection.query("SELECT Id FROM Account WHERE Name = 'Rolled Back Co'")).totalSize).toBe(
      0,
    );
  });

  it('queries with filters, relationships, ordering, limits and date literals', async () => {
    const enterprise = await connection.query<{ Name: string; Plan__c: string; Owner: { Name: string } }>(
      "SELECT Name, Plan__c, Owner.Name FROM Account WHERE Plan__c IN ('Enterprise') AND Churned__c = false ORDER BY Name ASC LIMIT 5",
    );
    expect(enterprise.records).toHaveLength(5);
    expect(enterprise.records.every((record) => record.Plan__c === 'Enterprise')).toBe(true);
    const names = enterprise.records.map((record) => record.Name);
    expect([...names].sort((left, right) => left.toLowerCase().localeCompare(right.toLowerCase()))).toEqual(
      names,
    );
    expect(enterprise.records[0]?.Owner.Name).toMatch(/\w+ \w+/);
    const mixed = await connection.query(
      "SELECT Id FROM Account WHERE (Plan__c = 'Trial' OR Churned__c = true) AND Name LIKE '%a%' AND Kickoff_Date__c != null",
    );
    expect(mixed.totalSize).toBeGreaterThan(0);
    const recent = await connection.query(
      'SELECT Id, Contract_Signed_Date__c FROM Account WHERE Contract_Signed_Date__c = LAST_N_DAYS:14',
    );
    expect(recent.totalSize).toBeGreaterThan(0);
    const count = await connection.query('SELECT COUNT() FROM Account WHERE Churned__c = true');
    expect(count.totalSize).toBeGreaterThan(0);
    expect(count.records).toHaveLength(0);
    const tasks = await connection.query<{ What: { Name: string } }>(
      "SELECT Subject, What.Name FROM Task WHERE Subject = 'Kickoff'",
    );
    expect(tasks.records[0]?.What.Name).toBe('Composite Co');
  });

  it('pages with queryMore and answers malformed queries with MALFORMED_QUERY', async () => {
    const first = await connection.query('SELECT Id, Name FROM Account', {
      autoFetch: false,
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    } as never);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(200);
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v63\.0\/query\/01g\w+-200$/);
    const second = await connection.queryMore(first.nextRecordsUrl as string);
    expect(second.records.length).toBeGreaterThan(0);
    const all = await connection.query('SELECT Id FROM Account', {
      autoFetch: true,
      maxFetch: 100000,
    } as never);
    expect(all.records.length).toBe(all.totalSize);
    const malformed = await rejection(connection.query('SELECT Id FORM Account'));
    expect(errorCodeOf(malformed)).toBe('MALFORMED_QUERY');
    expect(malformed.message).toContain('ERROR at Row:1:Column:11');
    const mixing = await rejection(
      connection.query("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'"),
    );
    expect(errorCodeOf(mixing)).toBe('MALFORMED_QUERY');
    const badField = await rejection(connection.query('SELECT Revenue__c FROM Account'));
    expect(errorCodeOf(badField)).toBe('INVALID_FIELD');
    const badType = await rejection(connection.query('SELECT Id FROM Acount'));
    expect(errorCodeOf(badType)).toBe('INVALID_TYPE');
    const quoted = await rejection(connection.query("SELECT Id FROM Account WHERE NPS__c > '5'"));
    expect(errorCodeOf(quoted)).toBe('INVALID_QUERY_FILTER_OPERATOR');
  });

  it('records field history for tracked fields', async () => {
    const id = emulator.org().insert('Account', { Name: 'History Co', Plan__c: 'Trial' });
    await connection.sobject('Account').update({ Id: id, Plan__c: 'Starter', Licensed_Seats__c: 12 });
    const history = emulator.org().fieldHistory('Account', id);
    expect(history.map((entry) => [entry.field, entry.oldValue, entry.newValue])).toEqual([
      ['created', null, null],
      ['Plan__c', 'Trial', 'Starter'],
    ]);
    const queried = await connection.query<{ Field: string }>(
      `SELECT Field, OldValue, NewValue FROM AccountHistory WHERE AccountId = '${id}'`,
    );
    expect(queried.records.map((record) => record.Field)).toEqual(['created', 'Plan__c']);
  });

  it('answers 401 INVALID_SESSION_ID for a bad token', async () => {
    const stranger = connect(emulator, 'bogus');
    const error = await rejection(stranger.query('SELECT Id FROM Account'));
    expect(errorCodeOf(error)).toBe('INVALID_SESSION_ID');
    const raw = await fetch(`${emulator.url}/services/data/v63.0/sobjects`, {
      headers: { Authorization: 'Bearer bogus' },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });
});
