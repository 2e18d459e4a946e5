import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceEmulator } from './salesforce-emulator.js';
import { connect, errorCodeOf, rejection } from './salesforce-emulator-test-support.js';
import type { SalesforceEmulator } from './salesforce-emulator-types.js';

const stageField = {
  fullName: 'Account.CS_Stage__c',
  label: 'CS Stage',
  type: 'Picklist',
  trackHistory: true,
  valueSet: {
    restricted: true,
    valueSetDefinition: {
      sorted: false,
      value: ['Onboarding', 'Adoption', 'Renewal'].map((value) => ({
        fullName: value,
        default: false,
        label: value,
      })),
    },
  },
};

describe('Metadata SOAP API through jsforce', () => {
  let emulator: SalesforceEmulator;
  let connection: Connection;

  beforeAll(async () => {
    emulator = await createSalesforceEmulator();
    connection = connect(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('creates, reads, updates, renames and deletes a CustomField', async () => {
    const created = await connection.metadata.create('CustomField', stageField);
    expect(created).toMatchObject({ fullName: 'Account.CS_Stage__c', success: true });
    const read = (await connection.metadata.read('CustomField', 'Account.CS_Stage__c')) as unknown as Record<
      string,
      unknown
    >;
    expect(read.fullName).toBe('Account.CS_Stage__c');
    expect(read.type).toBe('Picklist');
    const updated = await connection.metadata.update('CustomField', {
      ...stageField,
      label: 'Journey Stage',
    });
    expect(updated.success).toBe(true);
    expect(emulator.org().component('CustomField', 'Account.CS_Stage__c')?.label).toBe('Journey Stage');
    const renamed = await connection.metadata.rename(
      'CustomField',
      'Account.CS_Stage__c',
      'Account.CS_Journey_Stage__c',
    );
    expect(renamed.success).toBe(true);
    expect(emulator.org().component('CustomField', 'Account.CS_Stage__c')).toBeUndefined();
    const deleted = await connection.metadata.delete('CustomField', 'Account.CS_Journey_Stage__c');
    expect(deleted.success).toBe(true);
    expect(emulator.org().metadata('CustomField')).toHaveLength(0);
  });

  it('upserts (created then updated) and reports duplicates on create', async () => {
    const first = await connection.metadata.upsert('GlobalValueSet', {
      fullName: 'CS_Journey_Stage',
      masterLabel: 'CS Journey Stage',
      sorted: false,
      customValue: [{ fullName: 'Onboarding', default: true, label: 'Onboarding' }],
    });
    expect(first).toMatchObject({ created: true, success: true });
    const second = await connection.metadata.upsert('GlobalValueSet', {
      fullName: 'CS_Journey_Stage',
      masterLabel: 'CS Journey Stage',
      sorted: false,
      customValue: ['Onboarding', 'Adoption'].map((value) => ({
        fullName: value,
        default: false,
        label: value,
      })),
    });
    expect(second).toMatchObject({ created: false, success: true });
    const duplicate = await connection.metadata.create('GlobalValueSet', {
      fullName: 'CS_Journey_Stage',
      masterLabel: 'X',
      customValue: [{ fullName: 'A' }],
    });
    expect(duplicate.success).toBe(false);
    expect(JSON.stringify(duplicate.errors)).toContain('DUPLICATE_DEVELOPER_NAME');
  });

  it('reads unknown names as empty records (no fullName), not errors', async () => {
    const missing = (await connection.metadata.read(
      'CustomField',
      'Account.Does_Not_Exist__c',
    )) as unknown as Record<string, unknown>;
    expect(missing.fullName).toBeUndefined();
    const several = await connection.metadata.read('CustomField', ['Account.A__c', 'Account.B__c']);
    expect(several).toHaveLength(2);
  });

  it('rejects more than 10 components with sf:EXCEEDED_ID_LIMIT', async () => {
    const fields = Array.from({ length: 11 }, (_, index) => ({
      fullName: `Account.F${index}__c`,
      label: `F${index}`,
      type: 'Date',
    }));
    const error = await rejection(connection.metadata.create('CustomField', fields));
    expect(errorCodeOf(error)).toBe('EXCEEDED_ID_LIMIT');
    expect(error.message).toContain('cannot submit more than 10 records');
  });

  it('faults unknown types with sf:INVALID_TYPE and bad sessions with sf:INVALID_SESSION_ID', async () => {
    const invalidType = await rejection(connection.metadata.read('ApexClass', 'Anything'));
    expect(errorCodeOf(invalidType)).toBe('INVALID_TYPE');
    const stranger = connect(emulator, '00Dbogus!token');
    const invalidSession = await rejection(stranger.metadata.read('CustomField', 'Account.Name'));
    expect(errorCodeOf(invalidSession)).toBe('INVALID_SESSION_ID');
  });

  it('reports per-component problems with the real problem texts', async () => {
    const results = await connection.metadata.create('CustomField', [
      { fullName: 'Account.No_Values__c', label: 'No Values', type: 'Picklist' },
      { fullName: 'Account.Flag__c', label: 'Flag', type: 'Checkbox' },
      {
        fullName: 'Account.Bound__c',
        label: 'Bound',
        type: 'Picklist',
        valueSet: { valueSetName: 'Missing_Set' },
      },
      { fullName: 'Account.NoSuffix', label: 'No suffix', type: 'Date' },
      { fullName: 'Nope__c.Field__c', label: 'Field', type: 'Date' },
      {
        fullName: 'Account.Ref__c',
        label: 'Ref',
        type: 'Lookup',
        referenceTo: 'Ghost__c',
        relationshipName: 'Ghost',
      },
      { fullName: 'Account.Key__c', label: 'Key', type: 'Text', length: 80, externalId: true, unique: true },
    ]);
    const byName = Object.fromEntries(results.map((result) => [result.fullName, result]));
    const message = (name: string) => JSON.stringify(byName[name]?.errors);
    expect(message('Account.No_Values__c')).toContain(
      'You must specify either picklist, globalPicklist, or valueSet',
    );
    expect(message('Account.Flag__c')).toContain('Checkbox fields require a defaultValue');
    expect(message('Account.Bound__c')).toContain('no GlobalValueSet named Missing_Set found');
    expect(message('Account.NoSuffix')).toContain('fullName must end with: __c');
    expect(message('Nope__c.Field__c')).toContain('no CustomObject named Nope__c found');
    expect(message('Account.Ref__c')).toContain(
      "referenceTo value of 'Ghost__c' does not resolve to a valid sObject type",
    );
    expect(byName['Account.Key__c']?.success).toBe(true);
  });

  it('creates a custom object, a master-detail field and a picklist bound to a global value set', async () => {
    const object = await connection.metadata.create('CustomObject', {
      fullName: 'Success_Cycle__c',
      label: 'Success Cycle',
      pluralLabel: 'Success Cycles',
      nameField: { type: 'AutoNumber', label: 'Success Cycle Number', displayFormat: 'SC-{00000}' },
      deploymentStatus: 'Deployed',
      sharingModel: 'ReadWrite',
      enableActivities: true,
      enableHistory: true,
    });
    expect(object.success).toBe(true);
    const fields = await connection.metadata.create('CustomField', [
      {
        fullName: 'Success_Cycle__c.Account__c',
        label: 'Account',
        type: 'MasterDetail',
        referenceTo: 'Account',
        relationshipName: 'Success_Cycles',
        relationshipOrder: 0,
      },
      {
        fullName: 'Success_Cycle__c.Stage__c',
        label: 'Stage',
        type: 'Picklist',
        trackHistory: true,
        valueSet: { restricted: true, valueSetName: 'CS_Journey_Stage' },
      },
    ]);
    expect(fields.map((field) => field.success)).toEqual([true, true]);
    const read = (await connection.metadata.read('CustomObject', 'Success_Cycle__c')) as unknown as Record<
      string,
      unknown
    >;
    expect(read.label).toBe('Success Cycle');
    expect(JSON.stringify(read.fields)).toContain('Stage__c');
    const noLabel = await connection.metadata.create('CustomObject', { fullName: 'Empty__c' });
    expect(JSON.stringify(noLabel.errors)).toContain('Must specify a non-empty label for the CustomObject');
  });

  it('honours AllOrNoneHeader', async () => {
    // jsforce has no AllOrNoneHeader option, so this call goes over the wire by hand.
    const response = await fetch(`${emulator.url}/services/Soap/m/63.0`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
      body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>${emulator.defaultToken}</sessionId></SessionHeader><AllOrNoneHeader><allOrNone>true</allOrNone></AllOrNoneHeader></soapenv:Header><soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata"><createMetadata><metadata xsi:type="CustomField"><fullName>Account.Good__c</fullName><label>Good</label><type>Date</type></metadata><metadata xsi:type="CustomField"><fullName>Account.Bad__c</fullName><type>Date</type></metadata></createMetadata></soapenv:Body></soapenv:Envelope>`,
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(emulator.org().component('CustomField', 'Account.Good__c')).toBeUndefined();
  });

  it('lists and describes metadata', async () => {
    const fields = await connection.metadata.list([{ type: 'CustomField' }]);
    expect(fields.map((field) => field.fullName)).toContain('Success_Cycle__c.Stage__c');
    expect(fields.find((field) => field.fullName === 'Success_Cycle__c.Stage__c')?.fileName).toBe(
      'objects/Success_Cycle__c.object',
    );
    const objects = await connection.metadata.list({ type: 'CustomObject' });
    expect(objects.map((object) => object.fullName)).toEqual(
      expect.arrayContaining(['Account', 'Success_Cycle__c']),
    );
    const described = await connection.metadata.describe();
    expect(described.metadataObjects.map((type) => type.xmlName)).toEqual(
      expect.arrayContaining(['CustomObject', 'Flow', 'PathAssistant', 'Settings']),
    );
  });

  it('validates permission sets: unknown fields and required fields fail', async () => {
    const result = await connection.metadata.create('PermissionSet', {
      fullName: 'Bad_Set',
      label: 'Bad Set',
      fieldPermissions: [
        { field: 'Account.Ghost__c', editable: true, readable: true },
        { field: 'Success_Cycle__c.Account__c', editable: true, readable: true },
      ],
    });
    const text = JSON.stringify(result.errors);
    expect(text).toContain('In field: field - no CustomField named Account.Ghost__c found');
    expect(text).toContain('You cannot deploy to a required field: Success_Cycle__c.Account__c');
    const noLabel = await connection.metadata.create('PermissionSet', { fullName: 'No_Label' });
    expect(JSON.stringify(noLabel.errors)).toContain('Required field is missing: label');
  });
});
